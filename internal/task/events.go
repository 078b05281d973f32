package task

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// Due notifications look this far ahead for tasks due soon, and this far
// back for tasks that became overdue (a Herald stopped for longer does not
// tell about tasks that were already overdue before it started again).
const (
	DueSoonWindow = 24 * time.Hour
	OverdueWindow = 7 * 24 * time.Hour
)

// ChangesRequested makes a task for the author of post p, which reviewer
// actor sent back for changes at at with comment: linked to the post, due
// in no particular time, once per request (a second call for the same
// request makes nothing). It is the post service's hook, called after the
// change committed, so it reports failures in the log only.
func (s *Service) ChangesRequested(ctx context.Context, actor herald.Actor, p herald.Post, comment string, at time.Time) {
	title := strings.Join(strings.Fields(p.Title), " ")
	if title == "" {
		title = strings.Join(strings.Fields(p.Text), " ")
	}
	if utf8.RuneCountInString(title) > 80 {
		title = string([]rune(title)[:79]) + "…"
	}
	if title == "" {
		title = fmt.Sprintf("post %d", p.ID)
	}
	desc := "A reviewer sent this post back for changes."
	if comment = strings.TrimSpace(comment); comment != "" {
		desc += "\n\n" + comment
	}
	t := herald.Task{WorkspaceID: p.WorkspaceID, Title: "Changes requested: " + title, Description: desc,
		State: herald.TaskTodo, PostID: p.ID, CreatedBy: actor.UserID,
		SourceKey: fmt.Sprintf("changes:%d:%d", p.ID, at.UnixMicro())}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		// The author keeps the task only while a member.
		if _, err := tx.GetMembership(ctx, p.WorkspaceID, p.AuthorID); err == nil {
			t.AssigneeID = p.AuthorID
		} else if !errors.Is(err, herald.ErrNotFound) {
			return err
		}
		var err error
		t, err = s.create(ctx, tx, actor, t, "task.changes_requested")
		return err
	})
	switch {
	case herald.ErrorCode(err) == herald.CodeConflict:
		s.logger.DebugContext(ctx, "task for the change request already made", "post_id", p.ID)
	case err != nil:
		s.logger.ErrorContext(ctx, "could not make the task for a change request", "workspace_id", p.WorkspaceID,
			"post_id", p.ID, "error", err)
	default:
		s.logger.InfoContext(ctx, "task made for a change request", "workspace_id", p.WorkspaceID,
			"post_id", p.ID, "task_id", t.ID)
	}
}

// NotifyDue tells the assignees of open tasks due within DueSoonWindow
// that they are due soon, and those of tasks that passed their due time
// (within OverdueWindow) that they are overdue. Keys name the task, the
// kind and the due time, so each fires once per due time however often
// this runs; a task given a new due time is told about again. It returns
// how many notifications it sent.
func (s *Service) NotifyDue(ctx context.Context) (int, error) {
	if s.notifier == nil {
		return 0, nil
	}
	now := s.clock.Now()
	tasks, err := s.store.ListTasksDue(ctx, now.Add(-OverdueWindow), now.Add(DueSoonWindow))
	if err != nil {
		return 0, fmt.Errorf("task: tasks due: %w", err)
	}
	sent := 0
	for _, t := range tasks {
		if t.AssigneeLeft {
			continue
		}
		n := herald.Notification{WorkspaceID: t.WorkspaceID, TaskID: t.ID, PostID: t.PostID, CampaignID: t.CampaignID,
			UserIDs: []int64{t.AssigneeID}, Link: Link(t.WorkspaceID, t.ID), At: now}
		if t.Due.After(now) {
			n.Kind, n.Title = herald.NotifyTaskDueSoon, "Task due soon: "+t.Title
			n.Message = fmt.Sprintf("%q is due in %s.", t.Title, t.Due.Sub(now).Round(time.Minute))
		} else {
			n.Kind, n.Title = herald.NotifyTaskOverdue, "Task overdue: "+t.Title
			n.Message = fmt.Sprintf("%q was due %s ago and is not done.", t.Title, now.Sub(*t.Due).Round(time.Minute))
		}
		n.Key = fmt.Sprintf("task:%d:%s:%d", t.ID, n.Kind, t.Due.Unix())
		s.notifier.Notify(ctx, n)
		sent++
	}
	return sent, nil
}
