package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// DefaultReportsEvery is how often send_reports looks for scheduled
// reports due (each goes out at 08:00 in its workspace's zone, so within
// this time after).
const DefaultReportsEvery = 5 * time.Minute

// ReportSender sends the scheduled reports due (report.Service).
type ReportSender interface {
	SendDue(ctx context.Context) (int, error)
}

// SendReportsArgs enqueue a run.
type SendReportsArgs struct{}

// Kind names the job kind.
func (SendReportsArgs) Kind() string { return "send_reports" }

// sendReportsWorker e-mails the scheduled reports that are due.
type sendReportsWorker struct {
	river.WorkerDefaults[SendReportsArgs]
	reports ReportSender
	log     *slog.Logger
}

// Timeout bounds one run.
func (w *sendReportsWorker) Timeout(*river.Job[SendReportsArgs]) time.Duration {
	return 10 * time.Minute
}

// Work sends them; a report that could not be sent is recorded on its run.
func (w *sendReportsWorker) Work(ctx context.Context, _ *river.Job[SendReportsArgs]) error {
	n, err := w.reports.SendDue(ctx)
	if n > 0 {
		w.log.InfoContext(ctx, "scheduled reports sent", slog.Int("reports", n))
	}
	if err != nil {
		return fmt.Errorf("jobs: send_reports: %w", err)
	}
	return nil
}
