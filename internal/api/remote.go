package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// TargetEditRemoteInput is the new text of a published post.
type TargetEditRemoteInput struct {
	TargetPath
	Body struct {
		Text string `json:"text" minLength:"1" maxLength:"100000" doc:"The post's new text, checked against the platform's rules first"`
	}
}

// registerRemote adds the operations on a published post on its
// platform: deleting it there, and editing its text where the platform
// allows it.
func (a *API) registerRemote() {
	tags := []string{"Posts"}
	base := "/api/v1/workspaces/{workspace}/posts/{post}/targets/{target}"
	register(a, huma.Operation{
		OperationID: "delete-target-remote", Method: http.MethodPost, Path: base + "/delete-remote",
		Summary: "Delete a published post from its platform", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the target's published post from its platform, with the thread parts and first comment " +
			"Herald published after it. The target stays published in Herald, with remote_deleted_at set. A post " +
			"already gone from the platform counts as deleted. 409 when the target is not published or was already " +
			"deleted; 422 when the platform does not support deleting from Herald.",
	}, func(ctx context.Context, in *TargetPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Posts.DeleteRemote(ctx, actor, in.Post, in.Target)
	})

	register(a, huma.Operation{
		OperationID: "edit-target-remote", Method: http.MethodPost, Path: base + "/edit-remote",
		Summary: "Edit a published post on its platform", Tags: tags,
		Description: "Replaces the text of the target's published post on its platform, where the platform allows " +
			"editing, after checking it against the platform's rules, and saves it as the target's text (edited_at " +
			"is set). Posts with media cannot be edited from Herald. 409 when the target is not published or was " +
			"deleted; 422 when the platform refuses the text or does not support editing.",
	}, func(ctx context.Context, in *TargetEditRemoteInput) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Posts.EditRemote(ctx, actor, in.Post, in.Target, in.Body.Text)
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})
}
