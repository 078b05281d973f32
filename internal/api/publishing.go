package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// PublishingOutput says whether a workspace publishes.
type PublishingOutput struct {
	Body post.PublishingStatus
}

// CrisisOutput says what the crisis switch holds.
type CrisisOutput struct {
	Body post.CrisisStatus
}

// CrisisHoldInput throws the crisis switch.
type CrisisHoldInput struct {
	WorkspaceParam
	Body struct {
		Reason string `json:"reason" minLength:"1" maxLength:"2000" doc:"Why publishing stops, for the team and the history"`
	}
}

// CrisisResumeInput releases held targets.
type CrisisResumeInput struct {
	WorkspaceParam
	Body *struct {
		TargetIDs []int64 `json:"target_ids,omitempty" maxItems:"1000" doc:"The held targets to release; left out, all of them"`
		Reapprove bool    `json:"reapprove,omitempty" doc:"Send them to review instead of back to scheduled"`
	}
}

// registerPublishing adds the workspace's publishing pause and the crisis switch.
func (a *API) registerPublishing() {
	tags := []string{"Publishing"}
	base := "/api/v1/workspaces/{workspace}"
	register(a, huma.Operation{
		OperationID: "get-publishing", Method: http.MethodGet, Path: base + "/publishing",
		Summary: "Publishing status", Tags: tags,
		Description: "Whether publishing is paused for the workspace (or the whole installation), and how many targets are held.",
	}, func(ctx context.Context, in *WorkspaceParam) (*PublishingOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Posts.PublishingStatus(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &PublishingOutput{Body: st}, nil
	})
	for _, op := range []struct {
		id, path, summary, desc string
		do                      func(ctx context.Context, actor herald.Actor) (post.PublishingStatus, error)
	}{
		{"pause-publishing", "pause", "Pause publishing",
			"Nothing of the workspace is published until publishing resumes; targets keep their state and times.",
			a.d.Posts.PausePublishing},
		{"resume-publishing", "resume", "Resume publishing",
			"Publishing goes on; targets whose time passed meanwhile are published at once.", a.d.Posts.ResumePublishing},
	} {
		register(a, huma.Operation{
			OperationID: op.id, Method: http.MethodPost, Path: base + "/publishing/" + op.path,
			Summary: op.summary, Tags: tags, Description: op.desc,
		}, func(ctx context.Context, in *WorkspaceParam) (*PublishingOutput, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			st, err := op.do(ctx, actor)
			if err != nil {
				return nil, err
			}
			return &PublishingOutput{Body: st}, nil
		})
	}

	register(a, huma.Operation{
		OperationID: "get-crisis", Method: http.MethodGet, Path: base + "/crisis",
		Summary: "Crisis switch status", Tags: tags,
		Description: "Whether anything is held, how many targets, and who made the latest hold, when and why.",
	}, func(ctx context.Context, in *WorkspaceParam) (*CrisisOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Posts.Crisis(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &CrisisOutput{Body: st}, nil
	})

	register(a, huma.Operation{
		OperationID: "crisis-hold", Method: http.MethodPost, Path: base + "/crisis/hold",
		Summary: "Hold everything (crisis switch)", Tags: tags,
		Description: "Holds every scheduled and retrying target of the workspace, recording who, when and why. " +
			"Held targets are never published until resumed.",
	}, func(ctx context.Context, in *CrisisHoldInput) (*CrisisOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Posts.CrisisHold(ctx, actor, in.Body.Reason)
		if err != nil {
			return nil, err
		}
		return &CrisisOutput{Body: st}, nil
	})

	register(a, huma.Operation{
		OperationID: "crisis-resume", Method: http.MethodPost, Path: base + "/crisis/resume",
		Summary: "Release held targets", Tags: tags,
		Description: "Releases the listed held targets, or all of them: back to scheduled (published at once if " +
			"their time passed), or to review with reapprove.",
	}, func(ctx context.Context, in *CrisisResumeInput) (*CrisisOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		var ids []int64
		reapprove := false
		if in.Body != nil {
			ids, reapprove = in.Body.TargetIDs, in.Body.Reapprove
		}
		st, err := a.d.Posts.CrisisResume(ctx, actor, ids, reapprove)
		if err != nil {
			return nil, err
		}
		return &CrisisOutput{Body: st}, nil
	})
}
