package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const replyCols = `id, workspace_id, item_id, user_id, key, text, state, remote_id, url, error, attempts, lease_until,
	created_at, updated_at, sent_at, account_id`

func scanReply(sc scanner) (herald.Reply, error) {
	var r herald.Reply
	var user, lease, sent, account sql.NullInt64
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.WorkspaceID, &r.ItemID, &user, &r.Key, &r.Text, &r.State, &r.RemoteID, &r.URL, &r.Error,
		&r.Attempts, &lease, &created, &updated, &sent, &account); err != nil {
		return r, err
	}
	r.UserID, r.LeaseUntil, r.SentAt = fromNullInt(user), fromNullMicros(lease), fromNullMicros(sent)
	r.AccountID = fromNullInt(account)
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, nil
}

// BeginReply records the reply's first attempt unless its key exists.
func (s *store) BeginReply(ctx context.Context, r *herald.Reply) (herald.Reply, bool, error) {
	var existing herald.Reply
	created := false
	r.CreatedAt = stamp(r.CreatedAt)
	r.UpdatedAt, r.LeaseUntil = r.CreatedAt, stampPtr(r.LeaseUntil)
	err := s.atomic(ctx, func(q querier) error {
		got, err := scanReply(q.QueryRowContext(ctx, `SELECT `+replyCols+` FROM inbox_replies WHERE key = ?`, r.Key))
		if err == nil {
			existing, created = got, false
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: read reply: %w", err)
		}
		err = q.QueryRowContext(ctx, `INSERT INTO inbox_replies (workspace_id, item_id, user_id, key, text, state, attempts,
			lease_until, created_at, updated_at, account_id)
			SELECT ?, id, ?, ?, ?, 'sending', 1, ?, ?, ?, ? FROM inbox_items WHERE workspace_id = ? AND id = ?
			RETURNING id`, r.WorkspaceID, nullInt(r.UserID), r.Key, r.Text, microsOrNil(r.LeaseUntil), micros(r.CreatedAt),
			micros(r.UpdatedAt), nullInt(r.AccountID), r.WorkspaceID, r.ItemID).Scan(&r.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.NotFound("inbox item")
		}
		if err != nil {
			return dbErr(err, "begin reply", "a reply with this key exists", "the user does not exist")
		}
		r.State, r.Attempts, created = herald.ReplySending, 1, true
		return nil
	})
	return existing, created, err
}

// ClaimReply starts the next attempt on a reply nobody holds.
func (s *store) ClaimReply(ctx context.Context, workspaceID, id int64, attempt int, lease, now, orphanedBefore time.Time) (herald.Reply, bool, error) {
	var r herald.Reply
	orphaned := orphanMicros(orphanedBefore)
	ok := false
	err := s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE inbox_replies SET state = 'sending', attempts = ?, lease_until = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ? AND attempts = ? AND state <> 'sent'
				AND (state <> 'sending' OR lease_until IS NULL OR lease_until < ? OR updated_at < ?)`,
			attempt, micros(stamp(lease)), micros(stamp(now)), workspaceID, id, attempt-1, micros(stamp(now)), orphaned)
		if err != nil {
			return fmt.Errorf("sqlite: claim reply: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlite: claim reply: %w", err)
		}
		ok = n == 1
		r, err = scanReply(q.QueryRowContext(ctx, `SELECT `+replyCols+` FROM inbox_replies WHERE workspace_id = ? AND id = ?`,
			workspaceID, id))
		if err != nil {
			return getErr(err, "reply")
		}
		return nil
	})
	return r, ok, err
}

// FinishReply records an attempt's outcome while the attempt holds the reply.
func (s *store) FinishReply(ctx context.Context, workspaceID, id int64, attempt int, state herald.ReplyState,
	ref herald.RemoteRef, errMsg string, at time.Time) (bool, error) {
	at = stamp(at)
	var sent any
	if state == herald.ReplySent {
		sent = micros(at)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE inbox_replies SET state = ?, remote_id = ?, url = ?, error = ?, lease_until = NULL,
		updated_at = ?, sent_at = COALESCE(?, sent_at)
		WHERE workspace_id = ? AND id = ? AND attempts = ? AND state = 'sending'`,
		string(state), ref.ID, ref.URL, errMsg, micros(at), sent, workspaceID, id, attempt)
	if err != nil {
		return false, fmt.Errorf("sqlite: finish reply: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("sqlite: finish reply: %w", err)
	}
	return n == 1, nil
}

// ListReplies returns an item's replies, oldest first.
func (s *store) ListReplies(ctx context.Context, workspaceID, itemID int64) ([]herald.Reply, error) {
	return s.replies(ctx, `SELECT `+replyCols+` FROM inbox_replies WHERE workspace_id = ? AND item_id = ? ORDER BY id`,
		workspaceID, itemID)
}

// RepliesToSettle returns the replies that need a check with the platform.
func (s *store) RepliesToSettle(ctx context.Context, now, orphanedBefore time.Time, limit int) ([]herald.Reply, error) {
	orphaned := orphanMicros(orphanedBefore)
	return s.replies(ctx, `SELECT `+replyCols+` FROM inbox_replies
		WHERE state = 'unsettled' OR (state = 'sending' AND (lease_until IS NULL OR lease_until < ? OR updated_at < ?))
		ORDER BY updated_at, id LIMIT ?`, micros(now), orphaned, limit)
}

func (s *store) replies(ctx context.Context, query string, args ...any) ([]herald.Reply, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list replies: %w", err)
	}
	defer rows.Close()
	out := []herald.Reply{}
	for rows.Next() {
		r, err := scanReply(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list replies: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list replies: %w", err)
	}
	return out, nil
}

// orphanMicros is orphanedBefore as stored, or a time before any row
// when it is zero.
func orphanMicros(orphanedBefore time.Time) int64 {
	if orphanedBefore.IsZero() {
		return -1 << 62
	}
	return micros(orphanedBefore)
}
