package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// TestTwoInstancesOneLeader starts two runners on one PostgreSQL schema at
// once, each with its own pool as two Herald processes would: both migrate
// and start, one leads, and only the leader enqueues periodic jobs, once
// per period.
func TestTwoInstancesOneLeader(t *testing.T) {
	first := pgtest.Open(t)
	ctx := context.Background()
	second, err := postgres.OpenConfig(ctx, first.Pool().Config())
	if err != nil {
		t.Fatalf("open a second pool on the schema: %v", err)
	}
	t.Cleanup(func() { _ = second.Close() })

	const sweepEvery = time.Second
	runners := make([]*jobs.Runner, 2)
	for i, st := range []herald.Store{first, second} {
		d, _ := deps(t, st)
		r, err := jobs.New(jobs.Config{ID: []string{"herald-1", "herald-2"}[i], SweepEvery: sweepEvery}, d)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		runners[i] = r
	}
	var wg sync.WaitGroup
	errs := make([]error, len(runners))
	for i, r := range runners {
		wg.Go(func() { errs[i] = r.Start(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("runner %d: Start: %v", i+1, err)
		}
		t.Cleanup(func() { mustStop(t, runners[i]) })
	}

	const runs = 4
	waitFor(t, "several sweep_sessions runs", func() (bool, error) {
		n, err := countJobs(t, first, jobs.SweepSessionsArgs{}.Kind(), "completed")
		return n >= runs, err
	})

	leaders := 0
	var leader *jobs.Runner
	for _, r := range runners {
		is, err := r.IsLeader(ctx)
		if err != nil {
			t.Fatalf("IsLeader: %v", err)
		}
		if is {
			leaders++
			leader = r
		}
	}
	if leaders != 1 {
		t.Fatalf("%d leaders, want exactly 1", leaders)
	}

	rows, err := first.Pool().Query(ctx, `SELECT kind, coalesce(metadata->>'enqueued_by', ''), scheduled_at
		FROM river_job WHERE kind IN ($1, $2) ORDER BY id`, jobs.SweepSessionsArgs{}.Kind(), jobs.RefreshTokensArgs{}.Kind())
	if err != nil {
		t.Fatalf("list jobs: %v", err)
	}
	defer rows.Close()
	periods := map[time.Time]int{}
	refreshes := 0
	for rows.Next() {
		var kind, by string
		var at time.Time
		if err := rows.Scan(&kind, &by, &at); err != nil {
			t.Fatalf("scan job: %v", err)
		}
		if by != leader.ID() {
			t.Errorf("a %s job was enqueued by %q, want the leader %q only", kind, by, leader.ID())
		}
		if kind == (jobs.RefreshTokensArgs{}).Kind() {
			refreshes++
			continue
		}
		periods[at.UTC().Truncate(sweepEvery)]++
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list jobs: %v", err)
	}
	for p, n := range periods {
		if n != 1 {
			t.Errorf("%d sweep_sessions jobs in the period starting %v, want 1", n, p)
		}
	}
	// refresh_tokens runs every 5 minutes and once when a leader starts its
	// periodic jobs; on a busy machine the leader may lose its term and win
	// it again (re-elected, it starts them again), so there may be more
	// than one, but all of them the leader's (checked above).
	if refreshes < 1 || refreshes > 3 {
		t.Errorf("%d refresh_tokens jobs, want one per leadership term (1, or a few on a busy machine)", refreshes)
	}
}
