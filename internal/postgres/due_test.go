package postgres_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// waitSignal fails unless ch delivers a signal within a generous time (a
// liveness check, not a timing one).
func waitSignal(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, open := <-ch:
		if !open {
			t.Fatalf("%s: the channel closed", what)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no due signal", what)
	}
}

func TestWatchDueRelistensAfterConnectionLoss(t *testing.T) {
	ctx := t.Context()
	base := pgtest.Open(t)
	var schema string
	if err := base.Pool().QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatalf("current schema: %v", err)
	}
	// A second store on the same schema whose connections carry a name of
	// their own, so the test can find its watcher's connection.
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatalf("parse URL: %v", err)
	}
	app := "herald-due-test-" + rand.Text()[:8]
	cfg.MaxConns = 2
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["application_name"] = app
	db, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("OpenConfig: %v", err)
	}
	defer db.Close()

	watchCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch, err := db.WatchDue(watchCtx)
	if err != nil {
		t.Fatalf("WatchDue: %v", err)
	}
	var killed int
	if err := base.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1 AND query = 'LISTEN herald_due'`, app).Scan(&killed); err != nil {
		t.Fatalf("terminate the watcher's connection: %v", err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d watcher connections, want 1", killed)
	}
	waitSignal(t, ch, "after reconnecting")

	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := base.SetPublishingPaused(ctx, 0, &now); err != nil {
		t.Fatalf("SetPublishingPaused: %v", err)
	}
	if err := base.SetPublishingPaused(ctx, 0, nil); err != nil {
		t.Fatalf("SetPublishingPaused(resume): %v", err)
	}
	waitSignal(t, ch, "after resuming publishing on the new connection")

	cancel()
	for range ch { // drains, and ends once the channel is closed
	}
}
