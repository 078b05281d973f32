package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// notificationKey is how a stored notification is found again.
type notificationKey struct {
	ws, user int64
	key      string
}

// AddNotifications stores ns in one statement, skipping the events each
// person has already.
func (s store) AddNotifications(ctx context.Context, ns []herald.UserNotification) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	wss, users := make([]int64, len(ns)), make([]int64, len(ns))
	kinds, keys, bodies := make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns))
	ats := make([]time.Time, len(ns))
	for i := range ns {
		n := &ns[i]
		if n.Key == "" {
			return 0, fmt.Errorf("postgres: add notifications: notification %d has no key", i)
		}
		n.ID, n.UserIDs = 0, nil
		stamp(&n.At)
		body, err := json.Marshal(n.Notification)
		if err != nil {
			return 0, fmt.Errorf("postgres: add notifications: %w", err)
		}
		wss[i], users[i], kinds[i], keys[i], bodies[i], ats[i] = n.WorkspaceID, n.UserID, string(n.Kind), n.Key, string(body), n.At
	}
	rows, err := s.q.Query(ctx, `INSERT INTO notifications (workspace_id, user_id, kind, event_key, notification, created_at)
		SELECT u.ws, u.usr, u.kind, u.key, u.body::jsonb, u.at
		FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
			WITH ORDINALITY AS u(ws, usr, kind, key, body, at, ord)
		ORDER BY u.ord
		ON CONFLICT (workspace_id, user_id, event_key) DO NOTHING
		RETURNING id, workspace_id, user_id, event_key`, wss, users, kinds, keys, bodies, ats)
	if err != nil {
		return 0, dbErr("add notifications", err)
	}
	type added struct {
		id int64
		k  notificationKey
	}
	got, err := collect(rows, func(sc scanner) (added, error) {
		var a added
		return a, sc.Scan(&a.id, &a.k.ws, &a.k.user, &a.k.key)
	})
	if err != nil {
		return 0, dbErr("add notifications", err)
	}
	ids := make(map[notificationKey]int64, len(got))
	for _, a := range got {
		ids[a.k] = a.id
	}
	count := 0
	for i := range ns {
		k := notificationKey{ns[i].WorkspaceID, ns[i].UserID, ns[i].Key}
		if id, ok := ids[k]; ok {
			ns[i].ID = id
			delete(ids, k) // a repeat within the batch stays 0
			count++
		}
	}
	return count, nil
}

const notificationCols = `id, user_id, notification, read_at`

func scanNotification(sc scanner) (herald.UserNotification, error) {
	var n herald.UserNotification
	var body []byte
	if err := sc.Scan(&n.ID, &n.UserID, &body, &n.ReadAt); err != nil {
		return n, err
	}
	if err := json.Unmarshal(body, &n.Notification); err != nil {
		return n, fmt.Errorf("notification %d: %w", n.ID, err)
	}
	return n, nil
}

// ListNotifications returns a page of a person's feed, newest first.
func (s store) ListNotifications(ctx context.Context, workspaceID, userID int64, f herald.NotificationFilter) (herald.NotificationPage, error) {
	limit := f.Size()
	before, err := f.Before()
	if err != nil {
		return herald.NotificationPage{}, err
	}
	q := `SELECT ` + notificationCols + ` FROM notifications WHERE workspace_id = $1 AND user_id = $2`
	args := []any{workspaceID, userID}
	if f.UnreadOnly {
		q += ` AND read_at IS NULL`
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		args = append(args, kinds)
		q += fmt.Sprintf(` AND kind = ANY($%d)`, len(args))
	}
	if before != 0 {
		args = append(args, before)
		q += fmt.Sprintf(` AND id < $%d`, len(args))
	}
	args = append(args, limit+1)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return herald.NotificationPage{}, dbErr("list notifications", err)
	}
	items, err := collect(rows, scanNotification)
	if err != nil {
		return herald.NotificationPage{}, dbErr("list notifications", err)
	}
	return herald.NewNotificationPage(items, limit), nil
}

// CountUnreadNotifications counts a person's unread notifications.
func (s store) CountUnreadNotifications(ctx context.Context, workspaceID, userID int64) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT count(*) FROM notifications
		WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL`, workspaceID, userID).Scan(&n)
	if err != nil {
		return 0, dbErr("count unread notifications", err)
	}
	return n, nil
}

// MarkNotifications marks a person's notifications read or unread.
func (s store) MarkNotifications(ctx context.Context, workspaceID, userID int64, ids []int64, read bool, at time.Time) (int, error) {
	stamp(&at)
	var q string
	args := []any{workspaceID, userID}
	switch {
	case ids == nil && !read:
		return 0, fmt.Errorf("postgres: mark notifications: every notification can only be marked read")
	case ids == nil:
		q = `UPDATE notifications SET read_at = $3 WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL`
		args = append(args, at)
	case len(ids) == 0:
		return 0, nil
	case read:
		q = `UPDATE notifications SET read_at = $3
			WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NULL AND id = ANY($4)`
		args = append(args, at, ids)
	default:
		q = `UPDATE notifications SET read_at = NULL
			WHERE workspace_id = $1 AND user_id = $2 AND read_at IS NOT NULL AND id = ANY($3)`
		args = append(args, ids)
	}
	tag, err := s.q.Exec(ctx, q, args...)
	if err != nil {
		return 0, dbErr("mark notifications", err)
	}
	return int(tag.RowsAffected()), nil
}

// PruneNotifications deletes old notifications, read ones sooner.
func (s store) PruneNotifications(ctx context.Context, readBefore, allBefore time.Time, limit int) (int, error) {
	tag, err := s.q.Exec(ctx, `DELETE FROM notifications WHERE id IN (SELECT id FROM notifications
		WHERE (read_at IS NOT NULL AND created_at < $1) OR created_at < $2 ORDER BY created_at LIMIT $3)`,
		readBefore, allBefore, max(limit, 1))
	if err != nil {
		return 0, dbErr("prune notifications", err)
	}
	return int(tag.RowsAffected()), nil
}
