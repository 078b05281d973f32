// Package teststore opens the stores a service's tests run against: a
// migrated SQLite database in the test's temporary folder, and a migrated
// PostgreSQL schema when HERALD_TEST_POSTGRES_URL is set (CI sets it).
// It is for tests only.
package teststore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// SQLite returns a migrated SQLite store in tb's temporary folder, closed
// when tb ends.
func SQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "herald.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// HasPostgres reports whether a PostgreSQL server is configured for tests.
func HasPostgres() bool { return os.Getenv(pgtest.EnvURL) != "" }

// Each runs fn as the subtest "sqlite" on a fresh SQLite store and, when
// PostgreSQL is configured, as "postgres" on a fresh schema.
func Each(t *testing.T, fn func(t *testing.T, st herald.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if HasPostgres() {
		t.Run("postgres", func(t *testing.T) { fn(t, pgtest.Open(t)) })
	}
}
