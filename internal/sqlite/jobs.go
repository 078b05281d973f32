package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// AccountsToRefresh returns up to limit connected or expiring accounts of
// any workspace, with credentials, whose token expires before before,
// soonest first.
func (s *store) AccountsToRefresh(ctx context.Context, before time.Time, limit int) ([]herald.Account, error) {
	if limit < 1 {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the number of accounts to refresh must be at least 1, not %d", limit),
			Details: []herald.FieldProblem{{Field: "limit", Problem: "must be at least 1"}}}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE status IN (?, ?) AND token_expires_at IS NOT NULL AND token_expires_at < ?
			AND credentials IS NOT NULL AND length(credentials) > 0
		ORDER BY token_expires_at, id LIMIT ?`,
		string(herald.AccountConnected), string(herald.AccountExpiring), micros(before), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: accounts to refresh: %w", err)
	}
	defer rows.Close()
	out := []herald.Account{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: accounts to refresh: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: accounts to refresh: %w", err)
	}
	return out, nil
}
