package publish_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// BenchmarkBurst schedules a burst of posts due at the same second on a
// platform answering in 100 ms, and reports how long after the due time
// the last one reached the platform (spread_s) and the mean lateness. It
// runs on SQLite, or on PostgreSQL when HERALD_TEST_POSTGRES_URL is set;
// HERALD_BENCH_CONCURRENCY overrides the pool size.
//
//	go test -run '^$' -bench Burst -benchtime 1x ./internal/publish/
func BenchmarkBurst(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				burst(b, n)
			}
		})
	}
}

func burst(b *testing.B, n int) {
	b.Helper()
	ctx := b.Context()
	var db testStore
	if os.Getenv(pgtest.EnvURL) != "" {
		db = pgtest.Open(b)
	} else {
		lite, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "herald.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer lite.Close()
		if err := lite.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		db = lite
	}
	timed := newTimedStore(db)
	h := newHarness(b, timed, fakeserver.Config{Latency: 100 * time.Millisecond})
	accts := make([]herald.Account, 50)
	for i := range accts {
		accts[i] = h.account(b, fmt.Sprintf("acct%d", i), "", "")
	}
	due := time.Now().Add(5 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	now := time.Now().UTC()
	err := db.InTx(ctx, func(tx herald.Tx) error {
		for i := range n {
			p := herald.Post{WorkspaceID: h.ws.ID, AuthorID: h.user.ID, Text: "burst", CreatedAt: now, UpdatedAt: now,
				Targets: []herald.Target{{AccountID: accts[i%len(accts)].ID, State: herald.StateScheduled, ScheduledAt: &due,
					Variant: herald.Variant{Text: fmt.Sprintf("burst post %d", i)}, CreatedAt: now, UpdatedAt: now}}}
			if err := tx.CreatePost(ctx, &p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if wait := time.Until(due) - 3*time.Second; wait > 0 {
		time.Sleep(wait)
	}
	b.ResetTimer()
	cfg := testConfig("bench")
	cfg.Lookahead = time.Minute
	cfg.ReloadEvery = 30 * time.Second
	if c := os.Getenv("HERALD_BENCH_CONCURRENCY"); c != "" {
		cfg.Concurrency, _ = strconv.Atoi(c)
	}
	d := h.start(b, cfg, h.registry(nil))
	deadline := time.Now().Add(5 * time.Minute)
	for h.srv.Ledger().Count() < n {
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d published", h.srv.Ledger().Count(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.StopTimer()
	var last time.Time
	var total time.Duration
	for _, p := range h.srv.Ledger().Posts() {
		if p.ReceivedAt.After(last) {
			last = p.ReceivedAt
		}
		total += p.ReceivedAt.Sub(due)
	}
	d.Stop()
	b.Logf("store calls: %s", timed)
	b.ReportMetric(last.Sub(due).Seconds(), "spread_s")
	b.ReportMetric((total / time.Duration(n)).Seconds(), "mean_late_s")
	if dups := h.srv.Ledger().Duplicates(); len(dups) > 0 {
		b.Fatalf("%d duplicates", len(dups))
	}
}
