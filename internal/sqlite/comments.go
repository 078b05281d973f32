package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// commentCols reads a comment with its author's name and its mentions
// (a comma-separated list of user ids).
const commentCols = `c.id, c.workspace_id, c.post_id, c.author_id, coalesce(u.name, ''), c.body, c.created_at,
	coalesce((SELECT group_concat(m.user_id) FROM post_comment_mentions m WHERE m.comment_id = c.id), '')`

const commentFrom = ` FROM post_comments c LEFT JOIN users u ON u.id = c.author_id`

func scanComment(sc scanner) (herald.PostComment, error) {
	var c herald.PostComment
	var created int64
	var mentions string
	if err := sc.Scan(&c.ID, &c.WorkspaceID, &c.PostID, &c.AuthorID, &c.AuthorName, &c.Body, &created, &mentions); err != nil {
		return c, err
	}
	c.CreatedAt = fromMicros(created)
	c.Mentions = []int64{}
	for f := range strings.SplitSeq(mentions, ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return c, fmt.Errorf("mention %q: %w", f, err)
		}
		c.Mentions = append(c.Mentions, id)
	}
	slices.Sort(c.Mentions)
	return c, nil
}

// CreateComment inserts c and its mentions and sets its ID.
func (s *store) CreateComment(ctx context.Context, c *herald.PostComment) error {
	c.CreatedAt = stamp(c.CreatedAt)
	mentions := slices.Compact(slices.Sorted(slices.Values(c.Mentions)))
	err := s.atomic(ctx, func(q querier) error {
		err := q.QueryRowContext(ctx, `INSERT INTO post_comments (workspace_id, post_id, author_id, body, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`,
			c.WorkspaceID, c.PostID, c.AuthorID, c.Body, micros(c.CreatedAt)).Scan(&c.ID)
		if err != nil {
			return dbErr(err, "create comment", "", "the post is not in this workspace, or the author does not exist")
		}
		for _, id := range mentions {
			if _, err := q.ExecContext(ctx, `INSERT INTO post_comment_mentions (comment_id, workspace_id, user_id)
				VALUES (?, ?, ?)`, c.ID, c.WorkspaceID, id); err != nil {
				return dbErr(err, "create comment mention", "", fmt.Sprintf("the mentioned user %d does not exist", id))
			}
		}
		return nil
	})
	if err != nil {
		c.ID = 0
		return err
	}
	c.Mentions = mentions
	if c.Mentions == nil {
		c.Mentions = []int64{}
	}
	return nil
}

// GetComment returns comment id of workspaceID.
func (s *store) GetComment(ctx context.Context, workspaceID, id int64) (herald.PostComment, error) {
	c, err := scanComment(s.r.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+
		` WHERE c.workspace_id = ? AND c.id = ?`, workspaceID, id))
	if err != nil {
		return herald.PostComment{}, getErr(err, "comment")
	}
	return c, nil
}

// ListComments returns one page of a post's comments, oldest first.
func (s *store) ListComments(ctx context.Context, workspaceID, postID int64, page herald.Page) ([]herald.PostComment, string, error) {
	after, err := decodeCursor(page.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(page)
	var out []herald.PostComment
	err = s.readTx(ctx, func(q querier) error {
		ok, err := exists(ctx, q, `SELECT 1 FROM posts WHERE workspace_id = ? AND id = ?`, workspaceID, postID)
		if err != nil {
			return err
		}
		if !ok {
			return herald.NotFound("post")
		}
		out, err = queryComments(ctx, q, `SELECT `+commentCols+commentFrom+
			` WHERE c.workspace_id = ? AND c.post_id = ? AND c.id > ? ORDER BY c.id LIMIT ?`,
			workspaceID, postID, after, limit+1)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// DeleteComment deletes comment id of workspaceID with its mentions.
func (s *store) DeleteComment(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM post_comments WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete comment", "", "")
	}
	return affected(res, "comment")
}

// ListMentions returns the newest comments of workspaceID mentioning userID.
func (s *store) ListMentions(ctx context.Context, workspaceID, userID int64, limit int) ([]herald.PostComment, error) {
	limit = pageLimit(herald.Page{Limit: limit})
	return queryComments(ctx, s.r, `SELECT `+commentCols+` FROM post_comment_mentions mm
		JOIN post_comments c ON c.id = mm.comment_id LEFT JOIN users u ON u.id = c.author_id
		WHERE mm.workspace_id = ? AND mm.user_id = ? ORDER BY mm.comment_id DESC LIMIT ?`, workspaceID, userID, limit)
}

func queryComments(ctx context.Context, q querier, query string, args ...any) ([]herald.PostComment, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list comments: %w", err)
	}
	defer rows.Close()
	out := []herald.PostComment{}
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list comments: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list comments: %w", err)
	}
	return out, nil
}
