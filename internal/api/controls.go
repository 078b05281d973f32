package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// PostRescheduleInput gives targets of a post a new time.
type PostRescheduleInput struct {
	PostPath
	IfMatch string `header:"If-Match" doc:"The ETag of the post as you read it; nothing moves and the answer is 412 if the post changed since"`
	Body    struct {
		ScheduledAt time.Time `json:"scheduled_at" doc:"The new time, in the future: RFC 3339 with an offset"`
		TargetIDs   []int64   `json:"target_ids,omitempty" maxItems:"100" doc:"The targets to move; left out, every scheduled, held and failed target"`
	}
}

// TargetResolveInput settles an unconfirmed target by hand.
type TargetResolveInput struct {
	TargetPath
	Body struct {
		Outcome   string `json:"outcome" enum:"published,failed,retry" doc:"published: you saw it on the platform; failed: it is not there; retry: send it again now, accepting a possible duplicate"`
		RemoteURL string `json:"remote_url,omitempty" maxLength:"2000" doc:"Where the post is on the platform (with outcome published)"`
	}
}

// SeriesCancelInput cancels a recurring series.
type SeriesCancelInput struct {
	PostPath
	Body *struct {
		Comment string `json:"comment,omitempty" maxLength:"2000" doc:"Recorded in each cancelled target's history"`
	}
}

// AttemptList lists a target's publish attempts.
type AttemptList struct {
	Body ListBody[herald.Attempt]
}

// SeriesCancelOutput says what cancelling a series did.
type SeriesCancelOutput struct {
	Body post.SeriesCancellation
}

// registerControls adds the publishing controls on one post: publish now,
// reschedule, queue, retry, resolve, attempts and series cancellation.
func (a *API) registerControls() {
	tags := []string{"Posts"}
	base := "/api/v1/workspaces/{workspace}/posts/{post}"
	a.registerPostActions(base, tags, []postAction{
		{"publish-post-now", "publish-now", "Publish a post now",
			"Schedules every target that may be scheduled at the current time, so it is published at once " +
				"(scheduled targets are moved to now, only by roles that schedule without approval; other " +
				"approval rules are Schedule's). Published, publishing, " +
				"retrying and cancelled targets are left alone.", a.d.Posts.PublishNow},
		{"queue-post", "queue", "Add a post to the queue",
			"Schedules every target that may be scheduled in its account's next free posting slot (see the " +
				"account's schedule), looking up to 8 weeks ahead. Approval rules are Schedule's.", a.d.Posts.Queue},
	})

	register(a, huma.Operation{
		OperationID: "reschedule-post", Method: http.MethodPost, Path: base + "/reschedule",
		Summary: "Reschedule a post", Tags: tags,
		Description: "Moves scheduled, held and failed targets (all, or those in target_ids) to scheduled_at, which " +
			"must be in the future. Held targets stay held; failed ones are scheduled again. Targets being or " +
			"already published cannot move. Only roles that schedule without approval may move them " +
			"(with the workspace's require_approval rule: owners, admins and managers). Send If-Match with the post's ETag to be told (412) when someone " +
			"changed the post since you read it.",
	}, func(ctx context.Context, in *PostRescheduleInput) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ifMatch, hasIfMatch, err := parseIfMatch(in.IfMatch)
		if err != nil {
			return nil, err
		}
		var p herald.Post
		if hasIfMatch {
			p, err = a.d.Posts.RescheduleIfMatch(ctx, actor, in.Post, in.Body.ScheduledAt, in.Body.TargetIDs, ifMatch)
		} else {
			p, err = a.d.Posts.Reschedule(ctx, actor, in.Post, in.Body.ScheduledAt, in.Body.TargetIDs)
		}
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "retry-target", Method: http.MethodPost, Path: base + "/targets/{target}/retry",
		Summary: "Retry a failed target", Tags: tags,
		Description: "Schedules a failed target again, now. For roles that schedule without approval.",
	}, func(ctx context.Context, in *TargetPath) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Posts.Retry(ctx, actor, in.Post, in.Target)
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "resolve-target", Method: http.MethodPost, Path: base + "/targets/{target}/resolve",
		Summary: "Settle an unconfirmed target", Tags: tags,
		Description: "An unconfirmed target may or may not be on the platform: say what you found. published " +
			"marks it published (remote_url says where); failed marks it failed; retry sends it again now " +
			"(a duplicate is possible). For roles that schedule without approval.",
	}, func(ctx context.Context, in *TargetResolveInput) (*PostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		p, err := a.d.Posts.Resolve(ctx, actor, in.Post, in.Target, post.Outcome(in.Body.Outcome), in.Body.RemoteURL)
		if err != nil {
			return nil, err
		}
		return postOut(p), nil
	})

	register(a, huma.Operation{
		OperationID: "list-target-attempts", Method: http.MethodGet, Path: base + "/targets/{target}/attempts",
		Summary: "A target's publish attempts", Tags: tags,
		Description: "Every publish attempt, oldest first: when, how long, the HTTP status, the outcome and the platform's words.",
	}, func(ctx context.Context, in *TargetPath) (*AttemptList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		as, err := a.d.Posts.Attempts(ctx, actor, in.Post, in.Target)
		if err != nil {
			return nil, err
		}
		return &AttemptList{Body: list(as, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "cancel-post-series", Method: http.MethodPost, Path: base + "/series/cancel",
		Summary: "Cancel a recurring series", Tags: tags,
		Description: "Ends the series the post belongs to: it stops recurring, and every target of a future " +
			"occurrence that is not published or being published is cancelled.",
	}, func(ctx context.Context, in *SeriesCancelInput) (*SeriesCancelOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		comment := ""
		if in.Body != nil {
			comment = in.Body.Comment
		}
		out, err := a.d.Posts.CancelSeries(ctx, actor, in.Post, comment)
		if err != nil {
			return nil, err
		}
		return &SeriesCancelOutput{Body: out}, nil
	})
}
