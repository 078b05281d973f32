package web

// The composer's "Best times": the next free times in the best hours to
// post of the accounts chosen, read off the workspace's own history, for
// those who read analytics.

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// composeBestCount is how many times the composer suggests at most.
const composeBestCount = 4

// plannedStates are the states of a target that goes out at its time
// unless someone steps in: its time is taken for the suggestions.
var plannedStates = []herald.TargetState{herald.StateInReview, herald.StateApproved, herald.StateScheduled,
	herald.StatePublishing, herald.StateRetrying, herald.StateHeld}

// bestTimesView is the composer's "Best times".
type bestTimesView struct {
	// Shown is set for those who read analytics: the others see nothing
	// of it.
	Shown bool
	// Scope is the one account whose grid is read; "" for the grid of all
	// the workspace's accounts (several accounts chosen, or none).
	Scope string
	Rate  analytics.Denominator
	// Enough says the grid has an hour with enough posts: without one,
	// the composer says there is not enough history, and suggests nothing.
	Enough bool
	Times  []bestTime
	// Failed says the suggestions could not be worked out just now.
	Failed bool
}

// bestTime is one suggested time.
type bestTime struct {
	Value string // the date and time field's value: "2006-01-02T15:04" in the workspace's zone
	Label string // "Tue 8 Dec 09:00"
	Key   string // "2026-12-08-09", for the button's id
	Cell  analytics.Cell
}

// composeBest answers the suggestions' refresh when the accounts chosen
// change: GET /w/{ws}/compose/best?account=…&post_id=….
func (h *Handler) composeBest(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	if err := p.Actor.Require(herald.ActAnalyticsRead); err != nil {
		return err
	}
	loc, err := p.Current.Location()
	if err != nil {
		return err
	}
	accts, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := composeForm{Accounts: parseIDs(strings.Join(q["account"], ","))}
	f.PostID, _ = strconv.ParseInt(q.Get("post_id"), 10, 64)
	h.render(w, r, http.StatusOK, bestTimesBody(p, h.loadBest(r.Context(), p, f, accts, loc)))
	return nil
}

// withBest adds the suggestions to the composer v.
func (h *Handler) withBest(ctx context.Context, p *page, v *composeView) {
	v.Best = h.loadBest(ctx, p, v.F, v.Accounts, v.Loc)
}

// loadBest works out the best times for the accounts f chooses among
// accts (the workspace's). One account: its own grid. Several, or none:
// the grid of all the workspace's accounts, since few hours would have
// enough posts of each one, and a median of medians says little. A time
// within analytics.SlotGap of a planned post of the accounts chosen
// (any account's when none is), other than f's own post, is not free.
// A failure is logged and said in place: the composer still works.
func (h *Handler) loadBest(ctx context.Context, p *page, f composeForm, accts []herald.Account, loc *time.Location) bestTimesView {
	if h.d.Analytics == nil || !p.Can(herald.ActAnalyticsRead) {
		return bestTimesView{}
	}
	v := bestTimesView{Shown: true}
	var chosen []herald.Account
	for _, a := range accts {
		if f.selected(a.ID) {
			chosen = append(chosen, a)
		}
	}
	var accountID int64
	if len(chosen) == 1 {
		accountID, v.Scope = chosen[0].ID, handleOf(chosen[0])
	}
	bt, err := h.d.Analytics.BestTimes(ctx, p.Actor, accountID, h.defaultRate(ctx, p, ""))
	if err != nil {
		h.d.Logger.WarnContext(ctx, "composer best times", "error", err)
		v.Failed = true
		return v
	}
	v.Rate, v.Enough = bt.Rate, len(bt.Best(1)) > 0
	if !v.Enough {
		return v
	}
	now := h.d.Clock.Now()
	taken, err := h.takenTimes(ctx, p, f.PostID, chosen, now)
	if err != nil {
		h.d.Logger.WarnContext(ctx, "composer best times", "error", err)
		v.Failed = true
		return v
	}
	for _, s := range analytics.NextSlots(bt, now, loc, taken, composeBestCount) {
		at := s.At.In(loc)
		layout := "Mon 2 Jan 15:04"
		if at.Year() != now.In(loc).Year() {
			layout = "Mon 2 Jan 2006 15:04"
		}
		v.Times = append(v.Times, bestTime{Value: at.Format("2006-01-02T15:04"), Label: at.Format(layout),
			Key: at.Format("2006-01-02-15"), Cell: s.Cell})
	}
	return v
}

// takenTimes are the times of the planned posts of accounts (any
// account's when none) that could be near a suggestion, post postID's
// own left out: the calendar's reading of the posts.
func (h *Handler) takenTimes(ctx context.Context, p *page, postID int64, accounts []herald.Account, now time.Time) ([]time.Time, error) {
	if !p.Can(herald.ActPostsRead) {
		return nil, nil
	}
	var f calFilter
	if len(accounts) == 1 {
		f.AccountID = accounts[0].ID
	}
	from, to := now.Add(analytics.SlotMargin-analytics.SlotGap), now.Add(analytics.SlotWindow+analytics.SlotGap)
	posts, _, err := h.calendarPosts(ctx, p.Actor, f, from, to)
	if err != nil {
		return nil, err
	}
	ours := func(id int64) bool {
		return len(accounts) == 0 || slices.ContainsFunc(accounts, func(a herald.Account) bool { return a.ID == id })
	}
	var taken []time.Time
	for _, po := range posts {
		if po.ID == postID {
			continue
		}
		for _, t := range po.Targets {
			if t.ScheduledAt != nil && ours(t.AccountID) && slices.Contains(plannedStates, t.State) {
				taken = append(taken, *t.ScheduledAt)
			}
		}
	}
	return taken, nil
}

// bestAt reads the op of a suggestion's button, "at:2006-01-02T15:04",
// into f: without the script, choosing a suggestion posts the form and
// the composer comes back with the time filled (and checked as typed).
func bestAt(f *composeForm, op string) bool {
	at, ok := strings.CutPrefix(op, "at:")
	if ok {
		f.At = strings.TrimSpace(at)
	}
	return ok
}

// bestScope says whose posts the suggestions read.
func bestScope(b bestTimesView) string {
	if b.Scope != "" {
		return b.Scope + "'s posts"
	}
	return "the posts of all the workspace's accounts"
}

// rateWords names the rate's denominator.
func rateWords(r analytics.Denominator) string {
	if r == analytics.ByImpressions {
		return "by impressions"
	}
	return "by followers"
}
