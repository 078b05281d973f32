package postgres

import (
	"context"
	"time"
)

// ClaimInboxStream leases the account's stream to holder.
func (s store) ClaimInboxStream(ctx context.Context, accountID int64, holder string, until, now time.Time) (bool, error) {
	tag, err := s.q.Exec(ctx, `INSERT INTO inbox_streams (account_id, holder, lease_until) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
		WHERE inbox_streams.holder = excluded.holder OR inbox_streams.lease_until <= $4`,
		accountID, holder, until, now)
	if err != nil {
		return false, dbErr("claim inbox stream", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseInboxStream frees the account's stream if holder has it.
func (s store) ReleaseInboxStream(ctx context.Context, accountID int64, holder string) error {
	_, err := s.q.Exec(ctx, `DELETE FROM inbox_streams WHERE account_id = $1 AND holder = $2`, accountID, holder)
	return dbErr("release inbox stream", err)
}
