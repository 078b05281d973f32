package sqlite

import (
	"context"
	"database/sql"
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

// AddNotifications stores ns, skipping the events each person has already.
func (s *store) AddNotifications(ctx context.Context, ns []herald.UserNotification) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	type row struct {
		WS   int64  `json:"w"`
		User int64  `json:"u"`
		Kind string `json:"k"`
		Key  string `json:"e"`
		Body string `json:"n"`
		At   int64  `json:"t"`
	}
	rows := make([]row, len(ns))
	for i := range ns {
		n := &ns[i]
		if n.Key == "" {
			return 0, fmt.Errorf("sqlite: add notifications: notification %d has no key", i)
		}
		n.ID, n.UserIDs = 0, nil
		n.At = stamp(n.At)
		body, err := json.Marshal(n.Notification)
		if err != nil {
			return 0, fmt.Errorf("sqlite: add notifications: %w", err)
		}
		rows[i] = row{n.WorkspaceID, n.UserID, string(n.Kind), n.Key, string(body), micros(n.At)}
	}
	arg, err := json.Marshal(rows)
	if err != nil {
		return 0, fmt.Errorf("sqlite: add notifications: %w", err)
	}
	rs, err := s.w.QueryContext(ctx, `INSERT INTO notifications (workspace_id, user_id, kind, event_key, notification, created_at)
		SELECT j.value ->> 'w', j.value ->> 'u', j.value ->> 'k', j.value ->> 'e', j.value ->> 'n', j.value ->> 't'
		FROM json_each(?) j WHERE true ORDER BY j.key
		ON CONFLICT (workspace_id, user_id, event_key) DO NOTHING
		RETURNING id, workspace_id, user_id, event_key`, string(arg))
	if err != nil {
		return 0, dbErr(err, "add notifications", "", "the workspace or the person does not exist")
	}
	defer rs.Close()
	ids := map[notificationKey]int64{}
	for rs.Next() {
		var id int64
		var k notificationKey
		if err := rs.Scan(&id, &k.ws, &k.user, &k.key); err != nil {
			return 0, fmt.Errorf("sqlite: add notifications: %w", err)
		}
		ids[k] = id
	}
	if err := rs.Err(); err != nil {
		return 0, dbErr(err, "add notifications", "", "the workspace or the person does not exist")
	}
	for i := range ns {
		k := notificationKey{ns[i].WorkspaceID, ns[i].UserID, ns[i].Key}
		if id, ok := ids[k]; ok {
			ns[i].ID = id
			delete(ids, k) // a repeat within the batch stays 0
		}
	}
	return countAdded(ns), nil
}

// countAdded counts the notifications given an ID.
func countAdded(ns []herald.UserNotification) int {
	n := 0
	for _, x := range ns {
		if x.ID != 0 {
			n++
		}
	}
	return n
}

const notificationCols = `id, user_id, notification, read_at`

func scanNotification(sc scanner) (herald.UserNotification, error) {
	var n herald.UserNotification
	var body string
	var read sql.NullInt64
	if err := sc.Scan(&n.ID, &n.UserID, &body, &read); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(body), &n.Notification); err != nil {
		return n, fmt.Errorf("notification %d: %w", n.ID, err)
	}
	n.ReadAt = fromNullMicros(read)
	return n, nil
}

// ListNotifications returns a page of a person's feed, newest first.
func (s *store) ListNotifications(ctx context.Context, workspaceID, userID int64, f herald.NotificationFilter) (herald.NotificationPage, error) {
	limit := f.Size()
	before, err := f.Before()
	if err != nil {
		return herald.NotificationPage{}, err
	}
	q := `SELECT ` + notificationCols + ` FROM notifications WHERE workspace_id = ? AND user_id = ?`
	args := []any{workspaceID, userID}
	if f.UnreadOnly {
		q += ` AND read_at IS NULL`
	}
	if len(f.Kinds) > 0 {
		q += ` AND kind IN (SELECT value FROM json_each(?))`
		b, _ := json.Marshal(f.Kinds) // strings always encode
		args = append(args, string(b))
	}
	if before != 0 {
		q += ` AND id < ?`
		args = append(args, before)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	items, err := listRows(ctx, s, "notifications", q, args, scanNotification)
	if err != nil {
		return herald.NotificationPage{}, err
	}
	return herald.NewNotificationPage(items, limit), nil
}

// CountUnreadNotifications counts a person's unread notifications.
func (s *store) CountUnreadNotifications(ctx context.Context, workspaceID, userID int64) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM notifications
		WHERE workspace_id = ? AND user_id = ? AND read_at IS NULL`, workspaceID, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlite: count unread notifications: %w", err)
	}
	return n, nil
}

// MarkNotifications marks a person's notifications read or unread.
func (s *store) MarkNotifications(ctx context.Context, workspaceID, userID int64, ids []int64, read bool, at time.Time) (int, error) {
	var res sql.Result
	var err error
	switch {
	case ids == nil && !read:
		return 0, fmt.Errorf("sqlite: mark notifications: every notification can only be marked read")
	case ids == nil:
		res, err = s.w.ExecContext(ctx, `UPDATE notifications SET read_at = ?
			WHERE workspace_id = ? AND user_id = ? AND read_at IS NULL`, micros(stamp(at)), workspaceID, userID)
	case len(ids) == 0:
		return 0, nil
	case read:
		res, err = s.w.ExecContext(ctx, `UPDATE notifications SET read_at = ?
			WHERE workspace_id = ? AND user_id = ? AND read_at IS NULL AND id IN (SELECT value FROM json_each(?))`,
			micros(stamp(at)), workspaceID, userID, idsJSON(ids))
	default:
		res, err = s.w.ExecContext(ctx, `UPDATE notifications SET read_at = NULL
			WHERE workspace_id = ? AND user_id = ? AND read_at IS NOT NULL AND id IN (SELECT value FROM json_each(?))`,
			workspaceID, userID, idsJSON(ids))
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: mark notifications: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: mark notifications: %w", err)
	}
	return int(n), nil
}

// PruneNotifications deletes old notifications, read ones sooner.
func (s *store) PruneNotifications(ctx context.Context, readBefore, allBefore time.Time, limit int) (int, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM notifications WHERE id IN (SELECT id FROM notifications
		WHERE (read_at IS NOT NULL AND created_at < ?) OR created_at < ? ORDER BY created_at LIMIT ?)`,
		micros(readBefore), micros(allBefore), max(limit, 1))
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune notifications: %w", err)
	}
	return int(n), nil
}
