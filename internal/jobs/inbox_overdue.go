package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// DefaultOverdueEvery is how often inbox_overdue runs by default: an item
// past its response target is told within about this long.
const DefaultOverdueEvery = time.Minute

// InboxOverdue tells people of the inbox items that passed their
// workspace's first-response target, each once (package inbox implements
// it).
type InboxOverdue interface {
	NotifyOverdue(ctx context.Context, now time.Time) (int, error)
}

// InboxOverdueArgs enqueue a run.
type InboxOverdueArgs struct{}

// Kind names the job kind.
func (InboxOverdueArgs) Kind() string { return "inbox_overdue" }

// inboxOverdueWorker asks the inbox service to tell of overdue items.
type inboxOverdueWorker struct {
	river.WorkerDefaults[InboxOverdueArgs]
	overdue InboxOverdue
	clock   herald.Clock
	log     *slog.Logger
}

// Work tells of the items overdue now.
func (w *inboxOverdueWorker) Work(ctx context.Context, _ *river.Job[InboxOverdueArgs]) error {
	n, err := w.overdue.NotifyOverdue(ctx, w.clock.Now())
	if err != nil {
		return fmt.Errorf("jobs: inbox_overdue: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "overdue inbox items told", slog.Int("items", n))
	}
	return nil
}
