package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// PasswordChange says what a password change did besides the password.
type PasswordChange struct {
	// SessionsEnded counts the user's other browser sessions that ended.
	SessionsEnded int64 `json:"sessions_ended" doc:"Your other browser sessions that were signed out"`
	// TokensRevoked counts the user's API tokens revoked with it.
	TokensRevoked int64 `json:"tokens_revoked" doc:"Your API tokens that were revoked (when asked)"`
}

// ChangePassword replaces a user's password after checking the current one.
// Every other browser session of the user ends, so a session opened with
// the old password does not outlive it; keepSession is the token of the
// caller's own session, which stays ("" ends them all). With revokeTokens
// the user's API tokens in every workspace are revoked too.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, keepSession string, revokeTokens bool) (PasswordChange, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return PasswordChange{}, fmt.Errorf("auth: get user %d: %w", userID, err)
	}
	ok, err := s.checkPassword(ctx, u.PasswordHash, current)
	if err != nil {
		if isRetry(err) {
			return PasswordChange{}, err
		}
		return PasswordChange{}, fmt.Errorf("auth: user %d: %w", userID, err)
	}
	var p herald.Problems
	if !ok {
		p.Add("current_password", "is not your current password")
	}
	checkPassword(&p, "new_password", next)
	if err := p.Err("the password was not changed"); err != nil {
		return PasswordChange{}, err
	}
	hash, err := s.hashPassword(ctx, next)
	if err != nil {
		return PasswordChange{}, err
	}
	keep := ""
	if keepSession != "" {
		keep = sessionKey(keepSession)
	}
	now := s.clock.Now()
	u.PasswordHash, u.UpdatedAt = hash, now
	var done PasswordChange
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.UpdateUser(ctx, &u); err != nil {
			return err
		}
		n, err := tx.DeleteUserSessions(ctx, userID, keep)
		if err != nil {
			return err
		}
		done.SessionsEnded = n
		if revokeTokens {
			if done.TokensRevoked, err = tx.RevokeUserTokens(ctx, userID, now); err != nil {
				return err
			}
		}
		e := herald.NewAudit(herald.Actor{UserID: userID}, "user.password", "user", userID, nil, done, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return PasswordChange{}, fmt.Errorf("auth: change password of user %d: %w", userID, err)
	}
	s.logger.InfoContext(ctx, "password changed", "user_id", userID,
		"sessions_ended", done.SessionsEnded, "tokens_revoked", done.TokensRevoked)
	return done, nil
}

// SignOutMember ends every browser session of a member of the actor's
// workspace, on every device. The rule: the actor may manage the
// workspace's members (an owner or admin there), the person is a member of
// that workspace, and the actor's role is at least the member's (an admin
// cannot sign an owner out). Signing oneself out everywhere is allowed.
// API tokens are not touched: revoke them on the tokens page.
func (s *Service) SignOutMember(ctx context.Context, actor herald.Actor, userID int64) (int64, error) {
	if err := actor.Require(herald.ActMembersManage); err != nil {
		return 0, err
	}
	m, err := s.store.GetMembership(ctx, actor.WorkspaceID, userID)
	if errors.Is(err, herald.ErrNotFound) {
		return 0, herald.NotFound("member")
	}
	if err != nil {
		return 0, fmt.Errorf("auth: membership of user %d in workspace %d: %w", userID, actor.WorkspaceID, err)
	}
	if !actor.Role.AtLeast(m.Role) {
		return 0, &herald.Error{Code: herald.CodeForbidden,
			Message: fmt.Sprintf("a %s cannot sign out a member with a stronger role (%s); ask an owner", actor.Role, m.Role)}
	}
	now := s.clock.Now()
	var n int64
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		if n, err = tx.DeleteUserSessions(ctx, userID, ""); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "member.sign_out", "user", userID, nil, map[string]int64{"sessions_ended": n}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return 0, fmt.Errorf("auth: sign out user %d: %w", userID, err)
	}
	s.logger.InfoContext(ctx, "member signed out everywhere", "user_id", userID,
		"workspace_id", actor.WorkspaceID, "by_user_id", actor.UserID, "sessions_ended", n)
	return n, nil
}
