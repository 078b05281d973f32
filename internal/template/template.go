// Package template keeps a workspace's templates (saved posts to start
// new ones from, with placeholders filled when they are used), snippets
// and hashtag groups. Editors and the roles above them write them
// (templates.manage); everyone who writes posts uses them.
package template

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/placeholder"
	"github.com/heraldsocial/herald/internal/post"
)

// PostCreator creates posts: the post service, which checks and audits
// them as it does every other post.
type PostCreator interface {
	Create(ctx context.Context, actor herald.Actor, in herald.Post, action post.Action) (herald.Post, error)
}

// Service is the templates use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	clock  herald.Clock
	posts  PostCreator
	logger *slog.Logger
}

// New returns a Service over store that creates posts with posts.
func New(store herald.Store, clock herald.Clock, posts PostCreator, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, clock: clock, posts: posts, logger: logger}
}

// Placeholders returns the placeholders a template may use, filled when
// a post is made from it. Dates are the post's (its scheduled time, else
// today) in the workspace's time zone.
func Placeholders() placeholder.Set {
	return placeholder.Set{
		{Name: "date", Doc: "the post's date, like 4 December 2026"},
		{Name: "weekday", Doc: "the post's day of the week, like Friday"},
		{Name: "month", Doc: "the post's month, like December"},
		{Name: "year", Doc: "the post's year, like 2026"},
		{Name: "time", Doc: "the post's time of day, like 09:30 (empty when it has no time yet)"},
		{Name: "workspace", Doc: "the workspace's name"},
		{Name: "campaign", Doc: "the name of the template's campaign (empty without one)"},
	}
}

// List returns the workspace's templates by name; query, when not "",
// keeps those whose name or description contains it.
func (s *Service) List(ctx context.Context, actor herald.Actor, query string) ([]herald.Template, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	ts, err := s.store.ListTemplates(ctx, herald.KitFilter{WorkspaceID: actor.WorkspaceID, Query: strings.TrimSpace(query)})
	if err != nil {
		return nil, fmt.Errorf("template: list: %w", err)
	}
	return ts, nil
}

// Get returns one template of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Template, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Template{}, err
	}
	return get(ctx, s.store.GetTemplate, actor.WorkspaceID, id, "template")
}

// get reads one object, turning the store's not found into the one
// people read.
func get[T any](ctx context.Context, read func(context.Context, int64, int64) (T, error), ws, id int64, what string) (T, error) {
	v, err := read(ctx, ws, id)
	if errors.Is(err, herald.ErrNotFound) {
		return v, herald.NotFound(what)
	}
	if err != nil {
		return v, fmt.Errorf("template: get %s %d: %w", what, id, err)
	}
	return v, nil
}

// check validates t and its placeholders.
func check(t *herald.Template) error {
	err := t.Validate()
	var he *herald.Error
	var problems herald.Problems
	if errors.As(err, &he) {
		problems = he.Details
	} else if err != nil {
		return err
	}
	set := Placeholders()
	t.Content.Texts(func(field, text string) {
		if unknown := set.Unknown(text); len(unknown) > 0 {
			problems = append(problems, herald.FieldProblem{Field: field, Problem: set.Problem(unknown)})
		}
	})
	if len(problems) == 0 {
		return nil
	}
	msg := "the template is not valid"
	for _, p := range problems {
		if strings.Contains(p.Problem, "Herald knows") {
			msg = "the template is not valid: " + p.Problem
			break
		}
	}
	return &herald.Error{Code: herald.CodeInvalid, Message: msg, Details: problems}
}

// Create adds a template to the actor's workspace. Its name must be
// unused there (ignoring case) and it may use only Placeholders.
func (s *Service) Create(ctx context.Context, actor herald.Actor, t herald.Template) (herald.Template, error) {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return herald.Template{}, err
	}
	t.ID, t.WorkspaceID, t.CreatedBy = 0, actor.WorkspaceID, actor.UserID
	if err := check(&t); err != nil {
		return herald.Template{}, err
	}
	now := s.clock.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateTemplate(ctx, &t); err != nil {
			return duplicate("template", t.Name, err)
		}
		e := herald.NewAudit(actor, "template.create", "template", t.ID, nil, t, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Template{}, fmt.Errorf("template: create: %w", err)
	}
	s.logger.InfoContext(ctx, "template created", "workspace_id", t.WorkspaceID, "template_id", t.ID)
	return t, nil
}

// Update replaces a template's name, description and content.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, in herald.Template) (herald.Template, error) {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return herald.Template{}, err
	}
	var after herald.Template
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx.GetTemplate, actor.WorkspaceID, id, "template")
		if err != nil {
			return err
		}
		after = before
		after.Name, after.Description, after.Content = in.Name, in.Description, in.Content
		if err := check(&after); err != nil {
			return err
		}
		after.UpdatedAt = s.clock.Now()
		if err := tx.UpdateTemplate(ctx, &after); err != nil {
			return duplicate("template", after.Name, err)
		}
		e := herald.NewAudit(actor, "template.update", "template", id, before, after, after.UpdatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Template{}, fmt.Errorf("template: update %d: %w", id, err)
	}
	return after, nil
}

// Delete removes a template; posts made from it stay as they are.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	return s.remove(ctx, actor, "template", id, func(tx herald.Tx) (any, error) {
		return get(ctx, tx.GetTemplate, actor.WorkspaceID, id, "template")
	}, func(tx herald.Tx) error { return tx.DeleteTemplate(ctx, actor.WorkspaceID, id) })
}

// remove deletes object id of kind what with an audit entry of what it
// was, in one transaction.
func (s *Service) remove(ctx context.Context, actor herald.Actor, what string, id int64,
	read func(herald.Tx) (any, error), del func(herald.Tx) error) error {
	if err := actor.Require(herald.ActTemplatesManage); err != nil {
		return err
	}
	kind := strings.ReplaceAll(what, " ", "_")
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := read(tx)
		if err != nil {
			return err
		}
		if err := del(tx); err != nil {
			return err
		}
		e := herald.NewAudit(actor, kind+".delete", kind, id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("template: delete %s %d: %w", what, id, err)
	}
	s.logger.InfoContext(ctx, what+" deleted", "workspace_id", actor.WorkspaceID, "id", id)
	return nil
}

// duplicate turns a store conflict on a name into the error people read;
// other errors pass through.
func duplicate(what, name string, err error) error {
	if !errors.Is(err, herald.ErrConflict) {
		return err
	}
	return &herald.Error{Code: herald.CodeConflict,
		Message: fmt.Sprintf("a %s named %q already exists in this workspace: choose another name", what, name),
		Details: []herald.FieldProblem{{Field: "name", Problem: "is already used by another " + what}},
		Err:     err}
}
