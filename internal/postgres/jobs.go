package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// AccountsToRefresh returns up to limit connected or expiring accounts of
// any workspace, with credentials, whose token expires before before,
// soonest first.
func (s store) AccountsToRefresh(ctx context.Context, before time.Time, limit int) ([]herald.Account, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the number of accounts to refresh must be at least 1, not %d", limit),
			Details: []herald.FieldProblem{{Field: "limit", Problem: "must be at least 1"}}}
	}
	rows, err := s.q.Query(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE status IN ($1, $2) AND token_expires_at IS NOT NULL AND token_expires_at < $3
			AND credentials IS NOT NULL AND length(credentials) > 0
		ORDER BY token_expires_at, id LIMIT $4`,
		herald.AccountConnected, herald.AccountExpiring, before, limit)
	if err != nil {
		return nil, dbErr("accounts to refresh", err)
	}
	out, err := collect(rows, scanAccount)
	return out, dbErr("accounts to refresh", err)
}
