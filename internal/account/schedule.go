package account

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// Schedule returns an account's posting schedule (its weekly queue slots).
func (s *Service) Schedule(ctx context.Context, actor herald.Actor, id int64) (herald.PostingSchedule, error) {
	a, err := s.Get(ctx, actor, id)
	if err != nil {
		return herald.PostingSchedule{}, err
	}
	return a.PostingSchedule, nil
}

// SetSchedule replaces an account's posting schedule: weekly slots, local
// times in the workspace's time zone, that "add to queue" fills.
func (s *Service) SetSchedule(ctx context.Context, actor herald.Actor, id int64, ps herald.PostingSchedule) (herald.PostingSchedule, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return herald.PostingSchedule{}, err
	}
	if err := ps.Validate(); err != nil {
		return herald.PostingSchedule{}, err
	}
	var after herald.Account
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		// Existence first, then the role: another workspace's account is
		// not found whatever the caller's role.
		if err := actor.Require(herald.ActAccountsManage); err != nil {
			return err
		}
		now := s.clock.Now()
		after = before
		after.PostingSchedule = ps
		after.UpdatedAt = now
		if err := tx.UpdateAccount(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "account.schedule", "account", id,
			map[string]any{"posting_schedule": before.PostingSchedule}, map[string]any{"posting_schedule": ps}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.PostingSchedule{}, fmt.Errorf("account: set schedule of %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "posting schedule set", "workspace_id", actor.WorkspaceID, "account_id", id,
		"slots", len(ps.Slots))
	return after.PostingSchedule, nil
}
