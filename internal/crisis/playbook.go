package crisis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// The playbook is written before a crisis: holding statements and replies
// approved then (each by a member who can approve posts and hold them, not
// the one who wrote it when the workspace requires approval of every post),
// and a checklist of steps with their owners, copied into every incident
// when it opens. While an incident is open, and only then, an approved
// text goes out without another review, exactly as approved (see
// respond.go); changing a text takes its approval away.

// Limits of the playbook.
const (
	MaxPlaybookTitle   = 100
	MaxPlaybookBody    = 5000
	MaxPlaybookEntries = 100
	MaxSteps           = 50
	MaxStepTitle       = 200
)

// PlaybookInput is a playbook text as written.
type PlaybookInput struct {
	Kind  herald.PlaybookKind
	Title string
	Body  string
}

func (in *PlaybookInput) check() error {
	in.Title, in.Body = strings.TrimSpace(in.Title), strings.TrimSpace(in.Body)
	var p herald.Problems
	if in.Kind != herald.PlaybookStatement && in.Kind != herald.PlaybookReply {
		p.Add("kind", "is %q; use statement (a post of its own) or reply (an answer to a post)", in.Kind)
	}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		p.Add("title", "is empty; name the text, for example \"Holding statement: outage\"")
	case n > MaxPlaybookTitle:
		p.Add("title", "is %d characters; at most %d are allowed", n, MaxPlaybookTitle)
	default:
		herald.CheckLine(&p, "title", in.Title)
	}
	switch n := utf8.RuneCountInString(in.Body); {
	case n == 0:
		p.Add("body", "is empty; write the text exactly as it should go out")
	case n > MaxPlaybookBody:
		p.Add("body", "is %d characters; at most %d are allowed", n, MaxPlaybookBody)
	default:
		herald.CheckText(&p, "body", in.Body)
	}
	return p.Err("the playbook text is not valid")
}

// Playbook returns the workspace's texts (statements first) and checklist.
func (s *Service) Playbook(ctx context.Context, actor herald.Actor) ([]herald.PlaybookEntry, []herald.PlaybookStep, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, nil, err
	}
	es, err := s.store.ListPlaybookEntries(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, nil, fmt.Errorf("crisis: playbook: %w", err)
	}
	steps, err := s.store.PlaybookSteps(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, nil, fmt.Errorf("crisis: checklist: %w", err)
	}
	return es, steps, nil
}

// PlaybookEntry returns one of the workspace's texts.
func (s *Service) PlaybookEntry(ctx context.Context, actor herald.Actor, id int64) (herald.PlaybookEntry, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.PlaybookEntry{}, err
	}
	return s.entry(ctx, actor.WorkspaceID, id)
}

func (s *Service) entry(ctx context.Context, workspaceID, id int64) (herald.PlaybookEntry, error) {
	e, err := s.store.GetPlaybookEntry(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.PlaybookEntry{}, herald.NotFound("playbook text")
	}
	if err != nil {
		return herald.PlaybookEntry{}, fmt.Errorf("crisis: playbook text %d: %w", id, err)
	}
	return e, nil
}

// CreatePlaybookEntry writes a text; it is not approved until someone
// approves it (ApprovePlaybookEntry).
func (s *Service) CreatePlaybookEntry(ctx context.Context, actor herald.Actor, in PlaybookInput) (herald.PlaybookEntry, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.PlaybookEntry{}, err
	}
	if err := in.check(); err != nil {
		return herald.PlaybookEntry{}, err
	}
	es, err := s.store.ListPlaybookEntries(ctx, actor.WorkspaceID)
	if err != nil {
		return herald.PlaybookEntry{}, fmt.Errorf("crisis: playbook: %w", err)
	}
	if len(es) >= MaxPlaybookEntries {
		return herald.PlaybookEntry{}, herald.Errorf(herald.CodeConflict,
			"the playbook has %d texts, the most a workspace may keep; delete one first", len(es))
	}
	now := s.clock.Now()
	e := herald.PlaybookEntry{WorkspaceID: actor.WorkspaceID, Kind: in.Kind, Title: in.Title, Body: in.Body,
		CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreatePlaybookEntry(ctx, &e); err != nil {
		return herald.PlaybookEntry{}, playbookErr("create", e.Title, err)
	}
	s.audit(ctx, actor, "playbook.create", e.ID, nil, e)
	return e, nil
}

func playbookErr(op, title string, err error) error {
	var he *herald.Error
	if errors.As(err, &he) && he.Code == herald.CodeConflict {
		return &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("a playbook text titled %q already exists", title),
			Details: []herald.FieldProblem{{Field: "title", Problem: "is taken (titles ignore case)"}}, Err: err}
	}
	return fmt.Errorf("crisis: %s playbook text: %w", op, err)
}

// UpdatePlaybookEntry changes a text. A changed kind or wording loses its
// approval (the new words were not approved); the one who changed it
// becomes its writer.
func (s *Service) UpdatePlaybookEntry(ctx context.Context, actor herald.Actor, id int64, in PlaybookInput) (herald.PlaybookEntry, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.PlaybookEntry{}, err
	}
	if err := in.check(); err != nil {
		return herald.PlaybookEntry{}, err
	}
	e, err := s.entry(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.PlaybookEntry{}, err
	}
	before := e
	if e.Kind != in.Kind || e.Body != in.Body {
		e.ApprovedBy, e.ApprovedAt, e.CreatedBy = nil, nil, actor.UserID
	}
	e.Kind, e.Title, e.Body, e.UpdatedAt = in.Kind, in.Title, in.Body, s.clock.Now()
	if err := s.store.UpdatePlaybookEntry(ctx, &e); err != nil {
		return herald.PlaybookEntry{}, playbookErr("update", e.Title, err)
	}
	s.audit(ctx, actor, "playbook.update", e.ID, before, e)
	return e, nil
}

// ApprovePlaybookEntry approves a text as it stands, for use during an
// incident without another review. The approver must be able to approve
// and hold posts; when the workspace requires approval of every post, the
// text's writer cannot approve it.
func (s *Service) ApprovePlaybookEntry(ctx context.Context, actor herald.Actor, id int64) (herald.PlaybookEntry, error) {
	if err := actor.Require(herald.ActPostsApprove); err != nil {
		return herald.PlaybookEntry{}, err
	}
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return herald.PlaybookEntry{}, err
	}
	e, err := s.entry(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.PlaybookEntry{}, err
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return herald.PlaybookEntry{}, fmt.Errorf("crisis: workspace: %w", err)
	}
	if ws.BrandRules.RequireApproval && e.CreatedBy == actor.UserID {
		return herald.PlaybookEntry{}, herald.Errorf(herald.CodeForbidden,
			"you wrote this text and this workspace requires approval for every post: someone else must approve it")
	}
	now := s.clock.Now()
	e.ApprovedBy, e.ApprovedAt, e.UpdatedAt = &actor.UserID, &now, now
	if err := s.store.UpdatePlaybookEntry(ctx, &e); err != nil {
		return herald.PlaybookEntry{}, playbookErr("approve", e.Title, err)
	}
	s.audit(ctx, actor, "playbook.approve", e.ID, nil, map[string]any{"title": e.Title, "body": e.Body})
	return e, nil
}

// DeletePlaybookEntry removes a text.
func (s *Service) DeletePlaybookEntry(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	e, err := s.entry(ctx, actor.WorkspaceID, id)
	if err != nil {
		return err
	}
	if err := s.store.DeletePlaybookEntry(ctx, actor.WorkspaceID, id); err != nil {
		return fmt.Errorf("crisis: delete playbook text: %w", err)
	}
	s.audit(ctx, actor, "playbook.delete", id, e, nil)
	return nil
}

// SetPlaybookSteps replaces the workspace's checklist; each owner must be
// a member. Open incidents keep the checklist they opened with.
func (s *Service) SetPlaybookSteps(ctx context.Context, actor herald.Actor, steps []herald.PlaybookStep) ([]herald.PlaybookStep, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return nil, err
	}
	var p herald.Problems
	if len(steps) > MaxSteps {
		p.Add("steps", "has %d steps; at most %d are allowed", len(steps), MaxSteps)
	}
	out := make([]herald.PlaybookStep, 0, len(steps))
	for i, st := range steps {
		field := fmt.Sprintf("steps[%d]", i)
		st.Title = strings.TrimSpace(st.Title)
		switch n := utf8.RuneCountInString(st.Title); {
		case n == 0:
			p.Add(field+".title", "is empty; say what to do, for example \"Tell the legal team\"")
		case n > MaxStepTitle:
			p.Add(field+".title", "is %d characters; at most %d are allowed", n, MaxStepTitle)
		default:
			herald.CheckLine(&p, field+".title", st.Title)
		}
		if st.OwnerID != 0 {
			_, err := s.store.GetMembership(ctx, actor.WorkspaceID, st.OwnerID)
			if errors.Is(err, herald.ErrNotFound) {
				p.Add(field+".owner_id", "user %d is not a member of this workspace", st.OwnerID)
			} else if err != nil {
				return nil, fmt.Errorf("crisis: step owner: %w", err)
			}
		}
		out = append(out, st)
	}
	if err := p.Err("the checklist is not valid"); err != nil {
		return nil, err
	}
	if err := s.store.SetPlaybookSteps(ctx, actor.WorkspaceID, out); err != nil {
		return nil, fmt.Errorf("crisis: set the checklist: %w", err)
	}
	s.audit(ctx, actor, "playbook.checklist", actor.WorkspaceID, nil, out)
	return out, nil
}

// audit records a playbook change, logging a failure.
func (s *Service) audit(ctx context.Context, actor herald.Actor, action string, id int64, before, after any) {
	kind := "playbook_entry"
	if action == "playbook.checklist" {
		kind = "workspace"
	}
	e := herald.NewAudit(actor, action, kind, id, before, after, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "audit the playbook", "action", action, "error", err)
	}
}
