package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// PruneListenArgs enqueue the deletion of listening matches past their
// keeping time.
type PruneListenArgs struct{}

// Kind names the job kind.
func (PruneListenArgs) Kind() string { return "prune_listen" }

// pruneListenWorker deletes each workspace's matches older than its
// retention (herald.ListenSettings, 90 days unless set), with their hourly
// and daily rollups.
type pruneListenWorker struct {
	river.WorkerDefaults[PruneListenArgs]
	store interface {
		herald.ListenStore
		herald.ListenSettingsStore
	}
	clock herald.Clock
	log   *slog.Logger
}

// Timeout bounds one run.
func (w *pruneListenWorker) Timeout(*river.Job[PruneListenArgs]) time.Duration {
	return 5 * time.Minute
}

// Work deletes, a batch at a time, every workspace's old matches.
func (w *pruneListenWorker) Work(ctx context.Context, _ *river.Job[PruneListenArgs]) error {
	now := w.clock.Now()
	wss, err := w.store.ListenWorkspaces(ctx)
	if err != nil {
		return fmt.Errorf("jobs: prune_listen: %w", err)
	}
	pruned := 0
	for _, ws := range wss {
		set, err := w.store.ListenSettings(ctx, ws)
		if err != nil {
			return fmt.Errorf("jobs: prune_listen: workspace %d: %w", ws, err)
		}
		before := now.Add(-time.Duration(set.KeepDays) * 24 * time.Hour)
		for {
			n, err := w.store.DeleteListenMatchesBefore(ctx, ws, before, pruneBatch)
			if err != nil {
				return fmt.Errorf("jobs: prune_listen: workspace %d: %w", ws, err)
			}
			pruned += n
			if n < pruneBatch {
				break
			}
		}
	}
	if pruned > 0 {
		w.log.InfoContext(ctx, "deleted old listening matches", slog.Int("count", pruned))
	}
	return nil
}
