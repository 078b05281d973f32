package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// DefaultRepliesEvery is how often settle_replies runs by default: a
// reply the platform did not confirm is checked (and, where it is
// missing, sent) within about this long.
const DefaultRepliesEvery = 30 * time.Second

// ReplySettler checks with the platforms the replies whose send had no
// clear answer or whose sender died, sending those that are missing,
// exactly once. The post service implements it.
type ReplySettler interface {
	SettleReplies(ctx context.Context) (int, error)
}

// SettleRepliesArgs enqueue a settling run.
type SettleRepliesArgs struct{}

// Kind names the job kind.
func (SettleRepliesArgs) Kind() string { return "settle_replies" }

// settleRepliesWorker asks the post service to settle replies.
type settleRepliesWorker struct {
	river.WorkerDefaults[SettleRepliesArgs]
	replies ReplySettler
	log     *slog.Logger
}

// Timeout lets a run check a full batch, one platform call at a time.
func (w *settleRepliesWorker) Timeout(*river.Job[SettleRepliesArgs]) time.Duration {
	return 15 * time.Minute
}

// Work settles the replies waiting for a check.
func (w *settleRepliesWorker) Work(ctx context.Context, _ *river.Job[SettleRepliesArgs]) error {
	n, err := w.replies.SettleReplies(ctx)
	if err != nil {
		return fmt.Errorf("jobs: settle_replies: %w", err)
	}
	if n > 0 {
		w.log.InfoContext(ctx, "replies settled", slog.Int("replies", n))
	}
	return nil
}
