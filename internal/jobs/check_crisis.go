package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// DefaultCrisisEvery is how often check_crisis runs: the crisis detectors
// count in 30-second buckets, so a spike is seen within a minute of
// crossing its alert level.
const DefaultCrisisEvery = 30 * time.Second

// CrisisChecker runs every enabled crisis detector once (crisis.Service).
type CrisisChecker interface {
	Evaluate(ctx context.Context) error
}

// CheckCrisisArgs enqueue a run of the crisis detectors.
type CheckCrisisArgs struct{}

// Kind names the job kind.
func (CheckCrisisArgs) Kind() string { return "check_crisis" }

// checkCrisisWorker runs the detectors.
type checkCrisisWorker struct {
	river.WorkerDefaults[CheckCrisisArgs]
	crisis CrisisChecker
}

// Timeout bounds one run: shorter than the period, so runs never pile up.
func (w *checkCrisisWorker) Timeout(*river.Job[CheckCrisisArgs]) time.Duration {
	return 25 * time.Second
}

// Work evaluates the detectors.
func (w *checkCrisisWorker) Work(ctx context.Context, _ *river.Job[CheckCrisisArgs]) error {
	if err := w.crisis.Evaluate(ctx); err != nil {
		return fmt.Errorf("jobs: check_crisis: %w", err)
	}
	return nil
}
