package postgres

import (
	"context"
	"slices"

	"github.com/heraldsocial/herald/internal/herald"
)

// commentCols reads a comment with its author's name and its mentions.
const commentCols = `c.id, c.workspace_id, c.post_id, c.author_id, coalesce(u.name, ''), c.body, c.created_at,
	coalesce((SELECT array_agg(m.user_id ORDER BY m.user_id) FROM post_comment_mentions m WHERE m.comment_id = c.id), '{}')`

const commentFrom = ` FROM post_comments c LEFT JOIN users u ON u.id = c.author_id`

func scanComment(sc scanner) (herald.PostComment, error) {
	var c herald.PostComment
	err := sc.Scan(&c.ID, &c.WorkspaceID, &c.PostID, &c.AuthorID, &c.AuthorName, &c.Body, &c.CreatedAt, &c.Mentions)
	c.CreatedAt = c.CreatedAt.UTC()
	if c.Mentions == nil {
		c.Mentions = []int64{}
	}
	return c, err
}

// CreateComment inserts c and its mentions and sets its ID.
func (s store) CreateComment(ctx context.Context, c *herald.PostComment) error {
	c.CreatedAt = stamp(&c.CreatedAt).UTC()
	mentions := slices.Compact(slices.Sorted(slices.Values(c.Mentions)))
	if mentions == nil {
		mentions = []int64{}
	}
	var id int64
	err := s.atomic(ctx, func(s store) error {
		if err := s.q.QueryRow(ctx, `INSERT INTO post_comments (workspace_id, post_id, author_id, body, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			c.WorkspaceID, c.PostID, c.AuthorID, c.Body, c.CreatedAt).Scan(&id); err != nil {
			return dbErr("create comment", err)
		}
		if len(mentions) == 0 {
			return nil
		}
		_, err := s.q.Exec(ctx, `INSERT INTO post_comment_mentions (comment_id, workspace_id, user_id)
			SELECT $1, $2, unnest($3::bigint[])`, id, c.WorkspaceID, mentions)
		return dbErr("create comment mentions", err)
	})
	if err != nil {
		return err
	}
	c.ID, c.Mentions = id, mentions
	return nil
}

// GetComment returns comment id of workspaceID.
func (s store) GetComment(ctx context.Context, workspaceID, id int64) (herald.PostComment, error) {
	c, err := scanComment(s.q.QueryRow(ctx, `SELECT `+commentCols+commentFrom+
		` WHERE c.workspace_id = $1 AND c.id = $2`, workspaceID, id))
	if err != nil {
		return herald.PostComment{}, notFound("comment", "get comment", err)
	}
	return c, nil
}

// ListComments returns one page of a post's comments, oldest first.
func (s store) ListComments(ctx context.Context, workspaceID, postID int64, page herald.Page) ([]herald.PostComment, string, error) {
	after, limit, err := pageArgs(page)
	if err != nil {
		return nil, "", err
	}
	var ok bool
	if err := s.q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM posts WHERE workspace_id = $1 AND id = $2)`,
		workspaceID, postID).Scan(&ok); err != nil {
		return nil, "", dbErr("list comments", err)
	}
	if !ok {
		return nil, "", missing("post")
	}
	rows, err := s.q.Query(ctx, `SELECT `+commentCols+commentFrom+
		` WHERE c.workspace_id = $1 AND c.post_id = $2 AND c.id > $3 ORDER BY c.id LIMIT $4`,
		workspaceID, postID, after, limit+1)
	if err != nil {
		return nil, "", dbErr("list comments", err)
	}
	out, err := collect(rows, scanComment)
	if err != nil {
		return nil, "", dbErr("list comments", err)
	}
	out, next := nextCursor(out, limit, func(c herald.PostComment) int64 { return c.ID })
	return out, next, nil
}

// DeleteComment deletes comment id of workspaceID with its mentions.
func (s store) DeleteComment(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM post_comments WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete comment", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("comment")
	}
	return nil
}

// ListMentions returns the newest comments of workspaceID mentioning userID.
func (s store) ListMentions(ctx context.Context, workspaceID, userID int64, limit int) ([]herald.PostComment, error) {
	limit = herald.Page{Limit: limit}.Normalize().Limit
	rows, err := s.q.Query(ctx, `SELECT `+commentCols+` FROM post_comment_mentions mm
		JOIN post_comments c ON c.id = mm.comment_id LEFT JOIN users u ON u.id = c.author_id
		WHERE mm.workspace_id = $1 AND mm.user_id = $2 ORDER BY mm.comment_id DESC LIMIT $3`, workspaceID, userID, limit)
	if err != nil {
		return nil, dbErr("list mentions", err)
	}
	out, err := collect(rows, scanComment)
	return out, dbErr("list mentions", err)
}
