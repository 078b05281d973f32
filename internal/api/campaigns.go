package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/herald"
)

// CampaignPath addresses one campaign.
type CampaignPath struct {
	WorkspaceParam
	Campaign int64 `path:"campaign" minimum:"1" doc:"Campaign id"`
}

// CampaignCreateInput creates a campaign.
type CampaignCreateInput struct {
	WorkspaceParam
	Body struct {
		Name      string `json:"name" minLength:"1" maxLength:"100"`
		Goal      string `json:"goal,omitempty" maxLength:"2000" doc:"What the campaign should achieve"`
		StartDate string `json:"start_date,omitempty" format:"date" doc:"First day (YYYY-MM-DD, in the workspace's time zone)"`
		EndDate   string `json:"end_date,omitempty" format:"date" doc:"Last day, inclusive (YYYY-MM-DD)"`
	}
}

// CampaignPatchInput changes a campaign; absent fields stay unchanged and
// an empty goal or date clears it.
type CampaignPatchInput struct {
	CampaignPath
	Body struct {
		Name      *string `json:"name,omitempty" minLength:"1" maxLength:"100"`
		Goal      *string `json:"goal,omitempty" maxLength:"2000"`
		StartDate *string `json:"start_date,omitempty" doc:"YYYY-MM-DD, or empty to clear"`
		EndDate   *string `json:"end_date,omitempty" doc:"YYYY-MM-DD, or empty to clear"`
	}
}

// CampaignOutput is one campaign.
type CampaignOutput struct {
	Body herald.Campaign
}

// CampaignList lists campaigns.
type CampaignList struct {
	Body ListBody[herald.Campaign]
}

func (a *API) registerCampaigns() {
	tags := []string{"Campaigns"}
	register(a, huma.Operation{
		OperationID: "list-campaigns", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/campaigns",
		Summary: "List campaigns", Tags: tags, Description: "The workspace's campaigns, newest first.",
	}, func(ctx context.Context, in *WorkspaceParam) (*CampaignList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		cs, err := a.d.Campaigns.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &CampaignList{Body: list(cs, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-campaign", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/campaigns",
		Summary: "Create a campaign", Tags: tags, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *CampaignCreateInput) (*CampaignOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Campaigns.Create(ctx, actor, herald.Campaign{Name: in.Body.Name, Goal: in.Body.Goal,
			StartDate: in.Body.StartDate, EndDate: in.Body.EndDate})
		if err != nil {
			return nil, err
		}
		return &CampaignOutput{Body: c}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-campaign", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/campaigns/{campaign}",
		Summary: "Get a campaign", Tags: tags,
	}, func(ctx context.Context, in *CampaignPath) (*CampaignOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Campaigns.Get(ctx, actor, in.Campaign)
		if err != nil {
			return nil, err
		}
		return &CampaignOutput{Body: c}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-campaign", Method: http.MethodPatch, Path: "/api/v1/workspaces/{workspace}/campaigns/{campaign}",
		Summary: "Update a campaign", Tags: tags, Description: "Fields left out stay as they are.",
	}, func(ctx context.Context, in *CampaignPatchInput) (*CampaignOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Campaigns.Update(ctx, actor, in.Campaign, campaign.Patch{Name: in.Body.Name,
			Goal: in.Body.Goal, StartDate: in.Body.StartDate, EndDate: in.Body.EndDate})
		if err != nil {
			return nil, err
		}
		return &CampaignOutput{Body: c}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-campaign", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/campaigns/{campaign}",
		Summary: "Delete a campaign", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the campaign; its posts stay, no longer linked to it.",
	}, func(ctx context.Context, in *CampaignPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Campaigns.Delete(ctx, actor, in.Campaign)
	})
}
