// Package task keeps a workspace's tasks: the board (to do, doing, in
// review, done, ordered within each column), checklists, comments with
// @mentions, template sets applied to campaigns, tasks Herald makes when a
// post is sent back for changes, and each person's notifications about
// the tasks assigned to them.
//
// Anyone who writes posts writes tasks (posts.write); anyone who reads
// posts reads them. Template sets are kept, and applied to campaigns, by
// those who manage campaigns (campaigns.manage).
package task

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"

	"github.com/heraldsocial/herald/internal/herald"
)

// Notifier is told about tasks assigned to people, mentions in task
// comments and tasks due soon or overdue. Nil: nobody is told.
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// Service is the tasks use-case. It is safe for concurrent use.
type Service struct {
	store    herald.Store
	clock    herald.Clock
	notifier Notifier
	logger   *slog.Logger
}

// New returns a Service over store. notifier may be nil.
func New(store herald.Store, clock herald.Clock, notifier Notifier, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, clock: clock, notifier: notifier, logger: logger}
}

// positionStep is the gap between a column's last task and one added
// after it.
const positionStep = 1024

// Link is the path of a task's page.
func Link(workspaceID, id int64) string {
	return "/w/" + strconv.FormatInt(workspaceID, 10) + "/tasks/" + strconv.FormatInt(id, 10)
}

// get reads a task of the workspace, with the error people read.
func get(ctx context.Context, tx herald.Tx, ws, id int64) (herald.Task, error) {
	t, err := tx.GetTask(ctx, ws, id)
	if errors.Is(err, herald.ErrNotFound) {
		return t, &herald.Error{Code: herald.CodeNotFound, Message: fmt.Sprintf("task %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return t, fmt.Errorf("task: get %d: %w", id, err)
	}
	return t, nil
}

// Get returns one task of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Task, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Task{}, err
	}
	return get(ctx, s.store, actor.WorkspaceID, id)
}

// List returns the tasks f selects in the actor's workspace.
func (s *Service) List(ctx context.Context, actor herald.Actor, f herald.TaskFilter) ([]herald.Task, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	f.WorkspaceID = actor.WorkspaceID
	ts, err := s.store.ListTasks(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("task: list: %w", err)
	}
	return ts, nil
}

// check validates t and that its assignee is a member and its post and
// campaign are in the workspace. was is the task before the change (zero
// for a new one): an assignee who left may stay on a task they had.
func check(ctx context.Context, tx herald.Tx, t *herald.Task, was herald.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	var p herald.Problems
	exists := func(id, before int64, field, problem string, read func() error) error {
		if id == 0 || id == before {
			return nil
		}
		err := read()
		if errors.Is(err, herald.ErrNotFound) {
			p.Add(field, problem, id)
			return nil
		}
		if err != nil {
			return fmt.Errorf("task: check %s: %w", field, err)
		}
		return nil
	}
	ws := t.WorkspaceID
	for _, err := range []error{
		exists(t.AssigneeID, was.AssigneeID, "assignee_id", "user %d is not a member of this workspace: choose a member or leave it unassigned",
			func() error { _, err := tx.GetMembership(ctx, ws, t.AssigneeID); return err }),
		exists(t.PostID, was.PostID, "post_id", "post %d is not in this workspace",
			func() error { _, err := tx.GetPost(ctx, ws, t.PostID); return err }),
		exists(t.CampaignID, was.CampaignID, "campaign_id", "campaign %d is not in this workspace",
			func() error { _, err := tx.GetCampaign(ctx, ws, t.CampaignID); return err }),
	} {
		if err != nil {
			return err
		}
	}
	return p.Err("the task is not valid")
}

// endOf returns a position after every task of the state's column.
func endOf(ctx context.Context, tx herald.Tx, ws int64, state herald.TaskState) (float64, error) {
	last, ok, err := tx.TaskPositionNear(ctx, ws, state, math.MaxFloat64, false)
	if err != nil {
		return 0, fmt.Errorf("task: column end: %w", err)
	}
	if !ok {
		return positionStep, nil
	}
	return last + positionStep, nil
}

// Create adds a task to the actor's workspace, at the end of its column
// (to do unless State says otherwise). The assignee is told, unless they
// assigned it to themselves.
func (s *Service) Create(ctx context.Context, actor herald.Actor, in herald.Task) (herald.Task, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.Task{}, err
	}
	t := herald.Task{WorkspaceID: actor.WorkspaceID, Title: in.Title, Description: in.Description,
		AssigneeID: in.AssigneeID, Due: in.Due, State: in.State, PostID: in.PostID, CampaignID: in.CampaignID,
		Checklist: in.Checklist, CreatedBy: actor.UserID}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		t, err = s.create(ctx, tx, actor, t, "task.create")
		return err
	})
	if err != nil {
		return herald.Task{}, fmt.Errorf("task: create: %w", err)
	}
	s.logger.InfoContext(ctx, "task created", "workspace_id", t.WorkspaceID, "task_id", t.ID)
	s.assigned(ctx, actor, t, 0)
	return t, nil
}

// create checks and inserts t at the end of its column, with an audit
// entry, and reads it back.
func (s *Service) create(ctx context.Context, tx herald.Tx, actor herald.Actor, t herald.Task, action string) (herald.Task, error) {
	if err := check(ctx, tx, &t, herald.Task{}); err != nil {
		return t, err
	}
	var err error
	if t.Position, err = endOf(ctx, tx, t.WorkspaceID, t.State); err != nil {
		return t, err
	}
	now := s.clock.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	if err := tx.CreateTask(ctx, &t); err != nil {
		return t, err
	}
	e := herald.NewAudit(actor, action, "task", t.ID, nil, t, now)
	if err := tx.AppendAudit(ctx, &e); err != nil {
		return t, err
	}
	return get(ctx, tx, t.WorkspaceID, t.ID)
}

// Update replaces a task's title, description, assignee, due time, post,
// campaign and checklist, if it is still at version (else a conflict:
// someone changed it since it was read). A change of state moves it to
// the end of its new column. A new assignee is told.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id, version int64, in herald.Task) (herald.Task, error) {
	var before herald.Task
	t, err := s.change(ctx, actor, id, version, "task.update", func(tx herald.Tx, t *herald.Task) error {
		before = *t
		t.Title, t.Description, t.AssigneeID, t.Due = in.Title, in.Description, in.AssigneeID, in.Due
		t.PostID, t.CampaignID, t.Checklist = in.PostID, in.CampaignID, in.Checklist
		if in.State != "" && in.State != t.State {
			if !in.State.Valid() {
				return herald.Problems{{Field: "state", Problem: fmt.Sprintf("%q is not a state: use todo, doing, in_review or done", in.State)}}.Err("the task is not valid")
			}
			t.State = in.State
			var err error
			if t.Position, err = endOf(ctx, tx, t.WorkspaceID, t.State); err != nil {
				return err
			}
		}
		return check(ctx, tx, t, before)
	})
	if err != nil {
		return herald.Task{}, err
	}
	s.assigned(ctx, actor, t, before.AssigneeID)
	return t, nil
}

// change applies edit to task id at version in one transaction with an
// audit entry, and returns the task as saved.
func (s *Service) change(ctx context.Context, actor herald.Actor, id, version int64, action string,
	edit func(tx herald.Tx, t *herald.Task) error) (herald.Task, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Task{}, err
	}
	var t herald.Task
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		if version != 0 && before.Version != version {
			return stale(id)
		}
		t = before
		if err := edit(tx, &t); err != nil {
			return err
		}
		t.UpdatedAt = s.clock.Now()
		if err := tx.UpdateTask(ctx, &t, before.Version); err != nil {
			return err
		}
		e := herald.NewAudit(actor, action, "task", id, before, t, t.UpdatedAt)
		if err := tx.AppendAudit(ctx, &e); err != nil {
			return err
		}
		t, err = get(ctx, tx, actor.WorkspaceID, id)
		return err
	})
	if err != nil {
		return herald.Task{}, fmt.Errorf("task: %s %d: %w", action, id, err)
	}
	return t, nil
}

func stale(id int64) error {
	return &herald.Error{Code: herald.CodeConflict,
		Message: fmt.Sprintf("task %d was changed by someone else since you loaded it: reload and try again", id),
		Details: []herald.FieldProblem{{Field: "version", Problem: "is not the task's current version"}}}
}

// Delete removes a task and its comments.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		if err := tx.DeleteTask(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "task.delete", "task", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("task: delete %d: %w", id, err)
	}
	return nil
}

// Move says where a task goes on the board: into column State, right
// after task After or right before task Before (neither: at the end),
// from the Version the mover saw.
type Move struct {
	State   herald.TaskState `json:"state"`
	After   int64            `json:"after,omitempty"`
	Before  int64            `json:"before,omitempty"`
	Version int64            `json:"version"`
}

// Move moves a task on the board. A move made from an older version than
// the task's is refused as a conflict, so a stale board cannot undo
// someone else's move.
func (s *Service) Move(ctx context.Context, actor herald.Actor, id int64, m Move) (herald.Task, error) {
	if !m.State.Valid() {
		return herald.Task{}, herald.Problems{{Field: "state",
			Problem: fmt.Sprintf("%q is not a state: use todo, doing, in_review or done", m.State)}}.Err("the move is not valid")
	}
	if m.Version <= 0 {
		return herald.Task{}, herald.Problems{{Field: "version", Problem: "is missing: give the version you saw"}}.Err("the move is not valid")
	}
	return s.change(ctx, actor, id, m.Version, "task.move", func(tx herald.Tx, t *herald.Task) error {
		pos, err := place(ctx, tx, *t, m)
		if err != nil {
			return err
		}
		t.State, t.Position = m.State, pos
		return nil
	})
}

// place returns the position that puts t where m says.
func place(ctx context.Context, tx herald.Tx, t herald.Task, m Move) (float64, error) {
	ref, after := m.After, true
	if ref == 0 {
		ref, after = m.Before, false
	}
	if ref == 0 {
		if t.State == m.State {
			if _, ok, err := tx.TaskPositionNear(ctx, t.WorkspaceID, m.State, t.Position, true); err != nil || !ok {
				return t.Position, err // already last
			}
		}
		return endOf(ctx, tx, t.WorkspaceID, m.State)
	}
	if ref == t.ID {
		return t.Position, nil
	}
	other, err := get(ctx, tx, t.WorkspaceID, ref)
	if err != nil {
		return 0, err
	}
	if other.State != m.State {
		return 0, &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("task %d is no longer in %s: reload the board and try again", ref, m.State.Label())}
	}
	next, ok, err := tx.TaskPositionNear(ctx, t.WorkspaceID, m.State, other.Position, after)
	if err != nil {
		return 0, err
	}
	if ok && next == t.Position && t.State == m.State {
		return t.Position, nil // already there
	}
	step := float64(positionStep)
	if !after {
		step = -step
	}
	if !ok {
		return other.Position + step, nil
	}
	mid := other.Position + (next-other.Position)/2
	if mid == other.Position || mid == next {
		return 0, &herald.Error{Code: herald.CodeConflict,
			Message: "the column has no room left between these two tasks: move one of them to the end of its column first"}
	}
	return mid, nil
}

// Check marks checklist item index of task id done or not done.
func (s *Service) Check(ctx context.Context, actor herald.Actor, id, version int64, index int, done bool) (herald.Task, error) {
	return s.change(ctx, actor, id, version, "task.check", func(_ herald.Tx, t *herald.Task) error {
		if index < 0 || index >= len(t.Checklist) {
			return herald.Problems{{Field: "index", Problem: fmt.Sprintf("is %d; the checklist has %d items", index, len(t.Checklist))}}.Err("no such checklist item")
		}
		t.Checklist[index].Done = done
		return nil
	})
}

// assigned tells t's assignee that it is theirs, when it was not before
// and they did not assign it to themselves.
func (s *Service) assigned(ctx context.Context, actor herald.Actor, t herald.Task, before int64) {
	if s.notifier == nil || t.AssigneeID == 0 || t.AssigneeID == before || t.AssigneeID == actor.UserID {
		return
	}
	s.notifier.Notify(ctx, herald.Notification{Kind: herald.NotifyAssigned, WorkspaceID: t.WorkspaceID, TaskID: t.ID,
		PostID: t.PostID, CampaignID: t.CampaignID, UserIDs: []int64{t.AssigneeID}, ActorID: actor.UserID,
		Title: "Task assigned to you: " + t.Title, Message: fmt.Sprintf("%q is now yours.", t.Title),
		Link: Link(t.WorkspaceID, t.ID), Key: fmt.Sprintf("task:%d:assigned:%d:%d", t.ID, t.AssigneeID, t.Version),
		At: s.clock.Now()})
}
