package publish_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// timedStore adds up the wall time of the dispatcher's store calls, for
// the burst benchmark's report.
type timedStore struct {
	testStore
	mu    sync.Mutex
	total map[string]time.Duration
	calls map[string]int
}

func newTimedStore(s testStore) *timedStore {
	return &timedStore{testStore: s, total: map[string]time.Duration{}, calls: map[string]int{}}
}

func (s *timedStore) add(name string, start time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total[name] += time.Since(start)
	s.calls[name]++
}

func (s *timedStore) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := ""
	for name, d := range s.total {
		out += fmt.Sprintf("%s: %d calls, %s (%s each); ", name, s.calls[name], d.Round(time.Millisecond),
			(d / time.Duration(s.calls[name])).Round(time.Microsecond))
	}
	return out
}

func (s *timedStore) NextDue(ctx context.Context, until time.Time, limit int) ([]herald.DueTarget, error) {
	defer s.add("NextDue", time.Now())
	return s.testStore.NextDue(ctx, until, limit)
}

func (s *timedStore) ClaimTargets(ctx context.Context, ids []int64, owner string, now, leaseUntil time.Time) ([]herald.Claim, error) {
	defer s.add("ClaimTargets", time.Now())
	return s.testStore.ClaimTargets(ctx, ids, owner, now, leaseUntil)
}

func (s *timedStore) CompleteTargets(ctx context.Context, cs []herald.Completion) ([]int64, error) {
	defer s.add("CompleteTargets", time.Now())
	return s.testStore.CompleteTargets(ctx, cs)
}
