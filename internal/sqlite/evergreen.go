package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// GetEvergreenSettings returns the workspace's recycling policy.
func (s *store) GetEvergreenSettings(ctx context.Context, workspaceID int64) (herald.EvergreenSettings, error) {
	st := herald.EvergreenSettings{WorkspaceID: workspaceID}
	var enabled, updated int64
	var ids string
	err := s.r.QueryRowContext(ctx, `SELECT enabled, cooldown_days, max_share_percent, account_ids, updated_at
		FROM evergreen_settings WHERE workspace_id = ?`, workspaceID).Scan(&enabled, &st.CooldownDays,
		&st.MaxSharePercent, &ids, &updated)
	if err != nil {
		return herald.EvergreenSettings{}, getErr(err, "evergreen settings")
	}
	if err := json.Unmarshal([]byte(ids), &st.AccountIDs); err != nil {
		return herald.EvergreenSettings{}, fmt.Errorf("sqlite: decode evergreen accounts: %w", err)
	}
	st.Enabled, st.UpdatedAt = enabled != 0, fromMicros(updated)
	return st, nil
}

// PutEvergreenSettings inserts or replaces the workspace's policy.
func (s *store) PutEvergreenSettings(ctx context.Context, st *herald.EvergreenSettings) error {
	st.UpdatedAt = stamp(st.UpdatedAt)
	if st.AccountIDs == nil {
		st.AccountIDs = []int64{}
	}
	ids, err := toJSON(st.AccountIDs)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO evergreen_settings (workspace_id, enabled, cooldown_days,
		max_share_percent, account_ids, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET enabled = excluded.enabled, cooldown_days = excluded.cooldown_days,
		max_share_percent = excluded.max_share_percent, account_ids = excluded.account_ids, updated_at = excluded.updated_at`,
		st.WorkspaceID, boolInt(st.Enabled), st.CooldownDays, st.MaxSharePercent, ids, micros(st.UpdatedAt))
	return dbErr(err, "put evergreen settings", "", fmt.Sprintf("there is no workspace %d", st.WorkspaceID))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ListEvergreenWorkspaces returns the workspaces whose policy is enabled.
func (s *store) ListEvergreenWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT workspace_id FROM evergreen_settings WHERE enabled = 1 ORDER BY workspace_id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list evergreen workspaces: %w", err)
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: list evergreen workspaces: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list evergreen workspaces: %w", err)
	}
	return out, nil
}

const evergreenCols = `workspace_id, post_id, variants, marked_by, created_at, updated_at`

func scanEvergreen(sc scanner) (herald.EvergreenPost, error) {
	var e herald.EvergreenPost
	var variants string
	var by sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&e.WorkspaceID, &e.PostID, &variants, &by, &created, &updated); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(variants), &e.Variants); err != nil {
		return e, fmt.Errorf("decode variants: %w", err)
	}
	e.MarkedBy, e.CreatedAt, e.UpdatedAt = fromNullInt(by), fromMicros(created), fromMicros(updated)
	return e, nil
}

// PutEvergreen marks a post evergreen or replaces its variants.
func (s *store) PutEvergreen(ctx context.Context, e *herald.EvergreenPost) error {
	e.CreatedAt = stamp(e.CreatedAt)
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	e.UpdatedAt = stamp(e.UpdatedAt)
	if e.Variants == nil {
		e.Variants = []string{}
	}
	variants, err := toJSON(e.Variants)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO evergreen_posts (workspace_id, post_id, variants, marked_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, post_id) DO UPDATE SET variants = excluded.variants, updated_at = excluded.updated_at
		RETURNING marked_by, created_at`, e.WorkspaceID, e.PostID, variants, nullInt(e.MarkedBy),
		micros(e.CreatedAt), micros(e.UpdatedAt)).Scan(new(sql.NullInt64), new(int64))
	if err != nil {
		return dbErr(err, "put evergreen", "", fmt.Sprintf("there is no post %d in this workspace", e.PostID))
	}
	got, err := s.GetEvergreen(ctx, e.WorkspaceID, e.PostID)
	if err != nil {
		return err
	}
	e.MarkedBy, e.CreatedAt = got.MarkedBy, got.CreatedAt
	return nil
}

// GetEvergreen returns the post's evergreen marking.
func (s *store) GetEvergreen(ctx context.Context, workspaceID, postID int64) (herald.EvergreenPost, error) {
	e, err := scanEvergreen(s.r.QueryRowContext(ctx, `SELECT `+evergreenCols+` FROM evergreen_posts
		WHERE workspace_id = ? AND post_id = ?`, workspaceID, postID))
	if err != nil {
		return herald.EvergreenPost{}, getErr(err, "evergreen post")
	}
	return e, nil
}

// ListEvergreen returns the workspace's evergreen posts by post id.
func (s *store) ListEvergreen(ctx context.Context, workspaceID int64) ([]herald.EvergreenPost, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+evergreenCols+` FROM evergreen_posts WHERE workspace_id = ?
		ORDER BY post_id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list evergreen: %w", err)
	}
	return collectRows(rows, scanEvergreen, "list evergreen")
}

// DeleteEvergreen unmarks a post; its copies stay.
func (s *store) DeleteEvergreen(ctx context.Context, workspaceID, postID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM evergreen_posts WHERE workspace_id = ? AND post_id = ?`, workspaceID, postID)
	if err != nil {
		return dbErr(err, "delete evergreen", "", "")
	}
	return affected(res, "evergreen post")
}

const copyCols = `id, workspace_id, origin_id, account_id, slot_at, post_id, variant, text, created_at`

func scanCopy(sc scanner) (herald.EvergreenCopy, error) {
	var c herald.EvergreenCopy
	var slot, created int64
	var post sql.NullInt64
	if err := sc.Scan(&c.ID, &c.WorkspaceID, &c.OriginID, &c.AccountID, &slot, &post, &c.Variant, &c.Text, &created); err != nil {
		return c, err
	}
	c.SlotAt, c.PostID, c.CreatedAt = fromMicros(slot), fromNullInt(post), fromMicros(created)
	return c, nil
}

// CreateEvergreenCopy records a recycled copy.
func (s *store) CreateEvergreenCopy(ctx context.Context, c *herald.EvergreenCopy) error {
	c.CreatedAt = stamp(c.CreatedAt)
	c.SlotAt = stamp(c.SlotAt)
	if c.PostID != nil {
		var ws int64
		err := s.w.QueryRowContext(ctx, `SELECT workspace_id FROM posts WHERE id = ?`, *c.PostID).Scan(&ws)
		if err != nil || ws != c.WorkspaceID {
			return &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("there is no post %d in this workspace", *c.PostID)}
		}
	}
	var accountWS int64
	if err := s.w.QueryRowContext(ctx, `SELECT workspace_id FROM accounts WHERE id = ?`, c.AccountID).Scan(&accountWS); err != nil || accountWS != c.WorkspaceID {
		return &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("there is no account %d in this workspace", c.AccountID)}
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO evergreen_copies (workspace_id, origin_id, account_id, slot_at, post_id,
		variant, text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.WorkspaceID, c.OriginID, c.AccountID,
		micros(c.SlotAt), nullInt(c.PostID), c.Variant, c.Text, micros(c.CreatedAt)).Scan(&c.ID)
	return dbErr(err, "create evergreen copy", "the account already has a recycled copy at this slot",
		fmt.Sprintf("there is no post %d in this workspace", c.OriginID))
}

// ListEvergreenCopies returns copies of originID (all for 0), by slot.
func (s *store) ListEvergreenCopies(ctx context.Context, workspaceID, originID int64) ([]herald.EvergreenCopy, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+copyCols+` FROM evergreen_copies WHERE workspace_id = ?
		AND (? = 0 OR origin_id = ?) ORDER BY slot_at, id`, workspaceID, originID, originID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list evergreen copies: %w", err)
	}
	return collectRows(rows, scanCopy, "list evergreen copies")
}

// ListAccountEvergreenCopies returns the account's copies with a slot in [from, to).
func (s *store) ListAccountEvergreenCopies(ctx context.Context, workspaceID, accountID int64, from, to time.Time) ([]herald.EvergreenCopy, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+copyCols+` FROM evergreen_copies WHERE workspace_id = ?
		AND account_id = ? AND slot_at >= ? AND slot_at < ? ORDER BY slot_at, id`, workspaceID, accountID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list account evergreen copies: %w", err)
	}
	return collectRows(rows, scanCopy, "list account evergreen copies")
}

// GetEvergreenCopyByPost returns the copy whose post is postID.
func (s *store) GetEvergreenCopyByPost(ctx context.Context, workspaceID, postID int64) (herald.EvergreenCopy, error) {
	c, err := scanCopy(s.r.QueryRowContext(ctx, `SELECT `+copyCols+` FROM evergreen_copies
		WHERE workspace_id = ? AND post_id = ?`, workspaceID, postID))
	if err != nil {
		return herald.EvergreenCopy{}, getErr(err, "evergreen copy")
	}
	return c, nil
}

// collectRows scans every row with scan and closes rows.
func collectRows[T any](rows *sql.Rows, scan func(scanner) (T, error), op string) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return out, nil
}

const calendarFeedCols = `id, workspace_id, user_id, token_hash, created_at, revoked_at`

func scanCalendarFeed(sc scanner) (herald.CalendarFeed, error) {
	var f herald.CalendarFeed
	var created int64
	var revoked sql.NullInt64
	if err := sc.Scan(&f.ID, &f.WorkspaceID, &f.UserID, &f.TokenHash, &created, &revoked); err != nil {
		return f, err
	}
	f.CreatedAt, f.RevokedAt = fromMicros(created), fromNullMicros(revoked)
	return f, nil
}

// CreateCalendarFeed inserts f and sets its ID.
func (s *store) CreateCalendarFeed(ctx context.Context, f *herald.CalendarFeed) error {
	f.CreatedAt = stamp(f.CreatedAt)
	f.RevokedAt = stampPtr(f.RevokedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO calendar_feeds (workspace_id, user_id, token_hash, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, f.WorkspaceID, f.UserID, f.TokenHash, micros(f.CreatedAt),
		microsOrNil(f.RevokedAt)).Scan(&f.ID)
	return dbErr(err, "create calendar feed", "a calendar feed with this token already exists",
		"the workspace or the user does not exist")
}

// GetCalendarFeedByHash returns the feed with that token hash.
func (s *store) GetCalendarFeedByHash(ctx context.Context, hash []byte) (herald.CalendarFeed, error) {
	f, err := scanCalendarFeed(s.r.QueryRowContext(ctx, `SELECT `+calendarFeedCols+` FROM calendar_feeds WHERE token_hash = ?`, hash))
	if err != nil {
		return herald.CalendarFeed{}, getErr(err, "calendar feed")
	}
	return f, nil
}

// GetCalendarFeed returns userID's unrevoked feed in the workspace.
func (s *store) GetCalendarFeed(ctx context.Context, workspaceID, userID int64) (herald.CalendarFeed, error) {
	f, err := scanCalendarFeed(s.r.QueryRowContext(ctx, `SELECT `+calendarFeedCols+` FROM calendar_feeds
		WHERE workspace_id = ? AND user_id = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT 1`, workspaceID, userID))
	if err != nil {
		return herald.CalendarFeed{}, getErr(err, "calendar feed")
	}
	return f, nil
}

// RevokeCalendarFeeds revokes userID's unrevoked feeds in the workspace.
func (s *store) RevokeCalendarFeeds(ctx context.Context, workspaceID, userID int64, at time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE calendar_feeds SET revoked_at = ? WHERE workspace_id = ? AND user_id = ?
		AND revoked_at IS NULL`, micros(stamp(at)), workspaceID, userID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke calendar feeds: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke calendar feeds: %w", err)
	}
	return n, nil
}
