// Package postgres is Herald's PostgreSQL store: a herald.Store over a pgx
// connection pool, with its schema as embedded goose migrations.
//
// Every store method is written once, against the small querier interface
// that both the pool and a pgx.Tx satisfy; DB runs each call on the pool (in
// its own transaction when it takes several statements) and InTx hands out
// the same methods bound to one transaction.
package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/herald"
)

// DefaultMaxConns is the pool size when the URL does not set pool_max_conns.
const DefaultMaxConns = 10

// DB is a Herald database on PostgreSQL. It is safe for concurrent use.
type DB struct {
	store
	pool *pgxpool.Pool
	log  *slog.Logger
	// inboxFeed is the shared listener behind WatchInbox (inbox_events.go).
	inboxFeed inboxFeed
}

var (
	_ herald.Store = (*DB)(nil)
	_ herald.Tx    = store{}
)

// Option configures Open and OpenConfig.
type Option func(*options)

type options struct {
	log *slog.Logger
}

// WithLogger sets the logger for migrations and other database events.
// Without it, nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) {
		if l != nil {
			o.log = l
		}
	}
}

// Open connects to the database at url (a postgres:// URL or a keyword/value
// connection string). The pool size comes from the URL's pool_max_conns, or
// DefaultMaxConns. Open checks the database answers; it does not migrate.
func Open(ctx context.Context, url string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password included: keep it out.
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: "the PostgreSQL URL is not valid; use the form postgres://user:password@host:5432/dbname?sslmode=disable",
			Details: []herald.FieldProblem{{Field: "database_url", Problem: "cannot be parsed"}}}
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = DefaultMaxConns
	}
	return OpenConfig(ctx, cfg, opts...)
}

// OpenConfig connects with a pool configuration the caller prepared (for
// example with RuntimeParams such as search_path). It adds its own
// AfterConnect step, after the caller's, so every instant scans in UTC.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config, opts ...Option) (*DB, error) {
	o := options{log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(&o)
	}
	cfg = cfg.Copy()
	prev := cfg.AfterConnect
	cfg.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		if prev != nil {
			if err := prev(ctx, conn); err != nil {
				return err
			}
		}
		conn.TypeMap().RegisterType(&pgtype.Type{
			Name:  "timestamptz",
			OID:   pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &DB{store: store{q: pool}, pool: pool, log: o.log}, nil
}

// Pool returns the underlying pool, for River and LISTEN/NOTIFY.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Dialect returns "postgres".
func (db *DB) Dialect() string { return "postgres" }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: ping: %w", err)
	}
	return nil
}

// Close closes every connection in the pool, waiting for those in use.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// InTx runs fn in one transaction, committed if fn returns nil and rolled
// back otherwise (also when fn panics).
func (db *DB) InTx(ctx context.Context, fn func(tx herald.Tx) error) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		p := &pipeline{tx: tx}
		if err := fn(store{q: p}); err != nil {
			return err
		}
		return dbErr("commit", p.flush(ctx))
	})
}

// querier is what the pool and a transaction have in common. Begin on a
// transaction opens a savepoint, so store.atomic nests cleanly inside InTx.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Begin(ctx context.Context) (pgx.Tx, error)
}

// store implements every herald.Tx method once, over a querier.
type store struct {
	q querier
	// whole is set by Whole: the caller rolls the transaction back on
	// any error, so methods need no savepoint of their own.
	whole bool
}

// atomic runs fn in a transaction (a savepoint when s is already one), for
// methods that take more than one statement; directly inside a Whole
// transaction.
func (s store) atomic(ctx context.Context, fn func(s store) error) error {
	if s.whole {
		return fn(s)
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		return fn(store{q: tx})
	})
}

// Whole returns the transaction without a savepoint around each
// multi-statement method (see herald.WholeTx). Each savepoint is a
// subtransaction: past 64 of them in one transaction PostgreSQL's
// visibility checks go through pg_subtrans, and a batch of thousands of
// posts slows down many times over.
//
// A Whole transaction of InTx also queues the statements whose answer is
// only success (see pipeline), so AppendAudit leaves the entry's ID unset.
func (s store) Whole() herald.Tx {
	switch s.q.(type) {
	case *pipeline, pgx.Tx:
		return store{q: s.q, whole: true}
	}
	return s
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// now is the store's clock for zero timestamps, at the precision PostgreSQL keeps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// stamp sets *t to now if it is zero and returns it.
func stamp(t *time.Time) time.Time {
	if t.IsZero() {
		*t = now()
	}
	return *t
}

// nilBytes stores an empty byte slice as NULL, so it reads back as nil.
func nilBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// collect scans every row with scan and returns them (an empty, non-nil
// slice when there are none).
func collect[T any](rows pgx.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
