// Package evergreen recycles a workspace's best published posts: people
// mark posts evergreen (with alternative texts to rotate), and a periodic
// job puts copies of them into free posting-schedule slots of the coming
// week, within a cooldown per post and a maximum share of each account's
// queue, never repeating a text on a platform within the cooldown.
package evergreen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the evergreen use-case. It is safe for concurrent use.
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

// Entry is one evergreen post with what recycling made of it.
type Entry struct {
	herald.EvergreenPost
	Post herald.Post
	// Copies are its recycled copies, by slot.
	Copies []herald.EvergreenCopy
	// TimesUsed counts the copies published so far.
	TimesUsed int
	// LastRecycled is when the latest copy was published.
	LastRecycled *time.Time
	// Next is the slot of the earliest copy still to publish.
	Next *time.Time
}

// Settings returns the workspace's recycling policy (the defaults when it
// never saved one).
func (s *Service) Settings(ctx context.Context, actor herald.Actor) (herald.EvergreenSettings, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.EvergreenSettings{}, err
	}
	return settings(ctx, s.store, actor.WorkspaceID)
}

func settings(ctx context.Context, tx herald.Tx, workspaceID int64) (herald.EvergreenSettings, error) {
	st, err := tx.GetEvergreenSettings(ctx, workspaceID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.DefaultEvergreenSettings(workspaceID), nil
	}
	if err != nil {
		return herald.EvergreenSettings{}, fmt.Errorf("evergreen: get settings: %w", err)
	}
	return st, nil
}

// UpdateSettings saves the workspace's recycling policy. Every account id
// must be an account of the workspace.
func (s *Service) UpdateSettings(ctx context.Context, actor herald.Actor, st herald.EvergreenSettings) (herald.EvergreenSettings, error) {
	if err := actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return herald.EvergreenSettings{}, err
	}
	st.WorkspaceID = actor.WorkspaceID
	if err := st.Validate(); err != nil {
		return herald.EvergreenSettings{}, err
	}
	st.UpdatedAt = s.clock.Now()
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := settings(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		accts, err := tx.ListAccounts(ctx, actor.WorkspaceID)
		if err != nil {
			return fmt.Errorf("evergreen: list accounts: %w", err)
		}
		var p herald.Problems
		for i, id := range st.AccountIDs {
			if !slices.ContainsFunc(accts, func(a herald.Account) bool { return a.ID == id }) {
				p.Add(fmt.Sprintf("account_ids[%d]", i), "account %d is not an account of this workspace", id)
			}
		}
		if err := p.Err("the evergreen settings are not valid"); err != nil {
			return err
		}
		if err := tx.PutEvergreenSettings(ctx, &st); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "evergreen.settings", "workspace", actor.WorkspaceID, before, st, st.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.EvergreenSettings{}, fmt.Errorf("evergreen: update settings: %w", err)
	}
	return st, nil
}

// Mark marks a published post evergreen with the given alternative texts,
// or replaces the texts of a post already marked. Recycled copies are
// scheduled without approval, so it takes the right to schedule.
func (s *Service) Mark(ctx context.Context, actor herald.Actor, postID int64, variants []string) (Entry, error) {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return Entry{}, err
	}
	e := herald.EvergreenPost{WorkspaceID: actor.WorkspaceID, PostID: postID, Variants: variants}
	if err := e.Validate(); err != nil {
		return Entry{}, err
	}
	now := s.clock.Now()
	e.CreatedAt, e.UpdatedAt = now, now
	if actor.UserID != 0 {
		id := actor.UserID
		e.MarkedBy = &id
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		p, err := getPost(ctx, tx, actor.WorkspaceID, postID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(p.Targets, func(t herald.Target) bool { return t.State == herald.StatePublished }) {
			return herald.Errorf(herald.CodeConflict,
				"post %d has not been published yet: only a published post can be marked evergreen", postID)
		}
		if c, err := tx.GetEvergreenCopyByPost(ctx, actor.WorkspaceID, postID); err == nil {
			return herald.Errorf(herald.CodeConflict,
				"post %d is a recycled copy of post %d: mark post %d evergreen instead", postID, c.OriginID, c.OriginID)
		} else if !errors.Is(err, herald.ErrNotFound) {
			return fmt.Errorf("evergreen: find copy: %w", err)
		}
		var before any
		if b, err := tx.GetEvergreen(ctx, actor.WorkspaceID, postID); err == nil {
			before = b
		} else if !errors.Is(err, herald.ErrNotFound) {
			return fmt.Errorf("evergreen: get: %w", err)
		}
		if err := tx.PutEvergreen(ctx, &e); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "evergreen.mark", "post", postID, before, e, now)
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("evergreen: mark post %d: %w", postID, err)
	}
	s.logger.InfoContext(ctx, "post marked evergreen", "workspace_id", actor.WorkspaceID, "post_id", postID,
		"variants", len(e.Variants))
	return s.Get(ctx, actor, postID)
}

// Unmark stops recycling a post; copies already scheduled stay scheduled.
func (s *Service) Unmark(ctx context.Context, actor herald.Actor, postID int64) error {
	if err := actor.Require(herald.ActPostsSchedule); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := tx.GetEvergreen(ctx, actor.WorkspaceID, postID)
		if errors.Is(err, herald.ErrNotFound) {
			return herald.Errorf(herald.CodeNotFound, "post %d is not evergreen in this workspace", postID)
		}
		if err != nil {
			return fmt.Errorf("evergreen: get: %w", err)
		}
		if err := tx.DeleteEvergreen(ctx, actor.WorkspaceID, postID); err != nil {
			return err
		}
		a := herald.NewAudit(actor, "evergreen.unmark", "post", postID, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &a)
	})
	if err != nil {
		return fmt.Errorf("evergreen: unmark post %d: %w", postID, err)
	}
	return nil
}

// Get returns one evergreen post with its copies.
func (s *Service) Get(ctx context.Context, actor herald.Actor, postID int64) (Entry, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return Entry{}, err
	}
	e, err := s.store.GetEvergreen(ctx, actor.WorkspaceID, postID)
	if errors.Is(err, herald.ErrNotFound) {
		return Entry{}, herald.Errorf(herald.CodeNotFound, "post %d is not evergreen in this workspace", postID)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("evergreen: get %d: %w", postID, err)
	}
	return s.entry(ctx, s.store, e)
}

// Find returns the post's evergreen entry, false when it is not evergreen.
func (s *Service) Find(ctx context.Context, actor herald.Actor, postID int64) (Entry, bool, error) {
	en, err := s.Get(ctx, actor, postID)
	if errors.Is(err, herald.ErrNotFound) {
		return Entry{}, false, nil
	}
	return en, err == nil, err
}

// List returns the workspace's evergreen posts by post id.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]Entry, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	es, err := s.store.ListEvergreen(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("evergreen: list: %w", err)
	}
	out := make([]Entry, 0, len(es))
	for _, e := range es {
		en, err := s.entry(ctx, s.store, e)
		if err != nil {
			return nil, err
		}
		out = append(out, en)
	}
	return out, nil
}

// CopyOf returns the copy a post is, false when it is not a recycled copy.
func (s *Service) CopyOf(ctx context.Context, actor herald.Actor, postID int64) (herald.EvergreenCopy, bool, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.EvergreenCopy{}, false, err
	}
	c, err := s.store.GetEvergreenCopyByPost(ctx, actor.WorkspaceID, postID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.EvergreenCopy{}, false, nil
	}
	if err != nil {
		return herald.EvergreenCopy{}, false, fmt.Errorf("evergreen: copy of post %d: %w", postID, err)
	}
	return c, true, nil
}

// entry gathers e's post and copies.
func (s *Service) entry(ctx context.Context, tx herald.Tx, e herald.EvergreenPost) (Entry, error) {
	p, err := getPost(ctx, tx, e.WorkspaceID, e.PostID)
	if err != nil {
		return Entry{}, err
	}
	copies, err := tx.ListEvergreenCopies(ctx, e.WorkspaceID, e.PostID)
	if err != nil {
		return Entry{}, fmt.Errorf("evergreen: list copies of %d: %w", e.PostID, err)
	}
	en := Entry{EvergreenPost: e, Post: p, Copies: copies}
	for _, c := range copies {
		if c.PostID == nil {
			continue
		}
		cp, err := tx.GetPost(ctx, e.WorkspaceID, *c.PostID)
		if errors.Is(err, herald.ErrNotFound) {
			continue
		}
		if err != nil {
			return Entry{}, fmt.Errorf("evergreen: get copy %d: %w", *c.PostID, err)
		}
		for _, t := range cp.Targets {
			switch {
			case t.State == herald.StatePublished && t.PublishedAt != nil:
				en.TimesUsed++
				if en.LastRecycled == nil || t.PublishedAt.After(*en.LastRecycled) {
					at := *t.PublishedAt
					en.LastRecycled = &at
				}
			case slices.Contains(takingStates, t.State) && t.ScheduledAt != nil:
				if en.Next == nil || t.ScheduledAt.Before(*en.Next) {
					at := *t.ScheduledAt
					en.Next = &at
				}
			}
		}
	}
	return en, nil
}

func getPost(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Post, error) {
	p, err := tx.GetPost(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Post{}, herald.Errorf(herald.CodeNotFound, "post %d not found in this workspace", id)
	}
	if err != nil {
		return herald.Post{}, fmt.Errorf("evergreen: get post %d: %w", id, err)
	}
	return p, nil
}
