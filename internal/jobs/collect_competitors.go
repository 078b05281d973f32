package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// CompetitorsEvery is how often collect_competitors looks for tracked
// competitor accounts not yet read on the current UTC day: each account
// is read once a day (soon after midnight UTC, which also settles the
// figures of the day before), and an account whose reading failed is
// tried again an hour later.
const CompetitorsEvery = time.Hour

// CompetitorCollector reads the tracked competitor accounts due a
// reading and says how many it read (competitor.Service).
type CompetitorCollector interface {
	CollectDue(ctx context.Context) (int, error)
}

// CollectCompetitorsArgs enqueue a reading of the competitor accounts due
// one.
type CollectCompetitorsArgs struct{}

// Kind names the job kind.
func (CollectCompetitorsArgs) Kind() string { return "collect_competitors" }

// collectCompetitorsWorker reads the due accounts.
type collectCompetitorsWorker struct {
	river.WorkerDefaults[CollectCompetitorsArgs]
	competitors CompetitorCollector
	log         *slog.Logger
}

// Timeout bounds one run, shorter than the period.
func (w *collectCompetitorsWorker) Timeout(*river.Job[CollectCompetitorsArgs]) time.Duration {
	return 50 * time.Minute
}

// Work reads the due accounts; one account's failure is recorded on it
// and does not fail the run.
func (w *collectCompetitorsWorker) Work(ctx context.Context, _ *river.Job[CollectCompetitorsArgs]) error {
	n, err := w.competitors.CollectDue(ctx)
	if err != nil {
		return fmt.Errorf("jobs: collect_competitors: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "read competitor accounts", slog.Int("count", n))
	}
	return nil
}
