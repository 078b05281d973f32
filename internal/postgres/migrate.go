package postgres

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// versionTable is goose's bookkeeping table, named so it cannot collide with
// another goose user's table in a shared database.
const versionTable = "herald_schema_migrations"

// provider builds a goose provider over the pool. Its session lock is keyed
// on the current schema, so several Herald instances sharing a schema
// migrate one at a time while tests in separate schemas do not wait on each
// other.
func (db *DB) provider(ctx context.Context) (*goose.Provider, error) {
	var schema string
	if err := db.pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return nil, fmt.Errorf("postgres: migrate: read current schema: %w", err)
	}
	h := fnv.New64a()
	h.Write([]byte("herald migrations " + schema))
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(int64(h.Sum64()>>1)),
		lock.WithLockTimeout(1, 300),
	)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(db.pool), sub,
		goose.WithTableName(versionTable),
		goose.WithSessionLocker(locker),
		goose.WithDisableGlobalRegistry(true),
	)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return p, nil
}

// Migrate applies every embedded migration not yet applied. It is safe to
// run again, and from several instances at once.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.provider(ctx)
	if err != nil {
		return err
	}
	defer p.Close()
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, r := range results {
		db.log.InfoContext(ctx, "migration applied", "dialect", "postgres",
			"version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
	}
	return nil
}

// MigrationsCurrent reports whether every embedded migration is applied.
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	p, err := db.provider(ctx)
	if err != nil {
		return false, err
	}
	defer p.Close()
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("postgres: migrations status: %w", err)
	}
	return !pending, nil
}
