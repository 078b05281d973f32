// Package workspace manages workspaces and the people in them: creating,
// renaming and deleting workspaces, members and their roles, invitations,
// and reading the audit log.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the workspace use-case. It is safe for concurrent use.
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

// Patch changes some of a workspace's fields; nil fields stay as they are.
type Patch struct {
	Name       *string
	TimeZone   *string
	BrandRules *herald.BrandRules
	// RequireApproval sets the approval switch alone, leaving the rest of
	// the brand rules as they are.
	RequireApproval *bool
}

// Create makes a workspace owned by ownerUserID: the workspace, the owner's
// membership and an audit entry, in one transaction.
func (s *Service) Create(ctx context.Context, ownerUserID int64, w herald.Workspace) (herald.Workspace, error) {
	w.ID = 0
	if err := w.Validate(); err != nil {
		return herald.Workspace{}, err
	}
	if _, err := s.store.GetUser(ctx, ownerUserID); errors.Is(err, herald.ErrNotFound) {
		return herald.Workspace{}, herald.Errorf(herald.CodeNotFound, "user %d not found: the owner must be an existing user", ownerUserID)
	} else if err != nil {
		return herald.Workspace{}, fmt.Errorf("workspace: get owner %d: %w", ownerUserID, err)
	}
	now := s.clock.Now()
	w.CreatedAt, w.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateWorkspace(ctx, &w); err != nil {
			return err
		}
		m := herald.Membership{WorkspaceID: w.ID, UserID: ownerUserID, Role: herald.RoleOwner, CreatedAt: now}
		if err := tx.AddMember(ctx, &m); err != nil {
			return err
		}
		actor := herald.Actor{UserID: ownerUserID, WorkspaceID: w.ID, Role: herald.RoleOwner}
		e := herald.NewAudit(actor, "workspace.create", "workspace", w.ID, nil, w, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Workspace{}, fmt.Errorf("workspace: create: %w", err)
	}
	s.logger.InfoContext(ctx, "workspace created", "workspace_id", w.ID, "owner_id", ownerUserID)
	return w, nil
}

// Me returns the principal's user and the workspaces they may act in, with
// their role in each. For an API token, that is only the token's workspace,
// with the token's effective role.
func (s *Service) Me(ctx context.Context, p herald.Principal) (herald.User, []herald.UserWorkspace, error) {
	if p.UserID == 0 {
		return herald.User{}, nil, herald.ErrUnauthorized
	}
	u, err := s.store.GetUser(ctx, p.UserID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.User{}, nil, herald.Errorf(herald.CodeUnauthorized, "your account no longer exists: sign in again")
	}
	if err != nil {
		return herald.User{}, nil, fmt.Errorf("workspace: get user %d: %w", p.UserID, err)
	}
	ws, err := s.List(ctx, p)
	if err != nil {
		return herald.User{}, nil, err
	}
	return u, ws, nil
}

// List returns the workspaces the principal may act in, by name, with the
// role that applies in each (for an API token, only its own workspace).
func (s *Service) List(ctx context.Context, p herald.Principal) ([]herald.UserWorkspace, error) {
	if p.UserID == 0 {
		return nil, herald.ErrUnauthorized
	}
	all, err := s.store.ListUserWorkspaces(ctx, p.UserID)
	if err != nil {
		return nil, fmt.Errorf("workspace: list for user %d: %w", p.UserID, err)
	}
	if p.Token == nil {
		if all == nil {
			all = []herald.UserWorkspace{}
		}
		return all, nil
	}
	out := []herald.UserWorkspace{}
	for _, w := range all {
		if w.ID == p.Token.WorkspaceID {
			w.Role = p.Token.Role.Min(w.Role)
			out = append(out, w)
		}
	}
	return out, nil
}

// Get returns the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor) (herald.Workspace, error) {
	if err := actor.Require(herald.ActWorkspaceRead); err != nil {
		return herald.Workspace{}, err
	}
	return getWorkspace(ctx, s.store, actor.WorkspaceID)
}

func getWorkspace(ctx context.Context, tx herald.Tx, id int64) (herald.Workspace, error) {
	w, err := tx.GetWorkspace(ctx, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Workspace{}, herald.NotFound("workspace")
	}
	if err != nil {
		return herald.Workspace{}, fmt.Errorf("workspace: get %d: %w", id, err)
	}
	return w, nil
}

// Update changes the workspace's name, time zone or brand rules.
func (s *Service) Update(ctx context.Context, actor herald.Actor, p Patch) (herald.Workspace, error) {
	return s.update(ctx, actor, "workspace.update", func(w *herald.Workspace) {
		if p.Name != nil {
			w.Name = *p.Name
		}
		if p.TimeZone != nil {
			w.TimeZone = *p.TimeZone
		}
		if p.BrandRules != nil {
			w.BrandRules = *p.BrandRules
		}
		if p.RequireApproval != nil {
			w.BrandRules.RequireApproval = *p.RequireApproval
		}
	})
}

// update applies change to the actor's workspace, checks it and saves it
// with an audit entry named action, in one transaction.
func (s *Service) update(ctx context.Context, actor herald.Actor, action string, change func(*herald.Workspace)) (herald.Workspace, error) {
	if err := actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return herald.Workspace{}, err
	}
	var after herald.Workspace
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		after = before
		change(&after)
		if err := after.Validate(); err != nil {
			return err
		}
		if err := checkRuleRefs(ctx, tx, before, after); err != nil {
			return err
		}
		if reflect.DeepEqual(after, before) {
			return nil // nothing to save or audit
		}
		after.UpdatedAt = s.clock.Now()
		if err := tx.UpdateWorkspace(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, action, "workspace", after.ID, before, after, after.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Workspace{}, fmt.Errorf("workspace: update %d: %w", actor.WorkspaceID, err)
	}
	return after, nil
}

// Delete removes the actor's workspace and everything in it. Only an owner
// may. The audit entry is installation-wide (workspace 0), since the
// workspace's own log goes with it.
func (s *Service) Delete(ctx context.Context, actor herald.Actor) error {
	if err := actor.Require(herald.ActWorkspaceDelete); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if err := tx.DeleteWorkspace(ctx, actor.WorkspaceID); err != nil {
			return err
		}
		global := actor
		global.WorkspaceID = 0
		e := herald.NewAudit(global, "workspace.delete", "workspace", before.ID, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("workspace: delete %d: %w", actor.WorkspaceID, err)
	}
	s.logger.InfoContext(ctx, "workspace deleted", "workspace_id", actor.WorkspaceID, "user_id", actor.UserID)
	return nil
}

// Audit returns one page of the workspace's audit log, newest first.
func (s *Service) Audit(ctx context.Context, actor herald.Actor, f herald.AuditFilter) ([]herald.AuditEntry, string, error) {
	if err := actor.Require(herald.ActAuditRead); err != nil {
		return nil, "", err
	}
	var p herald.Problems
	if f.ObjectID < 0 {
		p.Add("object_id", "must be a positive id")
	}
	if f.ActorID < 0 {
		p.Add("actor_id", "must be a positive id")
	}
	if err := p.Err("the audit filter is not valid"); err != nil {
		return nil, "", err
	}
	f.WorkspaceID = actor.WorkspaceID
	f.Page = f.Page.Normalize()
	entries, next, err := s.store.ListAudit(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("workspace: audit of %d: %w", actor.WorkspaceID, err)
	}
	if entries == nil {
		entries = []herald.AuditEntry{}
	}
	return entries, next, nil
}
