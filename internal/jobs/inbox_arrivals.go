package jobs

import (
	"context"
	"log/slog"

	"github.com/heraldsocial/herald/internal/herald"
)

// InboxArrivals is told about inbox items on their way in (package inbox
// implements it): Prepare analyses them before they are stored, Arrived
// applies the workspace's rules to the new ones inside the transaction
// that stores them (so an item is never seen without its rules applied)
// and returns what to do once it is committed (tell the people rules
// assigned, or nil), and Backfill analyses a batch of items stored before
// analysis existed.
type InboxArrivals interface {
	Prepare(ctx context.Context, items []herald.InboxItem)
	Arrived(ctx context.Context, tx herald.Tx, items []herald.InboxItem) (committed func(context.Context), err error)
	Backfill(ctx context.Context) (int, error)
}

// backfillInbox analyses a batch of old items after a sync run; a failure
// is logged and tried again next run.
func (e *engage) backfillInbox(ctx context.Context) {
	if e.arrivals == nil {
		return
	}
	n, err := e.arrivals.Backfill(ctx)
	if err != nil {
		e.log.ErrorContext(ctx, "inbox analysis backfill failed", slog.Any("error", err))
		return
	}
	if n > 0 {
		e.log.InfoContext(ctx, "inbox items analysed", slog.Int("items", n))
	}
}
