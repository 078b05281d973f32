package analytics

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Page returns what the analytics page shows: the overview of q and the
// best-time grid of bestAccount (0: every account) by bestRate, the same
// as Overview and BestTimes give, with each target read once. The grid's
// history (BestTimesHistory up to now) mostly covers the overview's
// periods: those are read as Overview reads them (the period with its
// labels, the one before without) and only the rest of the history is
// read besides, every range at the same time on a connection of its own.
func (s *Service) Page(ctx context.Context, actor herald.Actor, q Query, bestAccount int64, bestRate Denominator) (Overview, BestTimes, error) {
	oq, err := s.overviewQuery(ctx, actor, q)
	if err != nil {
		return Overview{}, BestTimes{}, err
	}
	bq, err := s.bestTimesQuery(ctx, actor, bestAccount, bestRate)
	if err != nil {
		return Overview{}, BestTimes{}, err
	}
	type read struct {
		from, to time.Time
		labels   bool
		stats    []herald.TargetStats
		err      error
	}
	reads := []*read{{from: oq.cur.From, to: oq.cur.To, labels: true}, {from: oq.prev.From, to: oq.prev.To}}
	// The parts of the grid's history outside the two periods.
	if bq.from.Before(oq.prev.From) {
		reads = append(reads, &read{from: bq.from, to: minTime(bq.to, oq.prev.From)})
	}
	if oq.cur.To.Before(bq.to) {
		reads = append(reads, &read{from: maxTime(bq.from, oq.cur.To), to: bq.to})
	}
	var wait sync.WaitGroup
	for _, r := range reads {
		if !r.from.Before(r.to) {
			continue
		}
		wait.Go(func() {
			if r.labels {
				r.stats, r.err = s.store.ListTargetStats(ctx, actor.WorkspaceID, r.from, r.to)
			} else {
				r.stats, r.err = s.store.ListTargetStatsUnlabelled(ctx, actor.WorkspaceID, r.from, r.to)
			}
		})
	}
	wait.Wait()
	lists := make([][]herald.TargetStats, len(reads))
	for i, r := range reads {
		if r.err != nil {
			return Overview{}, BestTimes{}, fmt.Errorf("analytics: page: %w", r.err)
		}
		lists[i] = r.stats
	}
	// The grid first: the overview filters its lists in place.
	best := bq.compute(lists...)
	o, err := s.overview(ctx, actor, oq, lists[1], lists[0])
	if err != nil {
		return Overview{}, BestTimes{}, err
	}
	return o, best, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
