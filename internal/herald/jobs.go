package herald

import (
	"context"
	"time"
)

// JobStore is what Herald's background jobs (internal/jobs) need from a
// store beyond the per-workspace stores: queries across every workspace.
type JobStore interface {
	// AccountsToRefresh returns up to limit accounts of any workspace whose
	// status is connected or expiring, that have stored credentials, and
	// whose token expires before before: the soonest expiry first, then by
	// id. Accounts whose token never expires (no TokenExpiresAt) are never
	// returned. A limit below 1 is a CodeInvalid error.
	AccountsToRefresh(ctx context.Context, before time.Time, limit int) ([]Account, error)
}
