package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// SyncInboxArgs enqueue a run that fetches every account's new mentions
// and replies into the inbox.
type SyncInboxArgs struct{}

// Kind names the job kind.
func (SyncInboxArgs) Kind() string { return "sync_inbox" }

// syncInboxWorker reads mentions through each platform's
// connector.InboxReader, from each account's saved cursor.
type syncInboxWorker struct {
	river.WorkerDefaults[SyncInboxArgs]
	engage *engage
}

// Timeout bounds one run.
func (w *syncInboxWorker) Timeout(*river.Job[SyncInboxArgs]) time.Duration {
	return 15 * time.Minute
}

// Work syncs every connected account whose platform reads mentions and
// whose next read is due (see InboxQuietEvery). A platform's failure for
// one account is logged (or marks the account when its access ended) and
// the others go on; only database errors fail the job.
func (w *syncInboxWorker) Work(ctx context.Context, _ *river.Job[SyncInboxArgs]) error {
	e := w.engage
	platforms := e.platformsWith(func(c connector.Publisher) bool {
		_, mentions := c.(connector.InboxReader)
		_, dms := c.(connector.DMReader)
		return mentions || dms
	})
	if len(platforms) == 0 {
		return nil
	}
	accts, err := e.store.InboxAccounts(ctx, platforms)
	if err != nil {
		return fmt.Errorf("jobs: sync_inbox: list accounts: %w", err)
	}
	ids := make([]int64, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	sched, err := e.store.InboxSchedule(ctx, ids)
	if err != nil {
		return fmt.Errorf("jobs: sync_inbox: read the schedule: %w", err)
	}
	added := 0
	var errs []error
	for _, a := range accts {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		s, known := sched[a.ID]
		if known && e.clock.Now().Before(s.NextAt) {
			continue
		}
		n, err := w.account(ctx, a)
		if err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", a.ID, err))
		} else {
			// Direct messages after mentions, when reading mentions did
			// not fail on the database (a platform's refusal of them is
			// handled inside and does not stop mentions).
			d, err := w.directMessages(ctx, a)
			n += d
			if err != nil {
				errs = append(errs, fmt.Errorf("account %d: direct messages: %w", a.ID, err))
			}
		}
		added += n
		if err := w.reschedule(ctx, a, s, n); err != nil {
			errs = append(errs, fmt.Errorf("account %d: %w", a.ID, err))
		}
	}
	e.backfillInbox(ctx)
	if added > 0 {
		e.log.InfoContext(ctx, "inbox synced", slog.Int("accounts", len(accts)), slog.Int("added", added))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("jobs: sync_inbox: %w", err)
	}
	return nil
}

// reschedule sets when the account is read next: soon while a
// conversation is going on (something new arrived within
// InboxActiveFor), else after InboxQuietEvery. Half a tick is taken off,
// so that the read falls on the tick at or just before the interval's end
// rather than the one after.
func (w *syncInboxWorker) reschedule(ctx context.Context, a herald.Account, s herald.InboxSync, added int) error {
	e := w.engage
	now := e.clock.Now()
	active := s.ActiveUntil
	if added > 0 {
		until := now.Add(e.cfg.InboxActiveFor)
		active = &until
	}
	every := e.cfg.InboxQuietEvery
	if active != nil && now.Before(*active) {
		every = e.cfg.InboxActiveEvery
	} else {
		active = nil
	}
	next := herald.InboxSync{AccountID: a.ID, NextAt: now.Add(every - e.cfg.InboxEvery/2), ActiveUntil: active}
	err := e.store.SetInboxSync(ctx, next)
	if errors.Is(err, herald.ErrNotFound) || errors.Is(err, herald.ErrConflict) {
		return nil // the account was deleted meanwhile
	}
	return err
}

// account fetches one account's mentions since its cursor and stores them
// with the new cursor in one transaction.
func (w *syncInboxWorker) account(ctx context.Context, a herald.Account) (int, error) {
	e := w.engage
	c, ok := e.connectors.Get(a.Platform)
	if !ok {
		return 0, nil
	}
	ir, ok := c.(connector.InboxReader)
	if !ok {
		return 0, nil
	}
	acct, ok := e.open(ctx, a)
	if !ok {
		return 0, nil
	}
	cctx, cancel := context.WithTimeout(ctx, e.cfg.CallTimeout)
	mentions, next, err := ir.Mentions(cctx, acct, a.InboxCursor)
	cancel()
	if err != nil {
		if isShutdown(ctx, err) {
			return 0, ctx.Err()
		}
		_, err := e.platformFailed(ctx, a, "reading mentions", err)
		return 0, err
	}
	now := e.clock.Now()
	items := make([]herald.InboxItem, 0, len(mentions))
	for _, m := range mentions {
		if m.RemoteID == "" {
			continue
		}
		items = append(items, mentionItem(a, m, now))
	}
	if e.arrivals != nil {
		e.arrivals.Prepare(ctx, items)
	}
	added := 0
	var committed func(context.Context)
	err = e.store.InTx(ctx, func(tx herald.Tx) error {
		n, err := tx.AddInboxItems(ctx, items)
		if err != nil {
			return err
		}
		added = n
		if e.arrivals != nil && n > 0 {
			var err error
			if committed, err = e.arrivals.Arrived(ctx, tx, items); err != nil {
				return err
			}
		}
		if next != "" && next != a.InboxCursor {
			return tx.SetInboxCursor(ctx, a.WorkspaceID, a.ID, next)
		}
		return nil
	})
	if errors.Is(err, herald.ErrNotFound) || errors.Is(err, herald.ErrConflict) {
		// The account was deleted meanwhile.
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if committed != nil {
		committed(ctx)
	}
	return added, nil
}
