package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const feedCols = `id, workspace_id, url, name, mode, account_ids, template, label_ids, campaign_id, paused, owner_id,
	etag, last_modified, last_polled_at, last_error, next_poll_at, failures, created_at, updated_at,
	(SELECT count(*) FROM feed_entries e WHERE e.feed_id = feeds.id AND NOT e.skipped)`

func scanFeed(r scanner) (herald.Feed, error) {
	var f herald.Feed
	var used int64
	err := r.Scan(&f.ID, &f.WorkspaceID, &f.URL, &f.Name, &f.Mode, &f.AccountIDs, &f.Template, &f.LabelIDs, &f.CampaignID,
		&f.Paused, &f.OwnerID, &f.ETag, &f.LastModified, &f.LastPolledAt, &f.LastError, &f.NextPollAt, &f.Failures,
		&f.CreatedAt, &f.UpdatedAt, &used)
	f.EntriesUsed = int(used)
	if f.AccountIDs == nil {
		f.AccountIDs = []int64{}
	}
	if f.LabelIDs == nil {
		f.LabelIDs = []int64{}
	}
	return f, err
}

// ids returns ids for a bigint[] column, never NULL.
func ids(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

// CreateFeed inserts f and sets its ID.
func (s store) CreateFeed(ctx context.Context, f *herald.Feed) error {
	stamp(&f.CreatedAt)
	stamp(&f.UpdatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO feeds (workspace_id, url, name, mode, account_ids, template, label_ids,
		campaign_id, paused, owner_id, etag, last_modified, last_polled_at, last_error, next_poll_at, failures, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
		f.WorkspaceID, f.URL, f.Name, string(f.Mode), ids(f.AccountIDs), f.Template, ids(f.LabelIDs), f.CampaignID, f.Paused,
		f.OwnerID, f.ETag, f.LastModified, f.LastPolledAt, f.LastError, f.NextPollAt, f.Failures, f.CreatedAt, f.UpdatedAt).Scan(&f.ID)
	return dbErr("create feed", err)
}

// GetFeed returns the workspace's feed id.
func (s store) GetFeed(ctx context.Context, workspaceID, id int64) (herald.Feed, error) {
	f, err := scanFeed(s.q.QueryRow(ctx, `SELECT `+feedCols+` FROM feeds WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.Feed{}, notFound("feed", "get feed", err)
	}
	return f, nil
}

// ListFeeds returns the workspace's feeds by name, then id.
func (s store) ListFeeds(ctx context.Context, workspaceID int64) ([]herald.Feed, error) {
	rows, err := s.q.Query(ctx, `SELECT `+feedCols+` FROM feeds WHERE workspace_id = $1 ORDER BY lower(name), id`, workspaceID)
	if err != nil {
		return nil, dbErr("list feeds", err)
	}
	out, err := collect(rows, scanFeed)
	return out, dbErr("list feeds", err)
}

// DueFeeds returns up to limit unpaused feeds of any workspace due by now.
func (s store) DueFeeds(ctx context.Context, now time.Time, limit int) ([]herald.Feed, error) {
	if limit < 1 {
		return nil, herald.Errorf(herald.CodeInvalid, "the number of feeds to poll must be at least 1, not %d", limit)
	}
	rows, err := s.q.Query(ctx, `SELECT `+feedCols+` FROM feeds WHERE NOT paused AND next_poll_at <= $1
		ORDER BY next_poll_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, dbErr("due feeds", err)
	}
	out, err := collect(rows, scanFeed)
	return out, dbErr("due feeds", err)
}

// UpdateFeed saves the feed's settings.
func (s store) UpdateFeed(ctx context.Context, f *herald.Feed) error {
	stamp(&f.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE feeds SET url = $3, name = $4, mode = $5, account_ids = $6, template = $7,
		label_ids = $8, campaign_id = $9, paused = $10, owner_id = $11, updated_at = $12 WHERE workspace_id = $1 AND id = $2`,
		f.WorkspaceID, f.ID, f.URL, f.Name, string(f.Mode), ids(f.AccountIDs), f.Template, ids(f.LabelIDs), f.CampaignID,
		f.Paused, f.OwnerID, f.UpdatedAt)
	if err != nil {
		return dbErr("update feed", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("feed")
	}
	return nil
}

// DeleteFeed deletes the workspace's feed id and its entries.
func (s store) DeleteFeed(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM feeds WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete feed", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("feed")
	}
	return nil
}

// SaveFeedPoll saves the polling state of feed id.
func (s store) SaveFeedPoll(ctx context.Context, workspaceID, id int64, p herald.FeedPoll) error {
	tag, err := s.q.Exec(ctx, `UPDATE feeds SET etag = $3, last_modified = $4, last_polled_at = $5, last_error = $6,
		next_poll_at = $7, failures = $8 WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id, p.ETag, p.LastModified, p.LastPolledAt, p.LastError, p.NextPollAt, p.Failures)
	if err != nil {
		return dbErr("save feed poll", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("feed")
	}
	return nil
}

// AddFeedEntry records an entry of a feed of the same workspace.
func (s store) AddFeedEntry(ctx context.Context, e *herald.FeedEntry) error {
	stamp(&e.CreatedAt)
	tag, err := s.q.Exec(ctx, `INSERT INTO feed_entries (feed_id, workspace_id, entry_key, title, url, post_id, skipped,
		published_at, created_at)
		SELECT id, workspace_id, $3, $4, $5, $6, $7, $8, $9 FROM feeds WHERE id = $1 AND workspace_id = $2`,
		e.FeedID, e.WorkspaceID, e.Key, e.Title, e.URL, e.PostID, e.Skipped, e.PublishedAt, e.CreatedAt)
	if err != nil {
		return dbErr("add feed entry", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("feed")
	}
	return nil
}

// SeenFeedEntries returns which of keys feedID has recorded.
func (s store) SeenFeedEntries(ctx context.Context, workspaceID, feedID int64, keys []string) (map[string]bool, error) {
	seen := map[string]bool{}
	rows, err := s.q.Query(ctx, `SELECT entry_key FROM feed_entries WHERE workspace_id = $1 AND feed_id = $2
		AND entry_key = ANY($3::text[])`, workspaceID, feedID, keys)
	if err != nil {
		return nil, dbErr("seen feed entries", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, dbErr("seen feed entries", err)
		}
		seen[k] = true
	}
	return seen, dbErr("seen feed entries", rows.Err())
}

// ListFeedEntries returns the feed's latest recorded entries, newest first.
func (s store) ListFeedEntries(ctx context.Context, workspaceID, feedID int64, limit int) ([]herald.FeedEntry, error) {
	rows, err := s.q.Query(ctx, `SELECT feed_id, workspace_id, entry_key, title, url, post_id, skipped, published_at,
		created_at FROM feed_entries WHERE workspace_id = $1 AND feed_id = $2 ORDER BY created_at DESC, entry_key LIMIT $3`,
		workspaceID, feedID, max(limit, 1))
	if err != nil {
		return nil, dbErr("list feed entries", err)
	}
	out, err := collect(rows, func(r scanner) (herald.FeedEntry, error) {
		var e herald.FeedEntry
		err := r.Scan(&e.FeedID, &e.WorkspaceID, &e.Key, &e.Title, &e.URL, &e.PostID, &e.Skipped, &e.PublishedAt, &e.CreatedAt)
		return e, err
	})
	if err != nil {
		return nil, dbErr("list feed entries", err)
	}
	return out, nil
}
