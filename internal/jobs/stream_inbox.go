package jobs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Push streams: for every account whose platform pushes inbox events
// (connector.InboxWatcher: the Mastodon streaming API), one instance of
// the cluster holds the stream open (a lease in the store, renewed every
// streamScan) and, when the stream says something arrived, makes the
// account due at once and enqueues sync_inbox, so a mention is read within
// a second or two instead of at the next poll. Polling goes on
// regardless: a stream that fails is reopened with backoff, and a server
// without one is tried again after noStreamRetry.

const (
	// streamScan is how often the streams are reconciled with the
	// accounts and their leases renewed.
	streamScan = 30 * time.Second
	// streamLease is how long a lease lasts without renewal: an instance
	// that dies gives its streams up after this.
	streamLease = 90 * time.Second
	// noStreamRetry is how long a server without a stream is left alone.
	noStreamRetry = time.Hour
	// streamDebounce gathers a burst of events into one sync.
	streamDebounce = 500 * time.Millisecond
)

// streams holds this instance's push streams.
type streams struct {
	e      *engage
	insert func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	holder string

	mu      sync.Mutex
	running map[int64]context.CancelFunc
	wg      sync.WaitGroup
	due     chan int64
}

func newStreams(e *engage, holder string, insert func(context.Context, river.JobArgs, *river.InsertOpts) error) *streams {
	return &streams{e: e, insert: insert, holder: holder, running: map[int64]context.CancelFunc{}, due: make(chan int64, 256)}
}

// run reconciles the streams every streamScan until ctx ends, then closes
// them all and releases their leases.
func (s *streams) run(ctx context.Context) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.syncDue(ctx)
	}()
	t := time.NewTicker(streamScan)
	defer t.Stop()
	for {
		s.scan(ctx)
		select {
		case <-ctx.Done():
			s.mu.Lock()
			for _, cancel := range s.running {
				cancel()
			}
			s.mu.Unlock()
			s.wg.Wait()
			return
		case <-t.C:
		}
	}
}

// scan claims or renews the lease of every account with a stream, starts
// the streams it holds, and stops those it lost or whose account is gone.
func (s *streams) scan(ctx context.Context) {
	e := s.e
	platforms := e.platformsWith(func(c connector.Publisher) bool {
		_, ok := c.(connector.InboxWatcher)
		return ok
	})
	if len(platforms) == 0 {
		return
	}
	accts, err := e.store.InboxAccounts(ctx, platforms)
	if err != nil {
		if ctx.Err() == nil {
			e.log.ErrorContext(ctx, "inbox streams: list accounts", slog.Any("error", err))
		}
		return
	}
	now := e.clock.Now()
	keep := map[int64]bool{}
	for _, a := range accts {
		ok, err := e.store.ClaimInboxStream(ctx, a.ID, s.holder, now.Add(streamLease), now)
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, herald.ErrConflict) {
				e.log.ErrorContext(ctx, "inbox streams: lease", slog.Int64("account_id", a.ID), slog.Any("error", err))
			}
			continue
		}
		if !ok {
			continue // another instance holds it
		}
		keep[a.ID] = true
		s.mu.Lock()
		_, on := s.running[a.ID]
		if !on && ctx.Err() == nil {
			sctx, cancel := context.WithCancel(ctx)
			s.running[a.ID] = cancel
			s.wg.Add(1)
			go func(a herald.Account) {
				defer s.wg.Done()
				s.watch(sctx, a)
			}(a)
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	for id, cancel := range s.running {
		if !keep[id] {
			cancel()
			delete(s.running, id)
		}
	}
	s.mu.Unlock()
}

// watch keeps one account's stream open until ctx ends, reopening it with
// backoff, and releases the lease at the end.
func (s *streams) watch(ctx context.Context, a herald.Account) {
	e := s.e
	defer func() {
		s.mu.Lock()
		delete(s.running, a.ID)
		s.mu.Unlock()
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := e.store.ReleaseInboxStream(rctx, a.ID, s.holder); err != nil {
			e.log.WarnContext(rctx, "inbox streams: release", slog.Int64("account_id", a.ID), slog.Any("error", err))
		}
	}()
	backoff := time.Second
	reopened := false
	for ctx.Err() == nil {
		c, ok := e.connectors.Get(a.Platform)
		w, watcher := c.(connector.InboxWatcher)
		if !ok || !watcher {
			return
		}
		acct, ok := e.open(ctx, a)
		var err error
		started := time.Now()
		if ok {
			if reopened {
				// Whatever arrived while the stream was down is read now.
				s.arrived(a.ID)
			}
			reopened = true
			err = w.WatchInbox(ctx, acct, connector.InboxSignals{
				Arrived: func() { s.arrived(a.ID) },
				Edited: func(id, text string, at time.Time) {
					s.changed(ctx, a, id, herald.InboxRemoteChange{Text: text, EditedAt: &at})
				},
				Deleted: func(id string) {
					now := e.clock.Now()
					s.changed(ctx, a, id, herald.InboxRemoteChange{DeletedAt: &now})
				},
			})
		}
		if ctx.Err() != nil {
			return
		}
		wait := backoff
		switch {
		case errors.Is(err, connector.ErrNoStream):
			e.log.InfoContext(ctx, "the server offers no streaming API; the inbox is polled", slog.Int64("account_id", a.ID))
			wait = noStreamRetry
		case err != nil:
			e.log.WarnContext(ctx, "inbox stream ended; reopening", slog.Int64("account_id", a.ID),
				slog.Duration("in", wait), slog.Any("error", err))
		}
		if time.Since(started) > time.Minute {
			backoff = time.Second // it ran well: start over
		} else {
			backoff = min(backoff*2, 5*time.Minute)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// changed records an edit or deletion the stream told of, when the post
// is one of the account's inbox items (the stream also tells of posts
// that never came to the inbox). A failure is logged: the stream goes on.
func (s *streams) changed(ctx context.Context, a herald.Account, remoteID string, c herald.InboxRemoteChange) {
	e := s.e
	it, err := e.store.FindInboxItem(ctx, a.ID, remoteID)
	if errors.Is(err, herald.ErrNotFound) {
		return
	}
	if err == nil && c.EditedAt != nil && it.Text == c.Text {
		return // only its look changed
	}
	if err == nil {
		err = e.store.ChangeInboxRemote(ctx, it.WorkspaceID, it.ID, c)
	}
	if err != nil && ctx.Err() == nil {
		e.log.WarnContext(ctx, "inbox streams: an edit or deletion not recorded", slog.Int64("account_id", a.ID),
			slog.String("remote_id", remoteID), slog.Any("error", err))
	}
}

// arrived marks the account due, without blocking the stream.
func (s *streams) arrived(accountID int64) {
	select {
	case s.due <- accountID:
	default: // a sync is coming anyway
	}
}

// syncDue makes the accounts streams reported due at once and enqueues
// one sync_inbox per burst (none while one waits or runs: a running one
// may have read its accounts already, and the next, at most InboxEvery
// later, finds these due).
func (s *streams) syncDue(ctx context.Context) {
	e := s.e
	for {
		var first int64
		select {
		case <-ctx.Done():
			return
		case first = <-s.due:
		}
		ids := map[int64]bool{first: true}
		timer := time.NewTimer(streamDebounce)
	gather:
		for {
			select {
			case id := <-s.due:
				ids[id] = true
			case <-timer.C:
				break gather
			case <-ctx.Done():
				timer.Stop()
				return
			}
		}
		now := e.clock.Now()
		var list []int64
		for id := range ids {
			list = append(list, id)
		}
		sched, err := e.store.InboxSchedule(ctx, list)
		if err != nil {
			e.log.ErrorContext(ctx, "inbox streams: read the schedule", slog.Any("error", err))
			continue
		}
		for _, id := range list {
			next := herald.InboxSync{AccountID: id, NextAt: now}
			if old, ok := sched[id]; ok {
				next.ActiveUntil = old.ActiveUntil
			}
			if err := e.store.SetInboxSync(ctx, next); err != nil && !errors.Is(err, herald.ErrNotFound) &&
				!errors.Is(err, herald.ErrConflict) {
				e.log.ErrorContext(ctx, "inbox streams: make the account due", slog.Int64("account_id", id), slog.Any("error", err))
			}
		}
		err = s.insert(ctx, SyncInboxArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true,
			ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending,
				rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}}})
		if err != nil && ctx.Err() == nil {
			e.log.ErrorContext(ctx, "inbox streams: enqueue sync_inbox", slog.Any("error", err))
		}
	}
}
