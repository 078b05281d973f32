package herald

import (
	"context"
	"sync"
)

// InboxEventKind says what happened to an inbox item.
type InboxEventKind string

// Inbox event kinds.
const (
	InboxEventAdded    InboxEventKind = "added"    // a new item arrived
	InboxEventState    InboxEventKind = "state"    // open, pending or done changed
	InboxEventAssigned InboxEventKind = "assigned" // given to someone, or to nobody
	InboxEventChanged  InboxEventKind = "changed"  // anything else (first response, read)
	// InboxEventResync means events may have been missed (a lost
	// database connection, a slow reader): reload everything.
	InboxEventResync InboxEventKind = "resync"
)

// InboxEvent is one change to a workspace's inbox, as the live inbox
// pages receive it.
type InboxEvent struct {
	WorkspaceID int64
	ItemID      int64 // 0 for InboxEventResync
	Kind        InboxEventKind
}

// InboxWatcher is the store's feed of inbox changes: every write to an
// inbox item (new items, states, assignments, first responses) by any
// writer, in process on SQLite and across instances on PostgreSQL
// (LISTEN/NOTIFY, notified in the writing transaction).
type InboxWatcher interface {
	// WatchInbox returns a channel of the workspace's inbox events that
	// is receiving when WatchInbox returns and closed when ctx ends. A
	// reader that falls behind gets InboxEventResync instead of the
	// events it missed.
	WatchInbox(ctx context.Context, workspaceID int64) (<-chan InboxEvent, error)
}

// inboxEventBuffer is how many events wait for a slow reader before it
// gets a resync instead.
const inboxEventBuffer = 64

// InboxHub fans inbox events out to the watchers of this process. Stores
// use it behind WatchInbox. The zero value is ready to use.
type InboxHub struct {
	mu   sync.Mutex
	subs map[*inboxSub]struct{}
	// onFirst and onLast, when set, run (under the hub's lock) when the
	// first watcher arrives and when the last one leaves: a store starts
	// and stops its database listener with them.
	onFirst func() error
	onLast  func()
}

type inboxSub struct {
	ws     int64
	ch     chan InboxEvent
	missed bool
}

// NewInboxHub returns a hub that calls onFirst when its first watcher
// subscribes (an error refuses the subscription) and onLast when its last
// watcher leaves. Either may be nil.
func NewInboxHub(onFirst func() error, onLast func()) *InboxHub {
	return &InboxHub{onFirst: onFirst, onLast: onLast}
}

// Publish hands ev to every watcher of its workspace; a resync event with
// WorkspaceID 0 goes to every watcher. It never blocks: a watcher whose
// buffer is full is marked and gets a resync when it has room again.
func (h *InboxHub) Publish(ev InboxEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		if ev.WorkspaceID != 0 && sub.ws != ev.WorkspaceID {
			continue
		}
		e := ev
		e.WorkspaceID = sub.ws
		if sub.missed {
			e = InboxEvent{WorkspaceID: sub.ws, Kind: InboxEventResync}
		}
		select {
		case sub.ch <- e:
			sub.missed = false
		default:
			sub.missed = true
		}
	}
}

// Subscribe returns a channel of workspaceID's events until ctx ends; it
// is then closed.
func (h *InboxHub) Subscribe(ctx context.Context, workspaceID int64) (<-chan InboxEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sub := &inboxSub{ws: workspaceID, ch: make(chan InboxEvent, inboxEventBuffer)}
	h.mu.Lock()
	if len(h.subs) == 0 && h.onFirst != nil {
		if err := h.onFirst(); err != nil {
			h.mu.Unlock()
			return nil, err
		}
	}
	if h.subs == nil {
		h.subs = map[*inboxSub]struct{}{}
	}
	h.subs[sub] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, sub)
		close(sub.ch)
		if len(h.subs) == 0 && h.onLast != nil {
			h.onLast()
		}
		h.mu.Unlock()
	}()
	return sub.ch, nil
}
