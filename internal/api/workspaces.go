package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/workspace"
)

// BrandRulesBody is the wire form of a workspace's brand rules.
type BrandRulesBody struct {
	Voice            string   `json:"voice,omitempty" maxLength:"2000" doc:"The house voice, shown to writers"`
	BannedWords      []string `json:"banned_words,omitempty" maxItems:"200" doc:"Words a post must not contain (blocks; the older form of banned)"`
	RequiredHashtags []string `json:"required_hashtags,omitempty" maxItems:"30" doc:"Hashtags every post must carry, like #acme (blocks; the older form of required_tags)"`
	RequireApproval  bool     `json:"require_approval,omitempty" doc:"Every post needs a reviewer, whatever the author's role"`

	Banned       []herald.BannedPhrase   `json:"banned,omitempty" maxItems:"200" doc:"Words and phrases with a severity and a suggested replacement (see brand-voice)"`
	RequiredTags []herald.RequiredTag    `json:"required_tags,omitempty" maxItems:"30" doc:"Tags for every post, a label's or a campaign's (see brand-voice)"`
	MaxEmoji     *herald.CountLimit      `json:"max_emoji,omitempty"`
	MaxHashtags  *herald.CountLimit      `json:"max_hashtags,omitempty"`
	Link         *herald.LinkRule        `json:"link,omitempty"`
	Shouting     *herald.ShoutingRule    `json:"shouting,omitempty"`
	Readability  *herald.ReadabilityRule `json:"readability,omitempty"`
}

func (b BrandRulesBody) rules() herald.BrandRules {
	return herald.BrandRules{Voice: b.Voice, BannedWords: b.BannedWords,
		RequiredHashtags: b.RequiredHashtags, RequireApproval: b.RequireApproval,
		Banned: b.Banned, RequiredTags: b.RequiredTags, MaxEmoji: b.MaxEmoji, MaxHashtags: b.MaxHashtags,
		Link: b.Link, Shouting: b.Shouting, Readability: b.Readability}
}

// WorkspaceCreateBody is a new workspace.
type WorkspaceCreateBody struct {
	Name       string          `json:"name" minLength:"1" maxLength:"100" doc:"The brand or client's name"`
	TimeZone   string          `json:"time_zone" maxLength:"64" doc:"IANA time zone, such as Europe/Paris" example:"Europe/Paris"`
	BrandRules *BrandRulesBody `json:"brand_rules,omitempty"`
}

// WorkspaceCreateInput creates a workspace.
type WorkspaceCreateInput struct {
	Body WorkspaceCreateBody
}

// WorkspacePatchBody changes some of a workspace's fields; absent fields
// stay unchanged.
type WorkspacePatchBody struct {
	Name       *string         `json:"name,omitempty" minLength:"1" maxLength:"100"`
	TimeZone   *string         `json:"time_zone,omitempty" maxLength:"64" doc:"IANA time zone, such as Europe/Paris"`
	BrandRules *BrandRulesBody `json:"brand_rules,omitempty" doc:"Replaces the brand rules as a whole"`
}

// WorkspacePatchInput updates a workspace.
type WorkspacePatchInput struct {
	WorkspaceParam
	Body WorkspacePatchBody
}

// WorkspaceOutput is one workspace.
type WorkspaceOutput struct {
	Body herald.Workspace
}

// UserWorkspaceList lists the caller's workspaces.
type UserWorkspaceList struct {
	Body ListBody[herald.UserWorkspace]
}

func (a *API) registerWorkspaces() {
	tags := []string{"Workspaces"}
	register(a, huma.Operation{
		OperationID: "list-workspaces", Method: http.MethodGet, Path: "/api/v1/workspaces",
		Summary: "List your workspaces", Tags: tags,
		Description: "The workspaces you belong to, by name, with your role in each. An API token sees only its own workspace.",
	}, func(ctx context.Context, _ *struct{}) (*UserWorkspaceList, error) {
		p, err := a.principal(ctx)
		if err != nil {
			return nil, err
		}
		ws, err := a.d.Workspaces.List(ctx, p)
		if err != nil {
			return nil, err
		}
		return &UserWorkspaceList{Body: list(ws, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-workspace", Method: http.MethodPost, Path: "/api/v1/workspaces",
		Summary: "Create a workspace", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Creates a workspace with you as its owner. Needs a signed-in user, not an API token.",
	}, func(ctx context.Context, in *WorkspaceCreateInput) (*WorkspaceOutput, error) {
		p, err := a.userOnly(ctx)
		if err != nil {
			return nil, err
		}
		w := herald.Workspace{Name: in.Body.Name, TimeZone: in.Body.TimeZone}
		if in.Body.BrandRules != nil {
			w.BrandRules = in.Body.BrandRules.rules()
		}
		w, err = a.d.Workspaces.Create(ctx, p.UserID, w)
		if err != nil {
			return nil, err
		}
		return &WorkspaceOutput{Body: w}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-workspace", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}",
		Summary: "Get a workspace", Tags: tags,
	}, func(ctx context.Context, in *WorkspaceParam) (*WorkspaceOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		w, err := a.d.Workspaces.Get(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &WorkspaceOutput{Body: w}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-workspace", Method: http.MethodPatch, Path: "/api/v1/workspaces/{workspace}",
		Summary: "Update a workspace", Tags: tags,
		Description: "Changes the name, time zone or brand rules. Fields left out stay as they are.",
	}, func(ctx context.Context, in *WorkspacePatchInput) (*WorkspaceOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p := workspace.Patch{Name: in.Body.Name, TimeZone: in.Body.TimeZone}
		if in.Body.BrandRules != nil {
			r := in.Body.BrandRules.rules()
			p.BrandRules = &r
		}
		w, err := a.d.Workspaces.Update(ctx, actor, p)
		if err != nil {
			return nil, err
		}
		return &WorkspaceOutput{Body: w}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-workspace", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}",
		Summary: "Delete a workspace", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the workspace and everything in it: accounts, posts, media, members. Owners only.",
	}, func(ctx context.Context, in *WorkspaceParam) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Workspaces.Delete(ctx, actor)
	})
}
