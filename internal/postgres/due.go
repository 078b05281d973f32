package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// dueChannel is the LISTEN/NOTIFY channel the schema's triggers notify
// when a target may have become due sooner; the payload is the schema, so
// installations sharing a database in separate schemas ignore each other.
const dueChannel = "herald_due"

// Reconnect back-off of the due watcher.
const (
	watchRetryMin = 250 * time.Millisecond
	watchRetryMax = 30 * time.Second
)

var _ herald.DueWatcher = (*DB)(nil)

// WatchDue listens for due signals from every instance sharing the
// database (triggers notify on scheduling, rescheduling, retry times,
// resumes, unpausing and reconnected accounts) on a connection of its
// own. The channel is listening when WatchDue returns. After the
// connection drops it reconnects with back-off and, since notifications
// may have been missed meanwhile, signals once. The channel is closed when
// ctx ends.
func (db *DB) WatchDue(ctx context.Context) (<-chan struct{}, error) {
	var schema string
	if err := db.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, dbErr("watch due: read current schema", err)
	}
	cfg := db.pool.Config().ConnConfig
	conn, err := listenDue(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ch := make(chan struct{}, 1)
	go db.watchDue(ctx, cfg, conn, schema, ch)
	return ch, nil
}

// listenDue opens a connection and listens on the due channel.
func listenDue(ctx context.Context, cfg *pgx.ConnConfig) (*pgx.Conn, error) {
	return listen(ctx, cfg, dueChannel)
}

// watchDue forwards notifications for schema to ch until ctx ends.
func (db *DB) watchDue(ctx context.Context, cfg *pgx.ConnConfig, conn *pgx.Conn, schema string, ch chan struct{}) {
	defer close(ch)
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
			c, err := listenDue(ctx, cfg)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				db.log.WarnContext(ctx, "due watcher cannot reconnect", "error", err, "retry_in", wait)
				wait = min(wait*2, watchRetryMax)
				continue
			}
			conn, wait = c, watchRetryMin
			db.log.InfoContext(ctx, "due watcher reconnected")
			signal(ch) // notifications sent while we were away are lost
		}
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			db.log.WarnContext(ctx, "due watcher lost its connection", "error", err)
			_ = conn.Close(context.Background())
			conn = nil
			continue
		}
		if n.Payload == schema {
			signal(ch)
		}
	}
}

// signal sends on ch unless a signal is already waiting there.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
