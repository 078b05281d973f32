package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// InboxSchedule returns the accounts' inbox sync schedules.
func (s *store) InboxSchedule(ctx context.Context, accountIDs []int64) (map[int64]herald.InboxSync, error) {
	out := make(map[int64]herald.InboxSync, len(accountIDs))
	for start := 0; start < len(accountIDs); start += 500 {
		ids := accountIDs[start:min(start+500, len(accountIDs))]
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := s.r.QueryContext(ctx, `SELECT account_id, next_at, active_until FROM inbox_sync
			WHERE account_id IN (`+placeholders(len(ids))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("sqlite: inbox schedule: %w", err)
		}
		for rows.Next() {
			var x herald.InboxSync
			var next int64
			var active sql.NullInt64
			if err := rows.Scan(&x.AccountID, &next, &active); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sqlite: inbox schedule: %w", err)
			}
			x.NextAt, x.ActiveUntil = fromMicros(next), fromNullMicros(active)
			out[x.AccountID] = x
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("sqlite: inbox schedule: %w", err)
		}
	}
	return out, nil
}

// SetInboxSync saves an account's inbox sync schedule.
func (s *store) SetInboxSync(ctx context.Context, x herald.InboxSync) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO inbox_sync (account_id, next_at, active_until) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET next_at = excluded.next_at, active_until = excluded.active_until`,
		x.AccountID, micros(stamp(x.NextAt)), microsOrNil(stampPtr(x.ActiveUntil)))
	return dbErr(err, "set inbox sync", "", "the account does not exist")
}
