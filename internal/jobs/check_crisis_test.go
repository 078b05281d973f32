package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/jobs"
)

type crisisCounter struct{ runs atomic.Int64 }

func (c *crisisCounter) Evaluate(context.Context) error {
	c.runs.Add(1)
	return nil
}

// TestCheckCrisis: with a crisis service, check_crisis runs at start (and
// every 30 s by default).
func TestCheckCrisis(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			c := &crisisCounter{}
			d.Crisis = c
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, CheckEvery: -1}, d)
			waitFor(t, "check_crisis to run", func() (bool, error) { return c.runs.Load() > 0, nil })
		})
	}
}
