package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// PutAccountSnapshot stores the account's reading as its snapshot of the
// reading's UTC day.
func (s *store) PutAccountSnapshot(ctx context.Context, snap herald.AccountSnapshot) error {
	if err := snap.Validate(); err != nil {
		return err
	}
	at := stamp(snap.At)
	return s.atomic(ctx, func(q querier) error {
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE workspace_id = ? AND id = ?`,
			snap.WorkspaceID, snap.AccountID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.CodeConflict, "account %d is not an account of workspace %d: it has no snapshots there",
				snap.AccountID, snap.WorkspaceID)
		}
		if err != nil {
			return fmt.Errorf("sqlite: put account snapshot: %w", err)
		}
		_, err = q.ExecContext(ctx, `INSERT INTO account_snapshots (account_id, day, workspace_id, at, followers,
			following, posts) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id, day) DO UPDATE SET at = excluded.at, followers = excluded.followers,
				following = excluded.following, posts = excluded.posts
			WHERE excluded.at >= account_snapshots.at`,
			snap.AccountID, herald.UnixDay(at), snap.WorkspaceID, micros(at), snap.Followers, snap.Following, snap.Posts)
		if err != nil {
			return fmt.Errorf("sqlite: put account snapshot: %w", err)
		}
		return nil
	})
}

func scanAccountSnapshot(sc scanner) (herald.AccountSnapshot, error) {
	var a herald.AccountSnapshot
	var at int64
	err := sc.Scan(&a.WorkspaceID, &a.AccountID, &at, &a.Followers, &a.Following, &a.Posts)
	a.At = fromMicros(at)
	return a, err
}

const accountSnapshotCols = `workspace_id, account_id, at, followers, following, posts`

// ListAccountSnapshots returns the account's (or with accountID 0 every
// account's) snapshots taken in [from, to).
func (s *store) ListAccountSnapshots(ctx context.Context, workspaceID, accountID int64, from, to time.Time) ([]herald.AccountSnapshot, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountSnapshotCols+` FROM account_snapshots
		WHERE workspace_id = ?1 AND (?2 = 0 OR account_id = ?2) AND day >= ?3 AND day <= ?4 AND at >= ?5 AND at < ?6
		ORDER BY account_id, day`,
		workspaceID, accountID, herald.UnixDay(from), herald.UnixDay(to), micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list account snapshots: %w", err)
	}
	return collectRows(rows, scanAccountSnapshot, "list account snapshots")
}

// LatestAccountSnapshots returns each account's latest snapshot.
func (s *store) LatestAccountSnapshots(ctx context.Context, workspaceID int64) (map[int64]herald.AccountSnapshot, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT s.workspace_id, s.account_id, s.at, s.followers, s.following, s.posts
		FROM accounts a JOIN account_snapshots s ON s.account_id = a.id
			AND s.day = (SELECT max(l.day) FROM account_snapshots l WHERE l.account_id = a.id)
		WHERE a.workspace_id = ?`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: latest account snapshots: %w", err)
	}
	list, err := collectRows(rows, scanAccountSnapshot, "latest account snapshots")
	if err != nil {
		return nil, err
	}
	out := make(map[int64]herald.AccountSnapshot, len(list))
	for _, a := range list {
		out[a.AccountID] = a
	}
	return out, nil
}

// AccountsDueForSnapshot returns accounts without a snapshot of now's day.
func (s *store) AccountsDueForSnapshot(ctx context.Context, now time.Time, platforms []herald.Platform, limit int) ([]herald.Account, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the number of accounts to measure must be at least 1, not %d", limit),
			Details: []herald.FieldProblem{{Field: "limit", Problem: "must be at least 1"}}}
	}
	if len(platforms) == 0 {
		return []herald.Account{}, nil
	}
	args := []any{string(herald.AccountConnected), string(herald.AccountExpiring)}
	for _, p := range platforms {
		args = append(args, string(p))
	}
	args = append(args, herald.UnixDay(now), limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts a
		WHERE status IN (?, ?) AND credentials IS NOT NULL AND length(credentials) > 0
			AND platform IN (?`+strings.Repeat(", ?", len(platforms)-1)+`)
			AND NOT EXISTS (SELECT 1 FROM account_snapshots s WHERE s.account_id = a.id AND s.day = ?)
		ORDER BY EXISTS (SELECT 1 FROM account_snapshots s WHERE s.account_id = a.id), id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts due for snapshot: %w", err)
	}
	return collectRows(rows, scanAccount, "accounts due for snapshot")
}

// SetTargetFollowers records the followers the targets were published to.
func (s *store) SetTargetFollowers(ctx context.Context, workspaceID int64, targetIDs []int64, followers int64, at time.Time) error {
	if len(targetIDs) == 0 {
		return nil
	}
	if followers < -1 {
		return herald.Errorf(herald.CodeInvalid, "a follower count is 0 or more, or -1 when the platform does not give it, not %d", followers)
	}
	ids, err := json.Marshal(targetIDs)
	if err != nil {
		return fmt.Errorf("sqlite: set target followers: %w", err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO target_stats (target_id, workspace_id, followers, followers_at)
		SELECT t.id, t.workspace_id, ?1, ?2 FROM targets t
		WHERE t.workspace_id = ?3 AND t.id IN (SELECT value FROM json_each(?4)) AND t.state = 'published'
			AND t.published_at IS NOT NULL AND true
		ON CONFLICT (target_id) DO UPDATE SET followers = excluded.followers, followers_at = excluded.followers_at
		WHERE target_stats.followers_at IS NULL
			OR abs(target_stats.followers_at - (SELECT published_at FROM targets WHERE id = target_stats.target_id))
				> abs(excluded.followers_at - (SELECT published_at FROM targets WHERE id = target_stats.target_id))`,
		followers, micros(stamp(at)), workspaceID, string(ids))
	if err != nil {
		return fmt.Errorf("sqlite: set target followers: %w", err)
	}
	return nil
}

// ListTargetStats returns the workspace's targets published in [from, to).
func (s *store) ListTargetStats(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.TargetStats, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.post_id, coalesce(p.campaign_id, 0), t.account_id, a.platform, t.published_at,
			s.measured_at IS NOT NULL, coalesce(s.likes, -1), coalesce(s.reposts, -1), coalesce(s.replies, -1),
			coalesce(s.quotes, -1), coalesce(s.impressions, -1), coalesce(s.followers, -1),
			coalesce(s.tracked, false), coalesce(s.clicks, 0), coalesce(s.unique_clicks, 0), coalesce(s.conversions, 0), coalesce(s.revenue_cents, 0)
		FROM targets t JOIN accounts a ON a.id = t.account_id JOIN posts p ON p.id = t.post_id
		LEFT JOIN target_stats s ON s.target_id = t.id
		WHERE t.workspace_id = ? AND t.state = 'published' AND t.published_at >= ? AND t.published_at < ?
		ORDER BY t.published_at, t.id`, workspaceID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list target stats: %w", err)
	}
	out, err := collectRows(rows, func(sc scanner) (herald.TargetStats, error) {
		var t herald.TargetStats
		var published int64
		err := sc.Scan(&t.TargetID, &t.PostID, &t.CampaignID, &t.AccountID, &t.Platform, &published, &t.Measured, &t.Likes,
			&t.Reposts, &t.Replies, &t.Quotes, &t.Impressions, &t.Followers,
			&t.Tracked, &t.Clicks, &t.UniqueClicks, &t.Conversions, &t.Revenue)
		t.PublishedAt = fromMicros(published)
		return t, err
	}, "list target stats")
	if err != nil || len(out) == 0 {
		return out, err
	}
	// The posts' labels, in a second read rather than one subquery a row.
	lrows, err := s.r.QueryContext(ctx, `SELECT pl.post_id, pl.label_id FROM post_labels pl
		WHERE pl.workspace_id = ?1 AND pl.post_id IN (SELECT t.post_id FROM targets t WHERE t.workspace_id = ?1
			AND t.state = 'published' AND t.published_at >= ?2 AND t.published_at < ?3)
		ORDER BY pl.post_id, pl.label_id`, workspaceID, micros(from), micros(to))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list target stats: labels: %w", err)
	}
	pairs, err := collectRows(lrows, func(sc scanner) ([2]int64, error) {
		var pr [2]int64
		err := sc.Scan(&pr[0], &pr[1])
		return pr, err
	}, "list target stats: labels")
	if err != nil {
		return nil, err
	}
	herald.AttachLabels(out, pairs)
	return out, nil
}
