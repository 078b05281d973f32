package post

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// holder is what the pause and crisis controls need from a transaction.
// Both stores' transactions have these publishing methods; using them in
// the caller's transaction keeps the change and its audit entry together.
type holder interface {
	HoldTargets(ctx context.Context, workspaceID int64, ids []int64, actorID *int64, reason string, now time.Time) (int, error)
	ResumeTargets(ctx context.Context, workspaceID int64, ids []int64, reapprove bool, actorID *int64, now time.Time) (int, error)
	SetPublishingPaused(ctx context.Context, workspaceID int64, at *time.Time) error
	PublishingPaused(ctx context.Context, workspaceID int64) (*time.Time, error)
}

func holderOf(tx herald.Tx) (holder, error) {
	h, ok := tx.(holder)
	if !ok {
		return nil, errors.New("post: the store's transactions cannot hold or pause publishing")
	}
	return h, nil
}

// actorRef is the actor's user id for records, nil for Herald itself.
func actorRef(actor herald.Actor) *int64 {
	if actor.UserID == 0 {
		return nil
	}
	id := actor.UserID
	return &id
}

// PublishingStatus says whether a workspace publishes.
type PublishingStatus struct {
	Paused                  bool       `json:"paused" doc:"Whether publishing is paused for the workspace"`
	PausedSince             *time.Time `json:"paused_since,omitempty" doc:"Since when the workspace's publishing is paused"`
	InstallationPausedSince *time.Time `json:"installation_paused_since,omitempty" doc:"Since when publishing is paused for the whole installation (by an administrator)"`
	Held                    int        `json:"held" doc:"How many of the workspace's targets are held"`
}

// PublishingStatus reports whether the actor's workspace publishes.
func (s *Service) PublishingStatus(ctx context.Context, actor herald.Actor) (PublishingStatus, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return PublishingStatus{}, err
	}
	return s.publishingStatus(ctx, s.store, actor.WorkspaceID)
}

func (s *Service) publishingStatus(ctx context.Context, h holder, workspaceID int64) (PublishingStatus, error) {
	var st PublishingStatus
	var err error
	if st.PausedSince, err = h.PublishingPaused(ctx, workspaceID); err != nil {
		return st, fmt.Errorf("post: publishing paused: %w", err)
	}
	if st.InstallationPausedSince, err = h.PublishingPaused(ctx, 0); err != nil {
		return st, fmt.Errorf("post: installation publishing paused: %w", err)
	}
	st.Paused = st.PausedSince != nil
	held, err := heldTargets(ctx, s.store, workspaceID)
	if err != nil {
		return st, err
	}
	st.Held = len(held)
	return st, nil
}

// heldTargets returns every held target of the workspace.
func heldTargets(ctx context.Context, tx herald.Tx, workspaceID int64) ([]herald.Target, error) {
	var out []herald.Target
	f := herald.PostFilter{WorkspaceID: workspaceID, States: []herald.TargetState{herald.StateHeld},
		Page: herald.Page{Limit: herald.MaxPageLimit}}
	for {
		posts, next, err := tx.ListPosts(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("post: list held posts: %w", err)
		}
		for _, p := range posts {
			for _, t := range p.Targets {
				if t.State == herald.StateHeld {
					out = append(out, t)
				}
			}
		}
		if next == "" {
			return out, nil
		}
		f.Cursor = next
	}
}

// PausePublishing pauses publishing for the actor's workspace: nothing is
// published until it is resumed; targets keep their state and times.
func (s *Service) PausePublishing(ctx context.Context, actor herald.Actor) (PublishingStatus, error) {
	return s.setPaused(ctx, actor, true)
}

// ResumePublishing resumes publishing for the actor's workspace; targets
// whose time passed meanwhile are published at once.
func (s *Service) ResumePublishing(ctx context.Context, actor herald.Actor) (PublishingStatus, error) {
	return s.setPaused(ctx, actor, false)
}

func (s *Service) setPaused(ctx context.Context, actor herald.Actor, pause bool) (PublishingStatus, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return PublishingStatus{}, err
	}
	var before *time.Time
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		h, err := holderOf(tx)
		if err != nil {
			return err
		}
		if before, err = h.PublishingPaused(ctx, actor.WorkspaceID); err != nil {
			return err
		}
		if (before != nil) == pause {
			return nil // already so
		}
		now := s.clock.Now()
		var at *time.Time
		action := "publishing.resume"
		if pause {
			at, action = &now, "publishing.pause"
		}
		if err := h.SetPublishingPaused(ctx, actor.WorkspaceID, at); err != nil {
			return err
		}
		e := herald.NewAudit(actor, action, "workspace", actor.WorkspaceID,
			map[string]any{"publishing_paused_at": before}, map[string]any{"publishing_paused_at": at}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return PublishingStatus{}, fmt.Errorf("post: pause publishing: %w", err)
	}
	s.logger.InfoContext(ctx, "publishing paused or resumed", "workspace_id", actor.WorkspaceID, "paused", pause)
	if !pause {
		s.wake()
	}
	return s.publishingStatus(ctx, s.store, actor.WorkspaceID)
}

// CrisisStatus says whether the crisis switch holds anything.
type CrisisStatus struct {
	Holding bool       `json:"holding" doc:"Whether any target of the workspace is held"`
	Held    int        `json:"held" doc:"How many targets are held"`
	Changed int        `json:"changed" doc:"How many targets this call held or resumed (0 when only reading)"`
	HeldBy  *int64     `json:"held_by,omitempty" doc:"Who made the latest hold (absent when Herald did)"`
	HeldAt  *time.Time `json:"held_at,omitempty" doc:"When the latest hold was made"`
	Reason  string     `json:"reason,omitempty" doc:"Why, in the words of who made the latest hold"`
}

// Crisis reports what the crisis switch holds in the actor's workspace.
func (s *Service) Crisis(ctx context.Context, actor herald.Actor) (CrisisStatus, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return CrisisStatus{}, err
	}
	return crisisStatus(ctx, s.store, actor.WorkspaceID)
}

func crisisStatus(ctx context.Context, tx herald.Tx, workspaceID int64) (CrisisStatus, error) {
	held, err := heldTargets(ctx, tx, workspaceID)
	if err != nil {
		return CrisisStatus{}, err
	}
	st := CrisisStatus{Holding: len(held) > 0, Held: len(held)}
	for _, t := range held {
		if t.HeldAt != nil && (st.HeldAt == nil || t.HeldAt.After(*st.HeldAt)) {
			st.HeldAt, st.HeldBy, st.Reason = t.HeldAt, t.HeldBy, t.HeldReason
		}
	}
	return st, nil
}

// crisisHoldable are the states a crisis hold holds.
var crisisHoldable = []herald.TargetState{herald.StateScheduled, herald.StateRetrying}

// CrisisWaiting counts the targets of the actor's workspace that a crisis
// hold would hold now: scheduled and retrying ones.
func (s *Service) CrisisWaiting(ctx context.Context, actor herald.Actor) (int, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return 0, err
	}
	n := 0
	f := herald.PostFilter{WorkspaceID: actor.WorkspaceID, States: crisisHoldable, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for {
		ps, next, err := s.store.ListPosts(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("post: crisis waiting: %w", err)
		}
		for _, p := range ps {
			for _, t := range p.Targets {
				if slices.Contains(crisisHoldable, t.State) {
					n++
				}
			}
		}
		if next == "" {
			return n, nil
		}
		f.Cursor = next
	}
}

// CrisisHold holds every scheduled and retrying target of the actor's
// workspace, recording who, when and why (reason is required): none is
// published until it is resumed.
func (s *Service) CrisisHold(ctx context.Context, actor herald.Actor, reason string) (CrisisStatus, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return CrisisStatus{}, err
	}
	reason, err := checkReason("reason", reason, true)
	if err != nil {
		return CrisisStatus{}, err
	}
	var st CrisisStatus
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		h, err := holderOf(tx)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		n, err := h.HoldTargets(ctx, actor.WorkspaceID, nil, actorRef(actor), reason, now)
		if err != nil {
			return err
		}
		e := herald.NewAudit(actor, "crisis.hold", "workspace", actor.WorkspaceID, nil,
			map[string]any{"held": n, "reason": reason}, now)
		if err := tx.AppendAudit(ctx, &e); err != nil {
			return err
		}
		if st, err = crisisStatus(ctx, tx, actor.WorkspaceID); err != nil {
			return err
		}
		st.Changed = n
		return nil
	})
	if err != nil {
		return CrisisStatus{}, fmt.Errorf("post: crisis hold: %w", err)
	}
	s.logger.WarnContext(ctx, "crisis hold", "workspace_id", actor.WorkspaceID, "held", st.Changed, "reason", reason)
	return st, nil
}

// CrisisResume releases held targets of the actor's workspace (those
// listed in targetIDs, or all): back to scheduled (published at once if
// their time passed), or to review when reapprove is set.
func (s *Service) CrisisResume(ctx context.Context, actor herald.Actor, targetIDs []int64, reapprove bool) (CrisisStatus, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return CrisisStatus{}, err
	}
	var st CrisisStatus
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		h, err := holderOf(tx)
		if err != nil {
			return err
		}
		var pr herald.Problems
		for i, id := range targetIDs {
			t, err := tx.GetTarget(ctx, actor.WorkspaceID, id)
			switch {
			case errors.Is(err, herald.ErrNotFound):
				pr.Add(fmt.Sprintf("target_ids[%d]", i), "target %d does not exist in this workspace", id)
			case err != nil:
				return fmt.Errorf("post: get target %d: %w", id, err)
			case t.State != herald.StateHeld:
				pr.Add(fmt.Sprintf("target_ids[%d]", i), "target %d is %s, not held", id, t.State)
			}
		}
		if err := pr.Err("the targets to resume are not valid"); err != nil {
			return err
		}
		ids := targetIDs
		if len(ids) == 0 {
			ids = nil
		}
		now := s.clock.Now()
		n, err := h.ResumeTargets(ctx, actor.WorkspaceID, ids, reapprove, actorRef(actor), now)
		if err != nil {
			return err
		}
		e := herald.NewAudit(actor, "crisis.resume", "workspace", actor.WorkspaceID, nil,
			map[string]any{"resumed": n, "reapprove": reapprove, "target_ids": ids}, now)
		if err := tx.AppendAudit(ctx, &e); err != nil {
			return err
		}
		if st, err = crisisStatus(ctx, tx, actor.WorkspaceID); err != nil {
			return err
		}
		st.Changed = n
		return nil
	})
	if err != nil {
		return CrisisStatus{}, fmt.Errorf("post: crisis resume: %w", err)
	}
	s.logger.InfoContext(ctx, "crisis resume", "workspace_id", actor.WorkspaceID, "resumed", st.Changed, "reapprove", reapprove)
	if !reapprove && st.Changed > 0 {
		s.wake()
	}
	return st, nil
}
