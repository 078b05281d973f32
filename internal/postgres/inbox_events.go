package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxChannel is the LISTEN/NOTIFY channel the inbox_items triggers
// notify (migration 00036); the payload is "workspace item kind schema".
const inboxChannel = "herald_inbox"

var _ herald.InboxWatcher = (*DB)(nil)

// inboxFeed is one process's listener on the inbox channel, shared by all
// of its watchers: it runs while at least one watcher is subscribed.
type inboxFeed struct {
	once sync.Once
	hub  *herald.InboxHub
	stop context.CancelFunc
}

// WatchInbox returns a channel of the workspace's inbox events written by
// any instance sharing the database. One connection per process listens
// for all watchers; it is listening when WatchInbox returns. After a lost
// connection it reconnects with back-off and sends a resync event, since
// notifications may have been missed. The channel is closed when ctx ends.
func (db *DB) WatchInbox(ctx context.Context, workspaceID int64) (<-chan herald.InboxEvent, error) {
	db.inboxFeed.once.Do(func() {
		db.inboxFeed.hub = herald.NewInboxHub(db.startInboxListener, db.stopInboxListener)
	})
	ch, err := db.inboxFeed.hub.Subscribe(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("postgres: watch inbox: %w", err)
	}
	return ch, nil
}

// startInboxListener connects and listens; the hub calls it (under its
// lock) for its first watcher.
func (db *DB) startInboxListener() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var schema string
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return dbErr("watch inbox: read current schema", err)
	}
	cfg := db.pool.Config().ConnConfig
	conn, err := listen(ctx, cfg, inboxChannel)
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(context.Background())
	db.inboxFeed.stop = stop
	go db.listenInbox(runCtx, cfg, conn, schema, db.inboxFeed.hub)
	return nil
}

// stopInboxListener ends the listener; the hub calls it (under its lock)
// when its last watcher leaves.
func (db *DB) stopInboxListener() {
	if db.inboxFeed.stop != nil {
		db.inboxFeed.stop()
		db.inboxFeed.stop = nil
	}
}

// listen opens a connection and listens on channel.
func listen(ctx context.Context, cfg *pgx.ConnConfig, channel string) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: listen on %s: connect: %w", channel, err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+channel); err != nil {
		_ = conn.Close(context.Background())
		return nil, fmt.Errorf("postgres: listen on %s: %w", channel, err)
	}
	return conn, nil
}

// listenInbox publishes the notifications for schema on hub until ctx ends.
func (db *DB) listenInbox(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, schema string, hub *herald.InboxHub) {
	defer func() {
		if conn != nil {
			closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = conn.Close(closeCtx)
		}
	}()
	wait := watchRetryMin
	for {
		if conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			c, err := listen(ctx, cfg, inboxChannel)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				db.log.WarnContext(ctx, "inbox listener cannot reconnect", "error", err, "retry_in", wait)
				wait = min(wait*2, watchRetryMax)
				continue
			}
			conn, wait = c, watchRetryMin
			db.log.InfoContext(ctx, "inbox listener reconnected")
			hub.Publish(herald.InboxEvent{Kind: herald.InboxEventResync})
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			db.log.WarnContext(ctx, "inbox listener lost its connection", "error", err)
			_ = conn.Close(context.Background())
			conn = nil
			continue
		}
		if ev, ok := parseInboxPayload(n.Payload, schema); ok {
			hub.Publish(ev)
		}
	}
}

// parseInboxPayload reads "workspace item kind schema"; ok is false for
// another schema's notification or a payload it does not understand.
func parseInboxPayload(payload, schema string) (herald.InboxEvent, bool) {
	parts := strings.SplitN(payload, " ", 4)
	if len(parts) != 4 || parts[3] != schema {
		return herald.InboxEvent{}, false
	}
	ws, err1 := strconv.ParseInt(parts[0], 10, 64)
	id, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || ws == 0 {
		return herald.InboxEvent{}, false
	}
	return herald.InboxEvent{WorkspaceID: ws, ItemID: id, Kind: herald.InboxEventKind(parts[2])}, true
}
