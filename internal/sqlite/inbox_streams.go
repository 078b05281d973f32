package sqlite

import (
	"context"
	"fmt"
	"time"
)

// ClaimInboxStream leases the account's stream to holder.
func (s *store) ClaimInboxStream(ctx context.Context, accountID int64, holder string, until, now time.Time) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO inbox_streams (account_id, holder, lease_until) VALUES (?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE inbox_streams.holder = excluded.holder OR inbox_streams.lease_until <= ?`,
		accountID, holder, micros(until), micros(now))
	if err != nil {
		return false, dbErr(err, "claim inbox stream", "", "the account does not exist")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: claim inbox stream: %w", err)
	}
	return n == 1, nil
}

// ReleaseInboxStream frees the account's stream if holder has it.
func (s *store) ReleaseInboxStream(ctx context.Context, accountID int64, holder string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM inbox_streams WHERE account_id = ? AND holder = ?`, accountID,
		holder); err != nil {
		return fmt.Errorf("sqlite: release inbox stream: %w", err)
	}
	return nil
}
