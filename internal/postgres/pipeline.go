package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pipeline is the querier of a transaction begun by InTx. Inside a Whole
// transaction, statements whose only answer is success or failure (an
// audit entry, a transition record, a post's labels) are queued by
// deferExec instead of sent, and go out with the next statement that needs
// an answer, or at commit, in one round trip. A batch of thousands of
// posts then waits on the network about half as often.
//
// Nothing reads around the queue: every Exec, QueryRow, Query or Begin
// sends what is queued first, in order, so a read sees every write before
// it. A queued statement that fails fails the statement it went out with
// (with its own error, the first one), and as a Whole transaction is rolled
// back on any error, nothing of it is kept. Arguments of a queued
// statement are encoded when it is sent: callers pass values they do not
// change afterwards.
type pipeline struct {
	tx      pgx.Tx
	pending []queued
}

// queued is one deferred statement.
type queued struct {
	sql  string
	args []any
}

// queue queues a statement.
func (p *pipeline) queue(sql string, args []any) {
	p.pending = append(p.pending, queued{sql: sql, args: args})
}

// send starts a batch of the queued statements followed by last (when not
// empty), and reads the queued statements' results. It returns the batch,
// positioned at last's result, and the first queued statement's error.
func (p *pipeline) send(ctx context.Context, last string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, q := range p.pending {
		b.Queue(q.sql, q.args...)
	}
	n := len(p.pending)
	p.pending = p.pending[:0]
	if last != "" {
		b.Queue(last, args...)
	}
	br := p.tx.SendBatch(ctx, b)
	var first error
	for range n {
		if _, err := br.Exec(); err != nil && first == nil {
			first = fmt.Errorf("a statement sent with the next one: %w", err)
		}
	}
	return br, first
}

// flush sends what is queued, for commit or before a statement that
// cannot travel in a batch.
func (p *pipeline) flush(ctx context.Context) error {
	if len(p.pending) == 0 {
		return nil
	}
	br, err := p.send(ctx, "", nil)
	return errors.Join(err, br.Close())
}

// Exec runs sql after what is queued.
func (p *pipeline) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if len(p.pending) == 0 {
		return p.tx.Exec(ctx, sql, args...)
	}
	br, first := p.send(ctx, sql, args)
	tag, err := br.Exec()
	cerr := br.Close()
	if first != nil {
		return tag, first
	}
	if err != nil {
		return tag, err
	}
	return tag, cerr
}

// QueryRow runs sql after what is queued; its row is read when scanned.
func (p *pipeline) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if len(p.pending) == 0 {
		return p.tx.QueryRow(ctx, sql, args...)
	}
	br, first := p.send(ctx, sql, args)
	return &batchRow{br: br, row: br.QueryRow(), first: first}
}

// Query sends what is queued, then runs sql on its own: its rows are read
// while the caller iterates.
func (p *pipeline) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.tx.Query(ctx, sql, args...)
}

// Begin sends what is queued, then opens a savepoint.
func (p *pipeline) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := p.flush(ctx); err != nil {
		return nil, err
	}
	return p.tx.Begin(ctx)
}

// batchRow is the last row of a batch: scanning it closes the batch.
type batchRow struct {
	br    pgx.BatchResults
	row   pgx.Row
	first error
}

// Scan scans the row; a queued statement's error comes first.
func (r *batchRow) Scan(dest ...any) error {
	err := r.row.Scan(dest...)
	cerr := r.br.Close()
	switch {
	case r.first != nil:
		return r.first
	case err != nil:
		return err
	}
	return cerr
}

// deferExec runs sql, or inside a Whole transaction queues it to go out
// with the next statement (see pipeline).
func (s store) deferExec(ctx context.Context, sql string, args ...any) error {
	if p, ok := s.q.(*pipeline); ok && s.whole {
		p.queue(sql, args)
		return nil
	}
	_, err := s.q.Exec(ctx, sql, args...)
	return err
}
