package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const feedCols = `id, workspace_id, url, name, mode, account_ids, template, label_ids, campaign_id, paused, owner_id,
	etag, last_modified, last_polled_at, last_error, next_poll_at, failures, created_at, updated_at,
	(SELECT count(*) FROM feed_entries e WHERE e.feed_id = feeds.id AND e.skipped = 0)`

func scanFeed(sc scanner) (herald.Feed, error) {
	var f herald.Feed
	var accounts, labels string
	var campaign, polled sql.NullInt64
	var next, created, updated int64
	if err := sc.Scan(&f.ID, &f.WorkspaceID, &f.URL, &f.Name, &f.Mode, &accounts, &f.Template, &labels, &campaign,
		&f.Paused, &f.OwnerID, &f.ETag, &f.LastModified, &polled, &f.LastError, &next, &f.Failures, &created, &updated,
		&f.EntriesUsed); err != nil {
		return f, err
	}
	if err := json.Unmarshal([]byte(accounts), &f.AccountIDs); err != nil {
		return f, fmt.Errorf("sqlite: feed %d accounts: %w", f.ID, err)
	}
	if err := json.Unmarshal([]byte(labels), &f.LabelIDs); err != nil {
		return f, fmt.Errorf("sqlite: feed %d labels: %w", f.ID, err)
	}
	f.CampaignID = fromNullInt(campaign)
	f.LastPolledAt = fromNullMicros(polled)
	f.NextPollAt, f.CreatedAt, f.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	return f, nil
}

// idList encodes ids for a JSON column, never as null.
func idList(ids []int64) (string, error) {
	if ids == nil {
		ids = []int64{}
	}
	return toJSON(ids)
}

// CreateFeed inserts f and sets its ID.
func (s *store) CreateFeed(ctx context.Context, f *herald.Feed) error {
	f.CreatedAt = stamp(f.CreatedAt)
	if f.UpdatedAt.IsZero() {
		f.UpdatedAt = f.CreatedAt
	}
	f.UpdatedAt = stamp(f.UpdatedAt)
	accounts, err := idList(f.AccountIDs)
	if err != nil {
		return err
	}
	labels, err := idList(f.LabelIDs)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO feeds (workspace_id, url, name, mode, account_ids, template, label_ids,
		campaign_id, paused, owner_id, etag, last_modified, last_polled_at, last_error, next_poll_at, failures, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		f.WorkspaceID, f.URL, f.Name, string(f.Mode), accounts, f.Template, labels, nullInt(f.CampaignID), f.Paused, f.OwnerID,
		f.ETag, f.LastModified, microsOrNil(f.LastPolledAt), f.LastError, micros(f.NextPollAt), f.Failures,
		micros(f.CreatedAt), micros(f.UpdatedAt)).Scan(&f.ID)
	return dbErr(err, "create feed", "", "the workspace, campaign or owner of the feed does not exist")
}

// GetFeed returns feed id of workspaceID.
func (s *store) GetFeed(ctx context.Context, workspaceID, id int64) (herald.Feed, error) {
	f, err := scanFeed(s.r.QueryRowContext(ctx, `SELECT `+feedCols+` FROM feeds WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.Feed{}, getErr(err, "feed")
	}
	return f, nil
}

// ListFeeds returns a workspace's feeds by name, then id.
func (s *store) ListFeeds(ctx context.Context, workspaceID int64) ([]herald.Feed, error) {
	return s.queryFeeds(ctx, "list feeds", `SELECT `+feedCols+` FROM feeds WHERE workspace_id = ?
		ORDER BY name COLLATE NOCASE, id`, workspaceID)
}

// DueFeeds returns up to limit unpaused feeds of any workspace due by now.
func (s *store) DueFeeds(ctx context.Context, now time.Time, limit int) ([]herald.Feed, error) {
	if limit < 1 {
		return nil, herald.Errorf(herald.CodeInvalid, "the number of feeds to poll must be at least 1, not %d", limit)
	}
	return s.queryFeeds(ctx, "due feeds", `SELECT `+feedCols+` FROM feeds WHERE paused = 0 AND next_poll_at <= ?
		ORDER BY next_poll_at, id LIMIT ?`, micros(now), limit)
}

func (s *store) queryFeeds(ctx context.Context, op, query string, args ...any) ([]herald.Feed, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	defer rows.Close()
	out := []herald.Feed{}
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", op, err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return out, nil
}

// UpdateFeed saves the feed's settings.
func (s *store) UpdateFeed(ctx context.Context, f *herald.Feed) error {
	f.UpdatedAt = stamp(f.UpdatedAt)
	accounts, err := idList(f.AccountIDs)
	if err != nil {
		return err
	}
	labels, err := idList(f.LabelIDs)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE feeds SET url = ?, name = ?, mode = ?, account_ids = ?, template = ?, label_ids = ?,
		campaign_id = ?, paused = ?, owner_id = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
		f.URL, f.Name, string(f.Mode), accounts, f.Template, labels, nullInt(f.CampaignID), f.Paused, f.OwnerID,
		micros(f.UpdatedAt), f.WorkspaceID, f.ID)
	if err != nil {
		return dbErr(err, "update feed", "", "the campaign or owner of the feed does not exist")
	}
	return affected(res, "feed")
}

// DeleteFeed deletes feed id of workspaceID and its entries.
func (s *store) DeleteFeed(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM feeds WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete feed", "", "")
	}
	return affected(res, "feed")
}

// SaveFeedPoll saves the polling state of feed id.
func (s *store) SaveFeedPoll(ctx context.Context, workspaceID, id int64, p herald.FeedPoll) error {
	res, err := s.w.ExecContext(ctx, `UPDATE feeds SET etag = ?, last_modified = ?, last_polled_at = ?, last_error = ?,
		next_poll_at = ?, failures = ? WHERE workspace_id = ? AND id = ?`,
		p.ETag, p.LastModified, microsOrNil(stampPtr(p.LastPolledAt)), p.LastError, micros(p.NextPollAt), p.Failures, workspaceID, id)
	if err != nil {
		return dbErr(err, "save feed poll", "", "")
	}
	return affected(res, "feed")
}

// AddFeedEntry records an entry of a feed of the same workspace.
func (s *store) AddFeedEntry(ctx context.Context, e *herald.FeedEntry) error {
	e.CreatedAt = stamp(e.CreatedAt)
	res, err := s.w.ExecContext(ctx, `INSERT INTO feed_entries (feed_id, workspace_id, entry_key, title, url, post_id, skipped,
		published_at, created_at)
		SELECT id, workspace_id, ?, ?, ?, ?, ?, ?, ? FROM feeds WHERE id = ? AND workspace_id = ?`,
		e.Key, e.Title, e.URL, nullInt(e.PostID), e.Skipped, microsOrNil(stampPtr(e.PublishedAt)), micros(e.CreatedAt),
		e.FeedID, e.WorkspaceID)
	if err != nil {
		return dbErr(err, "add feed entry", fmt.Sprintf("feed %d already used the entry %q", e.FeedID, e.Key),
			"the entry's post does not exist")
	}
	return affected(res, "feed")
}

// SeenFeedEntries returns which of keys feedID has recorded.
func (s *store) SeenFeedEntries(ctx context.Context, workspaceID, feedID int64, keys []string) (map[string]bool, error) {
	seen := map[string]bool{}
	for start := 0; start < len(keys); start += 500 {
		chunk := keys[start:min(start+500, len(keys))]
		args := []any{workspaceID, feedID}
		for _, k := range chunk {
			args = append(args, k)
		}
		rows, err := s.r.QueryContext(ctx, `SELECT entry_key FROM feed_entries WHERE workspace_id = ? AND feed_id = ?
			AND entry_key IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: seen feed entries: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: seen feed entries: %w", err)
			}
			seen[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlite: seen feed entries: %w", err)
		}
	}
	return seen, nil
}

// ListFeedEntries returns the feed's latest recorded entries, newest first.
func (s *store) ListFeedEntries(ctx context.Context, workspaceID, feedID int64, limit int) ([]herald.FeedEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT feed_id, workspace_id, entry_key, title, url, post_id, skipped, published_at,
		created_at FROM feed_entries WHERE workspace_id = ? AND feed_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
		workspaceID, feedID, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list feed entries: %w", err)
	}
	defer rows.Close()
	out := []herald.FeedEntry{}
	for rows.Next() {
		var e herald.FeedEntry
		var post, published sql.NullInt64
		var created int64
		if err := rows.Scan(&e.FeedID, &e.WorkspaceID, &e.Key, &e.Title, &e.URL, &post, &e.Skipped, &published, &created); err != nil {
			return nil, fmt.Errorf("sqlite: list feed entries: %w", err)
		}
		e.PostID, e.PublishedAt, e.CreatedAt = fromNullInt(post), fromNullMicros(published), fromMicros(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list feed entries: %w", err)
	}
	return out, nil
}
