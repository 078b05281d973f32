package sqlite

import (
	"context"
	"sync"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.DueWatcher = (*DB)(nil)

// dueHub fans a "something may be due sooner" signal out to every
// WatchDue channel of this process. SQLite has a single writer, so every
// change that matters goes through this process and nothing is missed.
type dueHub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// signal wakes every watcher without blocking: a watcher that has not
// read its last signal yet gets no second one (signals coalesce).
func (h *dueHub) signal() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// subscribe returns a channel that receives signals until ctx ends, and is
// then closed.
func (h *dueHub) subscribe(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan struct{}]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, ch)
		close(ch)
		h.mu.Unlock()
	}()
	return ch
}

// notifyDue tells due watchers that a target may have become due sooner:
// at once, or when the current transaction commits.
func (s *store) notifyDue() {
	if s.tx != nil {
		s.dueInTx = true
		return
	}
	s.hub.signal()
}

// WatchDue returns a channel that receives a signal whenever a change in
// this process may have made a target due sooner (scheduled, rescheduled,
// retry time set, resumed, publishing unpaused). It is closed when ctx ends.
func (db *DB) WatchDue(ctx context.Context) (<-chan struct{}, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return db.hub.subscribe(ctx), nil
}
