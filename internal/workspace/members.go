package workspace

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// ListMembers returns the workspace's members by name.
func (s *Service) ListMembers(ctx context.Context, actor herald.Actor) ([]herald.Member, error) {
	if err := actor.Require(herald.ActMembersRead); err != nil {
		return nil, err
	}
	ms, err := s.store.ListMembers(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("workspace: list members of %d: %w", actor.WorkspaceID, err)
	}
	if ms == nil {
		ms = []herald.Member{}
	}
	return ms, nil
}

func getMember(ctx context.Context, tx herald.Tx, workspaceID, userID int64) (herald.Member, error) {
	m, err := tx.GetMembership(ctx, workspaceID, userID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Member{}, herald.NotFound("member")
	}
	if err != nil {
		return herald.Member{}, fmt.Errorf("workspace: membership of user %d: %w", userID, err)
	}
	u, err := tx.GetUser(ctx, userID)
	if err != nil {
		return herald.Member{}, fmt.Errorf("workspace: get user %d: %w", userID, err)
	}
	return herald.Member{Membership: m, Email: u.Email, Name: u.Name}, nil
}

// errLastOwner refuses to leave a workspace without an owner.
func errLastOwner(what string) error {
	return &herald.Error{Code: herald.CodeConflict,
		Message: "the workspace's last owner cannot be " + what + ": make another member owner first"}
}

// lastOwner reports whether m is the only owner of its workspace.
func lastOwner(ctx context.Context, tx herald.Tx, m herald.Member) (bool, error) {
	if m.Role != herald.RoleOwner {
		return false, nil
	}
	n, err := tx.LockOwners(ctx, m.WorkspaceID)
	if err != nil {
		return false, fmt.Errorf("workspace: lock owners: %w", err)
	}
	return n <= 1, nil
}

// UpdateMemberRole gives a member another role. Nobody may grant a role
// stronger than their own or change the role of someone stronger (so only
// an owner changes an owner), and the last owner cannot be demoted.
func (s *Service) UpdateMemberRole(ctx context.Context, actor herald.Actor, userID int64, role herald.Role) (herald.Member, error) {
	if err := actor.Require(herald.ActMembersManage); err != nil {
		return herald.Member{}, err
	}
	if !role.Valid() {
		return herald.Member{}, badRole(role)
	}
	if !actor.Role.AtLeast(role) {
		return herald.Member{}, strongerRole(actor.Role)
	}
	var after herald.Member
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getMember(ctx, tx, actor.WorkspaceID, userID)
		if err != nil {
			return err
		}
		if !actor.Role.AtLeast(before.Role) {
			return herald.Errorf(herald.CodeForbidden, "your role (%s) cannot change the role of a member with a stronger role (%s); only an owner changes an owner", actor.Role, before.Role)
		}
		after = before
		if before.Role == role {
			return nil
		}
		if last, err := lastOwner(ctx, tx, before); err != nil {
			return err
		} else if last {
			return errLastOwner("demoted")
		}
		after.Role = role
		if err := tx.UpdateMemberRole(ctx, actor.WorkspaceID, userID, role); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "member.role", "user", userID, before.Membership, after.Membership, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Member{}, fmt.Errorf("workspace: role of user %d: %w", userID, err)
	}
	return after, nil
}

// RemoveMember takes a member out of the workspace. Managing members is
// needed to remove someone else; anybody may remove themselves (leave).
// Only an owner removes an owner, and the last owner can do neither.
func (s *Service) RemoveMember(ctx context.Context, actor herald.Actor, userID int64) error {
	self := userID == actor.UserID
	if !self {
		if err := actor.Require(herald.ActMembersManage); err != nil {
			return err
		}
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getMember(ctx, tx, actor.WorkspaceID, userID)
		if err != nil {
			return err
		}
		if !self && !actor.Role.AtLeast(before.Role) {
			return herald.Errorf(herald.CodeForbidden, "your role (%s) cannot remove a member with a stronger role (%s); only an owner removes an owner", actor.Role, before.Role)
		}
		if last, err := lastOwner(ctx, tx, before); err != nil {
			return err
		} else if last {
			return errLastOwner("removed")
		}
		if err := tx.RemoveMember(ctx, actor.WorkspaceID, userID); err != nil {
			return err
		}
		action := "member.remove"
		if self {
			action = "member.leave"
		}
		e := herald.NewAudit(actor, action, "user", userID, before.Membership, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("workspace: remove user %d: %w", userID, err)
	}
	s.logger.InfoContext(ctx, "member removed", "workspace_id", actor.WorkspaceID, "user_id", userID, "by", actor.UserID)
	return nil
}

func badRole(role herald.Role) error {
	return &herald.Error{Code: herald.CodeInvalid, Message: "the role is not valid",
		Details: []herald.FieldProblem{{Field: "role",
			Problem: fmt.Sprintf("%q is not one of owner, admin, manager, editor, contributor, analyst, client", role)}}}
}

func strongerRole(own herald.Role) error {
	return &herald.Error{Code: herald.CodeForbidden,
		Message: fmt.Sprintf("you cannot grant a role stronger than yours (%s); choose %s or a weaker role", own, own),
		Details: []herald.FieldProblem{{Field: "role", Problem: "is stronger than your role"}}}
}
