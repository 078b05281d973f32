package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// ExtendSeriesArgs enqueue the creation of recurring series' next posts.
type ExtendSeriesArgs struct{}

// Kind names the job kind.
func (ExtendSeriesArgs) Kind() string { return "extend_series" }

// extendSeriesWorker asks the post service to extend recurring series.
type extendSeriesWorker struct {
	river.WorkerDefaults[ExtendSeriesArgs]
	extender SeriesExtender
	clock    herald.Clock
	log      *slog.Logger
}

// Timeout bounds one run over every series.
func (w *extendSeriesWorker) Timeout(*river.Job[ExtendSeriesArgs]) time.Duration {
	return 10 * time.Minute
}

// Work extends every series up to the extender's horizon from now.
func (w *extendSeriesWorker) Work(ctx context.Context, _ *river.Job[ExtendSeriesArgs]) error {
	n, err := w.extender.ExtendSeries(ctx, w.clock.Now())
	if err != nil {
		return fmt.Errorf("jobs: extend_series: %w", err)
	}
	w.log.InfoContext(ctx, "recurring series extended", slog.Int("posts_created", n))
	return nil
}
