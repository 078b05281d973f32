package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// InvitationCreateInput invites someone to a workspace.
type InvitationCreateInput struct {
	WorkspaceParam
	Body struct {
		Email string      `json:"email" maxLength:"320" doc:"The address to invite; they sign up or sign in with it"`
		Role  herald.Role `json:"role" enum:"owner,admin,manager,editor,contributor,analyst,client" doc:"Their role once they join; no stronger than yours"`
	}
}

// CreatedInvitation is a new invitation with its secret, shown only here.
type CreatedInvitation struct {
	herald.Invitation
	Token string `json:"token" doc:"The invitation secret (hinv_…), shown once: send it to the person invited"`
}

// InvitationCreateOutput is a new invitation.
type InvitationCreateOutput struct {
	Body CreatedInvitation
}

// InvitationList lists pending invitations.
type InvitationList struct {
	Body ListBody[herald.Invitation]
}

// InvitationPath addresses one invitation.
type InvitationPath struct {
	WorkspaceParam
	Invitation int64 `path:"invitation" minimum:"1" doc:"Invitation id"`
}

// AcceptInput accepts an invitation.
type AcceptInput struct {
	Body struct {
		Token    string `json:"token" maxLength:"200" doc:"The invitation secret (hinv_…)"`
		Name     string `json:"name,omitempty" maxLength:"100" doc:"Your name; needed when you are not signed in (a new account is created)"`
		Password string `json:"password,omitempty" maxLength:"256" doc:"Your new password (at least 10 characters); needed when you are not signed in"`
	}
}

// AcceptOutput is the user who joined and the workspace they joined.
type AcceptOutput struct {
	Body struct {
		User      herald.User      `json:"user"`
		Workspace herald.Workspace `json:"workspace"`
	}
}

func (a *API) registerInvitations() {
	tags := []string{"Invitations"}
	register(a, huma.Operation{
		OperationID: "list-invitations", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/invitations",
		Summary: "List pending invitations", Tags: tags, Description: "Invitations not yet accepted, newest first.",
	}, func(ctx context.Context, in *WorkspaceParam) (*InvitationList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		invs, err := a.d.Workspaces.ListInvitations(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &InvitationList{Body: list(invs, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-invitation", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/invitations",
		Summary: "Invite someone", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Creates an invitation valid for 7 days and returns its secret once, in `token`. " +
			"Inviting an address again replaces its pending invitation.",
	}, func(ctx context.Context, in *InvitationCreateInput) (*InvitationCreateOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		secret, inv, err := a.d.Workspaces.Invite(ctx, actor, in.Body.Email, in.Body.Role)
		if err != nil {
			return nil, err
		}
		return &InvitationCreateOutput{Body: CreatedInvitation{Invitation: inv, Token: secret}}, nil
	})

	register(a, huma.Operation{
		OperationID: "revoke-invitation", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/invitations/{invitation}",
		Summary: "Revoke an invitation", Tags: tags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *InvitationPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Workspaces.RevokeInvitation(ctx, actor, in.Invitation)
	})

	register(a, huma.Operation{
		OperationID: "accept-invitation", Method: http.MethodPost, Path: "/api/v1/invitations/accept",
		Summary: "Accept an invitation", Tags: tags, Security: public,
		Description: "Signed in, you join the workspace (your e-mail must be the one invited). Not signed in, " +
			"give name and password: an account is created with the invited e-mail, you join, and a session starts.",
	}, func(ctx context.Context, in *AcceptInput) (*AcceptOutput, error) {
		var pp *herald.Principal
		if p, ok := herald.PrincipalFrom(ctx); ok {
			pp = &p
		}
		u, w, err := a.d.Workspaces.Accept(ctx, pp, in.Body.Token, in.Body.Name, in.Body.Password)
		if err != nil {
			return nil, err
		}
		if pp == nil {
			if err := a.d.Auth.StartSession(ctx, a.d.Sessions, u.ID); err != nil {
				return nil, err
			}
		}
		out := &AcceptOutput{}
		out.Body.User, out.Body.Workspace = u, w
		return out, nil
	})
}
