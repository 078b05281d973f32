package task

import (
	"context"
	"fmt"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// People returns the workspace's members as comments name them, by name:
// whom a task may be assigned to and whom a comment can mention.
func (s *Service) People(ctx context.Context, actor herald.Actor) ([]post.Person, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	return people(ctx, s.store, actor.WorkspaceID)
}

func people(ctx context.Context, tx herald.Tx, ws int64) ([]post.Person, error) {
	members, err := tx.ListMembers(ctx, ws)
	if err != nil {
		return nil, fmt.Errorf("task: list members: %w", err)
	}
	out := make([]post.Person, 0, len(members))
	for _, m := range members {
		out = append(out, post.PersonOf(m))
	}
	return out, nil
}

// Comments returns a task's comments, oldest first.
func (s *Service) Comments(ctx context.Context, actor herald.Actor, taskID int64) ([]herald.TaskComment, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	if _, err := get(ctx, s.store, actor.WorkspaceID, taskID); err != nil {
		return nil, err
	}
	cs, err := s.store.ListTaskComments(ctx, actor.WorkspaceID, taskID)
	if err != nil {
		return nil, fmt.Errorf("task: comments of %d: %w", taskID, err)
	}
	return cs, nil
}

// Comment adds the actor's comment to a task; the members it names with
// @name (as in posts' comments) are told, the author excepted.
func (s *Service) Comment(ctx context.Context, actor herald.Actor, taskID int64, body string) (herald.TaskComment, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.TaskComment{}, err
	}
	c := herald.TaskComment{WorkspaceID: actor.WorkspaceID, TaskID: taskID, AuthorID: actor.UserID,
		Body: strings.TrimSpace(body), CreatedAt: s.clock.Now()}
	var t herald.Task
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		if t, err = get(ctx, tx, actor.WorkspaceID, taskID); err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		ps, err := people(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		c.Mentions = post.Mentions(c.Body, ps)
		if err := tx.CreateTaskComment(ctx, &c); err != nil {
			return err
		}
		for _, p := range ps {
			if p.UserID == c.AuthorID {
				c.AuthorName = p.Name
			}
		}
		e := herald.NewAudit(actor, "task.comment", "task", taskID, nil,
			map[string]any{"comment_id": c.ID, "mentions": c.Mentions}, c.CreatedAt)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.TaskComment{}, fmt.Errorf("task: comment on %d: %w", taskID, err)
	}
	var told []int64
	for _, id := range c.Mentions {
		if id != actor.UserID {
			told = append(told, id)
		}
	}
	if s.notifier != nil && len(told) > 0 {
		s.notifier.Notify(ctx, herald.Notification{Kind: herald.NotifyMentioned, WorkspaceID: actor.WorkspaceID,
			TaskID: taskID, PostID: t.PostID, CampaignID: t.CampaignID, UserIDs: told, ActorID: actor.UserID,
			Actor: c.AuthorName, Title: "Mentioned on task: " + t.Title, Message: c.Body,
			Link: Link(actor.WorkspaceID, taskID), Key: fmt.Sprintf("task-comment:%d:mentioned", c.ID), At: c.CreatedAt})
	}
	return c, nil
}

// DeleteComment deletes a comment of a task: its author may, and so may
// an admin or the owner.
func (s *Service) DeleteComment(ctx context.Context, actor herald.Actor, taskID, commentID int64) error {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		cs, err := tx.ListTaskComments(ctx, actor.WorkspaceID, taskID)
		if err != nil {
			return err
		}
		var found *herald.TaskComment
		for i := range cs {
			if cs[i].ID == commentID {
				found = &cs[i]
			}
		}
		if found == nil {
			return herald.NotFound("comment")
		}
		if found.AuthorID != actor.UserID && !actor.Role.AtLeast(herald.RoleAdmin) {
			return herald.Errorf(herald.CodeForbidden, "only the comment's author or an admin can delete it")
		}
		if err := tx.DeleteTaskComment(ctx, actor.WorkspaceID, taskID, commentID); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "task.comment_delete", "task", taskID, found, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("task: delete comment %d: %w", commentID, err)
	}
	return nil
}
