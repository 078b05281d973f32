package inbox

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// The response-time report: for the items that arrived in a period, how
// long the first answer took and how long until done, as the median and
// the 90th percentile, overall and by member (who sent the first answer),
// account and week (starting Monday in the workspace's zone), and the
// volume by kind and sentiment. Times are counted in the target's
// business hours when the workspace has a target with business hours,
// else on the clock; the report says which.

// MaxReportDays bounds a report's period.
const MaxReportDays = 366

// Stats are the response figures of a set of items.
type Stats struct {
	Items int `json:"items"`
	// Answered counts the items with a first answer; Resolved those done.
	Answered int `json:"answered"`
	Resolved int `json:"resolved"`
	// MedianFirst and P90First are first-response times of the answered
	// items; MedianResolve and P90Resolve arrival-to-done times of the
	// resolved ones (0 with none).
	MedianFirst   time.Duration `json:"median_first_response_ns"`
	P90First      time.Duration `json:"p90_first_response_ns"`
	MedianResolve time.Duration `json:"median_resolution_ns"`
	P90Resolve    time.Duration `json:"p90_resolution_ns"`
	// WithinTarget counts the answered items answered by their due time
	// (only with a target).
	WithinTarget int `json:"within_target"`
}

// Group is the stats of one member, account or week.
type Group struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Stats
}

// Count is a volume.
type Count struct {
	Key   string `json:"key"`
	Items int    `json:"items"`
}

// Report is the response-time report of a period.
type Report struct {
	From   time.Time          `json:"from"`
	To     time.Time          `json:"to"`
	Target herald.InboxTarget `json:"target"`
	// BusinessHours says the times count only the target's business hours.
	BusinessHours bool    `json:"business_hours"`
	Total         Stats   `json:"total"`
	ByMember      []Group `json:"by_member"`
	ByAccount     []Group `json:"by_account"`
	ByWeek        []Group `json:"by_week"`
	ByKind        []Count `json:"by_kind"`
	BySentiment   []Count `json:"by_sentiment"`
}

// times collects one group's durations.
type times struct {
	items, within int
	first, done   []time.Duration
}

func (t *times) stats() Stats {
	return Stats{Items: t.items, Answered: len(t.first), Resolved: len(t.done), WithinTarget: t.within,
		MedianFirst: median(t.first), P90First: percentile(t.first, 0.9),
		MedianResolve: median(t.done), P90Resolve: percentile(t.done, 0.9)}
}

// median is the middle duration (the mean of the two middle ones for an
// even count); 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile is the nearest-rank q-th percentile: the smallest duration
// with at least q of them at or below it; 0 for none.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// Report computes the response-time report of the items that arrived in
// [from, to). Anyone who reads analytics may see it.
func (s *Service) Report(ctx context.Context, actor herald.Actor, from, to time.Time) (Report, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return Report{}, err
	}
	if !to.After(from) {
		return Report{}, herald.Problems{{Field: "to", Problem: "must come after from"}}.Err("the period is empty")
	}
	if to.Sub(from) > MaxReportDays*24*time.Hour {
		return Report{}, herald.Problems{{Field: "from", Problem: fmt.Sprintf("the period is longer than %d days; choose a shorter one", MaxReportDays)}}.Err("the period is too long")
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		loc = time.UTC
	}
	tg, err := s.store.GetInboxTarget(ctx, actor.WorkspaceID)
	if err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	rows, err := s.store.InboxReportRows(ctx, actor.WorkspaceID, from, to)
	if err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	members, err := s.store.ListMembers(ctx, actor.WorkspaceID)
	if err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	accounts, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return Report{}, fmt.Errorf("inbox: report: %w", err)
	}
	r := Report{From: from.UTC(), To: to.UTC(), Target: tg, BusinessHours: tg.On() && !tg.Always}
	hours := herald.BusinessHours{Always: true}
	if r.BusinessHours {
		hours = tg.Hours(loc)
	}
	var total times
	byMember, byAccount, byWeek := map[string]*times{}, map[string]*times{}, map[string]*times{}
	kinds, sentiments := map[string]int{}, map[string]int{}
	group := func(m map[string]*times, k string) *times {
		if m[k] == nil {
			m[k] = &times{}
		}
		return m[k]
	}
	for _, row := range rows {
		week := weekOf(row.CreatedAt, loc)
		gs := []*times{&total, group(byAccount, fmt.Sprint(row.AccountID)), group(byWeek, week)}
		if row.FirstResponder != 0 {
			gs = append(gs, group(byMember, fmt.Sprint(row.FirstResponder)))
		}
		var due *time.Time
		if tg.On() {
			due = tg.Due(row.CreatedAt, loc)
		}
		for _, g := range gs {
			g.items++
			if row.FirstResponseAt != nil {
				g.first = append(g.first, hours.Elapsed(row.CreatedAt, *row.FirstResponseAt))
				if due != nil && !row.FirstResponseAt.After(*due) {
					g.within++
				}
			}
			if row.DoneAt != nil {
				g.done = append(g.done, hours.Elapsed(row.CreatedAt, *row.DoneAt))
			}
		}
		switch {
		case row.Direct:
			kinds["dm"]++
		case row.Reply:
			kinds["reply"]++
		default:
			kinds["mention"]++
		}
		sent := row.Sentiment
		if sent == "" {
			sent = "not analysed"
		}
		sentiments[sent]++
	}
	r.Total = total.stats()
	names := map[string]string{}
	for _, m := range members {
		names[fmt.Sprint(m.UserID)] = m.Name
	}
	for _, a := range accounts {
		names["a"+fmt.Sprint(a.ID)] = a.Handle + " (" + string(a.Platform) + ")"
	}
	r.ByMember = groups(byMember, func(k string) string {
		if n, ok := names[k]; ok {
			return n
		}
		return "A former member"
	})
	r.ByAccount = groups(byAccount, func(k string) string {
		if n, ok := names["a"+k]; ok {
			return n
		}
		return "A removed account"
	})
	r.ByWeek = groups(byWeek, func(k string) string { return "Week of " + k })
	sort.Slice(r.ByWeek, func(i, j int) bool { return r.ByWeek[i].Key < r.ByWeek[j].Key })
	r.ByKind = counts(kinds)
	r.BySentiment = counts(sentiments)
	return r, nil
}

// weekOf is the Monday starting t's week in loc, as 2006-01-02.
func weekOf(t time.Time, loc *time.Location) string {
	l := t.In(loc)
	back := (int(l.Weekday()) + 6) % 7
	y, m, d := l.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc).Format("2006-01-02")
}

// groups turns the map into groups, most items first, then by label.
func groups(m map[string]*times, label func(string) string) []Group {
	out := make([]Group, 0, len(m))
	for k, t := range m {
		out = append(out, Group{Key: k, Label: label(k), Stats: t.stats()})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Items != out[j].Items {
			return out[i].Items > out[j].Items
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// counts turns the map into counts, most first, then by key.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Items: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Items != out[j].Items {
			return out[i].Items > out[j].Items
		}
		return out[i].Key < out[j].Key
	})
	return out
}
