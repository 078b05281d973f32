// Package ical serves a workspace's calendar as an iCalendar (RFC 5545)
// feed at a secret per-person address: scheduled posts, and posts in
// review or approved (marked so), as events at their time in the
// workspace's zone, and campaigns as all-day events over their dates.
package ical

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// TokenPrefix starts every feed token, so a leaked one is recognised.
const TokenPrefix = "hcal_"

// tokenRandomBytes is a token's entropy.
const tokenRandomBytes = 32

// Service manages calendar feeds and renders them. It is safe for
// concurrent use.
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
	if clock == nil {
		clock = herald.SystemClock{}
	}
	return &Service{store: store, clock: clock, logger: logger}
}

// Path is the feed's path on the server for token.
func Path(token string) string { return "/ical/" + token + ".ics" }

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Create makes the actor a new feed address in its workspace, revoking the
// one it had, and returns the token. The token is shown this once: only
// its SHA-256 is kept.
func (s *Service) Create(ctx context.Context, actor herald.Actor) (string, herald.CalendarFeed, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return "", herald.CalendarFeed{}, err
	}
	if actor.UserID == 0 {
		return "", herald.CalendarFeed{}, herald.Errorf(herald.CodeForbidden, "a calendar feed belongs to a person: sign in to create one")
	}
	raw := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", herald.CalendarFeed{}, fmt.Errorf("ical: random token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock.Now()
	f := herald.CalendarFeed{WorkspaceID: actor.WorkspaceID, UserID: actor.UserID, TokenHash: hashToken(token), CreatedAt: now}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if _, err := tx.RevokeCalendarFeeds(ctx, actor.WorkspaceID, actor.UserID, now); err != nil {
			return err
		}
		if err := tx.CreateCalendarFeed(ctx, &f); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "calendar_feed.create", "calendar_feed", f.ID, nil, f, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return "", herald.CalendarFeed{}, fmt.Errorf("ical: create feed: %w", err)
	}
	s.logger.InfoContext(ctx, "calendar feed created", "workspace_id", actor.WorkspaceID, "user_id", actor.UserID, "feed_id", f.ID)
	return token, f, nil
}

// Current returns the actor's feed in its workspace, false when it has none.
func (s *Service) Current(ctx context.Context, actor herald.Actor) (herald.CalendarFeed, bool, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.CalendarFeed{}, false, err
	}
	f, err := s.store.GetCalendarFeed(ctx, actor.WorkspaceID, actor.UserID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.CalendarFeed{}, false, nil
	}
	if err != nil {
		return herald.CalendarFeed{}, false, fmt.Errorf("ical: get feed: %w", err)
	}
	return f, true, nil
}

// Revoke ends the actor's feed address: calendar apps reading it get
// "not found" from now on.
func (s *Service) Revoke(ctx context.Context, actor herald.Actor) error {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		f, err := tx.GetCalendarFeed(ctx, actor.WorkspaceID, actor.UserID)
		if errors.Is(err, herald.ErrNotFound) {
			return herald.Errorf(herald.CodeNotFound, "you have no calendar feed in this workspace")
		}
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if _, err := tx.RevokeCalendarFeeds(ctx, actor.WorkspaceID, actor.UserID, now); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "calendar_feed.revoke", "calendar_feed", f.ID, f, nil, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("ical: revoke feed: %w", err)
	}
	return nil
}

// Resolve returns the workspace and the reader of the feed with token: an
// unknown or revoked token, or one whose person left the workspace or may
// no longer read its posts, is not found.
func (s *Service) Resolve(ctx context.Context, token string) (herald.Actor, error) {
	gone := herald.NotFound("calendar feed")
	if !strings.HasPrefix(token, TokenPrefix) {
		return herald.Actor{}, gone
	}
	f, err := s.store.GetCalendarFeedByHash(ctx, hashToken(token))
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Actor{}, gone
	}
	if err != nil {
		return herald.Actor{}, fmt.Errorf("ical: find feed: %w", err)
	}
	if f.RevokedAt != nil {
		return herald.Actor{}, gone
	}
	m, err := s.store.GetMembership(ctx, f.WorkspaceID, f.UserID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Actor{}, gone
	}
	if err != nil {
		return herald.Actor{}, fmt.Errorf("ical: membership: %w", err)
	}
	actor := herald.Actor{UserID: f.UserID, WorkspaceID: f.WorkspaceID, Role: m.Role}
	if actor.Require(herald.ActPostsRead) != nil {
		return herald.Actor{}, gone
	}
	return actor, nil
}
