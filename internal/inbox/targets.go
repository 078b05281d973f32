package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Response targets: a workspace may expect a first reply within so many
// minutes, counted in its business hours (herald.BusinessHours in the
// workspace's zone). Each item gets its due time when it arrives; an item
// past it, not answered and not done, is overdue: the inbox highlights it
// and filters by it, and NotifyOverdue (the inbox_overdue job) tells the
// assignee, or the workspace's channels, once.

// MaxTargetMinutes bounds a first-response target: one week.
const MaxTargetMinutes = 7 * 24 * 60

// awaitingLimit bounds how many waiting items a target change re-dates.
const awaitingLimit = 10000

// Target returns the workspace's first-response target.
func (s *Service) Target(ctx context.Context, actor herald.Actor) (herald.InboxTarget, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.InboxTarget{}, err
	}
	t, err := s.store.GetInboxTarget(ctx, actor.WorkspaceID)
	if err != nil {
		return herald.InboxTarget{}, fmt.Errorf("inbox: target: %w", err)
	}
	return t, nil
}

// checkTarget reports what is wrong with t.
func checkTarget(t herald.InboxTarget) error {
	var p herald.Problems
	if t.FirstResponseMinutes < 0 || t.FirstResponseMinutes > MaxTargetMinutes {
		p.Add("first_response_minutes", "is %d; choose 0 (no target) to %d minutes (a week)", t.FirstResponseMinutes, MaxTargetMinutes)
	}
	for _, d := range t.Days {
		if d < 0 || d > 6 {
			p.Add("days", "day %d is not a weekday: use 0 (Sunday) to 6 (Saturday)", d)
		}
	}
	if t.FirstResponseMinutes > 0 && !t.Always {
		if err := t.Hours(time.UTC).Validate(); err != nil {
			if he, ok := err.(*herald.Error); ok {
				for _, d := range he.Details {
					p.Add(d.Field, "%s", d.Problem)
				}
			} else {
				p.Add("hours", "%v", err)
			}
		}
	}
	return p.Err("the response target is not valid")
}

// SetTarget saves the workspace's first-response target (0 minutes: none)
// and re-dates the items still waiting for a first answer. Those who
// manage inbox rules may.
func (s *Service) SetTarget(ctx context.Context, actor herald.Actor, t herald.InboxTarget) (herald.InboxTarget, error) {
	if err := actor.Require(herald.ActInboxRulesManage); err != nil {
		return herald.InboxTarget{}, err
	}
	slices.Sort(t.Days)
	t.Days = slices.Compact(t.Days)
	if t.Days == nil {
		t.Days = []int{}
	}
	if err := checkTarget(t); err != nil {
		return herald.InboxTarget{}, err
	}
	t.WorkspaceID, t.UpdatedAt = actor.WorkspaceID, s.clock.Now()
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := tx.GetInboxTarget(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if err := tx.SetInboxTarget(ctx, &t); err != nil {
			return err
		}
		waiting, err := tx.ListInboxAwaiting(ctx, actor.WorkspaceID, awaitingLimit)
		if err != nil {
			return err
		}
		if err := s.setDue(ctx, tx, actor.WorkspaceID, waiting); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "inbox.target", "workspace", actor.WorkspaceID, before, t, t.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.InboxTarget{}, fmt.Errorf("inbox: set target: %w", err)
	}
	return t, nil
}

// setDue dates items of workspace ws under its target.
func (s *Service) setDue(ctx context.Context, tx herald.Tx, ws int64, items []herald.InboxItem) error {
	if len(items) == 0 {
		return nil
	}
	t, err := tx.GetInboxTarget(ctx, ws)
	if err != nil {
		return fmt.Errorf("inbox: target: %w", err)
	}
	w, err := tx.GetWorkspace(ctx, ws)
	if err != nil {
		return fmt.Errorf("inbox: workspace: %w", err)
	}
	loc, err := w.Location()
	if err != nil {
		loc = time.UTC
	}
	due := make(map[int64]*time.Time, len(items))
	for _, it := range items {
		if it.ID != 0 && (t.On() || it.DueAt != nil) {
			due[it.ID] = t.Due(it.CreatedAt, loc)
		}
	}
	if len(due) == 0 {
		return nil
	}
	if err := tx.SetInboxDue(ctx, ws, due); err != nil {
		return fmt.Errorf("inbox: due times: %w", err)
	}
	return nil
}

// overdueBatch bounds one NotifyOverdue run.
const overdueBatch = 500

// NotifyOverdue tells of the items that passed their due time by now,
// each once: its assignee, or (unassigned) the workspace's channels. It
// returns how many it told of.
func (s *Service) NotifyOverdue(ctx context.Context, now time.Time) (int, error) {
	items, err := s.store.ListInboxOverdue(ctx, now, overdueBatch)
	if err != nil {
		return 0, fmt.Errorf("inbox: overdue: %w", err)
	}
	if len(items) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	// Recorded first: a crash between the two loses a notification
	// rather than sending it twice (the item stays highlighted).
	if err := s.store.MarkInboxOverdueNotified(ctx, ids, now); err != nil {
		return 0, fmt.Errorf("inbox: overdue: %w", err)
	}
	for _, it := range items {
		var to []int64
		if it.AssignedTo != nil {
			to = []int64{*it.AssignedTo}
		}
		late := now.Sub(*it.DueAt).Round(time.Minute)
		s.notify(ctx, herald.Notification{Kind: herald.NotifyInboxOverdue, WorkspaceID: it.WorkspaceID,
			InboxItemID: it.ID, AccountID: it.AccountID, UserIDs: to, At: now,
			Link:  fmt.Sprintf("/w/%d/inbox/%d", it.WorkspaceID, it.ID),
			Key:   fmt.Sprintf("inbox:%d:overdue", it.ID),
			Title: "Inbox item past its response target: " + it.AuthorHandle,
			Message: fmt.Sprintf("%s's message has waited past the workspace's first-response target (due %s, %s ago) with no answer: %q.",
				it.AuthorHandle, it.DueAt.UTC().Format("2006-01-02 15:04 UTC"), late, excerpt(it.Text, 140))})
	}
	s.log.InfoContext(ctx, "inbox items past their response target", slog.Int("items", len(items)))
	return len(items), nil
}
