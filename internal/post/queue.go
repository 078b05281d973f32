package post

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// QueueLookahead is how far ahead "add to queue" looks for a free slot.
const QueueLookahead = 8 * 7 * 24 * time.Hour

// takingStates are the states in which a target holds on to its slot.
var takingStates = []herald.TargetState{herald.StateScheduled, herald.StateHeld, herald.StateRetrying}

// fillSlots gives each moving target of p its account's next free posting
// slot after now, in the workspace's time zone.
func fillSlots(ctx context.Context, tx herald.Tx, ws herald.Workspace, p *herald.Post, moving []int, now time.Time) error {
	loc, err := ws.Location()
	if err != nil {
		return err
	}
	for _, i := range moving {
		t := &p.Targets[i]
		acct, err := tx.GetAccount(ctx, ws.ID, t.AccountID)
		if errors.Is(err, herald.ErrNotFound) {
			return &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf("account %d does not exist in this workspace", t.AccountID),
				Details: []herald.FieldProblem{{Field: fmt.Sprintf("targets[%d].account_id", i), Problem: "is not an account of this workspace"}}}
		}
		if err != nil {
			return fmt.Errorf("post: get account %d: %w", t.AccountID, err)
		}
		if len(acct.PostingSchedule.Slots) == 0 {
			return &herald.Error{Code: herald.CodeInvalid,
				Message: fmt.Sprintf("account %d has no posting schedule: add time slots first", acct.ID),
				Details: []herald.FieldProblem{{Field: fmt.Sprintf("targets[%d].account_id", i),
					Problem: fmt.Sprintf("account %d (%s) has no posting slots", acct.ID, acct.Handle)}}}
		}
		taken, err := takenSlots(ctx, tx, ws.ID, acct.ID, t.ID, now, now.Add(QueueLookahead+24*time.Hour))
		if err != nil {
			return err
		}
		at, ok := NextSlot(acct.PostingSchedule, loc, now, taken, QueueLookahead)
		if !ok {
			return herald.Errorf(herald.CodeConflict,
				"every posting slot of account %d is taken for the next %d weeks: add slots, or schedule the post at a time",
				acct.ID, int(QueueLookahead/(7*24*time.Hour)))
		}
		t.ScheduledAt = &at
	}
	return nil
}

// takenSlots returns the instants (unix microseconds) of the account's
// targets that hold a slot in [from, to), other than the target except.
func takenSlots(ctx context.Context, tx herald.Tx, workspaceID, accountID, except int64, from, to time.Time) (map[int64]bool, error) {
	taken := map[int64]bool{}
	f := herald.PostFilter{WorkspaceID: workspaceID, AccountID: accountID, States: takingStates,
		From: &from, To: &to, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for {
		posts, next, err := tx.ListPosts(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("post: list the account's scheduled posts: %w", err)
		}
		for _, p := range posts {
			for _, t := range p.Targets {
				if t.AccountID == accountID && t.ID != except && t.ScheduledAt != nil && slices.Contains(takingStates, t.State) {
					taken[t.ScheduledAt.UnixMicro()] = true
				}
			}
		}
		if next == "" {
			return taken, nil
		}
		f.Cursor = next
	}
}

// NextSlot returns the first slot of ps strictly after after and at most
// lookahead later whose instant is not in taken (unix microseconds).
// Slots are local times in loc. A slot that does not exist on a day (the
// hour skipped when clocks go forward) is skipped that day; a slot that
// happens twice (when clocks go back) is the first of the two.
func NextSlot(ps herald.PostingSchedule, loc *time.Location, after time.Time, taken map[int64]bool, lookahead time.Duration) (time.Time, bool) {
	type clock struct{ h, m int }
	byDay := map[time.Weekday][]clock{}
	for _, s := range ps.Slots {
		d, okDay := s.Weekday()
		h, m, okTime := s.Clock()
		if okDay && okTime {
			byDay[d] = append(byDay[d], clock{h, m})
		}
	}
	for d := range byDay {
		slices.SortFunc(byDay[d], func(a, b clock) int { return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(a.m, b.m)) })
	}
	end := after.Add(lookahead)
	local := after.In(loc)
	y, mo, dd := local.Date()
	days := int(lookahead/(24*time.Hour)) + 2
	for i := 0; i <= days; i++ {
		day := time.Date(y, mo, dd+i, 12, 0, 0, 0, time.UTC) // noon: only the date matters
		for _, c := range byDay[day.Weekday()] {
			at, ok := LocalInstant(day.Year(), day.Month(), day.Day(), c.h, c.m, loc)
			if !ok || !at.After(after) {
				continue
			}
			if at.After(end) {
				return time.Time{}, false
			}
			if !taken[at.UnixMicro()] {
				return at.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// LocalInstant returns the instant at which the clocks in loc show the
// given date and time, the earlier one when they show it twice (clocks
// going back), and false when they never show it (clocks going forward).
func LocalInstant(year int, month time.Month, day, hour, minute int, loc *time.Location) (time.Time, bool) {
	wall := time.Date(year, month, day, hour, minute, 0, 0, time.UTC)
	var best time.Time
	found := false
	// The offsets in force a day either side cover both sides of any
	// transition on that day.
	for _, probe := range []time.Time{wall.Add(-36 * time.Hour), wall, wall.Add(36 * time.Hour)} {
		_, off := probe.In(loc).Zone()
		at := wall.Add(-time.Duration(off) * time.Second)
		l := at.In(loc)
		if l.Year() != year || l.Month() != month || l.Day() != day || l.Hour() != hour || l.Minute() != minute {
			continue
		}
		if !found || at.Before(best) {
			best, found = at, true
		}
	}
	return best.In(loc), found
}
