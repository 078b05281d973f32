package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// CommentListInput asks for one page of a post's comments.
type CommentListInput struct {
	PostPath
	PageParams
}

// CommentCreateInput adds a comment to a post.
type CommentCreateInput struct {
	PostPath
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"20000" doc:"The comment. @name mentions the member whose display name without spaces, or whose e-mail address before the @, is name (ignoring case); other @words stay text"`
	}
}

// CommentPath addresses one comment of a post.
type CommentPath struct {
	PostPath
	Comment int64 `path:"comment" minimum:"1" doc:"Comment id"`
}

// CommentOutput is one comment.
type CommentOutput struct {
	Body herald.PostComment
}

// CommentList lists comments.
type CommentList struct {
	Body ListBody[herald.PostComment]
}

// registerComments adds the comments on posts.
func (a *API) registerComments() {
	tags := []string{"Comments"}
	base := "/api/v1/workspaces/{workspace}/posts/{post}/comments"
	register(a, huma.Operation{
		OperationID: "list-post-comments", Method: http.MethodGet, Path: base,
		Summary: "A post's comments", Tags: tags,
		Description: "The post's comments, oldest first, with whom each mentions. Approvals and requests for " +
			"changes made with a comment are in the thread too.",
	}, func(ctx context.Context, in *CommentListInput) (*CommentList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		cs, next, err := a.d.Posts.ListComments(ctx, actor, in.Post, herald.Page{Cursor: in.Cursor, Limit: in.Limit})
		if err != nil {
			return nil, err
		}
		return &CommentList{Body: list(cs, next)}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-post-comment", Method: http.MethodPost, Path: base,
		Summary: "Comment on a post", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Adds a comment by the caller. Roles that only read (analyst) cannot comment. Mentioned " +
			"members find the comment on their home page.",
	}, func(ctx context.Context, in *CommentCreateInput) (*CommentOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Posts.AddComment(ctx, actor, in.Post, in.Body.Body)
		if err != nil {
			return nil, err
		}
		return &CommentOutput{Body: c}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-post-comment", Method: http.MethodDelete, Path: base + "/{comment}",
		Summary: "Delete a comment", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the comment. Its author may, and so may an admin or the owner.",
	}, func(ctx context.Context, in *CommentPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Posts.DeleteComment(ctx, actor, in.Post, in.Comment)
	})
}
