package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// PutAccountSnapshot stores the account's reading as its snapshot of the
// reading's UTC day.
func (s store) PutAccountSnapshot(ctx context.Context, snap herald.AccountSnapshot) error {
	if err := snap.Validate(); err != nil {
		return err
	}
	at := snap.At.UTC().Truncate(time.Microsecond)
	return s.atomic(ctx, func(s store) error {
		var one int
		err := s.q.QueryRow(ctx, `SELECT 1 FROM accounts WHERE workspace_id = $1 AND id = $2`,
			snap.WorkspaceID, snap.AccountID).Scan(&one)
		if errors.Is(err, pgx.ErrNoRows) {
			return herald.Errorf(herald.CodeConflict, "account %d is not an account of workspace %d: it has no snapshots there",
				snap.AccountID, snap.WorkspaceID)
		}
		if err != nil {
			return dbErr("put account snapshot", err)
		}
		_, err = s.q.Exec(ctx, `INSERT INTO account_snapshots (account_id, day, workspace_id, at, followers,
			following, posts) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (account_id, day) DO UPDATE SET at = excluded.at, followers = excluded.followers,
				following = excluded.following, posts = excluded.posts
			WHERE excluded.at >= account_snapshots.at`,
			snap.AccountID, herald.UnixDay(at), snap.WorkspaceID, at, snap.Followers, snap.Following, snap.Posts)
		return dbErr("put account snapshot", err)
	})
}

const accountSnapshotCols = `workspace_id, account_id, at, followers, following, posts`

func scanAccountSnapshot(r scanner) (herald.AccountSnapshot, error) {
	var a herald.AccountSnapshot
	err := r.Scan(&a.WorkspaceID, &a.AccountID, &a.At, &a.Followers, &a.Following, &a.Posts)
	a.At = a.At.UTC()
	return a, err
}

// ListAccountSnapshots returns the account's (or with accountID 0 every
// account's) snapshots taken in [from, to).
func (s store) ListAccountSnapshots(ctx context.Context, workspaceID, accountID int64, from, to time.Time) ([]herald.AccountSnapshot, error) {
	rows, err := s.q.Query(ctx, `SELECT `+accountSnapshotCols+` FROM account_snapshots
		WHERE workspace_id = $1 AND ($2 = 0 OR account_id = $2) AND day >= $3 AND day <= $4 AND at >= $5 AND at < $6
		ORDER BY account_id, day`,
		workspaceID, accountID, herald.UnixDay(from), herald.UnixDay(to), from, to)
	if err != nil {
		return nil, dbErr("list account snapshots", err)
	}
	out, err := collect(rows, scanAccountSnapshot)
	return out, dbErr("list account snapshots", err)
}

// LatestAccountSnapshots returns each account's latest snapshot.
func (s store) LatestAccountSnapshots(ctx context.Context, workspaceID int64) (map[int64]herald.AccountSnapshot, error) {
	rows, err := s.q.Query(ctx, `SELECT l.workspace_id, l.account_id, l.at, l.followers, l.following, l.posts
		FROM accounts a CROSS JOIN LATERAL (SELECT * FROM account_snapshots s WHERE s.account_id = a.id
			ORDER BY s.day DESC LIMIT 1) l
		WHERE a.workspace_id = $1`, workspaceID)
	if err != nil {
		return nil, dbErr("latest account snapshots", err)
	}
	list, err := collect(rows, scanAccountSnapshot)
	if err != nil {
		return nil, dbErr("latest account snapshots", err)
	}
	out := make(map[int64]herald.AccountSnapshot, len(list))
	for _, a := range list {
		out[a.AccountID] = a
	}
	return out, nil
}

// AccountsDueForSnapshot returns accounts without a snapshot of now's day.
func (s store) AccountsDueForSnapshot(ctx context.Context, now time.Time, platforms []herald.Platform, limit int) ([]herald.Account, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: "the number of accounts to measure must be at least 1",
			Details: []herald.FieldProblem{{Field: "limit", Problem: "must be at least 1"}}}
	}
	if len(platforms) == 0 {
		return []herald.Account{}, nil
	}
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = string(p)
	}
	rows, err := s.q.Query(ctx, `SELECT `+accountCols+` FROM accounts a
		WHERE status IN ($1, $2) AND credentials IS NOT NULL AND length(credentials) > 0 AND platform = ANY($3)
			AND NOT EXISTS (SELECT 1 FROM account_snapshots s WHERE s.account_id = a.id AND s.day = $4)
		ORDER BY EXISTS (SELECT 1 FROM account_snapshots s WHERE s.account_id = a.id), id LIMIT $5`,
		herald.AccountConnected, herald.AccountExpiring, names, herald.UnixDay(now), limit)
	if err != nil {
		return nil, dbErr("accounts due for snapshot", err)
	}
	out, err := collect(rows, scanAccount)
	return out, dbErr("accounts due for snapshot", err)
}

// SetTargetFollowers records the followers the targets were published to.
func (s store) SetTargetFollowers(ctx context.Context, workspaceID int64, targetIDs []int64, followers int64, at time.Time) error {
	if len(targetIDs) == 0 {
		return nil
	}
	if followers < -1 {
		return herald.Errorf(herald.CodeInvalid, "a follower count is 0 or more, or -1 when the platform does not give it, not %d", followers)
	}
	_, err := s.q.Exec(ctx, `INSERT INTO target_stats (target_id, workspace_id, followers, followers_at)
		SELECT t.id, t.workspace_id, $1, $2 FROM targets t
		WHERE t.workspace_id = $3 AND t.id = ANY($4) AND t.state = 'published' AND t.published_at IS NOT NULL
		ON CONFLICT (target_id) DO UPDATE SET followers = excluded.followers, followers_at = excluded.followers_at
		WHERE target_stats.followers_at IS NULL
			OR abs(extract(epoch FROM target_stats.followers_at - (SELECT published_at FROM targets WHERE id = target_stats.target_id)))
				> abs(extract(epoch FROM excluded.followers_at - (SELECT published_at FROM targets WHERE id = target_stats.target_id)))`,
		followers, at.UTC().Truncate(time.Microsecond), workspaceID, targetIDs)
	return dbErr("set target followers", err)
}

// ListTargetStats returns the workspace's targets published in [from, to).
func (s store) ListTargetStats(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.TargetStats, error) {
	rows, err := s.q.Query(ctx, `SELECT t.id, t.post_id, coalesce(p.campaign_id, 0), t.account_id, a.platform, t.published_at,
			s.measured_at IS NOT NULL, coalesce(s.likes, -1), coalesce(s.reposts, -1), coalesce(s.replies, -1),
			coalesce(s.quotes, -1), coalesce(s.impressions, -1), coalesce(s.followers, -1),
			coalesce(s.tracked, false), coalesce(s.clicks, 0), coalesce(s.unique_clicks, 0), coalesce(s.conversions, 0), coalesce(s.revenue_cents, 0)
		FROM targets t JOIN accounts a ON a.id = t.account_id JOIN posts p ON p.id = t.post_id
		LEFT JOIN target_stats s ON s.target_id = t.id
		WHERE t.workspace_id = $1 AND t.state = 'published' AND t.published_at >= $2 AND t.published_at < $3
		ORDER BY t.published_at, t.id`, workspaceID, from, to)
	if err != nil {
		return nil, dbErr("list target stats", err)
	}
	out, err := collect(rows, func(r scanner) (herald.TargetStats, error) {
		var t herald.TargetStats
		err := r.Scan(&t.TargetID, &t.PostID, &t.CampaignID, &t.AccountID, &t.Platform, &t.PublishedAt, &t.Measured, &t.Likes,
			&t.Reposts, &t.Replies, &t.Quotes, &t.Impressions, &t.Followers,
			&t.Tracked, &t.Clicks, &t.UniqueClicks, &t.Conversions, &t.Revenue)
		t.PublishedAt = t.PublishedAt.UTC()
		return t, err
	})
	if err != nil || len(out) == 0 {
		return out, dbErr("list target stats", err)
	}
	// The posts' labels, in a second read rather than one subquery a row.
	lrows, err := s.q.Query(ctx, `SELECT pl.post_id, pl.label_id FROM post_labels pl
		WHERE pl.workspace_id = $1 AND pl.post_id IN (SELECT t.post_id FROM targets t WHERE t.workspace_id = $1
			AND t.state = 'published' AND t.published_at >= $2 AND t.published_at < $3)
		ORDER BY pl.post_id, pl.label_id`, workspaceID, from, to)
	if err != nil {
		return nil, dbErr("list target stats: labels", err)
	}
	pairs, err := collect(lrows, func(r scanner) ([2]int64, error) {
		var pr [2]int64
		err := r.Scan(&pr[0], &pr[1])
		return pr, err
	})
	if err != nil {
		return nil, dbErr("list target stats: labels", err)
	}
	herald.AttachLabels(out, pairs)
	return out, nil
}
