package sqlite

import (
	"context"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.InboxWatcher = (*DB)(nil)

// notifyInbox tells inbox watchers about committed changes: at once, or
// when the current transaction commits. Callers call it after their
// statements succeeded. SQLite has a single writer, so every change to an
// inbox item goes through this process and reaches every watcher.
func (s *store) notifyInbox(evs ...herald.InboxEvent) {
	if s.inbox == nil {
		return
	}
	if s.tx != nil {
		s.inboxInTx = append(s.inboxInTx, evs...)
		return
	}
	for _, ev := range evs {
		s.inbox.Publish(ev)
	}
}

// notifyInboxAfter tells inbox watchers that kind happened to each item
// when err (the write's result) is nil, and returns err.
func (s *store) notifyInboxAfter(workspaceID int64, ids []int64, kind herald.InboxEventKind, err error) error {
	if err != nil {
		return err
	}
	for _, id := range ids {
		s.notifyInbox(herald.InboxEvent{WorkspaceID: workspaceID, ItemID: id, Kind: kind})
	}
	return nil
}

// publishInbox sends the events held back by a committed transaction.
func (s *store) publishInbox() {
	for _, ev := range s.inboxInTx {
		s.inbox.Publish(ev)
	}
	s.inboxInTx = nil
}

// WatchInbox returns a channel of the workspace's inbox events (items
// added, states, assignments, first responses) written by this process,
// which on SQLite is every writer. It is closed when ctx ends.
func (db *DB) WatchInbox(ctx context.Context, workspaceID int64) (<-chan herald.InboxEvent, error) {
	return db.inbox.Subscribe(ctx, workspaceID)
}
