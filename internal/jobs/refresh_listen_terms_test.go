package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/jobs"
)

type termsCounter struct{ runs atomic.Int64 }

func (c *termsCounter) RefreshTerms(context.Context) error {
	c.runs.Add(1)
	return nil
}

// TestRefreshListenTerms: with a listening service, refresh_listen_terms
// runs at start (and every 5 minutes by default).
func TestRefreshListenTerms(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			c := &termsCounter{}
			d.Listen = c
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, CheckEvery: -1}, d)
			waitFor(t, "refresh_listen_terms to run", func() (bool, error) { return c.runs.Load() > 0, nil })
		})
	}
}
