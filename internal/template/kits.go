package template

// Snippets and hashtag groups: named pieces of text the composer inserts.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Snippets returns the workspace's snippets by name; query, when not "",
// keeps those whose name or text contains it.
func (s *Service) Snippets(ctx context.Context, actor herald.Actor, query string) ([]herald.Snippet, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	out, err := s.store.ListSnippets(ctx, herald.KitFilter{WorkspaceID: actor.WorkspaceID, Query: strings.TrimSpace(query)})
	if err != nil {
		return nil, fmt.Errorf("template: list snippets: %w", err)
	}
	return out, nil
}

// Snippet returns one snippet of the actor's workspace.
func (s *Service) Snippet(ctx context.Context, actor herald.Actor, id int64) (herald.Snippet, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Snippet{}, err
	}
	return get(ctx, s.store.GetSnippet, actor.WorkspaceID, id, "snippet")
}

// SaveSnippet creates the snippet (id 0) or replaces the name and text
// of snippet id.
func (s *Service) SaveSnippet(ctx context.Context, actor herald.Actor, id int64, in herald.Snippet) (herald.Snippet, error) {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return herald.Snippet{}, err
	}
	in.ID, in.WorkspaceID = id, actor.WorkspaceID
	if err := in.Validate(); err != nil {
		return herald.Snippet{}, err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		now := s.clock.Now()
		var before any
		if id == 0 {
			in.CreatedAt, in.UpdatedAt = now, now
			if err := tx.CreateSnippet(ctx, &in); err != nil {
				return duplicate("snippet", in.Name, err)
			}
		} else {
			old, err := get(ctx, tx.GetSnippet, actor.WorkspaceID, id, "snippet")
			if err != nil {
				return err
			}
			before, in.CreatedAt, in.UpdatedAt = old, old.CreatedAt, now
			if err := tx.UpdateSnippet(ctx, &in); err != nil {
				return duplicate("snippet", in.Name, err)
			}
		}
		return s.audit(ctx, tx, actor, "snippet", in.ID, before, in, now)
	})
	if err != nil {
		return herald.Snippet{}, fmt.Errorf("template: save snippet: %w", err)
	}
	return in, nil
}

// DeleteSnippet removes a snippet; text already inserted in posts stays.
func (s *Service) DeleteSnippet(ctx context.Context, actor herald.Actor, id int64) error {
	return s.remove(ctx, actor, "snippet", id, func(tx herald.Tx) (any, error) {
		return get(ctx, tx.GetSnippet, actor.WorkspaceID, id, "snippet")
	}, func(tx herald.Tx) error { return tx.DeleteSnippet(ctx, actor.WorkspaceID, id) })
}

// HashtagGroups returns the workspace's hashtag groups by name; query,
// when not "", keeps those whose name or tags contain it.
func (s *Service) HashtagGroups(ctx context.Context, actor herald.Actor, query string) ([]herald.HashtagGroup, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	out, err := s.store.ListHashtagGroups(ctx, herald.KitFilter{WorkspaceID: actor.WorkspaceID, Query: strings.TrimSpace(query)})
	if err != nil {
		return nil, fmt.Errorf("template: list hashtag groups: %w", err)
	}
	return out, nil
}

// HashtagGroup returns one hashtag group of the actor's workspace.
func (s *Service) HashtagGroup(ctx context.Context, actor herald.Actor, id int64) (herald.HashtagGroup, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.HashtagGroup{}, err
	}
	return get(ctx, s.store.GetHashtagGroup, actor.WorkspaceID, id, "hashtag group")
}

// SaveHashtagGroup creates the group (id 0) or replaces the name and
// tags of group id. Each tag must look like #tag; repeats are kept once.
func (s *Service) SaveHashtagGroup(ctx context.Context, actor herald.Actor, id int64, in herald.HashtagGroup) (herald.HashtagGroup, error) {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return herald.HashtagGroup{}, err
	}
	in.ID, in.WorkspaceID = id, actor.WorkspaceID
	if err := in.Validate(); err != nil {
		return herald.HashtagGroup{}, err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		now := s.clock.Now()
		var before any
		if id == 0 {
			in.CreatedAt, in.UpdatedAt = now, now
			if err := tx.CreateHashtagGroup(ctx, &in); err != nil {
				return duplicate("hashtag group", in.Name, err)
			}
		} else {
			old, err := get(ctx, tx.GetHashtagGroup, actor.WorkspaceID, id, "hashtag group")
			if err != nil {
				return err
			}
			before, in.CreatedAt, in.UpdatedAt = old, old.CreatedAt, now
			if err := tx.UpdateHashtagGroup(ctx, &in); err != nil {
				return duplicate("hashtag group", in.Name, err)
			}
		}
		return s.audit(ctx, tx, actor, "hashtag_group", in.ID, before, in, now)
	})
	if err != nil {
		return herald.HashtagGroup{}, fmt.Errorf("template: save hashtag group: %w", err)
	}
	return in, nil
}

// DeleteHashtagGroup removes a hashtag group.
func (s *Service) DeleteHashtagGroup(ctx context.Context, actor herald.Actor, id int64) error {
	return s.remove(ctx, actor, "hashtag group", id, func(tx herald.Tx) (any, error) {
		return get(ctx, tx.GetHashtagGroup, actor.WorkspaceID, id, "hashtag group")
	}, func(tx herald.Tx) error { return tx.DeleteHashtagGroup(ctx, actor.WorkspaceID, id) })
}

// audit records a create (before nil) or an update of kind.
func (s *Service) audit(ctx context.Context, tx herald.Tx, actor herald.Actor, kind string, id int64, before, after any, now time.Time) error {
	action := kind + ".update"
	if before == nil {
		action = kind + ".create"
	}
	e := herald.NewAudit(actor, action, kind, id, before, after, now)
	return tx.AppendAudit(ctx, &e)
}
