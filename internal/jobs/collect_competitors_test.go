package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/jobs"
)

type competitorCounter struct{ runs atomic.Int64 }

func (c *competitorCounter) CollectDue(context.Context) (int, error) {
	c.runs.Add(1)
	return 0, nil
}

// TestCollectCompetitors: with a competitor service, collect_competitors
// runs at start (and hourly; each account is read once a UTC day).
func TestCollectCompetitors(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			c := &competitorCounter{}
			d.Competitors = c
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, CheckEvery: -1}, d)
			waitFor(t, "collect_competitors to run", func() (bool, error) { return c.runs.Load() > 0, nil })
		})
	}
}
