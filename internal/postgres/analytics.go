package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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

// AccountSnapshotsBefore returns each account's last snapshot before at.
func (s store) AccountSnapshotsBefore(ctx context.Context, workspaceID, accountID int64, at time.Time) (map[int64]herald.AccountSnapshot, error) {
	// The day bounds the search: a snapshot's day is its time's.
	rows, err := s.q.Query(ctx, `SELECT l.workspace_id, l.account_id, l.at, l.followers, l.following, l.posts
		FROM accounts a CROSS JOIN LATERAL (SELECT * FROM account_snapshots s WHERE s.account_id = a.id
			AND s.day <= $3 AND s.at < $4 ORDER BY s.day DESC LIMIT 1) l
		WHERE a.workspace_id = $1 AND ($2 = 0 OR a.id = $2)`, workspaceID, accountID, herald.UnixDay(at), at)
	if err != nil {
		return nil, dbErr("account snapshots before", err)
	}
	list, err := collect(rows, scanAccountSnapshot)
	if err != nil {
		return nil, dbErr("account snapshots before", err)
	}
	out := make(map[int64]herald.AccountSnapshot, len(list))
	for _, a := range list {
		out[a.AccountID] = a
	}
	return out, nil
}

// ListTargetStats returns the workspace's targets published in [from, to).
func (s store) ListTargetStats(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.TargetStats, error) {
	return s.listTargetStats(ctx, workspaceID, from, to, true)
}

// ListTargetStatsUnlabelled is ListTargetStats without the labels.
func (s store) ListTargetStatsUnlabelled(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.TargetStats, error) {
	return s.listTargetStats(ctx, workspaceID, from, to, false)
}

// maxStatSpans bounds the spans a period's published targets are counted
// in (see listTargetStats).
const maxStatSpans = 512

// snapshot runs fn on one snapshot of the database: in a read-only
// repeatable-read transaction, or in the current transaction.
func (s store) snapshot(ctx context.Context, fn func(q querier) error) error {
	pool, ok := s.q.(*pgxpool.Pool)
	if !ok {
		return fn(s.q)
	}
	return pgx.BeginTxFunc(ctx, pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error { return fn(tx) })
}

// listTargetStats reads the rows of target_stats published in [from, to)
// (see 00050), in one snapshot. Published targets without such a row are
// found span by span (a day, or longer when the period has more than
// maxStatSpans days): a span where more targets were published than it has
// rows is read again through targets, for the targets that have none.
func (s store) listTargetStats(ctx context.Context, workspaceID int64, from, to time.Time, labels bool) ([]herald.TargetStats, error) {
	out := []herald.TargetStats{}
	from, to = from.UTC().Truncate(time.Microsecond), to.UTC().Truncate(time.Microsecond)
	if !to.After(from) {
		return out, nil
	}
	// Spans in microseconds, as PostgreSQL keeps times (a time.Duration
	// would not hold a period of more than 292 years).
	lo, hi := from.UnixMicro(), to.UnixMicro()
	width := max(int64(24*time.Hour/time.Microsecond), (hi-lo+maxStatSpans-1)/maxStatSpans)
	var los, his []time.Time
	for l := lo; l < hi; l += width {
		los, his = append(los, time.UnixMicro(l).UTC()), append(his, time.UnixMicro(min(l+width, hi)).UTC())
	}
	err := s.snapshot(ctx, func(q querier) error {
		platforms, err := accountPlatforms(ctx, q, workspaceID)
		if err != nil {
			return err
		}
		rows, err := q.Query(ctx, `SELECT (SELECT count(*) FROM targets t WHERE t.workspace_id = $1
				AND t.published_at >= g.lo AND t.published_at < g.hi)
			FROM unnest($2::timestamptz[], $3::timestamptz[]) WITH ORDINALITY AS g(lo, hi, i) ORDER BY g.i`,
			workspaceID, los, his)
		if err != nil {
			return dbErr("list target stats: count", err)
		}
		published, err := collect(rows, func(r scanner) (int, error) {
			var n int
			err := r.Scan(&n)
			return n, err
		})
		if err != nil {
			return dbErr("list target stats: count", err)
		}
		if len(published) != len(los) {
			return fmt.Errorf("postgres: list target stats: %d spans counted, want %d", len(published), len(los))
		}
		total := 0
		for _, n := range published {
			total += n
		}
		rows, err = q.Query(ctx, `SELECT s.target_id, s.post_id, coalesce(s.campaign_id, 0), s.account_id,
				s.published_at, s.measured_at IS NOT NULL, s.likes, s.reposts, s.replies, s.quotes, s.impressions,
				coalesce(s.followers, -1), s.tracked, s.clicks, s.unique_clicks, s.conversions, s.revenue_cents
			FROM target_stats s WHERE s.workspace_id = $1 AND s.published_at >= $2 AND s.published_at < $3
			ORDER BY s.published_at, s.target_id`, workspaceID, from, to)
		if out, err = appendTargetStats(make([]herald.TargetStats, 0, total), rows, err, platforms); err != nil {
			return err
		}
		// The spans where published targets have no row, from the first
		// to the last.
		for _, t := range out {
			published[(t.PublishedAt.UnixMicro()-lo)/width]--
		}
		first, last := -1, -1
		for i, n := range published {
			if n != 0 && first < 0 {
				first = i
			}
			if n != 0 {
				last = i
			}
		}
		if first >= 0 {
			rows, err := q.Query(ctx, `SELECT t.id, t.post_id, coalesce(p.campaign_id, 0), t.account_id,
					t.published_at, s.measured_at IS NOT NULL, coalesce(s.likes, -1), coalesce(s.reposts, -1),
					coalesce(s.replies, -1), coalesce(s.quotes, -1), coalesce(s.impressions, -1), coalesce(s.followers, -1),
					coalesce(s.tracked, false), coalesce(s.clicks, 0), coalesce(s.unique_clicks, 0),
					coalesce(s.conversions, 0), coalesce(s.revenue_cents, 0)
				FROM targets t JOIN posts p ON p.id = t.post_id LEFT JOIN target_stats s ON s.target_id = t.id
				WHERE t.workspace_id = $1 AND t.published_at >= $2 AND t.published_at < $3
					AND NOT EXISTS (SELECT 1 FROM target_stats x WHERE x.target_id = t.id AND x.workspace_id = $1
						AND x.published_at >= $4 AND x.published_at < $5)
					AND t.state = 'published'
				ORDER BY t.published_at, t.id`, workspaceID, los[first], his[last], from, to)
			missing, err := appendTargetStats(nil, rows, err, platforms)
			if err != nil {
				return err
			}
			out = mergeTargetStats(out, missing)
		}
		if labels && len(out) > 0 {
			return attachLabels(ctx, q, workspaceID, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// accountPlatforms returns the platform of each of the workspace's
// accounts, by id.
func accountPlatforms(ctx context.Context, q querier, workspaceID int64) (map[int64]herald.Platform, error) {
	rows, err := q.Query(ctx, `SELECT id, platform FROM accounts WHERE workspace_id = $1`, workspaceID)
	if err != nil {
		return nil, dbErr("list target stats: accounts", err)
	}
	defer rows.Close()
	out := map[int64]herald.Platform{}
	for rows.Next() {
		var id int64
		var p herald.Platform
		if err := rows.Scan(&id, &p); err != nil {
			return nil, dbErr("list target stats: accounts", err)
		}
		out[id] = p
	}
	return out, dbErr("list target stats: accounts", rows.Err())
}

// appendTargetStats appends the rows of a target stats query (or returns
// its error), each scanned in place, with its account's platform.
func appendTargetStats(out []herald.TargetStats, rows pgx.Rows, err error, platforms map[int64]herald.Platform) ([]herald.TargetStats, error) {
	if err != nil {
		return nil, dbErr("list target stats", err)
	}
	defer rows.Close()
	for rows.Next() {
		out = append(out, herald.TargetStats{})
		t := &out[len(out)-1]
		if err := rows.Scan(&t.TargetID, &t.PostID, &t.CampaignID, &t.AccountID, &t.PublishedAt, &t.Measured, &t.Likes,
			&t.Reposts, &t.Replies, &t.Quotes, &t.Impressions, &t.Followers,
			&t.Tracked, &t.Clicks, &t.UniqueClicks, &t.Conversions, &t.Revenue); err != nil {
			return nil, dbErr("list target stats", err)
		}
		t.PublishedAt = t.PublishedAt.UTC()
		t.Platform = platforms[t.AccountID]
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list target stats", err)
	}
	return out, nil
}

// mergeTargetStats merges b into a, both by publishing time then id, in
// a's spare capacity when it has enough.
func mergeTargetStats(a, b []herald.TargetStats) []herald.TargetStats {
	if len(b) == 0 {
		return a
	}
	i, j := len(a)-1, len(b)-1
	out := slices.Grow(a, len(b))[:len(a)+len(b)]
	for k := len(out) - 1; j >= 0; k-- {
		if i >= 0 && targetStatsAfter(a[i], b[j]) {
			out[k] = a[i]
			i--
		} else {
			out[k] = b[j]
			j--
		}
	}
	return out
}

// targetStatsAfter reports whether a comes after b by publishing time then id.
func targetStatsAfter(a, b herald.TargetStats) bool {
	if c := a.PublishedAt.Compare(b.PublishedAt); c != 0 {
		return c > 0
	}
	return a.TargetID > b.TargetID
}

// attachLabels sets the labels of the targets' posts. It reads the labels
// of the workspace's posts in the range of the targets' post ids, which
// are close for a period's posts (written shortly before they went out),
// and at worst every label: finding each post's instead takes longer,
// whether through an array (PostgreSQL plans "= ANY" over 25,000 ids
// slowly) or by joining target_stats again (every label is read then).
func attachLabels(ctx context.Context, q querier, workspaceID int64, stats []herald.TargetStats) error {
	lo, hi := stats[0].PostID, stats[0].PostID
	for _, t := range stats {
		lo, hi = min(lo, t.PostID), max(hi, t.PostID)
	}
	rows, err := q.Query(ctx, `SELECT post_id, label_id FROM post_labels
		WHERE workspace_id = $1 AND post_id >= $2 AND post_id <= $3 ORDER BY post_id, label_id`, workspaceID, lo, hi)
	if err != nil {
		return dbErr("list target stats: labels", err)
	}
	pairs, err := collect(rows, func(r scanner) ([2]int64, error) {
		var pr [2]int64
		err := r.Scan(&pr[0], &pr[1])
		return pr, err
	})
	if err != nil {
		return dbErr("list target stats: labels", err)
	}
	herald.AttachLabels(stats, pairs)
	return nil
}
