package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// TaskSetPath addresses one task template set.
type TaskSetPath struct {
	WorkspaceParam
	Set int64 `path:"set" minimum:"1" doc:"Template set id"`
}

// TaskSetBody is a template set as written.
type TaskSetBody struct {
	Name  string                    `json:"name" minLength:"1" maxLength:"100" doc:"Unique in the workspace, ignoring case"`
	Items []herald.TaskTemplateItem `json:"items" minItems:"1" maxItems:"100" doc:"The tasks it makes: each due offset_days after the campaign's start (at 17:00 in the workspace's zone), for assignee_id while a member, else the first member with assignee_role"`
}

// TaskSetCreateInput creates a template set.
type TaskSetCreateInput struct {
	WorkspaceParam
	Body TaskSetBody
}

// TaskSetPutInput replaces a template set.
type TaskSetPutInput struct {
	TaskSetPath
	Body TaskSetBody
}

// TaskSetApplyInput applies a template set to a campaign.
type TaskSetApplyInput struct {
	TaskSetPath
	Body struct {
		CampaignID int64 `json:"campaign_id" minimum:"1" doc:"A campaign of the workspace with a start date"`
	}
}

// TaskSetOutput is one template set.
type TaskSetOutput struct {
	Body herald.TaskTemplateSet
}

// TaskSetList lists template sets.
type TaskSetList struct {
	Body ListBody[herald.TaskTemplateSet]
}

func (a *API) registerTaskTemplateSets(tags []string) {
	base := "/api/v1/workspaces/{workspace}/task-template-sets"
	register(a, huma.Operation{
		OperationID: "list-task-template-sets", Method: http.MethodGet, Path: base,
		Summary: "List task template sets", Tags: tags, Description: "By name.",
	}, func(ctx context.Context, in *WorkspaceParam) (*TaskSetList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		sets, err := a.d.Tasks.TemplateSets(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &TaskSetList{Body: list(sets, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-task-template-set", Method: http.MethodPost, Path: base,
		Summary: "Create a task template set", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "A named list of tasks (a launch checklist) to apply to campaigns; managers and above.",
	}, func(ctx context.Context, in *TaskSetCreateInput) (*TaskSetOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Tasks.SaveTemplateSet(ctx, actor, 0, herald.TaskTemplateSet{Name: in.Body.Name, Items: in.Body.Items})
		if err != nil {
			return nil, err
		}
		return &TaskSetOutput{Body: s}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-task-template-set", Method: http.MethodGet, Path: base + "/{set}",
		Summary: "Get a task template set", Tags: tags,
	}, func(ctx context.Context, in *TaskSetPath) (*TaskSetOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Tasks.TemplateSet(ctx, actor, in.Set)
		if err != nil {
			return nil, err
		}
		return &TaskSetOutput{Body: s}, nil
	})

	register(a, huma.Operation{
		OperationID: "replace-task-template-set", Method: http.MethodPut, Path: base + "/{set}",
		Summary: "Replace a task template set", Tags: tags, Description: "Tasks already made from it stay as they are.",
	}, func(ctx context.Context, in *TaskSetPutInput) (*TaskSetOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Tasks.SaveTemplateSet(ctx, actor, in.Set, herald.TaskTemplateSet{Name: in.Body.Name, Items: in.Body.Items})
		if err != nil {
			return nil, err
		}
		return &TaskSetOutput{Body: s}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-task-template-set", Method: http.MethodDelete, Path: base + "/{set}",
		Summary: "Delete a task template set", Tags: tags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *TaskSetPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Tasks.DeleteTemplateSet(ctx, actor, in.Set)
	})

	register(a, huma.Operation{
		OperationID: "apply-task-template-set", Method: http.MethodPost, Path: base + "/{set}/apply",
		Summary: "Apply a task template set to a campaign", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Makes one task per item, linked to the campaign and due from its start date; returns them.",
	}, func(ctx context.Context, in *TaskSetApplyInput) (*TaskList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ts, err := a.d.Tasks.Apply(ctx, actor, in.Set, in.Body.CampaignID)
		if err != nil {
			return nil, err
		}
		return &TaskList{Body: list(ts, "")}, nil
	})
}
