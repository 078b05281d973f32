package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// PollFeedsArgs enqueue a poll of the RSS and Atom feeds that are due.
type PollFeedsArgs struct{}

// Kind names the job kind.
func (PollFeedsArgs) Kind() string { return "poll_feeds" }

// pollFeedsWorker asks the feeds service to poll the due feeds.
type pollFeedsWorker struct {
	river.WorkerDefaults[PollFeedsArgs]
	feeds FeedPoller
	clock herald.Clock
	log   *slog.Logger
}

// Timeout bounds one run: a batch of feeds, each fetch bounded by itself.
func (w *pollFeedsWorker) Timeout(*river.Job[PollFeedsArgs]) time.Duration {
	return 10 * time.Minute
}

// Work polls every feed due now.
func (w *pollFeedsWorker) Work(ctx context.Context, _ *river.Job[PollFeedsArgs]) error {
	n, err := w.feeds.PollDue(ctx, w.clock.Now())
	if err != nil {
		return fmt.Errorf("jobs: poll_feeds: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "feeds polled", slog.Int("feeds", n))
	}
	return nil
}
