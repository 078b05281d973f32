package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/herald"
)

// DefaultEvergreenEvery is how often evergreen posts fill free slots.
const DefaultEvergreenEvery = time.Hour

// EvergreenRecycler fills free posting slots with evergreen posts and says
// how many copies it made. The evergreen service implements it.
type EvergreenRecycler interface {
	Recycle(ctx context.Context, now time.Time) (int, error)
}

// RecycleEvergreenArgs enqueue a run of evergreen recycling.
type RecycleEvergreenArgs struct{}

// Kind names the job kind.
func (RecycleEvergreenArgs) Kind() string { return "recycle_evergreen" }

// recycleEvergreenWorker asks the evergreen service to fill free slots.
type recycleEvergreenWorker struct {
	river.WorkerDefaults[RecycleEvergreenArgs]
	recycler EvergreenRecycler
	clock    herald.Clock
	log      *slog.Logger
}

// Timeout bounds one run over every workspace.
func (w *recycleEvergreenWorker) Timeout(*river.Job[RecycleEvergreenArgs]) time.Duration {
	return 10 * time.Minute
}

// Work fills the coming week's free slots of every enabled workspace.
func (w *recycleEvergreenWorker) Work(ctx context.Context, _ *river.Job[RecycleEvergreenArgs]) error {
	n, err := w.recycler.Recycle(ctx, w.clock.Now())
	if err != nil {
		return fmt.Errorf("jobs: recycle_evergreen: %w", err)
	}
	w.log.InfoContext(ctx, "evergreen posts recycled", slog.Int("copies_created", n))
	return nil
}
