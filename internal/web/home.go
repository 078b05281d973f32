package web

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// glanceDays is how many days the home page shows: today and the next 7.
const glanceDays = 8

// maxGlancePages bounds how many pages of posts the home page reads for
// its glance; beyond it, the page says there is more.
const maxGlancePages = 5

// slot is one target at its time on the home page.
type slot struct {
	Post    herald.Post
	Target  herald.Target
	Account string
	At      time.Time // in the workspace zone
}

// day is one day of the glance.
type day struct {
	Date  time.Time
	Today bool
	Slots []slot
}

// attention is one target that needs a person.
type attention struct {
	slot
	Why string
}

// homeData is the home page.
type homeData struct {
	Days        []day
	More        bool // the glance is cut short
	Attention   []attention
	MoreWaiting bool
	Reconnect   []herald.Account
	Mentions    []mention // recent comments that mention the viewer
	Drafts      []draftItem
	MoreDrafts  bool
}

// attentionStates returns the target states that need a person, in the
// order the home page lists them.
func attentionStates() []herald.TargetState {
	return []herald.TargetState{herald.StateFailed, herald.StateUnconfirmed, herald.StateHeld, herald.StateInReview}
}

// why says what a person should do about a target in state s.
func why(s herald.TargetState) string {
	switch s {
	case herald.StateFailed:
		return "Failed: read the platform's answer, then retry or cancel"
	case herald.StateUnconfirmed:
		return "Unconfirmed: check the platform and say whether it was published"
	case herald.StateHeld:
		return "Held: resume it when it is safe to publish"
	case herald.StateInReview:
		return "Awaiting approval"
	}
	return string(s)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	accts, err := h.d.Accounts.List(ctx, p.Actor)
	if err != nil {
		return err
	}
	names := accountNames(accts)
	var data homeData
	for _, a := range accts {
		if a.Status == herald.AccountExpired || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpiring {
			data.Reconnect = append(data.Reconnect, a)
		}
	}

	now := h.d.Clock.Now().In(loc)
	start := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, glanceDays)
	for i := range glanceDays {
		data.Days = append(data.Days, day{Date: start.AddDate(0, 0, i), Today: i == 0})
	}
	from, to := start.UTC(), end.UTC()
	f := herald.PostFilter{From: &from, To: &to, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for range maxGlancePages {
		posts, next, err := h.d.Posts.List(ctx, p.Actor, f)
		if err != nil {
			return err
		}
		for _, po := range posts {
			for _, t := range po.Targets {
				if t.ScheduledAt == nil || t.State == herald.StateCancelled || t.ScheduledAt.Before(from) || !t.ScheduledAt.Before(to) {
					continue
				}
				at := t.ScheduledAt.In(loc)
				d := &data.Days[dayIndex(start, at)]
				d.Slots = append(d.Slots, slot{Post: po, Target: t, Account: names[t.AccountID], At: at})
			}
		}
		if f.Cursor = next; next == "" {
			break
		}
	}
	data.More = f.Cursor != ""
	for i := range data.Days {
		slices.SortStableFunc(data.Days[i].Slots, func(a, b slot) int { return a.At.Compare(b.At) })
	}

	states := attentionStates()
	waiting, next, err := h.d.Posts.List(ctx, p.Actor, herald.PostFilter{States: states, Page: herald.Page{Limit: herald.MaxPageLimit}})
	if err != nil {
		return err
	}
	data.MoreWaiting = next != ""
	for _, po := range waiting {
		for _, t := range po.Targets {
			if slices.Contains(states, t.State) {
				s := slot{Post: po, Target: t, Account: names[t.AccountID]}
				if t.ScheduledAt != nil {
					s.At = t.ScheduledAt.In(loc)
				}
				data.Attention = append(data.Attention, attention{slot: s, Why: why(t.State)})
			}
		}
	}
	slices.SortStableFunc(data.Attention, func(a, b attention) int {
		return cmp.Or(cmp.Compare(slices.Index(states, a.Target.State), slices.Index(states, b.Target.State)),
			a.At.Compare(b.At))
	})
	if data.Mentions, err = h.mentionsOfViewer(ctx, p); err != nil {
		return err
	}
	if data.Drafts, data.MoreDrafts, err = h.recentDrafts(r, p, accts); err != nil {
		return err
	}
	p.Title = "Home"
	h.render(w, r, http.StatusOK, homePage(p, data))
	return nil
}

// dayIndex is the glance day at falls on (calendar days, so days of 23 or
// 25 hours count once).
func dayIndex(start, at time.Time) int {
	a := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	return min(max(int(b.Sub(a)/(24*time.Hour)), 0), glanceDays-1)
}

// accountNames names each account for lists: "@handle on platform".
func accountNames(accts []herald.Account) map[int64]string {
	m := make(map[int64]string, len(accts))
	for _, a := range accts {
		m[a.ID] = accountName(a)
	}
	return m
}

func accountName(a herald.Account) string {
	return a.Handle + " on " + platformLabel(a.Platform)
}
