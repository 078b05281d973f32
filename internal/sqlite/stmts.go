package sqlite

import (
	"context"
	"database/sql"
)

// stmts is a querier that prepares each statement once and reuses it for
// the calls of one transaction: database/sql prepares a statement anew for
// every call otherwise, and modernc.org/sqlite compiles it each time, which
// dominates a batch of many small inserts (a listening batch: hundreds of
// rows). close releases the statements.
type stmts struct {
	q  querier
	ps map[string]*sql.Stmt
}

// preparer is a querier that can prepare (a transaction, a connection).
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func newStmts(q querier) *stmts { return &stmts{q: q, ps: map[string]*sql.Stmt{}} }

// stmt returns the prepared statement of query, nil when it cannot be
// prepared (the call then goes to the querier, which reports the error).
func (s *stmts) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := s.ps[query]; ok {
		return st
	}
	p, ok := s.q.(preparer)
	if !ok {
		return nil
	}
	st, err := p.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s.ps[query] = st
	return st
}

func (s *stmts) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.q.ExecContext(ctx, query, args...)
}

func (s *stmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.q.QueryContext(ctx, query, args...)
}

func (s *stmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return s.q.QueryRowContext(ctx, query, args...)
}

// close releases the prepared statements.
func (s *stmts) close() {
	for _, st := range s.ps {
		_ = st.Close()
	}
	clear(s.ps)
}
