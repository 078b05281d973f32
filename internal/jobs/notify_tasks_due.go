package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// DefaultTasksEvery is how often notify_tasks_due runs by default.
const DefaultTasksEvery = 10 * time.Minute

// TaskReminder tells the assignees of tasks due soon or overdue and says
// how many it told; its notifications carry keys, so a run repeating an
// earlier one's tells nobody twice. The tasks service implements it.
type TaskReminder interface {
	NotifyDue(ctx context.Context) (int, error)
}

// NotifyTasksDueArgs enqueue a look for tasks due soon or overdue.
type NotifyTasksDueArgs struct{}

// Kind names the job kind.
func (NotifyTasksDueArgs) Kind() string { return "notify_tasks_due" }

// notifyTasksDueWorker asks the tasks service to tell about due tasks.
type notifyTasksDueWorker struct {
	river.WorkerDefaults[NotifyTasksDueArgs]
	tasks TaskReminder
	log   *slog.Logger
}

// Work tells about every task due soon or overdue.
func (w *notifyTasksDueWorker) Work(ctx context.Context, _ *river.Job[NotifyTasksDueArgs]) error {
	n, err := w.tasks.NotifyDue(ctx)
	if err != nil {
		return fmt.Errorf("jobs: notify_tasks_due: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "task reminders sent", slog.Int("notifications", n))
	}
	return nil
}
