package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// AccountSnapshotsBefore returns each account's last snapshot before at.
func (s *store) AccountSnapshotsBefore(ctx context.Context, workspaceID, accountID int64, at time.Time) (map[int64]herald.AccountSnapshot, error) {
	// The day bounds the search: a snapshot's day is its time's.
	rows, err := s.r.QueryContext(ctx, `SELECT s.workspace_id, s.account_id, s.at, s.followers, s.following, s.posts
		FROM accounts a JOIN account_snapshots s ON s.account_id = a.id AND s.day = (SELECT l.day
			FROM account_snapshots l WHERE l.account_id = a.id AND l.day <= ?3 AND l.at < ?4 ORDER BY l.day DESC LIMIT 1)
		WHERE a.workspace_id = ?1 AND (?2 = 0 OR a.id = ?2)`, workspaceID, accountID, herald.UnixDay(at), micros(at))
	if err != nil {
		return nil, fmt.Errorf("sqlite: account snapshots before: %w", err)
	}
	list, err := collectRows(rows, scanAccountSnapshot, "account snapshots before")
	if err != nil {
		return nil, err
	}
	out := make(map[int64]herald.AccountSnapshot, len(list))
	for _, a := range list {
		out[a.AccountID] = a
	}
	return out, nil
}

// ListTargetStats returns the workspace's targets published in [from, to).
func (s *store) ListTargetStats(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.TargetStats, error) {
	return s.listTargetStats(ctx, workspaceID, from, to, true)
}

// ListTargetStatsUnlabelled is ListTargetStats without the labels.
func (s *store) ListTargetStatsUnlabelled(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.TargetStats, error) {
	return s.listTargetStats(ctx, workspaceID, from, to, false)
}

// maxStatSpans bounds the spans a period's published targets are counted
// in (see listTargetStats).
const maxStatSpans = 512

// listTargetStats reads the rows of target_stats published in [from, to)
// (see 00050), in one snapshot. Published targets without such a row are
// found span by span (a day, or longer when the period has more than
// maxStatSpans days): a span where more targets were published than it has
// rows is read again through targets, for the targets that have none.
func (s *store) listTargetStats(ctx context.Context, workspaceID int64, from, to time.Time, labels bool) ([]herald.TargetStats, error) {
	out := []herald.TargetStats{}
	lo, hi := micros(from), micros(to)
	if hi <= lo {
		return out, nil
	}
	width := max(usDay, (hi-lo+maxStatSpans-1)/maxStatSpans)
	spans := int((hi - lo + width - 1) / width)
	err := s.readTx(ctx, func(q querier) error {
		platforms, err := accountPlatforms(ctx, q, workspaceID)
		if err != nil {
			return err
		}
		rows, err := q.QueryContext(ctx, `WITH RECURSIVE span(i, lo) AS (
				SELECT 0, ?2 UNION ALL SELECT i + 1, lo + ?3 FROM span WHERE lo + ?3 < ?4)
			SELECT (SELECT count(*) FROM targets t WHERE t.workspace_id = ?1 AND t.published_at >= span.lo
				AND t.published_at < min(span.lo + ?3, ?4) AND t.published_at IS NOT NULL)
			FROM span ORDER BY i`, workspaceID, lo, width, hi)
		if err != nil {
			return fmt.Errorf("sqlite: list target stats: count: %w", err)
		}
		published, err := collectRows(rows, func(sc scanner) (int, error) {
			var n int
			err := sc.Scan(&n)
			return n, err
		}, "list target stats: count")
		if err != nil {
			return err
		}
		if len(published) != spans {
			return fmt.Errorf("sqlite: list target stats: %d spans counted, want %d", len(published), spans)
		}
		total := 0
		for _, n := range published {
			total += n
		}
		rows, err = q.QueryContext(ctx, `SELECT s.target_id, s.post_id, coalesce(s.campaign_id, 0), s.account_id,
				s.published_at, s.measured_at IS NOT NULL, s.likes, s.reposts, s.replies, s.quotes, s.impressions,
				coalesce(s.followers, -1), s.tracked, s.clicks, s.unique_clicks, s.conversions, s.revenue_cents
			FROM target_stats s WHERE s.workspace_id = ?1 AND s.published_at >= ?2 AND s.published_at < ?3
			ORDER BY s.published_at, s.target_id`, workspaceID, lo, hi)
		if out, err = appendTargetStats(make([]herald.TargetStats, 0, total), rows, err, platforms); err != nil {
			return err
		}
		// The spans where published targets have no row, from the first
		// to the last.
		for _, t := range out {
			published[(micros(t.PublishedAt)-lo)/width]--
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
			rows, err := q.QueryContext(ctx, `SELECT t.id, t.post_id, coalesce(p.campaign_id, 0), t.account_id,
					t.published_at, s.measured_at IS NOT NULL, coalesce(s.likes, -1), coalesce(s.reposts, -1),
					coalesce(s.replies, -1), coalesce(s.quotes, -1), coalesce(s.impressions, -1), coalesce(s.followers, -1),
					coalesce(s.tracked, false), coalesce(s.clicks, 0), coalesce(s.unique_clicks, 0),
					coalesce(s.conversions, 0), coalesce(s.revenue_cents, 0)
				FROM targets t JOIN posts p ON p.id = t.post_id LEFT JOIN target_stats s ON s.target_id = t.id
				WHERE t.workspace_id = ?1 AND t.published_at >= ?2 AND t.published_at < ?3 AND t.published_at IS NOT NULL
					AND NOT EXISTS (SELECT 1 FROM target_stats x WHERE x.target_id = t.id AND x.workspace_id = ?1
						AND x.published_at >= ?4 AND x.published_at < ?5)
					AND t.state = 'published'
				ORDER BY t.published_at, t.id`,
				workspaceID, lo+int64(first)*width, min(lo+int64(last+1)*width, hi), lo, hi)
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
	rows, err := q.QueryContext(ctx, `SELECT id, platform FROM accounts WHERE workspace_id = ?`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list target stats: accounts: %w", err)
	}
	defer rows.Close()
	out := map[int64]herald.Platform{}
	for rows.Next() {
		var id int64
		var p herald.Platform
		if err := rows.Scan(&id, &p); err != nil {
			return nil, fmt.Errorf("sqlite: list target stats: accounts: %w", err)
		}
		out[id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list target stats: accounts: %w", err)
	}
	return out, nil
}

// appendTargetStats appends the rows of a target stats query (or returns
// its error), each scanned in place, with its account's platform. Every
// column is an integer: scanned as driver values, they skip database/sql's
// conversion by reflection, a fifth of the time of a large period.
func appendTargetStats(out []herald.TargetStats, rows *sql.Rows, err error, platforms map[int64]herald.Platform) ([]herald.TargetStats, error) {
	if err != nil {
		return nil, fmt.Errorf("sqlite: list target stats: %w", err)
	}
	defer rows.Close()
	var vals [17]any
	var dest [17]any
	for i := range vals {
		dest[i] = &vals[i]
	}
	var n [17]int64
	for rows.Next() {
		if err := rows.Scan(dest[:]...); err != nil {
			return nil, fmt.Errorf("sqlite: list target stats: %w", err)
		}
		for i, v := range vals {
			var ok bool
			if n[i], ok = v.(int64); !ok {
				return nil, fmt.Errorf("sqlite: list target stats: column %d is %T, not an integer", i, v)
			}
		}
		out = append(out, herald.TargetStats{TargetID: n[0], PostID: n[1], CampaignID: n[2], AccountID: n[3],
			Platform: platforms[n[3]], PublishedAt: fromMicros(n[4]), Measured: n[5] != 0, Likes: n[6], Reposts: n[7],
			Replies: n[8], Quotes: n[9], Impressions: n[10], Followers: n[11], Tracked: n[12] != 0, Clicks: n[13],
			UniqueClicks: n[14], Conversions: n[15], Revenue: n[16]})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list target stats: %w", err)
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
// and at worst every label: looking each post up takes longer. The
// workspace is compared as +workspace_id so that SQLite reads the range of
// the primary key, not every label of the workspace.
func attachLabels(ctx context.Context, q querier, workspaceID int64, stats []herald.TargetStats) error {
	lo, hi := stats[0].PostID, stats[0].PostID
	for _, t := range stats {
		lo, hi = min(lo, t.PostID), max(hi, t.PostID)
	}
	rows, err := q.QueryContext(ctx, `SELECT post_id, label_id FROM post_labels
		WHERE +workspace_id = ?1 AND post_id >= ?2 AND post_id <= ?3 ORDER BY post_id, label_id`, workspaceID, lo, hi)
	if err != nil {
		return fmt.Errorf("sqlite: list target stats: labels: %w", err)
	}
	pairs, err := collectRows(rows, func(sc scanner) ([2]int64, error) {
		var pr [2]int64
		err := sc.Scan(&pr[0], &pr[1])
		return pr, err
	}, "list target stats: labels")
	if err != nil {
		return err
	}
	herald.AttachLabels(stats, pairs)
	return nil
}
