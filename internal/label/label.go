// Package label manages a workspace's labels: the tags writers put on posts
// (e.g. "Product launch") to find and report on them.
package label

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the label use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	clock  herald.Clock
	logger *slog.Logger
}

// New returns a Service over store.
func New(store herald.Store, clock herald.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, clock: clock, logger: logger}
}

// Patch changes some of a label's fields; nil fields stay as they are.
type Patch struct {
	Name  *string
	Color *string
}

// List returns the workspace's labels by name.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.Label, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	ls, err := s.store.ListLabels(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("label: list: %w", err)
	}
	return ls, nil
}

// Get returns one label of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Label, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Label{}, err
	}
	return s.get(ctx, s.store, actor.WorkspaceID, id)
}

func (s *Service) get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Label, error) {
	l, err := tx.GetLabel(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Label{}, herald.NotFound("label")
	}
	if err != nil {
		return herald.Label{}, fmt.Errorf("label: get %d: %w", id, err)
	}
	return l, nil
}

// Create adds a label to the actor's workspace. The name must be unused
// in the workspace (case-insensitively); an empty colour becomes grey.
func (s *Service) Create(ctx context.Context, actor herald.Actor, l herald.Label) (herald.Label, error) {
	if err := actor.Require(herald.ActLabelsManage); err != nil {
		return herald.Label{}, err
	}
	l.ID = 0
	l.WorkspaceID = actor.WorkspaceID
	if err := l.Validate(); err != nil {
		return herald.Label{}, err
	}
	now := s.clock.Now()
	l.CreatedAt = now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateLabel(ctx, &l); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "label.create", "label", l.ID, nil, l, now)
		return tx.AppendAudit(ctx, &e)
	})
	if errors.Is(err, herald.ErrConflict) {
		return herald.Label{}, duplicate(l.Name, err)
	}
	if err != nil {
		return herald.Label{}, fmt.Errorf("label: create: %w", err)
	}
	s.logger.InfoContext(ctx, "label created", "workspace_id", l.WorkspaceID, "label_id", l.ID)
	return l, nil
}

// Update changes a label's name or colour.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, p Patch) (herald.Label, error) {
	if err := actor.Require(herald.ActLabelsManage); err != nil {
		return herald.Label{}, err
	}
	var after herald.Label
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := s.get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		after = before
		if p.Name != nil {
			after.Name = *p.Name
		}
		if p.Color != nil {
			after.Color = *p.Color
			if after.Color == "" {
				// An explicit empty colour would silently become grey;
				// say so instead.
				return &herald.Error{Code: herald.CodeInvalid, Message: "the label is not valid",
					Details: []herald.FieldProblem{{Field: "color", Problem: `is empty; give a colour like #1d4ed8`}}}
			}
		}
		if err := after.Validate(); err != nil {
			return err
		}
		if after == before {
			return nil
		}
		if err := tx.UpdateLabel(ctx, &after); err != nil {
			if errors.Is(err, herald.ErrConflict) {
				return duplicate(after.Name, err)
			}
			return err
		}
		e := herald.NewAudit(actor, "label.update", "label", id, before, after, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Label{}, wrap("update", id, err)
	}
	return after, nil
}

// Delete removes a label and its uses on posts.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActLabelsManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := s.get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteLabel(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "label.delete", "label", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return wrap("delete", id, err)
	}
	s.logger.InfoContext(ctx, "label deleted", "workspace_id", actor.WorkspaceID, "label_id", id)
	return nil
}

// duplicate is the error for a name another label of the workspace has.
func duplicate(name string, cause error) error {
	return &herald.Error{Code: herald.CodeConflict,
		Message: fmt.Sprintf("a label named %q already exists in this workspace: choose another name", name),
		Details: []herald.FieldProblem{{Field: "name", Problem: "is already used by another label"}},
		Err:     cause}
}

// wrap adds context to an error, leaving the client-safe herald.Error in
// the chain for the API to find.
func wrap(op string, id int64, err error) error {
	return fmt.Errorf("label: %s %d: %w", op, id, err)
}
