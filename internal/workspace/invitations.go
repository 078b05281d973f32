package workspace

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
)

const (
	// InvitationPrefix starts every invitation secret, so one is easy to
	// recognise and never mistaken for an API token.
	InvitationPrefix = "hinv_"
	// InvitationLifetime is how long an invitation can be accepted.
	InvitationLifetime = 7 * 24 * time.Hour
	// invitationRandomBytes is the secret's entropy.
	invitationRandomBytes = 32
)

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Invite asks someone, by e-mail, to join the actor's workspace with role
// (no stronger than the actor's). It returns the secret to send them, once;
// only its SHA-256 is kept. A pending invitation for the same address is
// replaced, so inviting again re-sends a fresh link.
func (s *Service) Invite(ctx context.Context, actor herald.Actor, email string, role herald.Role) (string, herald.Invitation, error) {
	if err := actor.Require(herald.ActMembersManage); err != nil {
		return "", herald.Invitation{}, err
	}
	email = herald.NormalizeEmail(email)
	var p herald.Problems
	herald.ValidateEmail(&p, "email", email)
	if !role.Valid() {
		p.Add("role", "%q is not one of owner, admin, manager, editor, contributor, analyst, client", role)
	}
	if err := p.Err("the invitation is not valid"); err != nil {
		return "", herald.Invitation{}, err
	}
	if !actor.Role.AtLeast(role) {
		return "", herald.Invitation{}, strongerRole(actor.Role)
	}
	raw := make([]byte, invitationRandomBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", herald.Invitation{}, fmt.Errorf("workspace: random invitation secret: %w", err)
	}
	secret := InvitationPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock.Now()
	inv := herald.Invitation{WorkspaceID: actor.WorkspaceID, Email: email, Role: role,
		TokenHash: hashSecret(secret), InvitedBy: actor.UserID, CreatedAt: now,
		ExpiresAt: now.Add(InvitationLifetime)}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if u, err := tx.GetUserByEmail(ctx, email); err == nil {
			if _, err := tx.GetMembership(ctx, actor.WorkspaceID, u.ID); err == nil {
				return &herald.Error{Code: herald.CodeConflict,
					Message: email + " is already a member of this workspace: change their role instead",
					Details: []herald.FieldProblem{{Field: "email", Problem: "is already a member"}}}
			} else if !errors.Is(err, herald.ErrNotFound) {
				return err
			}
		} else if !errors.Is(err, herald.ErrNotFound) {
			return err
		}
		pending, err := tx.ListInvitations(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		for _, old := range pending {
			if old.Email != email {
				continue
			}
			if err := tx.DeleteInvitation(ctx, actor.WorkspaceID, old.ID); err != nil {
				return err
			}
			e := herald.NewAudit(actor, "invitation.replace", "invitation", old.ID, old, nil, now)
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		if err := tx.CreateInvitation(ctx, &inv); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "invitation.create", "invitation", inv.ID, nil, inv, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return "", herald.Invitation{}, fmt.Errorf("workspace: invite: %w", err)
	}
	s.logger.InfoContext(ctx, "invitation created", "workspace_id", inv.WorkspaceID, "invitation_id", inv.ID)
	return secret, inv, nil
}

// ListInvitations returns the workspace's invitations not yet accepted,
// newest first (expired ones included, so they can be revoked or re-sent).
func (s *Service) ListInvitations(ctx context.Context, actor herald.Actor) ([]herald.Invitation, error) {
	if err := actor.Require(herald.ActMembersManage); err != nil {
		return nil, err
	}
	invs, err := s.store.ListInvitations(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("workspace: list invitations: %w", err)
	}
	if invs == nil {
		invs = []herald.Invitation{}
	}
	return invs, nil
}

// RevokeInvitation deletes a pending invitation so its secret stops working.
func (s *Service) RevokeInvitation(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActMembersManage); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		inv, err := tx.GetInvitation(ctx, actor.WorkspaceID, id)
		if errors.Is(err, herald.ErrNotFound) {
			return herald.NotFound("invitation")
		}
		if err != nil {
			return err
		}
		if inv.AcceptedAt != nil {
			return herald.Errorf(herald.CodeConflict, "the invitation was already accepted: remove the member instead")
		}
		if err := tx.DeleteInvitation(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "invitation.revoke", "invitation", id, inv, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("workspace: revoke invitation %d: %w", id, err)
	}
	return nil
}

var (
	errUnknownInvitation = herald.Errorf(herald.CodeNotFound,
		"the invitation is unknown: check the link, or ask for a new invitation")
	errUsedInvitation = herald.Errorf(herald.CodeConflict,
		"the invitation was already used: sign in, or ask for a new invitation")
	errExpiredInvitation = &herald.Error{Code: herald.CodeInvalid,
		Message: "the invitation expired: ask for a new one",
		Details: []herald.FieldProblem{{Field: "token", Problem: "has expired"}}}
)

// Accept accepts the invitation with this secret. With a signed-in
// principal p, that user joins (their e-mail must be the invitation's).
// With p nil, a new user is created with the invitation's e-mail, name and
// password, and joins. It returns the user and the workspace joined.
func (s *Service) Accept(ctx context.Context, p *herald.Principal, secret, name, password string) (herald.User, herald.Workspace, error) {
	secret = strings.TrimSpace(secret)
	if !strings.HasPrefix(secret, InvitationPrefix) || len(secret) > 200 {
		return herald.User{}, herald.Workspace{}, errUnknownInvitation
	}
	if p != nil && p.Token != nil {
		return herald.User{}, herald.Workspace{}, herald.Errorf(herald.CodeForbidden,
			"API tokens cannot accept invitations: sign in, or accept without signing in to create an account")
	}
	inv, err := s.store.GetInvitationByTokenHash(ctx, hashSecret(secret))
	if errors.Is(err, herald.ErrNotFound) {
		return herald.User{}, herald.Workspace{}, errUnknownInvitation
	}
	if err != nil {
		return herald.User{}, herald.Workspace{}, fmt.Errorf("workspace: look up invitation: %w", err)
	}
	now := s.clock.Now()
	switch {
	case inv.AcceptedAt != nil:
		return herald.User{}, herald.Workspace{}, errUsedInvitation
	case !now.Before(inv.ExpiresAt):
		return herald.User{}, herald.Workspace{}, errExpiredInvitation
	}

	var u herald.User
	if p != nil {
		u, err = s.store.GetUser(ctx, p.UserID)
		if errors.Is(err, herald.ErrNotFound) {
			return herald.User{}, herald.Workspace{}, herald.Errorf(herald.CodeUnauthorized, "your account no longer exists: sign in again")
		}
		if err != nil {
			return herald.User{}, herald.Workspace{}, fmt.Errorf("workspace: get user %d: %w", p.UserID, err)
		}
		if u.Email != inv.Email {
			return herald.User{}, herald.Workspace{}, herald.Errorf(herald.CodeForbidden,
				"this invitation is for %s but you are signed in as %s: sign in with the invited address", inv.Email, u.Email)
		}
	} else {
		u = herald.User{Email: inv.Email, Name: name}
		var probs herald.Problems
		var he *herald.Error
		if err := u.Validate(); errors.As(err, &he) {
			for _, d := range he.Details {
				if d.Field != "email" { // the address comes from the invitation
					probs = append(probs, d)
				}
			}
		}
		if err := auth.ValidatePassword(password); errors.As(err, &he) {
			probs = append(probs, he.Details...)
		}
		if err := probs.Err("the new account is not valid"); err != nil {
			return herald.User{}, herald.Workspace{}, err
		}
		if _, err := s.store.GetUserByEmail(ctx, u.Email); err == nil {
			return herald.User{}, herald.Workspace{}, herald.Errorf(herald.CodeConflict,
				"an account with %s already exists: sign in, then accept the invitation", u.Email)
		} else if !errors.Is(err, herald.ErrNotFound) {
			return herald.User{}, herald.Workspace{}, fmt.Errorf("workspace: look up %s: %w", u.Email, err)
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return herald.User{}, herald.Workspace{}, err
		}
		u.PasswordHash, u.CreatedAt, u.UpdatedAt = hash, now, now
	}

	var w herald.Workspace
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if p == nil {
			if err := tx.CreateUser(ctx, &u); err != nil {
				if errors.Is(err, herald.ErrConflict) {
					return herald.Errorf(herald.CodeConflict,
						"an account with %s already exists: sign in, then accept the invitation", u.Email)
				}
				return err
			}
			e := herald.NewAudit(herald.Actor{}, "user.create", "user", u.ID, nil, u, now)
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		var err error
		if w, err = getWorkspace(ctx, tx, inv.WorkspaceID); err != nil {
			return err
		}
		if err := tx.AcceptInvitation(ctx, inv.ID, u.ID, now); err != nil {
			if errors.Is(err, herald.ErrConflict) {
				return errUsedInvitation
			}
			return err
		}
		m := herald.Membership{WorkspaceID: inv.WorkspaceID, UserID: u.ID, Role: inv.Role, CreatedAt: now}
		if err := tx.AddMember(ctx, &m); err != nil {
			if errors.Is(err, herald.ErrConflict) {
				return herald.Errorf(herald.CodeConflict, "you are already a member of %s", w.Name)
			}
			return err
		}
		actor := herald.Actor{UserID: u.ID, WorkspaceID: inv.WorkspaceID, Role: inv.Role}
		e := herald.NewAudit(actor, "member.join", "user", u.ID, nil, m, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.User{}, herald.Workspace{}, fmt.Errorf("workspace: accept invitation %d: %w", inv.ID, err)
	}
	s.logger.InfoContext(ctx, "invitation accepted", "workspace_id", inv.WorkspaceID, "invitation_id", inv.ID, "user_id", u.ID)
	return u, w, nil
}
