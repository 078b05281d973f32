package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// GetInboxTarget returns the workspace's response target (off when none).
func (s *store) GetInboxTarget(ctx context.Context, workspaceID int64) (herald.InboxTarget, error) {
	t := herald.InboxTarget{WorkspaceID: workspaceID, Days: []int{}}
	var days string
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT first_response_minutes, always, days, start_minute, end_minute, updated_at
		FROM inbox_targets WHERE workspace_id = ?`, workspaceID).Scan(&t.FirstResponseMinutes, &t.Always, &days,
		&t.StartMinute, &t.EndMinute, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("sqlite: get inbox target: %w", err)
	}
	t.UpdatedAt = fromMicros(updated)
	for f := range strings.SplitSeq(days, ",") {
		if d, err := strconv.Atoi(f); err == nil {
			t.Days = append(t.Days, d)
		}
	}
	return t, nil
}

// SetInboxTarget saves the workspace's response target.
func (s *store) SetInboxTarget(ctx context.Context, t *herald.InboxTarget) error {
	t.UpdatedAt = stamp(t.UpdatedAt)
	days := make([]string, len(t.Days))
	for i, d := range t.Days {
		days[i] = strconv.Itoa(d)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO inbox_targets (workspace_id, first_response_minutes, always, days,
		start_minute, end_minute, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET first_response_minutes = excluded.first_response_minutes,
			always = excluded.always, days = excluded.days, start_minute = excluded.start_minute,
			end_minute = excluded.end_minute, updated_at = excluded.updated_at`,
		t.WorkspaceID, t.FirstResponseMinutes, t.Always, strings.Join(days, ","), t.StartMinute, t.EndMinute,
		micros(t.UpdatedAt))
	return dbErr(err, "set inbox target", "", "the workspace does not exist")
}

// SetInboxDue sets the items' due times.
func (s *store) SetInboxDue(ctx context.Context, workspaceID int64, due map[int64]*time.Time) error {
	// One prepared statement per item: SQLite's UPDATE … FROM json_each
	// would scan the table for each row.
	return s.atomic(ctx, func(q querier) error {
		for id, at := range due {
			if _, err := q.ExecContext(ctx, `UPDATE inbox_items SET due_at = ? WHERE workspace_id = ? AND id = ?`,
				microsOrNil(at), workspaceID, id); err != nil {
				return fmt.Errorf("sqlite: set inbox due: %w", err)
			}
		}
		return nil
	})
}

// ListInboxAwaiting returns the items not done and not answered.
func (s *store) ListInboxAwaiting(ctx context.Context, workspaceID int64, limit int) ([]herald.InboxItem, error) {
	return listRows(ctx, s, "awaiting inbox", `SELECT `+inboxCols+` FROM inbox_items WHERE workspace_id = ?
		AND state <> 'done' AND first_response_at IS NULL ORDER BY id DESC LIMIT ?`, []any{workspaceID, limit},
		scanInboxItem)
}

// ListInboxOverdue returns the items past due and not yet told.
func (s *store) ListInboxOverdue(ctx context.Context, now time.Time, limit int) ([]herald.InboxItem, error) {
	return listRows(ctx, s, "overdue inbox", `SELECT `+inboxCols+` FROM inbox_items WHERE due_at IS NOT NULL
		AND first_response_at IS NULL AND overdue_notified_at IS NULL AND state <> 'done' AND due_at <= ?
		ORDER BY due_at, id LIMIT ?`, []any{micros(now), limit}, scanInboxItem)
}

// MarkInboxOverdueNotified records that the items' lateness was told.
func (s *store) MarkInboxOverdueNotified(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{micros(at)}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE inbox_items SET overdue_notified_at = ? WHERE id IN (`+
		placeholders(len(ids))+`)`, args...)
	if err != nil {
		return fmt.Errorf("sqlite: mark inbox overdue: %w", err)
	}
	return nil
}

// InboxReportRows returns the workspace's items created in [from, to).
func (s *store) InboxReportRows(ctx context.Context, workspaceID int64, from, to time.Time) ([]herald.InboxReportRow, error) {
	return listRows(ctx, s, "inbox report", `SELECT i.id, i.account_id, i.direct, i.target_id IS NOT NULL, i.sentiment,
		i.state, i.created_at, i.first_response_at,
		coalesce((SELECT r.user_id FROM inbox_replies r WHERE r.item_id = i.id AND r.state = 'sent'
			ORDER BY r.sent_at, r.id LIMIT 1), 0),
		CASE WHEN i.state = 'done' THEN i.state_changed_at END
		FROM inbox_items i WHERE i.workspace_id = ? AND i.created_at >= ? AND i.created_at < ? ORDER BY i.created_at, i.id`,
		[]any{workspaceID, micros(from), micros(to)}, func(sc scanner) (herald.InboxReportRow, error) {
			var r herald.InboxReportRow
			var created int64
			var responded, done sql.NullInt64
			err := sc.Scan(&r.ItemID, &r.AccountID, &r.Direct, &r.Reply, &r.Sentiment, &r.State, &created, &responded,
				&r.FirstResponder, &done)
			r.CreatedAt, r.FirstResponseAt, r.DoneAt = fromMicros(created), fromNullMicros(responded), fromNullMicros(done)
			return r, err
		})
}
