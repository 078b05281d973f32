package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// SweepSessionsArgs enqueue a sweep of expired browser sessions.
type SweepSessionsArgs struct{}

// Kind names the job kind.
func (SweepSessionsArgs) Kind() string { return "sweep_sessions" }

// Feed retention: read notifications are deleted after notifyReadKeep,
// unread ones after notifyKeep, pruneBatch at a time.
const (
	notifyReadKeep = 30 * 24 * time.Hour
	notifyKeep     = 180 * 24 * time.Hour
	pruneBatch     = 5000
)

// sweepStore is what the sweep deletes from.
type sweepStore interface {
	herald.SessionStore
	herald.NotificationStore
}

// sweepSessionsWorker deletes expired browser sessions and old
// notifications from the members' feeds.
type sweepSessionsWorker struct {
	river.WorkerDefaults[SweepSessionsArgs]
	store sweepStore
	clock herald.Clock
	log   *slog.Logger
}

// Timeout bounds one sweep.
func (w *sweepSessionsWorker) Timeout(*river.Job[SweepSessionsArgs]) time.Duration {
	return time.Minute
}

// Work deletes the sessions that expired by now, then the notifications
// past their keeping time.
func (w *sweepSessionsWorker) Work(ctx context.Context, _ *river.Job[SweepSessionsArgs]) error {
	now := w.clock.Now()
	n, err := w.store.DeleteExpiredSessions(ctx, now)
	if err != nil {
		return fmt.Errorf("jobs: sweep_sessions: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "deleted expired sessions", slog.Int64("count", n))
	}
	pruned := 0
	for {
		k, err := w.store.PruneNotifications(ctx, now.Add(-notifyReadKeep), now.Add(-notifyKeep), pruneBatch)
		if err != nil {
			return fmt.Errorf("jobs: sweep_sessions: notifications: %w", err)
		}
		pruned += k
		if k < pruneBatch {
			break
		}
	}
	if pruned > 0 {
		w.log.InfoContext(ctx, "deleted old notifications", slog.Int("count", pruned))
	}
	return nil
}
