package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/review"
)

// ReviewLinkPath addresses one review link.
type ReviewLinkPath struct {
	WorkspaceParam
	Link int64 `path:"link" minimum:"1" doc:"Review link id"`
}

// ReviewLinkBody is a review link as the API shows it.
type ReviewLinkBody struct {
	herald.ReviewLink
	Status      string `json:"status" enum:"active,expired,revoked"`
	HasPassword bool   `json:"has_password"`
}

// ReviewLinkCreateInput creates a review link.
type ReviewLinkCreateInput struct {
	WorkspaceParam
	Body struct {
		Name       string     `json:"name" minLength:"1" maxLength:"100" doc:"Who reviews through the link, e.g. \"Acme marketing team\"; the audit log and the posts' history show it"`
		CampaignID int64      `json:"campaign_id,omitempty" doc:"Review this campaign's posts (or give from and to)"`
		From       string     `json:"from,omitempty" doc:"Review the posts scheduled from this day (YYYY-MM-DD, in the workspace's zone)"`
		To         string     `json:"to,omitempty" doc:"… to this day, included (YYYY-MM-DD)"`
		ExpiresAt  *time.Time `json:"expires_at,omitempty" doc:"When the link stops working: by default in 14 days, at most 90 days away"`
		Password   string     `json:"password,omitempty" maxLength:"256" doc:"Asked before anything is shown (10 characters or more)"`
	}
}

// ReviewLinkCreated is a new review link with its address, shown this once.
type ReviewLinkCreated struct {
	Body struct {
		Link ReviewLinkBody `json:"link"`
		URL  string         `json:"url" doc:"The secret address to send to the reviewer; shown only in this answer"`
		Path string         `json:"path"`
	}
}

// ReviewLinkOutput is one review link.
type ReviewLinkOutput struct {
	Body ReviewLinkBody
}

// ReviewLinkList lists review links.
type ReviewLinkList struct {
	Body ListBody[ReviewLinkBody]
}

// ReviewDecisionList lists decisions made through review links.
type ReviewDecisionList struct {
	Body ListBody[herald.ReviewDecision]
}

// PostReviewPath addresses one post's review decisions.
type PostReviewPath struct {
	WorkspaceParam
	Post int64 `path:"post" minimum:"1" doc:"Post id"`
}

func (a *API) reviewLinkBody(l herald.ReviewLink) ReviewLinkBody {
	return ReviewLinkBody{ReviewLink: l, Status: a.d.Reviews.Status(l), HasPassword: l.HasPassword()}
}

func (a *API) registerReviewLinks() {
	tags := []string{"Review links"}
	base := "/api/v1/workspaces/{workspace}/review-links"
	register(a, huma.Operation{
		OperationID: "create-review-link", Method: http.MethodPost, Path: base,
		Summary: "Create a review link", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "A secret address through which someone outside the workspace reviews a campaign's posts, or the posts " +
			"scheduled in a date range, without signing in, and approves them or asks for changes (owners, admins, managers). " +
			"The address is in this answer only: Herald keeps a fingerprint of it.",
	}, func(ctx context.Context, in *ReviewLinkCreateInput) (*ReviewLinkCreated, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		token, l, err := a.d.Reviews.Create(ctx, actor, review.NewLink{Name: b.Name, CampaignID: b.CampaignID,
			FromDate: b.From, ToDate: b.To, ExpiresAt: b.ExpiresAt, Password: b.Password})
		if err != nil {
			return nil, err
		}
		out := &ReviewLinkCreated{}
		out.Body.Link = a.reviewLinkBody(l)
		out.Body.Path = review.Path(token)
		out.Body.URL = a.d.BaseURL + out.Body.Path
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "list-review-links", Method: http.MethodGet, Path: base,
		Summary: "List review links", Tags: tags, Description: "The workspace's review links, newest first, expired and revoked ones included.",
	}, func(ctx context.Context, in *WorkspaceParam) (*ReviewLinkList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ls, err := a.d.Reviews.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := make([]ReviewLinkBody, 0, len(ls))
		for _, l := range ls {
			out = append(out, a.reviewLinkBody(l))
		}
		return &ReviewLinkList{Body: list(out, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-review-link", Method: http.MethodGet, Path: base + "/{link}",
		Summary: "Get a review link", Tags: tags,
	}, func(ctx context.Context, in *ReviewLinkPath) (*ReviewLinkOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Reviews.Get(ctx, actor, in.Link)
		if err != nil {
			return nil, err
		}
		return &ReviewLinkOutput{Body: a.reviewLinkBody(l)}, nil
	})

	register(a, huma.Operation{
		OperationID: "revoke-review-link", Method: http.MethodPost, Path: base + "/{link}/revoke",
		Summary: "Revoke a review link", Tags: tags,
		Description: "Its page answers 410 Gone from now on. Revoking a revoked link changes nothing.",
	}, func(ctx context.Context, in *ReviewLinkPath) (*ReviewLinkOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Reviews.Revoke(ctx, actor, in.Link)
		if err != nil {
			return nil, err
		}
		return &ReviewLinkOutput{Body: a.reviewLinkBody(l)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-review-link-decisions", Method: http.MethodGet, Path: base + "/{link}/decisions",
		Summary: "What was decided through a review link", Tags: tags,
		Description: "Each approval or request for changes made through the link, newest first: the post, the comment, " +
			"and whether the post moved (applied) or was in no state to (recorded, with a note).",
	}, func(ctx context.Context, in *ReviewLinkPath) (*ReviewDecisionList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ds, err := a.d.Reviews.Decisions(ctx, actor, in.Link, 0)
		if err != nil {
			return nil, err
		}
		return &ReviewDecisionList{Body: list(ds, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-post-review-decisions", Method: http.MethodGet,
		Path:    "/api/v1/workspaces/{workspace}/posts/{post}/review-decisions",
		Summary: "What clients decided on a post", Tags: tags,
		Description: "Decisions made on the post through review links, newest first.",
	}, func(ctx context.Context, in *PostReviewPath) (*ReviewDecisionList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		if _, err := a.d.Posts.Get(ctx, actor, in.Post); err != nil {
			return nil, err
		}
		ds, err := a.d.Reviews.Decisions(ctx, actor, 0, in.Post)
		if err != nil {
			return nil, err
		}
		return &ReviewDecisionList{Body: list(ds, "")}, nil
	})
}
