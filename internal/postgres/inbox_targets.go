package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// GetInboxTarget returns the workspace's response target (off when none).
func (s store) GetInboxTarget(ctx context.Context, workspaceID int64) (herald.InboxTarget, error) {
	t := herald.InboxTarget{WorkspaceID: workspaceID, Days: []int{}}
	var days []int32
	err := s.q.QueryRow(ctx, `SELECT first_response_minutes, always, days, start_minute, end_minute, updated_at
		FROM inbox_targets WHERE workspace_id = $1`, workspaceID).Scan(&t.FirstResponseMinutes, &t.Always, &days,
		&t.StartMinute, &t.EndMinute, &t.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, nil
	}
	if err != nil {
		return t, dbErr("get inbox target", err)
	}
	t.UpdatedAt = t.UpdatedAt.UTC()
	for _, d := range days {
		t.Days = append(t.Days, int(d))
	}
	return t, nil
}

// SetInboxTarget saves the workspace's response target.
func (s store) SetInboxTarget(ctx context.Context, t *herald.InboxTarget) error {
	t.UpdatedAt = stamp(&t.UpdatedAt).UTC()
	days := make([]int32, len(t.Days))
	for i, d := range t.Days {
		days[i] = int32(d)
	}
	_, err := s.q.Exec(ctx, `INSERT INTO inbox_targets (workspace_id, first_response_minutes, always, days,
		start_minute, end_minute, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (workspace_id) DO UPDATE SET first_response_minutes = excluded.first_response_minutes,
			always = excluded.always, days = excluded.days, start_minute = excluded.start_minute,
			end_minute = excluded.end_minute, updated_at = excluded.updated_at`,
		t.WorkspaceID, t.FirstResponseMinutes, t.Always, days, t.StartMinute, t.EndMinute, t.UpdatedAt)
	return dbErr("set inbox target", err)
}

// SetInboxDue sets the items' due times.
func (s store) SetInboxDue(ctx context.Context, workspaceID int64, due map[int64]*time.Time) error {
	if len(due) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(due))
	ats := make([]*time.Time, 0, len(due))
	for id, at := range due {
		ids, ats = append(ids, id), append(ats, at)
	}
	_, err := s.q.Exec(ctx, `UPDATE inbox_items i SET due_at = d.at
		FROM unnest($2::bigint[], $3::timestamptz[]) AS d (id, at) WHERE i.workspace_id = $1 AND i.id = d.id`,
		workspaceID, ids, ats)
	return dbErr("set inbox due", err)
}

// ListInboxAwaiting returns the items not done and not answered.
func (s store) ListInboxAwaiting(ctx context.Context, workspaceID int64, limit int) ([]herald.InboxItem, error) {
	rows, err := s.q.Query(ctx, `SELECT `+inboxCols+` FROM inbox_items WHERE workspace_id = $1
		AND state <> 'done' AND first_response_at IS NULL ORDER BY id DESC LIMIT $2`, workspaceID, limit)
	if err != nil {
		return nil, dbErr("list awaiting inbox", err)
	}
	out, err := collect(rows, scanInboxItem)
	return out, dbErr("list awaiting inbox", err)
}

// ListInboxOverdue returns the items past due and not yet told.
func (s store) ListInboxOverdue(ctx context.Context, now time.Time, limit int) ([]herald.InboxItem, error) {
	rows, err := s.q.Query(ctx, `SELECT `+inboxCols+` FROM inbox_items WHERE due_at IS NOT NULL
		AND first_response_at IS NULL AND overdue_notified_at IS NULL AND state <> 'done' AND due_at <= $1
		ORDER BY due_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, dbErr("list overdue inbox", err)
	}
	out, err := collect(rows, scanInboxItem)
	return out, dbErr("list overdue inbox", err)
}

// MarkInboxOverdueNotified records that the items' lateness was told.
func (s store) MarkInboxOverdueNotified(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := s.q.Exec(ctx, `UPDATE inbox_items SET overdue_notified_at = $1 WHERE id = ANY($2)`, at, ids)
	return dbErr("mark inbox overdue", err)
}

// InboxReportRows returns the workspace's items created in [from, to).
func (s store) InboxReportRows(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.InboxReportRow, error) {
	rows, err := s.q.Query(ctx, `SELECT i.id, i.account_id, i.direct, i.target_id IS NOT NULL, i.sentiment,
		i.state, i.created_at, i.first_response_at,
		coalesce((SELECT r.user_id FROM inbox_replies r WHERE r.item_id = i.id AND r.state = 'sent'
			ORDER BY r.sent_at, r.id LIMIT 1), 0),
		CASE WHEN i.state = 'done' THEN i.state_changed_at END
		FROM inbox_items i WHERE i.workspace_id = $1 AND i.created_at >= $2 AND i.created_at < $3
		ORDER BY i.created_at, i.id`, workspaceID, from, to)
	if err != nil {
		return nil, dbErr("inbox report", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.InboxReportRow, error) {
		var r herald.InboxReportRow
		err := sc.Scan(&r.ItemID, &r.AccountID, &r.Direct, &r.Reply, &r.Sentiment, &r.State, &r.CreatedAt,
			&r.FirstResponseAt, &r.FirstResponder, &r.DoneAt)
		r.CreatedAt = r.CreatedAt.UTC()
		return r, err
	})
	return out, dbErr("inbox report", err)
}
