package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/label"
)

// LabelPath addresses one label.
type LabelPath struct {
	WorkspaceParam
	Label int64 `path:"label" minimum:"1" doc:"Label id"`
}

// LabelCreateInput creates a label.
type LabelCreateInput struct {
	WorkspaceParam
	Body struct {
		Name  string `json:"name" minLength:"1" maxLength:"100" doc:"Unique in the workspace, ignoring case"`
		Color string `json:"color,omitempty" pattern:"^#[0-9a-fA-F]{6}$" patternDescription:"a colour like #1d4ed8" doc:"Display colour; grey (#6b7280) when left out"`
	}
}

// LabelPatchInput changes a label; absent fields stay unchanged.
type LabelPatchInput struct {
	LabelPath
	Body struct {
		Name  *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
		Color *string `json:"color,omitempty" pattern:"^#[0-9a-fA-F]{6}$" patternDescription:"a colour like #1d4ed8"`
	}
}

// LabelOutput is one label.
type LabelOutput struct {
	Body herald.Label
}

// LabelList lists labels.
type LabelList struct {
	Body ListBody[herald.Label]
}

func (a *API) registerLabels() {
	tags := []string{"Labels"}
	register(a, huma.Operation{
		OperationID: "list-labels", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/labels",
		Summary: "List labels", Tags: tags, Description: "The workspace's labels, by name.",
	}, func(ctx context.Context, in *WorkspaceParam) (*LabelList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ls, err := a.d.Labels.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &LabelList{Body: list(ls, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-label", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/labels",
		Summary: "Create a label", Tags: tags, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *LabelCreateInput) (*LabelOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Labels.Create(ctx, actor, herald.Label{Name: in.Body.Name, Color: in.Body.Color})
		if err != nil {
			return nil, err
		}
		return &LabelOutput{Body: l}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-label", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/labels/{label}",
		Summary: "Get a label", Tags: tags,
	}, func(ctx context.Context, in *LabelPath) (*LabelOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Labels.Get(ctx, actor, in.Label)
		if err != nil {
			return nil, err
		}
		return &LabelOutput{Body: l}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-label", Method: http.MethodPatch, Path: "/api/v1/workspaces/{workspace}/labels/{label}",
		Summary: "Update a label", Tags: tags, Description: "Renames or recolours a label; fields left out stay as they are.",
	}, func(ctx context.Context, in *LabelPatchInput) (*LabelOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Labels.Update(ctx, actor, in.Label, label.Patch{Name: in.Body.Name, Color: in.Body.Color})
		if err != nil {
			return nil, err
		}
		return &LabelOutput{Body: l}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-label", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/labels/{label}",
		Summary: "Delete a label", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the label and takes it off every post; the posts stay.",
	}, func(ctx context.Context, in *LabelPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Labels.Delete(ctx, actor, in.Label)
	})
}
