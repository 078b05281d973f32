package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/task"
)

// TaskPath addresses one task.
type TaskPath struct {
	WorkspaceParam
	Task int64 `path:"task" minimum:"1" doc:"Task id"`
}

// TaskQuery filters the task list.
type TaskQuery struct {
	WorkspaceParam
	State      string    `query:"state" enum:"todo,doing,in_review,done," doc:"Only tasks in this state"`
	Open       bool      `query:"open" doc:"Leave out done tasks"`
	AssigneeID int64     `query:"assignee_id" minimum:"-1" doc:"Only tasks of this member; -1: unassigned ones"`
	CampaignID int64     `query:"campaign_id" minimum:"0" doc:"Only tasks of this campaign"`
	PostID     int64     `query:"post_id" minimum:"0" doc:"Only tasks about this post"`
	DueBefore  time.Time `query:"due_before" doc:"Only tasks due before this instant (RFC 3339)"`
	DueAfter   time.Time `query:"due_after" doc:"Only tasks due at or after this instant (RFC 3339)"`
	Order      string    `query:"order" enum:"board,due," doc:"board (default): by state, then position in the column; due: soonest due first, undated last"`
	Limit      int       `query:"limit" minimum:"0" maximum:"1000" doc:"At most this many (0: 1000)"`
}

// TaskBody is a task as written.
type TaskBody struct {
	Title       string                 `json:"title" minLength:"1" maxLength:"200"`
	Description string                 `json:"description,omitempty" maxLength:"5000"`
	AssigneeID  int64                  `json:"assignee_id,omitempty" minimum:"0" doc:"A member of the workspace; 0 or absent: nobody"`
	Due         *time.Time             `json:"due,omitempty" doc:"When it is due (RFC 3339 instant)"`
	State       herald.TaskState       `json:"state,omitempty" enum:"todo,doing,in_review,done" doc:"Default todo; a new state puts the task at the end of that column"`
	PostID      int64                  `json:"post_id,omitempty" minimum:"0" doc:"A post of the workspace the task is about"`
	CampaignID  int64                  `json:"campaign_id,omitempty" minimum:"0" doc:"A campaign of the workspace the task belongs to"`
	Checklist   []herald.ChecklistItem `json:"checklist,omitempty" maxItems:"100"`
}

func (b TaskBody) task() herald.Task {
	return herald.Task{Title: b.Title, Description: b.Description, AssigneeID: b.AssigneeID, Due: b.Due, State: b.State,
		PostID: b.PostID, CampaignID: b.CampaignID, Checklist: b.Checklist}
}

// TaskCreateInput creates a task.
type TaskCreateInput struct {
	WorkspaceParam
	Body TaskBody
}

// TaskPutInput replaces a task.
type TaskPutInput struct {
	TaskPath
	Body struct {
		TaskBody
		Version int64 `json:"version" minimum:"1" doc:"The version you read: a task changed since is refused (409)"`
	}
}

// TaskMoveInput moves a task on the board.
type TaskMoveInput struct {
	TaskPath
	Body task.Move
}

// TaskCheckInput ticks or unticks a checklist item.
type TaskCheckInput struct {
	TaskPath
	Index int `path:"index" minimum:"0" doc:"The item's place in the checklist, from 0"`
	Body  struct {
		Done    bool  `json:"done"`
		Version int64 `json:"version" minimum:"1" doc:"The version you read"`
	}
}

// TaskOutput is one task.
type TaskOutput struct {
	Body herald.Task
}

// TaskList lists tasks.
type TaskList struct {
	Body ListBody[herald.Task]
}

// TaskCommentInput comments on a task.
type TaskCommentInput struct {
	TaskPath
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"5000" doc:"The comment; @name mentions a member (their name without spaces, or their e-mail address before the @)"`
	}
}

// TaskCommentPath addresses one comment of a task.
type TaskCommentPath struct {
	TaskPath
	Comment int64 `path:"comment" minimum:"1"`
}

// TaskCommentOutput is one comment.
type TaskCommentOutput struct {
	Body herald.TaskComment
}

// TaskCommentList lists a task's comments.
type TaskCommentList struct {
	Body ListBody[herald.TaskComment]
}

func (a *API) registerTasks() {
	tags := []string{"Tasks"}
	base := "/api/v1/workspaces/{workspace}/tasks"
	register(a, huma.Operation{
		OperationID: "list-tasks", Method: http.MethodGet, Path: base, Summary: "List tasks", Tags: tags,
		Description: "The workspace's tasks that the filters select, in board order or by due time.",
	}, func(ctx context.Context, in *TaskQuery) (*TaskList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		f := herald.TaskFilter{State: herald.TaskState(in.State), OpenOnly: in.Open, AssigneeID: in.AssigneeID,
			CampaignID: in.CampaignID, PostID: in.PostID, Limit: in.Limit}
		if f.Limit == 0 {
			f.Limit = 1000
		}
		if in.Order == "due" {
			f.Order = herald.TaskByDue
		}
		if !in.DueBefore.IsZero() {
			f.DueBefore = &in.DueBefore
		}
		if !in.DueAfter.IsZero() {
			f.DueAfter = &in.DueAfter
		}
		ts, err := a.d.Tasks.List(ctx, actor, f)
		if err != nil {
			return nil, err
		}
		return &TaskList{Body: list(ts, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-my-tasks", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/my-tasks",
		Summary: "List my open tasks", Tags: tags,
		Description: "The caller's open tasks, overdue and soonest due first, undated last (at most 200).",
	}, func(ctx context.Context, in *WorkspaceParam) (*TaskList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ts, err := a.d.Tasks.MyWork(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &TaskList{Body: list(ts, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-task", Method: http.MethodPost, Path: base, Summary: "Create a task", Tags: tags,
		DefaultStatus: http.StatusCreated,
		Description:   "Adds a task at the end of its column. The assignee must be a member; they are notified unless they are the caller.",
	}, func(ctx context.Context, in *TaskCreateInput) (*TaskOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Tasks.Create(ctx, actor, in.Body.task())
		if err != nil {
			return nil, err
		}
		return &TaskOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-task", Method: http.MethodGet, Path: base + "/{task}", Summary: "Get a task", Tags: tags,
	}, func(ctx context.Context, in *TaskPath) (*TaskOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Tasks.Get(ctx, actor, in.Task)
		if err != nil {
			return nil, err
		}
		return &TaskOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "replace-task", Method: http.MethodPut, Path: base + "/{task}", Summary: "Replace a task", Tags: tags,
		Description: "Replaces the task's fields from the version you read; a task changed since is a conflict.",
	}, func(ctx context.Context, in *TaskPutInput) (*TaskOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Tasks.Update(ctx, actor, in.Task, in.Body.Version, in.Body.task())
		if err != nil {
			return nil, err
		}
		return &TaskOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-task", Method: http.MethodDelete, Path: base + "/{task}", Summary: "Delete a task", Tags: tags,
		DefaultStatus: http.StatusNoContent, Description: "Deletes the task and its comments.",
	}, func(ctx context.Context, in *TaskPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Tasks.Delete(ctx, actor, in.Task)
	})

	register(a, huma.Operation{
		OperationID: "move-task", Method: http.MethodPost, Path: base + "/{task}/move", Summary: "Move a task on the board",
		Tags: tags, Description: "Puts the task in column state, right after task after or right before task before " +
			"(neither: at the end). A move from an older version than the task's is refused (409): reload the board.",
	}, func(ctx context.Context, in *TaskMoveInput) (*TaskOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Tasks.Move(ctx, actor, in.Task, in.Body)
		if err != nil {
			return nil, err
		}
		return &TaskOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "check-task-item", Method: http.MethodPut, Path: base + "/{task}/checklist/{index}",
		Summary: "Tick or untick a checklist item", Tags: tags,
	}, func(ctx context.Context, in *TaskCheckInput) (*TaskOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Tasks.Check(ctx, actor, in.Task, in.Body.Version, in.Index, in.Body.Done)
		if err != nil {
			return nil, err
		}
		return &TaskOutput{Body: t}, nil
	})
	a.registerTaskComments(tags, base)
	a.registerTaskTemplateSets(tags)
}

func (a *API) registerTaskComments(tags []string, base string) {
	register(a, huma.Operation{
		OperationID: "list-task-comments", Method: http.MethodGet, Path: base + "/{task}/comments",
		Summary: "List a task's comments", Tags: tags, Description: "Oldest first.",
	}, func(ctx context.Context, in *TaskPath) (*TaskCommentList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		cs, err := a.d.Tasks.Comments(ctx, actor, in.Task)
		if err != nil {
			return nil, err
		}
		return &TaskCommentList{Body: list(cs, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-task-comment", Method: http.MethodPost, Path: base + "/{task}/comments",
		Summary: "Comment on a task", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "The members the comment mentions with @name are notified.",
	}, func(ctx context.Context, in *TaskCommentInput) (*TaskCommentOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Tasks.Comment(ctx, actor, in.Task, in.Body.Body)
		if err != nil {
			return nil, err
		}
		return &TaskCommentOutput{Body: c}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-task-comment", Method: http.MethodDelete, Path: base + "/{task}/comments/{comment}",
		Summary: "Delete a task's comment", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Its author may, and so may an admin or the owner.",
	}, func(ctx context.Context, in *TaskCommentPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Tasks.DeleteComment(ctx, actor, in.Task, in.Comment)
	})
}
