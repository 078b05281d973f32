package post

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// MaxBatch is the most posts ValidateAll and CreateAll take at once.
const MaxBatch = 10000

// ValidateAll checks many drafts the way Validate checks one, reading the
// workspace, each account (with its platform limits) and each media asset
// once for the whole batch.
func (s *Service) ValidateAll(ctx context.Context, actor herald.Actor, drafts []herald.Post) ([]Validation, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return nil, err
	}
	if len(drafts) > MaxBatch {
		return nil, herald.Errorf(herald.CodeTooLarge, "%d posts cannot be checked at once; at most %d can", len(drafts), MaxBatch)
	}
	ws, err := getWorkspace(ctx, s.store, actor.WorkspaceID)
	if err != nil {
		return nil, err
	}
	names, err := voiceNames(ctx, s.store, ws)
	if err != nil {
		return nil, err
	}
	cache := newCheckCache()
	out := make([]Validation, len(drafts))
	for k, draft := range drafts {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("post: validate all: %w", err)
		}
		if err := checkValidateBounds(draft); err != nil {
			return nil, err
		}
		draft.WorkspaceID = actor.WorkspaceID
		if out[k], err = s.checkDraft(ctx, ws, names, draft, cache); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// BatchItem is one post for CreateAll and what to do with its targets.
type BatchItem struct {
	Post   herald.Post
	Action Action
}

// Batch is what CreateAll records about the whole batch in the audit log.
type Batch struct {
	// AuditAction names the batch's audit entry ("post.import").
	AuditAction string
	// Summary is stored as the entry's "after" (e.g. the row count).
	Summary any
}

// CreateAll writes every item in ONE transaction, as Create writes one,
// and one audit entry for the batch: either every post is stored or none
// is. A refused item makes the error name it ("posts[3]" in its details,
// counted from 0) with the item's own problems.
func (s *Service) CreateAll(ctx context.Context, actor herald.Actor, items []BatchItem, b Batch) ([]herald.Post, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return nil, err
	}
	if len(items) > MaxBatch {
		return nil, herald.Errorf(herald.CodeTooLarge, "%d posts cannot be created at once; at most %d can", len(items), MaxBatch)
	}
	for i, it := range items {
		if !it.Action.Valid() {
			return nil, &herald.Error{Code: herald.CodeInvalid, Message: "the batch is not valid",
				Details: []herald.FieldProblem{{Field: fmt.Sprintf("posts[%d].action", i),
					Problem: fmt.Sprintf("%q is not one of draft, submit, schedule, queue", it.Action)}}}
		}
	}
	now := s.clock.Now()
	out := make([]herald.Post, 0, len(items))
	wake := false
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if w, ok := tx.(herald.WholeTx); ok {
			tx = w.Whole() // any error below rolls everything back
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		refs := &refSet{} // read once for the whole batch, inside its transaction
		for i, it := range items {
			if err := ctx.Err(); err != nil {
				return err
			}
			p, err := s.createIn(ctx, tx, actor, ws, it.Post, it.Action, now, refs)
			if err != nil {
				return itemError(i, err)
			}
			out = append(out, p)
			wake = wake || it.Action == ActionSchedule || it.Action == ActionQueue
		}
		if b.AuditAction == "" {
			return nil
		}
		e := herald.NewAudit(actor, b.AuditAction, "workspace", actor.WorkspaceID, nil, b.Summary, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return nil, fmt.Errorf("post: create all: %w", err)
	}
	if wake {
		s.wake()
	}
	s.logger.InfoContext(ctx, "posts created", "workspace_id", actor.WorkspaceID, "posts", len(out), "audit", b.AuditAction)
	return out, nil
}

// itemError prefixes the fields of a refused item's error with its place
// in the batch, keeping its code.
func itemError(i int, err error) error {
	var he *herald.Error
	if !errors.As(err, &he) {
		return fmt.Errorf("post %d of the batch: %w", i+1, err)
	}
	out := &herald.Error{Code: he.Code, Message: fmt.Sprintf("post %d of the batch: %s", i+1, he.Message), Err: err}
	for _, d := range he.Details {
		out.Details = append(out.Details, herald.FieldProblem{Field: fmt.Sprintf("posts[%d].%s", i, d.Field), Problem: d.Problem})
	}
	if len(out.Details) == 0 {
		out.Details = []herald.FieldProblem{{Field: fmt.Sprintf("posts[%d]", i), Problem: he.Message}}
	}
	return out
}

// NeedsApproval reports whether the actor's posts go to review before
// they are scheduled in their workspace (their role, or the workspace's
// rule that every post is approved).
func (s *Service) NeedsApproval(ctx context.Context, actor herald.Actor) (bool, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return false, err
	}
	ws, err := getWorkspace(ctx, s.store, actor.WorkspaceID)
	if err != nil {
		return false, err
	}
	return needsApproval(actor, ws), nil
}
