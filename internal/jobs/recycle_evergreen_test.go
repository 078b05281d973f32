package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/jobs"
)

// recycler records the times it is called with.
type recycler struct {
	mu    sync.Mutex
	calls []time.Time
}

func (r *recycler) Recycle(_ context.Context, now time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, now)
	return 2, nil
}

func (r *recycler) called() []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.calls...)
}

func TestRecycleEvergreen(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			rec := &recycler{}
			d.Evergreen = rec
			now := time.Now().UTC().Truncate(time.Microsecond)
			d.Clock = fixedClock{now}
			mustStart(t, jobs.Config{}, d)
			waitFor(t, "recycle_evergreen to run", func() (bool, error) {
				n, err := countJobs(t, st, jobs.RecycleEvergreenArgs{}.Kind(), "completed")
				return n == 1, err
			})
			calls := rec.called()
			if len(calls) != 1 || !calls[0].Equal(now) {
				t.Fatalf("Recycle calls = %v, want one with the clock's time %v", calls, now)
			}
		})
	}
}

func TestEvergreenEveryValidated(t *testing.T) {
	_, err := jobs.New(jobs.Config{EvergreenEvery: time.Millisecond}, jobs.Deps{})
	wantField(t, err, "evergreen_every")
}
