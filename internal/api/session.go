package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
)

// LoginInput is the sign-in request.
type LoginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"320" doc:"The e-mail address you were invited with"`
		Password string `json:"password" maxLength:"256"`
	}
}

// UserOutput is one user.
type UserOutput struct {
	Body herald.User
}

// MeOutput is the signed-in user and their workspaces.
type MeOutput struct {
	Body struct {
		User       herald.User            `json:"user"`
		Workspaces []herald.UserWorkspace `json:"workspaces" nullable:"false"`
		// TokenWorkspaceID is set when the caller is an API token.
		TokenWorkspaceID int64 `json:"token_workspace_id,omitempty"`
	}
}

// PasswordInput changes the caller's password.
type PasswordInput struct {
	Body struct {
		Current      string `json:"current_password" maxLength:"256"`
		New          string `json:"new_password" maxLength:"256"`
		RevokeTokens bool   `json:"revoke_tokens,omitempty" doc:"Also revoke your API tokens in every workspace"`
	}
}

// PasswordOutput says what changing the password ended.
type PasswordOutput struct {
	Body auth.PasswordChange
}

func (a *API) registerSession() {
	register(a, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: "/api/v1/session",
		Summary: "Sign in", Tags: []string{"Session"}, Security: public,
		Description: "Checks the e-mail and password and starts a browser session (cookie herald_session).",
	}, func(ctx context.Context, in *LoginInput) (*UserOutput, error) {
		u, err := a.d.Auth.Login(ctx, in.Body.Email, in.Body.Password, remoteAddr(ctx))
		if err != nil {
			return nil, err
		}
		if err := a.d.Auth.StartSession(ctx, a.d.Sessions, u.ID); err != nil {
			return nil, err
		}
		return &UserOutput{Body: u}, nil
	})

	register(a, huma.Operation{
		OperationID: "logout", Method: http.MethodDelete, Path: "/api/v1/session",
		Summary: "Sign out", Tags: []string{"Session"}, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
		if _, err := a.userOnly(ctx); err != nil {
			return nil, err
		}
		return nil, a.d.Auth.EndSession(ctx, a.d.Sessions)
	})

	register(a, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me",
		Summary: "Who am I", Tags: []string{"Session"},
		Description: "The signed-in user and the workspaces they belong to, with their role in each.",
	}, func(ctx context.Context, _ *struct{}) (*MeOutput, error) {
		p, err := a.principal(ctx)
		if err != nil {
			return nil, err
		}
		u, ws, err := a.d.Workspaces.Me(ctx, p)
		if err != nil {
			return nil, err
		}
		out := &MeOutput{}
		out.Body.User = u
		out.Body.Workspaces = ws
		if out.Body.Workspaces == nil {
			out.Body.Workspaces = []herald.UserWorkspace{}
		}
		if p.Token != nil {
			out.Body.TokenWorkspaceID = p.Token.WorkspaceID
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "change-password", Method: http.MethodPut, Path: "/api/v1/me/password",
		Summary: "Change your password", Tags: []string{"Session"},
		Description: "Changes your password and signs out every other browser session of yours (this one stays). " +
			"With `revoke_tokens` your API tokens are revoked too. The answer counts what ended.",
	}, func(ctx context.Context, in *PasswordInput) (*PasswordOutput, error) {
		p, err := a.userOnly(ctx)
		if err != nil {
			return nil, err
		}
		done, err := a.d.Auth.ChangePassword(ctx, p.UserID, in.Body.Current, in.Body.New,
			a.d.Sessions.Token(ctx), in.Body.RevokeTokens)
		if err != nil {
			return nil, err
		}
		return &PasswordOutput{Body: done}, nil
	})
}

type remoteAddrKey struct{}

func remoteAddr(ctx context.Context) string {
	s, _ := ctx.Value(remoteAddrKey{}).(string)
	return s
}
