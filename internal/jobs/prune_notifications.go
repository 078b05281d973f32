package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// Feed retention: read notifications are deleted after notifyReadKeep,
// unread ones after notifyKeep, pruneBatch at a time.
const (
	notifyReadKeep = 30 * 24 * time.Hour
	notifyKeep     = 180 * 24 * time.Hour
	pruneBatch     = 5000
)

// PruneNotificationsArgs enqueue a pruning of the members' feeds.
type PruneNotificationsArgs struct{}

// Kind names the job kind.
func (PruneNotificationsArgs) Kind() string { return "prune_notifications" }

// pruneNotificationsWorker deletes notifications past their keeping time.
type pruneNotificationsWorker struct {
	river.WorkerDefaults[PruneNotificationsArgs]
	store herald.NotificationStore
	clock herald.Clock
	log   *slog.Logger
}

// Timeout bounds one run.
func (w *pruneNotificationsWorker) Timeout(*river.Job[PruneNotificationsArgs]) time.Duration {
	return time.Minute
}

// Work deletes, a batch at a time, the read notifications older than
// notifyReadKeep and any older than notifyKeep.
func (w *pruneNotificationsWorker) Work(ctx context.Context, _ *river.Job[PruneNotificationsArgs]) error {
	now := w.clock.Now()
	pruned := 0
	for {
		n, err := w.store.PruneNotifications(ctx, now.Add(-notifyReadKeep), now.Add(-notifyKeep), pruneBatch)
		if err != nil {
			return fmt.Errorf("jobs: prune_notifications: %w", err)
		}
		pruned += n
		if n < pruneBatch {
			break
		}
	}
	if pruned > 0 {
		w.log.InfoContext(ctx, "deleted old notifications", slog.Int("count", pruned))
	}
	return nil
}
