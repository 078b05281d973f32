package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// MaxDays bounds a period.
const MaxDays = 366

// Presets are the periods the period picker offers, in days.
var Presets = []int{7, 28, 90}

// Period is a span of whole days in the workspace's time zone: [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Days is the period's length in days.
func (p Period) Days() int { return int(p.To.Sub(p.From).Round(24*time.Hour) / (24 * time.Hour)) }

// Query asks for a workspace's overview.
type Query struct {
	// Days picks the last Days days up to and including today; From and
	// To (dates, "2006-01-02", both included) pick a span instead.
	Days     int
	From, To string
	// Rate is the engagement rate's denominator ("" for followers).
	Rate Denominator
	// AccountID and CampaignID, when set, keep one account's or one
	// campaign's posts: the account and campaign views.
	AccountID, CampaignID int64
}

// Day is the figures of the posts published on one day.
type Day struct {
	Date string `json:"date"` // in the workspace's zone
	Figures
}

// Breakdown is the figures of one account, platform or campaign.
type Breakdown struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Figures
}

// PostFigures is one published post (on one account) and its figures.
type PostFigures struct {
	herald.TargetStats
	Title       string `json:"title"`
	Account     string `json:"account"`
	Engagements int64  `json:"engagements"`
}

// Growth is an account's followers over the period.
type Growth struct {
	AccountID int64  `json:"account_id"`
	Account   string `json:"account"`
	// Start is the followers at the last daily count before the period
	// (or the first in it), End at the last in it; -1 when not known.
	Start  int64 `json:"start"`
	End    int64 `json:"end"`
	Change int64 `json:"change"`
	// Known is false when the account has no two counts to compare.
	Known bool `json:"known"`
	// Daily is the followers at each day's count in the period, oldest
	// first.
	Daily []herald.AccountSnapshot `json:"daily"`
}

// Overview is a workspace's analytics over a period, compared with the
// period of the same length before it.
type Overview struct {
	Zone     string      `json:"zone"`
	Period   Period      `json:"period"`
	Previous Period      `json:"previous"`
	Rate     Denominator `json:"rate"`
	// AccountID and CampaignID say the overview keeps one account's or one
	// campaign's posts (0: every one).
	AccountID  int64   `json:"account_id,omitempty"`
	CampaignID int64   `json:"campaign_id,omitempty"`
	Current    Figures `json:"current"`
	Prior      Figures `json:"prior"`
	// Days has one entry per day of the period, posts or not.
	Days       []Day       `json:"days"`
	ByAccount  []Breakdown `json:"by_account"`
	ByPlatform []Breakdown `json:"by_platform"`
	ByCampaign []Breakdown `json:"by_campaign"`
	// ByLabel counts a post with two labels under both; "0" is no label.
	ByLabel []Breakdown   `json:"by_label"`
	Top     []PostFigures `json:"top"`
	Bottom  []PostFigures `json:"bottom"`
	Growth  []Growth      `json:"growth"`
}

// TopCount is how many posts Top and Bottom list.
const TopCount = 5

// Service computes analytics.
type Service struct {
	store herald.Store
	clock herald.Clock
}

// New returns a Service.
func New(store herald.Store, clock herald.Clock) *Service {
	return &Service{store: store, clock: clock}
}

// Resolve turns a query into a period in loc, checking it.
func Resolve(q Query, now time.Time, loc *time.Location) (Period, error) {
	today := midnight(now.In(loc))
	if q.From != "" || q.To != "" {
		var p herald.Problems
		from, errF := time.ParseInLocation(time.DateOnly, q.From, loc)
		if errF != nil {
			p.Add("from", "%q is not a day; write it as 2026-03-31", q.From)
		}
		to, errT := time.ParseInLocation(time.DateOnly, q.To, loc)
		if errT != nil {
			p.Add("to", "%q is not a day; write it as 2026-03-31", q.To)
		}
		if err := p.Err("the period is not valid"); err != nil {
			return Period{}, err
		}
		end := to.AddDate(0, 0, 1)
		if !end.After(from) {
			return Period{}, herald.Problems{{Field: "to", Problem: "must be the same day as from or later"}}.Err("the period is empty")
		}
		if end.Sub(from) > (MaxDays+1)*24*time.Hour {
			return Period{}, herald.Problems{{Field: "from", Problem: fmt.Sprintf("the period is longer than %d days; choose a shorter one", MaxDays)}}.Err("the period is too long")
		}
		return Period{From: from, To: end}, nil
	}
	days := cmp.Or(q.Days, 28)
	if days < 1 || days > MaxDays {
		return Period{}, herald.Problems{{Field: "days", Problem: fmt.Sprintf("is %d; choose 1 to %d days", days, MaxDays)}}.Err("the period is not valid")
	}
	end := today.AddDate(0, 0, 1)
	return Period{From: end.AddDate(0, 0, -days), To: end}, nil
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// previous is the period of the same number of days just before p.
func previous(p Period) Period {
	return Period{From: p.From.AddDate(0, 0, -p.Days()), To: p.From}
}

// Overview computes the workspace's overview. Anyone who reads analytics
// may see it (the client role included).
func (s *Service) Overview(ctx context.Context, actor herald.Actor, q Query) (Overview, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return Overview{}, err
	}
	rate := cmp.Or(q.Rate, ByFollowers)
	if !rate.Valid() {
		return Overview{}, herald.Problems{{Field: "rate", Problem: fmt.Sprintf("is %q; choose followers or impressions", q.Rate)}}.Err("the engagement rate is not valid")
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		loc = time.UTC
	}
	cur, err := Resolve(q, s.clock.Now(), loc)
	if err != nil {
		return Overview{}, err
	}
	prev := previous(cur)
	if q.AccountID != 0 {
		if _, err := s.store.GetAccount(ctx, actor.WorkspaceID, q.AccountID); err != nil {
			return Overview{}, fmt.Errorf("analytics: overview: %w", err)
		}
	}
	if q.CampaignID != 0 {
		if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, q.CampaignID); err != nil {
			return Overview{}, fmt.Errorf("analytics: overview: %w", err)
		}
	}
	stats, err := s.store.ListTargetStats(ctx, actor.WorkspaceID, prev.From, cur.To)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	stats = slices.DeleteFunc(stats, func(t herald.TargetStats) bool {
		return q.AccountID != 0 && t.AccountID != q.AccountID || q.CampaignID != 0 && t.CampaignID != q.CampaignID
	})
	accounts, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	campaigns, err := s.store.ListCampaigns(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	// The counts before the period tell where its growth starts.
	snaps, err := s.store.ListAccountSnapshots(ctx, actor.WorkspaceID, 0, cur.From.AddDate(0, 0, -MaxDays), cur.To)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	o := Compute(stats, cur, loc, rate)
	o.Zone = loc.String()
	names := map[int64]string{}
	for _, a := range accounts {
		names[a.ID] = a.Handle
	}
	for i := range o.ByAccount {
		id, _ := strconv.ParseInt(o.ByAccount[i].Key, 10, 64)
		o.ByAccount[i].Label = cmp.Or(names[id], "deleted account")
	}
	campaignNames := map[int64]string{}
	for _, c := range campaigns {
		campaignNames[c.ID] = c.Name
	}
	for i := range o.ByCampaign {
		id, _ := strconv.ParseInt(o.ByCampaign[i].Key, 10, 64)
		o.ByCampaign[i].Label = cmp.Or(campaignNames[id], "No campaign")
	}
	labels, err := s.store.ListLabels(ctx, actor.WorkspaceID)
	if err != nil {
		return Overview{}, fmt.Errorf("analytics: overview: %w", err)
	}
	labelNames := map[int64]string{}
	for _, l := range labels {
		labelNames[l.ID] = l.Name
	}
	for i := range o.ByLabel {
		id, _ := strconv.ParseInt(o.ByLabel[i].Key, 10, 64)
		o.ByLabel[i].Label = cmp.Or(labelNames[id], "No label")
	}
	if q.AccountID != 0 {
		snaps = slices.DeleteFunc(snaps, func(a herald.AccountSnapshot) bool { return a.AccountID != q.AccountID })
	}
	o.Growth = growth(snaps, cur, accounts)
	o.AccountID, o.CampaignID = q.AccountID, q.CampaignID
	for _, list := range [][]PostFigures{o.Top, o.Bottom} {
		for i := range list {
			p, err := s.store.GetPost(ctx, actor.WorkspaceID, list[i].PostID)
			if err != nil {
				return Overview{}, fmt.Errorf("analytics: overview: post %d: %w", list[i].PostID, err)
			}
			list[i].Title = title(p)
			list[i].Account = names[list[i].AccountID]
		}
	}
	return o, nil
}

// Compute works out an overview's figures from the targets published in
// the period and the one before it (stats by publishing time), without
// names: Overview adds those.
func Compute(stats []herald.TargetStats, cur Period, loc *time.Location, rate Denominator) Overview {
	prev := previous(cur)
	o := Overview{Period: cur, Previous: prev, Rate: rate}
	dayIndex := map[string]int{}
	for d := cur.From; d.Before(cur.To); d = d.AddDate(0, 0, 1) {
		dayIndex[d.Format(time.DateOnly)] = len(o.Days)
		o.Days = append(o.Days, Day{Date: d.Format(time.DateOnly)})
	}
	byAccount, byPlatform, byCampaign, byLabel := map[string]*Figures{}, map[string]*Figures{}, map[string]*Figures{}, map[string]*Figures{}
	group := func(m map[string]*Figures, k string) *Figures {
		if m[k] == nil {
			m[k] = &Figures{}
		}
		return m[k]
	}
	// Posts are ranked as small entries (engagements, target id, index in
	// stats); figures are built only for the ones shown.
	type rank struct {
		e, target int64
		i         int
	}
	var ranked []rank
	for i, t := range stats {
		switch {
		case !t.PublishedAt.Before(prev.From) && t.PublishedAt.Before(prev.To):
			o.Prior.Add(t)
		case !t.PublishedAt.Before(cur.From) && t.PublishedAt.Before(cur.To):
			o.Current.Add(t)
			if i, ok := dayIndex[t.PublishedAt.In(loc).Format(time.DateOnly)]; ok {
				o.Days[i].Add(t)
			}
			group(byAccount, strconv.FormatInt(t.AccountID, 10)).Add(t)
			group(byPlatform, string(t.Platform)).Add(t)
			group(byCampaign, strconv.FormatInt(t.CampaignID, 10)).Add(t)
			if len(t.LabelIDs) == 0 {
				group(byLabel, "0").Add(t)
			}
			for _, l := range t.LabelIDs {
				group(byLabel, strconv.FormatInt(l, 10)).Add(t)
			}
			if e, ok := Engagements(t); ok {
				ranked = append(ranked, rank{e: e, target: t.TargetID, i: i})
			}
		}
	}
	o.ByAccount = groups(byAccount)
	o.ByPlatform = groups(byPlatform)
	o.ByCampaign = groups(byCampaign)
	o.ByLabel = groups(byLabel)
	slices.SortFunc(ranked, func(a, b rank) int {
		return cmp.Or(cmp.Compare(b.e, a.e), cmp.Compare(a.target, b.target))
	})
	shown := func(rs []rank) []PostFigures {
		out := make([]PostFigures, len(rs))
		for j, r := range rs {
			out[j] = PostFigures{TargetStats: stats[r.i], Engagements: r.e}
		}
		return out
	}
	o.Top = shown(ranked[:min(TopCount, len(ranked))])
	o.Bottom = []PostFigures{}
	if len(ranked) > TopCount {
		o.Bottom = shown(ranked[max(TopCount, len(ranked)-TopCount):])
		slices.Reverse(o.Bottom)
	}
	return o
}

// groups lists a breakdown, most engagements first, then by key.
func groups(m map[string]*Figures) []Breakdown {
	out := make([]Breakdown, 0, len(m))
	for k, f := range m {
		out = append(out, Breakdown{Key: k, Label: k, Figures: *f})
	}
	slices.SortFunc(out, func(a, b Breakdown) int {
		return cmp.Or(cmp.Compare(b.Engagements.Value, a.Engagements.Value), cmp.Compare(b.Posts, a.Posts),
			cmp.Compare(a.Key, b.Key))
	})
	return out
}

// growth works out each account's follower growth over the period from
// its snapshots (by account then day, up to the period's end).
func growth(snaps []herald.AccountSnapshot, p Period, accounts []herald.Account) []Growth {
	byAccount := map[int64][]herald.AccountSnapshot{}
	for _, s := range snaps {
		byAccount[s.AccountID] = append(byAccount[s.AccountID], s)
	}
	out := []Growth{}
	for _, a := range accounts {
		list := byAccount[a.ID]
		g := Growth{AccountID: a.ID, Account: a.Handle, Start: -1, End: -1, Daily: []herald.AccountSnapshot{}}
		for _, s := range list {
			if s.At.Before(p.From) {
				g.Start = s.Followers // the last one before the period wins
				continue
			}
			g.Daily = append(g.Daily, s)
		}
		if len(g.Daily) > 0 {
			if g.Start < 0 {
				g.Start = g.Daily[0].Followers
			}
			g.End = g.Daily[len(g.Daily)-1].Followers
		}
		if g.Start >= 0 && g.End >= 0 && (len(g.Daily) > 1 || len(list) > len(g.Daily)) {
			g.Change, g.Known = g.End-g.Start, true
		}
		if len(list) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// title names a post: its title, else the start of its text.
func title(p herald.Post) string {
	if p.Title != "" {
		return p.Title
	}
	text := p.Text
	if text == "" && len(p.Targets) > 0 {
		text = p.Targets[0].Variant.Text
	}
	if r := []rune(strings.Join(strings.Fields(text), " ")); len(r) > 60 {
		return string(r[:59]) + "…"
	} else {
		return string(r)
	}
}

// Audience returns an account's daily follower, following and post counts
// taken in [from, to) (at most MaxDays), oldest first. An account of
// another workspace is not found.
func (s *Service) Audience(ctx context.Context, actor herald.Actor, accountID int64, from, to time.Time) ([]herald.AccountSnapshot, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	if !to.After(from) {
		return nil, herald.Problems{{Field: "to", Problem: "must come after from"}}.Err("the period is empty")
	}
	if to.Sub(from) > MaxDays*24*time.Hour {
		return nil, herald.Problems{{Field: "from", Problem: fmt.Sprintf("the period is longer than %d days; choose a shorter one", MaxDays)}}.Err("the period is too long")
	}
	if _, err := s.store.GetAccount(ctx, actor.WorkspaceID, accountID); err != nil {
		return nil, fmt.Errorf("analytics: audience: %w", err)
	}
	out, err := s.store.ListAccountSnapshots(ctx, actor.WorkspaceID, accountID, from, to)
	if err != nil {
		return nil, fmt.Errorf("analytics: audience: %w", err)
	}
	return out, nil
}

// Latest returns the latest daily snapshot of each of the workspace's
// accounts that has one, by account id, for the accounts page. Anyone who
// sees the accounts may see it: the counts are public on the platforms.
func (s *Service) Latest(ctx context.Context, actor herald.Actor) (map[int64]herald.AccountSnapshot, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return nil, err
	}
	out, err := s.store.LatestAccountSnapshots(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("analytics: latest snapshots: %w", err)
	}
	return out, nil
}
