package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// MemberPath addresses one member of a workspace.
type MemberPath struct {
	WorkspaceParam
	User int64 `path:"user" minimum:"1" doc:"The member's user id"`
}

// MemberRoleInput changes a member's role.
type MemberRoleInput struct {
	MemberPath
	Body struct {
		Role herald.Role `json:"role" enum:"owner,admin,manager,editor,contributor,analyst,client" doc:"The new role; no stronger than yours"`
	}
}

// MemberOutput is one member.
type MemberOutput struct {
	Body herald.Member
}

// MemberList lists a workspace's members.
type MemberList struct {
	Body ListBody[herald.Member]
}

func (a *API) registerMembers() {
	tags := []string{"Members"}
	register(a, huma.Operation{
		OperationID: "list-members", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/members",
		Summary: "List members", Tags: tags, Description: "The workspace's members by name, with their roles.",
	}, func(ctx context.Context, in *WorkspaceParam) (*MemberList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ms, err := a.d.Workspaces.ListMembers(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &MemberList{Body: list(ms, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-member", Method: http.MethodPatch, Path: "/api/v1/workspaces/{workspace}/members/{user}",
		Summary: "Change a member's role", Tags: tags,
		Description: "You cannot grant a role stronger than yours; only an owner changes an owner; " +
			"the last owner cannot be demoted.",
	}, func(ctx context.Context, in *MemberRoleInput) (*MemberOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		m, err := a.d.Workspaces.UpdateMemberRole(ctx, actor, in.User, in.Body.Role)
		if err != nil {
			return nil, err
		}
		return &MemberOutput{Body: m}, nil
	})

	register(a, huma.Operation{
		OperationID: "remove-member", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/members/{user}",
		Summary: "Remove a member", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Removes a member; use your own user id to leave. The last owner can be neither removed nor leave.",
	}, func(ctx context.Context, in *MemberPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Workspaces.RemoveMember(ctx, actor, in.User)
	})

	register(a, huma.Operation{
		OperationID: "sign-out-member", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/members/{user}/sign-out",
		Summary: "Sign a member out everywhere", Tags: tags,
		Description: "Ends every browser session of the member, on every device. Owners and admins of the workspace may " +
			"do it to members whose role is not stronger than theirs. The member's API tokens keep working: revoke them separately.",
	}, func(ctx context.Context, in *MemberPath) (*SignOutOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		n, err := a.d.Auth.SignOutMember(ctx, actor, in.User)
		if err != nil {
			return nil, err
		}
		out := &SignOutOutput{}
		out.Body.SessionsEnded = n
		return out, nil
	})
}

// SignOutOutput says how many sessions a sign-out ended.
type SignOutOutput struct {
	Body struct {
		SessionsEnded int64 `json:"sessions_ended" doc:"Browser sessions that were signed out"`
	}
}
