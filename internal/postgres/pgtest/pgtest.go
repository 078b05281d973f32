// Package pgtest gives tests a migrated PostgreSQL store of their own.
//
// Each call to Open creates a fresh schema in the database named by
// HERALD_TEST_POSTGRES_URL, points a new pool's search_path at it, migrates
// it, and drops it when the test ends, so tests can run in parallel against
// one database without seeing each other's rows.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/postgres"
)

// EnvURL names the environment variable holding the test database URL.
const EnvURL = "HERALD_TEST_POSTGRES_URL"

// maxConns keeps each test's pool small: many tests may hold pools at once
// against one server.
const maxConns = 4

// URL returns the test database URL, skipping tb when it is not set.
func URL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv(EnvURL)
	if url == "" {
		tb.Skip(EnvURL + " not set")
	}
	return url
}

// Open returns a migrated store in a new, empty schema, closed and dropped
// when tb ends. It skips tb when HERALD_TEST_POSTGRES_URL is not set.
func Open(tb testing.TB) *postgres.DB {
	tb.Helper()
	db, _ := open(tb, true)
	return db
}

// OpenUnmigrated is Open without the migrations, for tests of migrating
// itself. It also returns the schema's name.
func OpenUnmigrated(tb testing.TB) (*postgres.DB, string) {
	tb.Helper()
	return open(tb, false)
}

// Reopen opens another store on a schema made by OpenUnmigrated (a
// second process on the same database), closed when tb ends.
func Reopen(tb testing.TB, schema string) *postgres.DB {
	tb.Helper()
	return connect(tb, URL(tb), schema)
}

func open(tb testing.TB, migrate bool) (*postgres.DB, string) {
	tb.Helper()
	url := URL(tb)
	ctx := context.Background()

	schema := "herald_test_" + randomHex(tb)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", EnvURL, err)
	}
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	conn.Close(ctx)
	if err != nil {
		tb.Fatalf("pgtest: create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() { dropSchema(tb, url, schema) })

	db := connect(tb, url, schema)
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			tb.Fatalf("pgtest: migrate schema %s: %v", schema, err)
		}
	}
	return db, schema
}

// connect opens a pool whose search path is schema.
func connect(tb testing.TB, url, schema string) *postgres.DB {
	tb.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		tb.Fatalf("pgtest: parse %s: %v", EnvURL, err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = maxConns
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	db, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("pgtest: open: %v", err)
	}
	// Registered after dropSchema, so it runs before it: cleanups run last first.
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func dropSchema(tb testing.TB, url, schema string) {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		tb.Errorf("pgtest: connect to drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
		tb.Errorf("pgtest: drop schema %s: %v", schema, err)
	}
}

func randomHex(tb testing.TB) string {
	tb.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("pgtest: random schema name: %v", err)
	}
	return hex.EncodeToString(b)
}
