package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

const (
	// TokenPrefix starts every API token secret, so leaked tokens are easy
	// to recognise (and to scan for).
	TokenPrefix = "hrld_"
	// tokenRandomBytes is the secret's entropy.
	tokenRandomBytes = 32
	// tokenShownLen is how much of the secret is kept to recognise a token.
	tokenShownLen = 12
	// touchEvery limits LastUsedAt writes to one per token per interval.
	touchEvery = time.Minute
)

var errBadToken = &herald.Error{Code: herald.CodeUnauthorized, Message: "the API token is not valid: create a new one"}

// hashToken returns the SHA-256 of a token secret, the only form stored.
func hashToken(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// CreateToken makes an API token for the actor in its workspace, with a
// role no stronger than the actor's. The secret is returned once and never
// stored; only its SHA-256 is.
func (s *Service) CreateToken(ctx context.Context, actor herald.Actor, name string, role herald.Role, expiresAt *time.Time) (string, herald.APIToken, error) {
	if err := actor.Require(herald.ActTokensCreate); err != nil {
		return "", herald.APIToken{}, err
	}
	now := s.clock.Now()
	name = strings.TrimSpace(name)
	var p herald.Problems
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		p.Add("name", "is required")
	case n > herald.MaxNameLen:
		p.Add("name", "is %d characters; at most %d are allowed", n, herald.MaxNameLen)
	}
	if !role.Valid() {
		p.Add("role", "%q is not one of owner, admin, manager, editor, contributor, analyst, client", role)
	}
	if expiresAt != nil && !expiresAt.After(now) {
		p.Add("expires_at", "is not in the future; leave it out for a token that does not expire")
	}
	if err := p.Err("the API token is not valid"); err != nil {
		return "", herald.APIToken{}, err
	}
	if !actor.Role.AtLeast(role) {
		return "", herald.APIToken{}, &herald.Error{Code: herald.CodeForbidden,
			Message: fmt.Sprintf("a token cannot have a stronger role than yours (%s); choose %s or a weaker role", actor.Role, actor.Role),
			Details: []herald.FieldProblem{{Field: "role", Problem: "is stronger than your role"}}}
	}
	raw := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", herald.APIToken{}, fmt.Errorf("auth: random token: %w", err)
	}
	secret := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	tok := herald.APIToken{WorkspaceID: actor.WorkspaceID, UserID: actor.UserID, Name: name,
		Role: role, Prefix: secret[:tokenShownLen], Hash: hashToken(secret), CreatedAt: now}
	if expiresAt != nil {
		at := expiresAt.UTC().Truncate(time.Microsecond)
		tok.ExpiresAt = &at
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateToken(ctx, &tok); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "token.create", "token", tok.ID, nil, tok, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return "", herald.APIToken{}, fmt.Errorf("auth: create token: %w", err)
	}
	s.logger.InfoContext(ctx, "api token created", "token_id", tok.ID, "workspace_id", tok.WorkspaceID, "user_id", tok.UserID)
	return secret, tok, nil
}

// ListTokens lists the actor's own tokens in its workspace, or everyone's
// when its role may manage tokens. Newest first.
func (s *Service) ListTokens(ctx context.Context, actor herald.Actor) ([]herald.APIToken, error) {
	userID := actor.UserID
	if actor.Role.Can(herald.ActTokensManage) {
		userID = 0
	}
	toks, err := s.store.ListTokens(ctx, actor.WorkspaceID, userID)
	if err != nil {
		return nil, fmt.Errorf("auth: list tokens: %w", err)
	}
	return toks, nil
}

// RevokeToken revokes one of the actor's tokens, or anyone's when its role
// may manage tokens; others' tokens are otherwise "not found". Revoking a
// revoked token does nothing.
func (s *Service) RevokeToken(ctx context.Context, actor herald.Actor, id int64) error {
	tok, err := s.store.GetToken(ctx, actor.WorkspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.NotFound("token")
	}
	if err != nil {
		return fmt.Errorf("auth: get token %d: %w", id, err)
	}
	if tok.UserID != actor.UserID && !actor.Role.Can(herald.ActTokensManage) {
		return herald.NotFound("token")
	}
	if tok.RevokedAt != nil {
		return nil
	}
	now := s.clock.Now()
	after := tok
	after.RevokedAt = &now
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.RevokeToken(ctx, actor.WorkspaceID, id, now); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "token.revoke", "token", id, tok, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("auth: revoke token %d: %w", id, err)
	}
	s.touchMu.Lock()
	delete(s.touched, id)
	s.touchMu.Unlock()
	return nil
}

// AuthenticateToken finds the active token with this secret and returns its
// principal. Unknown, revoked and expired tokens all give the same
// unauthorized error. LastUsedAt is written at most once a minute per token.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (herald.Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return herald.Principal{}, errBadToken
	}
	tok, err := s.store.GetTokenByHash(ctx, hashToken(secret))
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Principal{}, errBadToken
	}
	if err != nil {
		return herald.Principal{}, fmt.Errorf("auth: look up token: %w", err)
	}
	now := s.clock.Now()
	if !tok.Active(now) {
		return herald.Principal{}, errBadToken
	}
	if s.shouldTouch(tok, now) {
		if err := s.store.TouchToken(ctx, tok.ID, now); err != nil {
			// Losing a last-used time must not refuse a valid request.
			s.logger.WarnContext(ctx, "record token use", "token_id", tok.ID, "error", err)
		} else {
			tok.LastUsedAt = &now
		}
	}
	return herald.Principal{UserID: tok.UserID, Token: &tok}, nil
}

// shouldTouch reports whether tok's LastUsedAt is due a write at now, and
// if so notes the write so concurrent requests do not repeat it.
func (s *Service) shouldTouch(tok herald.APIToken, now time.Time) bool {
	if tok.LastUsedAt != nil && now.Sub(*tok.LastUsedAt) < touchEvery {
		return false
	}
	s.touchMu.Lock()
	defer s.touchMu.Unlock()
	if last, ok := s.touched[tok.ID]; ok && now.Sub(last) < touchEvery {
		return false
	}
	if len(s.touched) > 10_000 {
		for id, last := range s.touched {
			if now.Sub(last) >= touchEvery {
				delete(s.touched, id)
			}
		}
	}
	s.touched[tok.ID] = now
	return true
}
