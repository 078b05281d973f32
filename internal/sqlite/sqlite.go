// Package sqlite is Herald's SQLite store: a herald.Store over
// modernc.org/sqlite (pure Go) with embedded goose migrations.
//
// It keeps one write connection, through which every write and every
// transaction goes, and a small read-only pool for plain reads, so writers
// never fight over the database lock and readers never wait for them (WAL).
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"

	"github.com/heraldsocial/herald/internal/herald"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// readConns is the size of the read pool.
const readConns = 4

// writePragmas run on the write connection in this order: busy_timeout
// first so the others wait for a lock instead of failing, then WAL (kept in
// the file), foreign keys, and FULL sync so a committed claim on a target
// survives a power cut and is never re-published.
func writePragmas() []string {
	return []string{"busy_timeout = 5000", "journal_mode = WAL", "foreign_keys = ON", "synchronous = FULL",
		// Statement and savepoint journals in memory: a sync batch inside a
		// transaction otherwise writes every page it touches to a temporary file.
		"temp_store = MEMORY"}
}

// readPragmas run on each read connection; query_only comes last.
func readPragmas() []string {
	return []string{"busy_timeout = 5000", "foreign_keys = ON", "cache_size = -512", "query_only = ON"}
}

// DB is an open SQLite database. It implements herald.Store.
type DB struct {
	store
	path  string
	write *sql.DB
	read  *sql.DB
	goose *goose.Provider
}

var _ herald.Store = (*DB)(nil)

// Open opens (creating the file and its folder if needed) the database at
// path. Call Migrate before using it as a store.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, herald.Errorf(herald.CodeInvalid, "database path %q is not usable: give a file path without ? or #", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite: create the database folder: %w", err)
		}
	}
	dsn := path + "?_time_format=sqlite&_txlock=immediate"
	write := sql.OpenDB(&connector{dsn: dsn, pragmas: writePragmas(), keep: true})
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Open the write connection first: it creates the file and turns WAL on
	// before any reader looks at it.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read := sql.OpenDB(&connector{dsn: path + "?_time_format=sqlite", pragmas: readPragmas(), keep: true})
	read.SetMaxOpenConns(readConns)
	read.SetMaxIdleConns(readConns)
	if err := read.PingContext(ctx); err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	migrations, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	provider, err := goose.NewProvider(goose.DialectSQLite3, write, migrations)
	if err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	db := &DB{path: path, write: write, read: read, goose: provider}
	db.store = store{r: read, w: write, db: write, rdb: read, hub: &dueHub{}, inbox: &herald.InboxHub{}}
	return db, nil
}

// connector opens driver connections and runs its pragmas on each, in
// order (the driver's own DSN pragmas run in an order of its choosing).
type connector struct {
	dsn     string
	pragmas []string
	// keep keeps the statements each connection runs prepared (the
	// store's pools; not the one-off connections of backup and restore).
	keep bool
}

// Connect opens one connection and applies the pragmas.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	execer, ok := conn.(driver.ExecerContext)
	if !ok {
		_ = conn.Close()
		return nil, errors.New("sqlite: driver connection cannot execute statements")
	}
	for _, p := range c.pragmas {
		if _, err := execer.ExecContext(ctx, "PRAGMA "+p, nil); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("PRAGMA %s: %w", p, err)
		}
	}
	if !c.keep {
		return conn, nil
	}
	cc, err := newCachingConn(conn)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return cc, nil
}

// Driver returns the SQLite driver.
func (c *connector) Driver() driver.Driver { return &sqlite.Driver{} }

// Migrate applies every pending embedded migration.
func (db *DB) Migrate(ctx context.Context) error {
	if _, err := db.goose.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// MigrationsCurrent reports whether every embedded migration is applied.
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	pending, err := db.goose.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("sqlite: migration status: %w", err)
	}
	return !pending, nil
}

// Ping checks both connection pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping: %w", err)
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: ping readers: %w", err)
	}
	return nil
}

// Dialect returns "sqlite".
func (db *DB) Dialect() string { return "sqlite" }

// WriteDB returns the single-connection write pool, for code that must
// share Herald's write path (the job queue).
func (db *DB) WriteDB() *sql.DB { return db.write }

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Backup writes a consistent copy of the live database to dest (VACUUM
// INTO), creating dest's folder if needed. It refuses to overwrite a file.
// The copy is readable by its owner only (mode 0600): it holds sessions
// and sealed credentials.
func (db *DB) Backup(ctx context.Context, dest string) error {
	if dest == "" {
		return herald.Errorf(herald.CodeInvalid, "the backup needs a destination file name")
	}
	if _, err := os.Stat(dest); err == nil {
		return &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("backup file %s already exists: choose a new name or move the old file away", dest)}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sqlite: backup: check %s: %w", dest, err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o750); err != nil {
		return fmt.Errorf("sqlite: backup: create folder: %w", err)
	}
	// VACUUM INTO fills an empty file and keeps its mode, so the file is
	// made first with the mode wanted (and O_EXCL refuses a file that
	// appeared meanwhile).
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: backup: create %s: %w", dest, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlite: backup: create %s: %w", dest, err)
	}
	if err := db.vacuumInto(ctx, dest); err != nil {
		_ = os.Remove(dest)
		return err
	}
	return nil
}

// vacuumInto writes the copy into dest, an empty file.
func (db *DB) vacuumInto(ctx context.Context, dest string) error {
	// VACUUM INTO reads one consistent snapshot, so it need not hold up
	// writers; it runs on a connection of its own because the read pool is
	// query_only, which refuses to create the copy.
	conn := sql.OpenDB(&connector{dsn: db.path, pragmas: []string{"busy_timeout = 5000"}})
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "VACUUM INTO ?", dest); err != nil {
		return fmt.Errorf("sqlite: backup to %s: %w", dest, err)
	}
	return conn.Close()
}

// InTx runs fn in one transaction on the write connection, committed if fn
// returns nil and rolled back otherwise. fn must use only tx: the write
// connection is busy until fn returns.
func (db *DB) InTx(ctx context.Context, fn func(tx herald.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // no-op after Commit; also runs if fn panics
	st := &store{r: tx, w: tx, tx: tx, hub: db.hub, inbox: db.inbox}
	if err := fn(st); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if st.dueInTx {
		st.hub.signal()
	}
	st.publishInbox()
	return nil
}

// querier is what *sql.DB and *sql.Tx share, so each store method is
// written once for both.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store implements herald.Tx. Outside a transaction r and rdb are the read
// pool, w and db the write connection; inside one r, w and tx are the
// transaction.
type store struct {
	r   querier
	w   querier
	db  *sql.DB // the write connection; nil inside a transaction
	rdb *sql.DB // the read pool; nil inside a transaction
	tx  *sql.Tx // nil outside a transaction
	// hub tells due watchers when a target may have become due sooner;
	// inside a transaction dueInTx defers that to the commit.
	hub     *dueHub
	dueInTx bool
	// inbox tells inbox watchers about changed items; inside a
	// transaction inboxInTx holds the events until the commit.
	inbox     *herald.InboxHub
	inboxInTx []herald.InboxEvent
}

var _ herald.Tx = (*store)(nil)

// atomic runs fn so that its statements apply together or not at all: in
// a new transaction, or inside the current one under a savepoint (so a
// failed step leaves the caller's transaction as it was).
func (s *store) atomic(ctx context.Context, fn func(q querier) error) error {
	if s.tx != nil {
		if _, err := s.w.ExecContext(ctx, "SAVEPOINT herald_step"); err != nil {
			return fmt.Errorf("sqlite: savepoint: %w", err)
		}
		if err := fn(s.w); err != nil {
			_, rbErr := s.w.ExecContext(ctx, "ROLLBACK TO herald_step")
			if rbErr == nil {
				_, rbErr = s.w.ExecContext(ctx, "RELEASE herald_step")
			}
			if rbErr != nil {
				return errors.Join(err, fmt.Errorf("sqlite: rollback to savepoint: %w", rbErr))
			}
			return err
		}
		if _, err := s.w.ExecContext(ctx, "RELEASE herald_step"); err != nil {
			return fmt.Errorf("sqlite: release savepoint: %w", err)
		}
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}
