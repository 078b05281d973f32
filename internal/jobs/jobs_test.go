package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   jobs.Config
		field string // "" when valid
	}{
		{"defaults", jobs.Config{}, ""},
		{"short but allowed", jobs.Config{RefreshEvery: time.Second, SweepEvery: time.Second, ExtendEvery: time.Second}, ""},
		{"refresh too often", jobs.Config{RefreshEvery: 500 * time.Millisecond}, "refresh_every"},
		{"sweep negative", jobs.Config{SweepEvery: -time.Minute}, "sweep_every"},
		{"extend too often", jobs.Config{ExtendEvery: time.Millisecond}, "extend_every"},
		{"window not longer than period", jobs.Config{RefreshEvery: time.Hour, RefreshWindow: time.Hour}, "refresh_window"},
		{"negative batch", jobs.Config{RefreshBatch: -1}, "refresh_batch"},
		{"negative timeout", jobs.Config{RefreshTimeout: -time.Second}, "refresh_timeout"},
		{"negative workers", jobs.Config{Workers: -2}, "workers"},
		{"long id", jobs.Config{ID: strings.Repeat("x", 101)}, "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jobs.New(tt.cfg, jobs.Deps{})
			if tt.field == "" {
				// Valid: New goes on to complain about the missing deps.
				wantField(t, err, "store")
				return
			}
			wantField(t, err, tt.field)
		})
	}
}

func TestNewNeedsDeps(t *testing.T) {
	st := mustSQLite(t)
	full, _ := deps(t, st)
	tests := []struct {
		name   string
		change func(d *jobs.Deps)
		field  string
	}{
		{"no store", func(d *jobs.Deps) { d.Store = nil }, "store"},
		{"no connectors", func(d *jobs.Deps) { d.Connectors = nil }, "connectors"},
		{"no keys", func(d *jobs.Deps) { d.Keys = nil }, "keys"},
		{"a store River cannot use", func(d *jobs.Deps) { d.Store = wrapped{st} }, "store"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := full
			tt.change(&d)
			_, err := jobs.New(jobs.Config{}, d)
			wantField(t, err, tt.field)
		})
	}
}

// wrapped hides the store's WriteDB and Pool.
type wrapped struct{ herald.Store }

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var he *herald.Error
	if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
		t.Fatalf("error = %v, want a %s herald.Error", err, herald.CodeInvalid)
	}
	for _, d := range he.Details {
		if d.Field == field {
			return
		}
	}
	t.Fatalf("error %v does not name field %q", err, field)
}

func TestStartStop(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ctx := context.Background()

			r, err := jobs.New(jobs.Config{ID: "herald-a"}, d)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := r.Start(ctx); err != nil {
				t.Fatalf("Start: %v", err)
			}
			if err := r.Start(ctx); err == nil {
				t.Fatal("a second Start succeeded, want an error")
			}
			waitFor(t, "the only runner to be elected leader", func() (bool, error) { return r.IsLeader(ctx) })
			mustStop(t, r)
			mustStop(t, r) // idempotent
			if err := r.Start(ctx); err == nil {
				t.Fatal("Start after Stop succeeded, want an error")
			}

			// River's tables are there now: a new runner's migration is a
			// no-op and it starts as well.
			again := mustStart(t, jobs.Config{ID: "herald-b"}, d)
			if again.ID() != "herald-b" {
				t.Fatalf("ID = %q, want herald-b", again.ID())
			}
			waitFor(t, "the new runner to be elected leader", func() (bool, error) { return again.IsLeader(ctx) })

			// Stop before Start is fine too.
			idle, err := jobs.New(jobs.Config{}, d)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			mustStop(t, idle)
		})
	}
}

func TestStopWhenStartContextEnds(t *testing.T) {
	st := mustSQLite(t)
	d, _ := deps(t, st)
	r, err := jobs.New(jobs.Config{}, d)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	cancel()
	mustStop(t, r)
}

// extender records the times it is called with.
type extender struct {
	mu    sync.Mutex
	calls []time.Time
}

func (e *extender) ExtendSeries(_ context.Context, now time.Time) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls = append(e.calls, now)
	return 3, nil
}

func (e *extender) called() []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Time(nil), e.calls...)
}

// fixedClock always tells the same time.
type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func TestExtendSeries(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			ext := &extender{}
			d.Extender = ext
			now := time.Now().UTC().Truncate(time.Microsecond)
			d.Clock = fixedClock{now}
			mustStart(t, jobs.Config{}, d)
			waitFor(t, "extend_series to run", func() (bool, error) {
				n, err := countJobs(t, st, jobs.ExtendSeriesArgs{}.Kind(), "completed")
				return n == 1, err
			})
			calls := ext.called()
			if len(calls) != 1 || !calls[0].Equal(now) {
				t.Fatalf("ExtendSeries calls = %v, want one with the clock's time %v", calls, now)
			}
		})
	}
}

func TestNoExtenderNoExtendSeries(t *testing.T) {
	st := mustSQLite(t)
	d, _ := deps(t, st)
	ctx := context.Background()
	mustStart(t, jobs.Config{}, d)
	// Once sweep_sessions (enqueued with the others at start) has run, an
	// extend_series job would have been enqueued too.
	waitFor(t, "sweep_sessions to run", func() (bool, error) {
		n, err := countJobs(t, st, jobs.SweepSessionsArgs{}.Kind(), "completed")
		return n >= 1, err
	})
	_, db := dbOf(t, st)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM river_job WHERE kind = ?`, jobs.ExtendSeriesArgs{}.Kind()).Scan(&n); err != nil {
		t.Fatalf("count extend_series jobs: %v", err)
	}
	if n != 0 {
		t.Fatalf("%d extend_series jobs without an extender, want 0", n)
	}
}
