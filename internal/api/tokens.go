package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// TokenCreateInput creates an API token.
type TokenCreateInput struct {
	WorkspaceParam
	Body struct {
		Name      string      `json:"name" minLength:"1" maxLength:"100" doc:"What the token is for, e.g. \"CI publisher\""`
		Role      herald.Role `json:"role" enum:"owner,admin,manager,editor,contributor,analyst,client" doc:"The token's role; no stronger than yours"`
		ExpiresAt *time.Time  `json:"expires_at,omitempty" doc:"When the token stops working (RFC 3339); leave out for no expiry"`
	}
}

// CreatedToken is a new API token with its secret, shown only here.
type CreatedToken struct {
	herald.APIToken
	Token string `json:"token" doc:"The token secret (hrld_…), shown once: send it as Authorization: Bearer"`
}

// TokenCreateOutput is a new API token.
type TokenCreateOutput struct {
	Body CreatedToken
}

// TokenList lists API tokens.
type TokenList struct {
	Body ListBody[herald.APIToken]
}

// TokenPath addresses one API token.
type TokenPath struct {
	WorkspaceParam
	Token int64 `path:"token" minimum:"1" doc:"Token id"`
}

func (a *API) registerTokens() {
	tags := []string{"API tokens"}
	register(a, huma.Operation{
		OperationID: "list-tokens", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/tokens",
		Summary: "List API tokens", Tags: tags,
		Description: "Your own tokens in the workspace, newest first; admins and owners see everyone's.",
	}, func(ctx context.Context, in *WorkspaceParam) (*TokenList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		toks, err := a.d.Auth.ListTokens(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &TokenList{Body: list(toks, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-token", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/tokens",
		Summary: "Create an API token", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Creates a token acting for you in this workspace and returns its secret once, in `token`.",
	}, func(ctx context.Context, in *TokenCreateInput) (*TokenCreateOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		secret, tok, err := a.d.Auth.CreateToken(ctx, actor, in.Body.Name, in.Body.Role, in.Body.ExpiresAt)
		if err != nil {
			return nil, err
		}
		return &TokenCreateOutput{Body: CreatedToken{APIToken: tok, Token: secret}}, nil
	})

	register(a, huma.Operation{
		OperationID: "revoke-token", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/tokens/{token}",
		Summary: "Revoke an API token", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Revokes one of your tokens (admins and owners: anyone's). It stops working at once.",
	}, func(ctx context.Context, in *TokenPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Auth.RevokeToken(ctx, actor, in.Token)
	})
}
