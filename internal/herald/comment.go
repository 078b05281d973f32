package herald

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxCommentLen bounds a comment's body, in characters.
const MaxCommentLen = 5000

// PostComment is a remark a member leaves on a post for the team: a
// question, a review note, the reason for an approval. Mentions are the
// members it names with @name, so they can find it.
type PostComment struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	PostID      int64  `json:"post_id"`
	AuthorID    int64  `json:"author_id"`
	AuthorName  string `json:"author_name"` // filled by reads, from the author's user
	Body        string `json:"body"`
	// Mentions are the user ids of the members the body mentions, in
	// ascending order, without repeats.
	Mentions  []int64   `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

// Validate checks the comment's body.
func (c *PostComment) Validate() error {
	var pr Problems
	switch n := utf8.RuneCountInString(c.Body); {
	case strings.TrimSpace(c.Body) == "":
		pr.Add("body", "is empty: write something")
	case n > MaxCommentLen:
		pr.Add("body", "is %d characters; at most %d are allowed", n, MaxCommentLen)
	}
	CheckText(&pr, "body", c.Body)
	return pr.Err("the comment is not valid")
}

// CommentStore keeps the comments on posts and whom they mention.
type CommentStore interface {
	// CreateComment inserts c with its mentions and sets its ID. A post
	// not in c's workspace, or an unknown author or mentioned user, is
	// ErrConflict.
	CreateComment(ctx context.Context, c *PostComment) error
	GetComment(ctx context.Context, workspaceID, id int64) (PostComment, error)
	// ListComments returns one page of a post's comments, oldest first. A
	// post not in the workspace is ErrNotFound.
	ListComments(ctx context.Context, workspaceID, postID int64, page Page) ([]PostComment, string, error)
	DeleteComment(ctx context.Context, workspaceID, id int64) error
	// ListMentions returns the newest comments of the workspace that
	// mention userID, at most limit.
	ListMentions(ctx context.Context, workspaceID, userID int64, limit int) ([]PostComment, error)
}
