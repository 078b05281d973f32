// Package review lets someone outside a workspace (a client) review the
// posts of a campaign or of a date range through a secret link, without
// signing in: managers create, list and revoke links; the client sees the
// posts as each platform will show them and approves them or asks for
// changes, as a reviewer with the client role, through the post service.
package review

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// TokenPrefix starts every review link token, so a leaked one is recognised.
const TokenPrefix = "hrev_"

// tokenRandomBytes is a token's entropy.
const tokenRandomBytes = 32

// Notifier tells the team about a client's decision. nil: nobody is told.
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// Service manages review links and what clients do through them. It is
// safe for concurrent use.
type Service struct {
	store    herald.Store
	posts    *post.Service
	clock    herald.Clock
	logger   *slog.Logger
	notifier Notifier
	guesses  *auth.Guesses
}

// Option configures a Service.
type Option func(*Service)

// WithNotifier makes the service tell posts' authors about decisions.
func WithNotifier(n Notifier) Option { return func(s *Service) { s.notifier = n } }

// New returns a Service over store; decisions go through posts.
func New(store herald.Store, posts *post.Service, clock herald.Clock, logger *slog.Logger, opts ...Option) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = herald.SystemClock{}
	}
	s := &Service{store: store, posts: posts, clock: clock, logger: logger, guesses: auth.NewGuesses(clock)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Path is the review page's path on the server for token.
func Path(token string) string { return "/review/" + token }

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// mayManage refuses roles that cannot run reviews: creating, listing and
// revoking links, and reading what clients decided, is for those who both
// approve posts and manage campaigns (owners, admins, managers).
func mayManage(actor herald.Actor) error {
	if err := actor.Require(herald.ActPostsApprove); err != nil {
		return err
	}
	return actor.Require(herald.ActCampaignsManage)
}

// NewLink is a review link as a manager asks for it.
type NewLink struct {
	// Name says who reviews through the link ("Acme marketing team"); the
	// audit log and the posts' history show it.
	Name string
	// The scope: a campaign, or the posts scheduled from FromDate to
	// ToDate (YYYY-MM-DD in the workspace's zone, both days included).
	CampaignID       int64
	FromDate, ToDate string
	// ExpiresAt is when the link stops working; nil is in
	// herald.ReviewLinkDefaultTTL, and it may be at most
	// herald.ReviewLinkMaxTTL away.
	ExpiresAt *time.Time
	// Password, when set, is asked before anything is shown.
	Password string
}

// Create makes a review link in the actor's workspace and returns its
// token, shown this once: only its SHA-256 is kept.
func (s *Service) Create(ctx context.Context, actor herald.Actor, in NewLink) (string, herald.ReviewLink, error) {
	if err := mayManage(actor); err != nil {
		return "", herald.ReviewLink{}, err
	}
	now := s.clock.Now()
	l := herald.ReviewLink{WorkspaceID: actor.WorkspaceID, Name: in.Name, CreatedBy: actor.UserID, CreatedAt: now}
	if in.ExpiresAt != nil {
		l.ExpiresAt = in.ExpiresAt.UTC()
	} else {
		l.ExpiresAt = now.Add(herald.ReviewLinkDefaultTTL)
	}
	raw := make([]byte, tokenRandomBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", herald.ReviewLink{}, fmt.Errorf("review: random token: %w", err)
	}
	token := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	l.TokenHash = hashToken(token)
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		ws, err := tx.GetWorkspace(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if err := scope(ctx, tx, ws, in, &l); err != nil {
			return err
		}
		if err := l.Validate(now); err != nil {
			return err
		}
		if in.Password != "" {
			if err := auth.ValidatePassword(in.Password); err != nil {
				return err
			}
			if l.PasswordHash, err = auth.HashPassword(in.Password); err != nil {
				return err
			}
		}
		if err := tx.CreateReviewLink(ctx, &l); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "review_link.create", "review_link", l.ID, nil, l, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return "", herald.ReviewLink{}, fmt.Errorf("review: create link: %w", err)
	}
	s.logger.InfoContext(ctx, "review link created", "workspace_id", actor.WorkspaceID, "link_id", l.ID)
	return token, l, nil
}

// scope reads in's campaign or dates into l, in the workspace's zone
// (Validate then checks that exactly one scope is complete).
func scope(ctx context.Context, tx herald.Tx, ws herald.Workspace, in NewLink, l *herald.ReviewLink) error {
	var pr herald.Problems
	if in.CampaignID != 0 {
		if _, err := tx.GetCampaign(ctx, ws.ID, in.CampaignID); errors.Is(err, herald.ErrNotFound) {
			pr.Add("campaign_id", "there is no campaign %d in this workspace", in.CampaignID)
		} else if err != nil {
			return err
		}
		id := in.CampaignID
		l.CampaignID = &id
	}
	if in.FromDate != "" || in.ToDate != "" {
		loc, err := ws.Location()
		if err != nil {
			return err
		}
		day := func(field, s string) *time.Time {
			if s == "" {
				return nil
			}
			d, err := time.ParseInLocation(time.DateOnly, s, loc)
			if err != nil {
				pr.Add(field, "%q is not a date: write it as YYYY-MM-DD", s)
				return nil
			}
			return &d
		}
		l.From = day("from", in.FromDate)
		if to := day("to", in.ToDate); to != nil {
			end := to.AddDate(0, 0, 1) // the last day is included
			l.To = &end
		}
	}
	return pr.Err("the review link is not valid")
}

// List returns the workspace's review links, newest first.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.ReviewLink, error) {
	if err := mayManage(actor); err != nil {
		return nil, err
	}
	ls, err := s.store.ListReviewLinks(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("review: list links: %w", err)
	}
	return ls, nil
}

// Get returns one review link of the workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.ReviewLink, error) {
	if err := mayManage(actor); err != nil {
		return herald.ReviewLink{}, err
	}
	l, err := s.store.GetReviewLink(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.ReviewLink{}, fmt.Errorf("review: get link %d: %w", id, err)
	}
	return l, nil
}

// Revoke ends a review link: its page answers "revoked" from now on.
// Revoking a revoked link changes nothing.
func (s *Service) Revoke(ctx context.Context, actor herald.Actor, id int64) (herald.ReviewLink, error) {
	if err := mayManage(actor); err != nil {
		return herald.ReviewLink{}, err
	}
	var l herald.ReviewLink
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := tx.GetReviewLink(ctx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if err := tx.RevokeReviewLink(ctx, actor.WorkspaceID, id, now); err != nil {
			return err
		}
		if l, err = tx.GetReviewLink(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		if before.RevokedAt != nil {
			return nil
		}
		e := herald.NewAudit(actor, "review_link.revoke", "review_link", id, before, l, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.ReviewLink{}, fmt.Errorf("review: revoke link %d: %w", id, err)
	}
	return l, nil
}

// Decisions returns the decisions made through review links on post
// postID, or through link linkID (zero: any), newest first. Whoever reads
// posts sees the decisions on a post; a link's list is the managers'.
func (s *Service) Decisions(ctx context.Context, actor herald.Actor, linkID, postID int64) ([]herald.ReviewDecision, error) {
	if linkID != 0 || postID == 0 {
		if err := mayManage(actor); err != nil {
			return nil, err
		}
		if linkID != 0 {
			if _, err := s.store.GetReviewLink(ctx, actor.WorkspaceID, linkID); err != nil {
				return nil, fmt.Errorf("review: decisions of link %d: %w", linkID, err)
			}
		}
	} else if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	ds, err := s.store.ListReviewDecisions(ctx, herald.ReviewDecisionFilter{WorkspaceID: actor.WorkspaceID,
		LinkID: linkID, PostID: postID})
	if err != nil {
		return nil, fmt.Errorf("review: list decisions: %w", err)
	}
	return ds, nil
}

// Status is l's state now: active, expired or revoked.
func (s *Service) Status(l herald.ReviewLink) string { return l.Status(s.clock.Now()) }
