package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// GetEvergreenSettings returns the workspace's recycling policy.
func (s store) GetEvergreenSettings(ctx context.Context, workspaceID int64) (herald.EvergreenSettings, error) {
	st := herald.EvergreenSettings{WorkspaceID: workspaceID}
	err := s.q.QueryRow(ctx, `SELECT enabled, cooldown_days, max_share_percent, account_ids, updated_at
		FROM evergreen_settings WHERE workspace_id = $1`, workspaceID).Scan(&st.Enabled, &st.CooldownDays,
		&st.MaxSharePercent, &st.AccountIDs, &st.UpdatedAt)
	if err != nil {
		return herald.EvergreenSettings{}, notFound("evergreen settings", "get evergreen settings", err)
	}
	if st.AccountIDs == nil {
		st.AccountIDs = []int64{}
	}
	return st, nil
}

// PutEvergreenSettings inserts or replaces the workspace's policy.
func (s store) PutEvergreenSettings(ctx context.Context, st *herald.EvergreenSettings) error {
	stamp(&st.UpdatedAt)
	if st.AccountIDs == nil {
		st.AccountIDs = []int64{}
	}
	_, err := s.q.Exec(ctx, `INSERT INTO evergreen_settings (workspace_id, enabled, cooldown_days,
		max_share_percent, account_ids, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (workspace_id) DO UPDATE SET enabled = excluded.enabled, cooldown_days = excluded.cooldown_days,
		max_share_percent = excluded.max_share_percent, account_ids = excluded.account_ids, updated_at = excluded.updated_at`,
		st.WorkspaceID, st.Enabled, st.CooldownDays, st.MaxSharePercent, st.AccountIDs, st.UpdatedAt)
	return dbErr("put evergreen settings", err)
}

// ListEvergreenWorkspaces returns the workspaces whose policy is enabled.
func (s store) ListEvergreenWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT workspace_id FROM evergreen_settings WHERE enabled ORDER BY workspace_id`)
	if err != nil {
		return nil, dbErr("list evergreen workspaces", err)
	}
	out, err := collect(rows, func(r scanner) (int64, error) {
		var id int64
		err := r.Scan(&id)
		return id, err
	})
	return out, dbErr("list evergreen workspaces", err)
}

const evergreenCols = `workspace_id, post_id, variants, marked_by, created_at, updated_at`

func scanEvergreen(r scanner) (herald.EvergreenPost, error) {
	var e herald.EvergreenPost
	var variants []byte
	if err := r.Scan(&e.WorkspaceID, &e.PostID, &variants, &e.MarkedBy, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return e, err
	}
	if err := json.Unmarshal(variants, &e.Variants); err != nil {
		return e, fmt.Errorf("decode variants: %w", err)
	}
	return e, nil
}

// PutEvergreen marks a post evergreen or replaces its variants.
func (s store) PutEvergreen(ctx context.Context, e *herald.EvergreenPost) error {
	stamp(&e.CreatedAt)
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	if e.Variants == nil {
		e.Variants = []string{}
	}
	variants, err := json.Marshal(e.Variants)
	if err != nil {
		return fmt.Errorf("postgres: encode variants: %w", err)
	}
	err = s.q.QueryRow(ctx, `INSERT INTO evergreen_posts (workspace_id, post_id, variants, marked_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (workspace_id, post_id) DO UPDATE SET variants = excluded.variants, updated_at = excluded.updated_at
		RETURNING marked_by, created_at`, e.WorkspaceID, e.PostID, variants, e.MarkedBy, e.CreatedAt, e.UpdatedAt).
		Scan(&e.MarkedBy, &e.CreatedAt)
	return dbErr("put evergreen", err)
}

// GetEvergreen returns the post's evergreen marking.
func (s store) GetEvergreen(ctx context.Context, workspaceID, postID int64) (herald.EvergreenPost, error) {
	e, err := scanEvergreen(s.q.QueryRow(ctx, `SELECT `+evergreenCols+` FROM evergreen_posts
		WHERE workspace_id = $1 AND post_id = $2`, workspaceID, postID))
	if err != nil {
		return herald.EvergreenPost{}, notFound("evergreen post", "get evergreen", err)
	}
	return e, nil
}

// ListEvergreen returns the workspace's evergreen posts by post id.
func (s store) ListEvergreen(ctx context.Context, workspaceID int64) ([]herald.EvergreenPost, error) {
	rows, err := s.q.Query(ctx, `SELECT `+evergreenCols+` FROM evergreen_posts WHERE workspace_id = $1
		ORDER BY post_id`, workspaceID)
	if err != nil {
		return nil, dbErr("list evergreen", err)
	}
	out, err := collect(rows, scanEvergreen)
	return out, dbErr("list evergreen", err)
}

// DeleteEvergreen unmarks a post; its copies stay.
func (s store) DeleteEvergreen(ctx context.Context, workspaceID, postID int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM evergreen_posts WHERE workspace_id = $1 AND post_id = $2`, workspaceID, postID)
	if err != nil {
		return dbErr("delete evergreen", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("evergreen post")
	}
	return nil
}

const copyCols = `id, workspace_id, origin_id, account_id, slot_at, post_id, variant, text, created_at`

func scanCopy(r scanner) (herald.EvergreenCopy, error) {
	var c herald.EvergreenCopy
	err := r.Scan(&c.ID, &c.WorkspaceID, &c.OriginID, &c.AccountID, &c.SlotAt, &c.PostID, &c.Variant, &c.Text, &c.CreatedAt)
	return c, err
}

// CreateEvergreenCopy records a recycled copy. The copy's post must be in
// the workspace (checked in the statement: its reference is a plain one so
// that deleting the post only clears it).
func (s store) CreateEvergreenCopy(ctx context.Context, c *herald.EvergreenCopy) error {
	stamp(&c.CreatedAt)
	c.SlotAt = c.SlotAt.UTC().Truncate(time.Microsecond)
	err := s.q.QueryRow(ctx, `INSERT INTO evergreen_copies (workspace_id, origin_id, account_id, slot_at, post_id,
		variant, text, created_at)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8
		WHERE $5::bigint IS NULL OR EXISTS (SELECT 1 FROM posts WHERE id = $5 AND workspace_id = $1)
		RETURNING id`, c.WorkspaceID, c.OriginID, c.AccountID, c.SlotAt, c.PostID, c.Variant, c.Text, c.CreatedAt).Scan(&c.ID)
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) && c.PostID != nil {
			return &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("there is no post %d in this workspace", *c.PostID)}
		}
		return dbErr("create evergreen copy", err)
	}
	return nil
}

// ListEvergreenCopies returns copies of originID (all for 0), by slot.
func (s store) ListEvergreenCopies(ctx context.Context, workspaceID, originID int64) ([]herald.EvergreenCopy, error) {
	rows, err := s.q.Query(ctx, `SELECT `+copyCols+` FROM evergreen_copies WHERE workspace_id = $1
		AND ($2 = 0 OR origin_id = $2) ORDER BY slot_at, id`, workspaceID, originID)
	if err != nil {
		return nil, dbErr("list evergreen copies", err)
	}
	out, err := collect(rows, scanCopy)
	return out, dbErr("list evergreen copies", err)
}

// ListAccountEvergreenCopies returns the account's copies with a slot in [from, to).
func (s store) ListAccountEvergreenCopies(ctx context.Context, workspaceID, accountID int64, from, to time.Time) ([]herald.EvergreenCopy, error) {
	rows, err := s.q.Query(ctx, `SELECT `+copyCols+` FROM evergreen_copies WHERE workspace_id = $1
		AND account_id = $2 AND slot_at >= $3 AND slot_at < $4 ORDER BY slot_at, id`, workspaceID, accountID, from, to)
	if err != nil {
		return nil, dbErr("list account evergreen copies", err)
	}
	out, err := collect(rows, scanCopy)
	return out, dbErr("list account evergreen copies", err)
}

// GetEvergreenCopyByPost returns the copy whose post is postID.
func (s store) GetEvergreenCopyByPost(ctx context.Context, workspaceID, postID int64) (herald.EvergreenCopy, error) {
	c, err := scanCopy(s.q.QueryRow(ctx, `SELECT `+copyCols+` FROM evergreen_copies
		WHERE workspace_id = $1 AND post_id = $2`, workspaceID, postID))
	if err != nil {
		return herald.EvergreenCopy{}, notFound("evergreen copy", "get evergreen copy", err)
	}
	return c, nil
}

const calendarFeedCols = `id, workspace_id, user_id, token_hash, created_at, revoked_at`

func scanCalendarFeed(r scanner) (herald.CalendarFeed, error) {
	var f herald.CalendarFeed
	err := r.Scan(&f.ID, &f.WorkspaceID, &f.UserID, &f.TokenHash, &f.CreatedAt, &f.RevokedAt)
	return f, err
}

// CreateCalendarFeed inserts f and sets its ID.
func (s store) CreateCalendarFeed(ctx context.Context, f *herald.CalendarFeed) error {
	stamp(&f.CreatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO calendar_feeds (workspace_id, user_id, token_hash, created_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, f.WorkspaceID, f.UserID, f.TokenHash, f.CreatedAt, f.RevokedAt).Scan(&f.ID)
	return dbErr("create calendar feed", err)
}

// GetCalendarFeedByHash returns the feed with that token hash.
func (s store) GetCalendarFeedByHash(ctx context.Context, hash []byte) (herald.CalendarFeed, error) {
	f, err := scanCalendarFeed(s.q.QueryRow(ctx, `SELECT `+calendarFeedCols+` FROM calendar_feeds WHERE token_hash = $1`, hash))
	if err != nil {
		return herald.CalendarFeed{}, notFound("calendar feed", "get calendar feed", err)
	}
	return f, nil
}

// GetCalendarFeed returns userID's unrevoked feed in the workspace.
func (s store) GetCalendarFeed(ctx context.Context, workspaceID, userID int64) (herald.CalendarFeed, error) {
	f, err := scanCalendarFeed(s.q.QueryRow(ctx, `SELECT `+calendarFeedCols+` FROM calendar_feeds
		WHERE workspace_id = $1 AND user_id = $2 AND revoked_at IS NULL ORDER BY id DESC LIMIT 1`, workspaceID, userID))
	if err != nil {
		return herald.CalendarFeed{}, notFound("calendar feed", "get calendar feed", err)
	}
	return f, nil
}

// RevokeCalendarFeeds revokes userID's unrevoked feeds in the workspace.
func (s store) RevokeCalendarFeeds(ctx context.Context, workspaceID, userID int64, at time.Time) (int64, error) {
	tag, err := s.q.Exec(ctx, `UPDATE calendar_feeds SET revoked_at = $3 WHERE workspace_id = $1 AND user_id = $2
		AND revoked_at IS NULL`, workspaceID, userID, at.UTC().Truncate(time.Microsecond))
	if err != nil {
		return 0, dbErr("revoke calendar feeds", err)
	}
	return tag.RowsAffected(), nil
}
