package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// AddMetricSnapshots stores snapshots in one transaction.
func (s store) AddMetricSnapshots(ctx context.Context, snaps []herald.MetricSnapshot) error {
	if len(snaps) == 0 {
		return nil
	}
	return s.atomic(ctx, func(s store) error {
		for i := range snaps {
			m := &snaps[i]
			stamp(&m.At)
			// Selected from the target, so that a snapshot never lands in
			// another workspace than its target's.
			err := s.q.QueryRow(ctx, `INSERT INTO metric_snapshots (workspace_id, target_id, at, likes, reposts,
				replies, quotes, impressions) SELECT workspace_id, id, $3, $4, $5, $6, $7, $8 FROM targets
				WHERE workspace_id = $1 AND id = $2 RETURNING id`,
				m.WorkspaceID, m.TargetID, m.At, m.Likes, m.Reposts, m.Replies, m.Quotes, m.Impressions).Scan(&m.ID)
			if errors.Is(err, pgx.ErrNoRows) {
				return herald.Errorf(herald.CodeConflict, "target %d is not a target of workspace %d: it has no snapshots there",
					m.TargetID, m.WorkspaceID)
			}
			if err != nil {
				return dbErr("add metric snapshot", err)
			}
			// The target's latest counts, for the analytics pages. A first
			// reading also takes the followers of the account's last daily
			// snapshot before publishing, until a closer reading is set.
			_, err = s.q.Exec(ctx, `INSERT INTO target_stats (target_id, workspace_id, measured_at, likes, reposts,
					replies, quotes, impressions, followers, followers_at)
				SELECT t.id, t.workspace_id, $3, $4, $5, $6, $7, $8, a.followers, a.at FROM targets t
				LEFT JOIN LATERAL (SELECT l.followers, l.at FROM account_snapshots l
					WHERE l.account_id = t.account_id AND l.at <= t.published_at ORDER BY l.day DESC LIMIT 1) a ON true
				WHERE t.workspace_id = $1 AND t.id = $2
				ON CONFLICT (target_id) DO UPDATE SET measured_at = excluded.measured_at, likes = excluded.likes,
					reposts = excluded.reposts, replies = excluded.replies, quotes = excluded.quotes,
					impressions = excluded.impressions
				WHERE target_stats.measured_at IS NULL OR excluded.measured_at >= target_stats.measured_at`,
				m.WorkspaceID, m.TargetID, m.At, m.Likes, m.Reposts, m.Replies, m.Quotes, m.Impressions)
			if err != nil {
				return dbErr("add metric snapshot: latest counts", err)
			}
		}
		return nil
	})
}

func scanSnapshot(r scanner) (herald.MetricSnapshot, error) {
	var m herald.MetricSnapshot
	err := r.Scan(&m.ID, &m.WorkspaceID, &m.TargetID, &m.At, &m.Likes, &m.Reposts, &m.Replies, &m.Quotes, &m.Impressions)
	return m, err
}

// ListMetricSnapshots returns a target's snapshots, oldest first.
func (s store) ListMetricSnapshots(ctx context.Context, workspaceID, targetID int64) ([]herald.MetricSnapshot, error) {
	rows, err := s.q.Query(ctx, `SELECT id, workspace_id, target_id, at, likes, reposts, replies, quotes,
		impressions FROM metric_snapshots WHERE workspace_id = $1 AND target_id = $2 ORDER BY at, id`, workspaceID, targetID)
	if err != nil {
		return nil, dbErr("list metric snapshots", err)
	}
	out, err := collect(rows, scanSnapshot)
	return out, dbErr("list metric snapshots", err)
}

// TargetsDueForMetrics returns published targets whose next snapshot is due.
func (s store) TargetsDueForMetrics(ctx context.Context, now time.Time, platforms []herald.Platform, limit int) ([]herald.Target, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the number of targets to measure must be at least 1, not %d", limit),
			Details: []herald.FieldProblem{{Field: "limit", Problem: "must be at least 1"}}}
	}
	if len(platforms) == 0 {
		return []herald.Target{}, nil
	}
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = string(p)
	}
	rows, err := s.q.Query(ctx, `SELECT `+targetCols+` FROM (
		SELECT t.*,
			CASE
				WHEN $1::timestamptz - t.published_at >= interval '1 day' THEN t.published_at
					+ floor(extract(epoch FROM ($1::timestamptz - t.published_at)) / 86400) * interval '1 day'
				WHEN $1::timestamptz - t.published_at >= interval '6 hours' THEN t.published_at + interval '6 hours'
				WHEN $1::timestamptz - t.published_at >= interval '1 hour' THEN t.published_at + interval '1 hour'
				ELSE t.published_at + interval '10 minutes'
			END AS milestone,
			(SELECT max(m.at) FROM metric_snapshots m WHERE m.target_id = t.id) AS last_at
		FROM targets t JOIN accounts a ON a.id = t.account_id
		WHERE t.state = 'published' AND t.published_at IS NOT NULL
			AND t.published_at >= $1::timestamptz - make_interval(secs => $2)
			AND t.published_at <= $1::timestamptz - interval '10 minutes' AND t.remote_id <> ''
			AND t.remote_deleted_at IS NULL
			AND a.status IN ('connected', 'expiring') AND a.credentials IS NOT NULL AND length(a.credentials) > 0
			AND a.platform = ANY($4)
	) d WHERE last_at IS NULL OR last_at < milestone
	ORDER BY milestone, id LIMIT $3`, now, herald.MetricsWindow.Seconds(), limit, names)
	if err != nil {
		return nil, dbErr("targets due for metrics", err)
	}
	out, err := collect(rows, scanTarget)
	return out, dbErr("targets due for metrics", err)
}
