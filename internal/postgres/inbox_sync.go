package postgres

import (
	"context"

	"github.com/heraldsocial/herald/internal/herald"
)

// InboxSchedule returns the accounts' inbox sync schedules.
func (s store) InboxSchedule(ctx context.Context, accountIDs []int64) (map[int64]herald.InboxSync, error) {
	out := make(map[int64]herald.InboxSync, len(accountIDs))
	rows, err := s.q.Query(ctx, `SELECT account_id, next_at, active_until FROM inbox_sync WHERE account_id = ANY($1)`, accountIDs)
	if err != nil {
		return nil, dbErr("inbox schedule", err)
	}
	defer rows.Close()
	for rows.Next() {
		var x herald.InboxSync
		if err := rows.Scan(&x.AccountID, &x.NextAt, &x.ActiveUntil); err != nil {
			return nil, dbErr("inbox schedule", err)
		}
		out[x.AccountID] = x
	}
	return out, dbErr("inbox schedule", rows.Err())
}

// SetInboxSync saves an account's inbox sync schedule.
func (s store) SetInboxSync(ctx context.Context, x herald.InboxSync) error {
	_, err := s.q.Exec(ctx, `INSERT INTO inbox_sync (account_id, next_at, active_until) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET next_at = excluded.next_at, active_until = excluded.active_until`,
		x.AccountID, x.NextAt, x.ActiveUntil)
	return dbErr("set inbox sync", err)
}
