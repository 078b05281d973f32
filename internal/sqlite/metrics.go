package sqlite

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// AddMetricSnapshots stores snapshots in one transaction.
func (s *store) AddMetricSnapshots(ctx context.Context, snaps []herald.MetricSnapshot) error {
	if len(snaps) == 0 {
		return nil
	}
	return s.atomic(ctx, func(q querier) error {
		for i := range snaps {
			m := &snaps[i]
			m.At = stamp(m.At)
			err := q.QueryRowContext(ctx, `INSERT INTO metric_snapshots (workspace_id, target_id, at, likes, reposts,
				replies, quotes, impressions) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
				m.WorkspaceID, m.TargetID, micros(m.At), m.Likes, m.Reposts, m.Replies, m.Quotes, m.Impressions).Scan(&m.ID)
			if err != nil {
				return dbErr(err, "add metric snapshot", "",
					fmt.Sprintf("target %d does not exist in workspace %d", m.TargetID, m.WorkspaceID))
			}
			// The target's latest counts, for the analytics pages. A first
			// reading also takes the followers of the account's last daily
			// snapshot before publishing, until a closer reading is set.
			_, err = q.ExecContext(ctx, `INSERT INTO target_stats (target_id, workspace_id, measured_at, likes, reposts,
					replies, quotes, impressions, followers, followers_at)
				SELECT t.id, t.workspace_id, ?3, ?4, ?5, ?6, ?7, ?8, a.followers, a.at FROM targets t
				LEFT JOIN account_snapshots a ON a.account_id = t.account_id AND a.day = (SELECT max(l.day)
					FROM account_snapshots l WHERE l.account_id = t.account_id AND l.at <= t.published_at)
				WHERE t.workspace_id = ?1 AND t.id = ?2
				ON CONFLICT (target_id) DO UPDATE SET measured_at = excluded.measured_at, likes = excluded.likes,
					reposts = excluded.reposts, replies = excluded.replies, quotes = excluded.quotes,
					impressions = excluded.impressions
				WHERE target_stats.measured_at IS NULL OR excluded.measured_at >= target_stats.measured_at`,
				m.WorkspaceID, m.TargetID, micros(m.At), m.Likes, m.Reposts, m.Replies, m.Quotes, m.Impressions)
			if err != nil {
				return fmt.Errorf("sqlite: add metric snapshot: latest counts: %w", err)
			}
		}
		return nil
	})
}

// ListMetricSnapshots returns a target's snapshots, oldest first.
func (s *store) ListMetricSnapshots(ctx context.Context, workspaceID, targetID int64) ([]herald.MetricSnapshot, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, workspace_id, target_id, at, likes, reposts, replies, quotes,
		impressions FROM metric_snapshots WHERE workspace_id = ? AND target_id = ? ORDER BY at, id`, workspaceID, targetID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list metric snapshots: %w", err)
	}
	defer rows.Close()
	out := []herald.MetricSnapshot{}
	for rows.Next() {
		var m herald.MetricSnapshot
		var at int64
		if err := rows.Scan(&m.ID, &m.WorkspaceID, &m.TargetID, &at, &m.Likes, &m.Reposts, &m.Replies, &m.Quotes,
			&m.Impressions); err != nil {
			return nil, fmt.Errorf("sqlite: list metric snapshots: %w", err)
		}
		m.At = fromMicros(at)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list metric snapshots: %w", err)
	}
	return out, nil
}

// Milestones in microseconds (see herald.MetricsMilestone).
const (
	usMinute = int64(time.Minute / time.Microsecond)
	usHour   = int64(time.Hour / time.Microsecond)
	usDay    = 24 * usHour
)

// TargetsDueForMetrics returns published targets whose next snapshot is due.
func (s *store) TargetsDueForMetrics(ctx context.Context, now time.Time, platforms []herald.Platform, limit int) ([]herald.Target, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the number of targets to measure must be at least 1, not %d", limit),
			Details: []herald.FieldProblem{{Field: "limit", Problem: "must be at least 1"}}}
	}
	if len(platforms) == 0 {
		return []herald.Target{}, nil
	}
	n := micros(now)
	window := int64(herald.MetricsWindow / time.Microsecond)
	args := []any{n, usDay, usHour, usMinute, window, limit}
	for _, p := range platforms {
		args = append(args, string(p))
	}
	in := make([]string, len(platforms))
	for i := range platforms {
		in[i] = "?" + strconv.Itoa(7+i)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+targetCols+` FROM (
		SELECT t.*,
			CASE
				WHEN ?1 - t.published_at >= ?2 THEN t.published_at + ((?1 - t.published_at) / ?2) * ?2
				WHEN ?1 - t.published_at >= 6 * ?3 THEN t.published_at + 6 * ?3
				WHEN ?1 - t.published_at >= ?3 THEN t.published_at + ?3
				ELSE t.published_at + 10 * ?4
			END AS milestone,
			(SELECT max(m.at) FROM metric_snapshots m WHERE m.target_id = t.id) AS last_at
		FROM targets t JOIN accounts a ON a.id = t.account_id
		WHERE t.state = 'published' AND t.published_at IS NOT NULL AND t.published_at >= ?1 - ?5
			AND t.published_at <= ?1 - 10 * ?4 AND t.remote_id != '' AND t.remote_deleted_at IS NULL
			AND a.status IN ('connected', 'expiring') AND a.credentials IS NOT NULL AND length(a.credentials) > 0
			AND a.platform IN (`+strings.Join(in, ", ")+`)
	) WHERE last_at IS NULL OR last_at < milestone
	ORDER BY milestone, id LIMIT ?6`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: targets due for metrics: %w", err)
	}
	defer rows.Close()
	out := []herald.Target{}
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: targets due for metrics: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: targets due for metrics: %w", err)
	}
	return out, nil
}
