package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/jobs"
)

// poller records the times it was asked to poll feeds.
type poller struct {
	mu    sync.Mutex
	calls []time.Time
}

func (p *poller) PollDue(_ context.Context, now time.Time) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, now)
	return 1, nil
}

func (p *poller) called() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.calls...)
}

func TestPollFeeds(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, _ := deps(t, st)
			p := &poller{}
			d.Feeds = p
			now := time.Now().UTC().Truncate(time.Microsecond)
			d.Clock = fixedClock{now}
			mustStart(t, jobs.Config{}, d)
			waitFor(t, "poll_feeds to run", func() (bool, error) {
				n, err := countJobs(t, st, jobs.PollFeedsArgs{}.Kind(), "completed")
				return n >= 1, err
			})
			calls := p.called()
			if len(calls) == 0 || !calls[0].Equal(now) {
				t.Fatalf("PollDue calls = %v, want one with the clock's time %v", calls, now)
			}
		})
	}
}
