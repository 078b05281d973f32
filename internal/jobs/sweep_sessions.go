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

// sweepSessionsWorker deletes expired browser sessions.
type sweepSessionsWorker struct {
	river.WorkerDefaults[SweepSessionsArgs]
	store herald.SessionStore
	clock herald.Clock
	log   *slog.Logger
}

// Timeout bounds one sweep.
func (w *sweepSessionsWorker) Timeout(*river.Job[SweepSessionsArgs]) time.Duration {
	return time.Minute
}

// Work deletes the sessions that expired by now.
func (w *sweepSessionsWorker) Work(ctx context.Context, _ *river.Job[SweepSessionsArgs]) error {
	n, err := w.store.DeleteExpiredSessions(ctx, w.clock.Now())
	if err != nil {
		return fmt.Errorf("jobs: sweep_sessions: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "deleted expired sessions", slog.Int64("count", n))
	}
	return nil
}
