package main

import (
	"context"
	"fmt"
	"os"

	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// DBFlags are the flags of every command that opens the database.
type DBFlags struct {
	DataDir     string `name:"data-dir" help:"Folder for the SQLite database, key file and media (overrides HERALD_DATA_DIR)." placeholder:"DIR"`
	DatabaseURL string `name:"database-url" help:"PostgreSQL URL (overrides HERALD_DATABASE_URL); empty for SQLite." placeholder:"URL"`
}

func (f DBFlags) overrides() config.Overrides {
	return config.Overrides{DataDir: f.DataDir, DatabaseURL: f.DatabaseURL}
}

// migrator is what both stores offer to bring their schema up to date.
type migrator interface {
	Migrate(ctx context.Context) error
}

// openStore opens the configured database, creating the data folder for
// SQLite, and migrates it when migrate is set.
func openStore(ctx context.Context, cfg config.Config, migrate bool) (herald.Store, error) {
	var (
		st  herald.Store
		err error
	)
	switch cfg.Driver() {
	case config.DriverPostgres:
		st, err = postgres.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database (HERALD_DATABASE_URL): %w", err)
		}
	default:
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
		}
		st, err = sqlite.Open(ctx, cfg.SQLitePath())
		if err != nil {
			return nil, fmt.Errorf("open SQLite database %s: %w", cfg.SQLitePath(), err)
		}
	}
	if migrate {
		m, ok := st.(migrator)
		if !ok {
			st.Close()
			return nil, fmt.Errorf("the %s store cannot migrate", st.Dialect())
		}
		if err := m.Migrate(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("migrate the %s database: %w", st.Dialect(), err)
		}
	}
	return st, nil
}

// lockDataDir takes the SQLite data folder's exclusive lock (nothing to do
// on PostgreSQL, which several instances share), so that a second process
// refuses to start on a folder in use, and the holder knows that whatever
// an earlier process left in flight was abandoned. The returned function
// releases the lock.
func lockDataDir(cfg config.Config) (unlock func(), err error) {
	if cfg.Driver() != config.DriverSQLite {
		return func() {}, nil
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	release, err := sqlite.LockDir(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("lock the data folder (HERALD_DATA_DIR or --data-dir): %w", err)
	}
	return func() { _ = release() }, nil
}
