package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// AccountPath addresses one connected account.
type AccountPath struct {
	WorkspaceParam
	Account int64 `path:"account" minimum:"1" doc:"Account id"`
}

// AccountPatchInput changes an account; absent fields stay unchanged.
type AccountPatchInput struct {
	AccountPath
	Body struct {
		DisplayName *string `json:"display_name,omitempty" maxLength:"200" doc:"The name shown in Herald"`
		AvatarURL   *string `json:"avatar_url,omitempty" maxLength:"2000" doc:"An http(s) address of the profile picture; empty to remove it"`
		Paused      *bool   `json:"paused,omitempty" doc:"true pauses publishing to this account; false resumes it"`
	}
}

// AccountOutput is one account.
type AccountOutput struct {
	Body herald.Account
}

// AccountOptionsOutput lists an account's post options.
type AccountOptionsOutput struct {
	Body struct {
		Options []connector.OptionField `json:"options"`
	}
}

// AccountList lists accounts.
type AccountList struct {
	Body ListBody[herald.Account]
}

func (a *API) registerAccounts() {
	tags := []string{"Accounts"}
	register(a, huma.Operation{
		OperationID: "list-accounts", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/accounts",
		Summary: "List connected accounts", Tags: tags,
		Description: "The workspace's social accounts, by platform, then handle. Credentials are never shown.",
	}, func(ctx context.Context, in *WorkspaceParam) (*AccountList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		as, err := a.d.Accounts.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &AccountList{Body: list(as, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-account-options", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/accounts/{account}/options",
		Summary: "List an account's post options", Tags: tags,
		Description: "The platform options a post to this account may carry in its variant's `options` (a Pinterest board, " +
			"YouTube's title and privacy, a Mastodon post's language), with their choices where the platform gives them. " +
			"Visibility and content warning (Mastodon) are not listed: they are documented with the variant. " +
			"503 when the platform did not answer.",
	}, func(ctx context.Context, in *AccountPath) (*AccountOptionsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		fields, err := a.d.Posts.OptionFields(ctx, actor, in.Account)
		if err != nil {
			return nil, err
		}
		if fields == nil {
			fields = []connector.OptionField{}
		}
		out := &AccountOptionsOutput{}
		out.Body.Options = fields
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "get-account", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/accounts/{account}",
		Summary: "Get an account", Tags: tags,
	}, func(ctx context.Context, in *AccountPath) (*AccountOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		acct, err := a.d.Accounts.Get(ctx, actor, in.Account)
		if err != nil {
			return nil, err
		}
		return &AccountOutput{Body: acct}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-account", Method: http.MethodPatch, Path: "/api/v1/workspaces/{workspace}/accounts/{account}",
		Summary: "Update an account", Tags: tags,
		Description: "Changes the display name or avatar, or pauses (paused: true) or resumes publishing to the account.",
	}, func(ctx context.Context, in *AccountPatchInput) (*AccountOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		acct, err := a.d.Accounts.Update(ctx, actor, in.Account, account.Patch{
			DisplayName: in.Body.DisplayName, AvatarURL: in.Body.AvatarURL, Paused: in.Body.Paused})
		if err != nil {
			return nil, err
		}
		return &AccountOutput{Body: acct}, nil
	})

	register(a, huma.Operation{
		OperationID: "disconnect-account", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/accounts/{account}",
		Summary: "Disconnect an account", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Forgets the account's credentials and marks it revoked. Its posts stay; reconnect it to publish again.",
	}, func(ctx context.Context, in *AccountPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Accounts.Disconnect(ctx, actor, in.Account)
	})
}
