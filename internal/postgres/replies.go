package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

const replyCols = `id, workspace_id, item_id, user_id, key, text, state, remote_id, url, error, attempts, lease_until,
	created_at, updated_at, sent_at, account_id`

func scanReply(sc scanner) (herald.Reply, error) {
	var r herald.Reply
	err := sc.Scan(&r.ID, &r.WorkspaceID, &r.ItemID, &r.UserID, &r.Key, &r.Text, &r.State, &r.RemoteID, &r.URL, &r.Error,
		&r.Attempts, &r.LeaseUntil, &r.CreatedAt, &r.UpdatedAt, &r.SentAt, &r.AccountID)
	return r, err
}

// BeginReply records the reply's first attempt unless its key exists. Two
// callers with the same key meet at the unique key: the second waits for
// the first's transaction and then reads its row.
func (s store) BeginReply(ctx context.Context, r *herald.Reply) (herald.Reply, bool, error) {
	var existing herald.Reply
	created := false
	stamp(&r.CreatedAt)
	r.UpdatedAt = r.CreatedAt
	err := s.atomic(ctx, func(s store) error {
		var one int
		if err := s.q.QueryRow(ctx, `SELECT 1 FROM inbox_items WHERE workspace_id = $1 AND id = $2`,
			r.WorkspaceID, r.ItemID).Scan(&one); err != nil {
			return notFound("inbox item", "begin reply", err)
		}
		err := s.q.QueryRow(ctx, `INSERT INTO inbox_replies (workspace_id, item_id, user_id, key, text, state, attempts,
			lease_until, created_at, updated_at, account_id)
			VALUES ($1, $2, $3, $4, $5, 'sending', 1, $6, $7, $8, $9)
			ON CONFLICT (key) DO NOTHING RETURNING id`, r.WorkspaceID, r.ItemID, r.UserID, r.Key, r.Text, r.LeaseUntil,
			r.CreatedAt, r.UpdatedAt, r.AccountID).Scan(&r.ID)
		if err == nil {
			r.State, r.Attempts, created = herald.ReplySending, 1, true
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return dbErr("begin reply", err)
		}
		existing, err = scanReply(s.q.QueryRow(ctx, `SELECT `+replyCols+` FROM inbox_replies WHERE key = $1`, r.Key))
		return dbErr("read reply", err)
	})
	return existing, created, err
}

// ClaimReply starts the next attempt on a reply nobody holds.
func (s store) ClaimReply(ctx context.Context, workspaceID, id int64, attempt int, lease, now, orphanedBefore time.Time) (herald.Reply, bool, error) {
	var orphaned *time.Time
	if !orphanedBefore.IsZero() {
		orphaned = &orphanedBefore
	}
	r, err := scanReply(s.q.QueryRow(ctx, `UPDATE inbox_replies SET state = 'sending', attempts = $1, lease_until = $2,
		updated_at = $3
		WHERE workspace_id = $4 AND id = $5 AND attempts = $6 AND state <> 'sent'
			AND (state <> 'sending' OR lease_until IS NULL OR lease_until < $3 OR updated_at < $7)
		RETURNING `+replyCols, attempt, lease, now, workspaceID, id, attempt-1, orphaned))
	if err == nil {
		return r, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return r, false, dbErr("claim reply", err)
	}
	r, err = scanReply(s.q.QueryRow(ctx, `SELECT `+replyCols+` FROM inbox_replies WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return r, false, notFound("reply", "claim reply", err)
	}
	return r, false, nil
}

// FinishReply records an attempt's outcome while the attempt holds the reply.
func (s store) FinishReply(ctx context.Context, workspaceID, id int64, attempt int, state herald.ReplyState,
	ref herald.RemoteRef, errMsg string, at time.Time) (bool, error) {
	var sent *time.Time
	if state == herald.ReplySent {
		sent = &at
	}
	tag, err := s.q.Exec(ctx, `UPDATE inbox_replies SET state = $1, remote_id = $2, url = $3, error = $4, lease_until = NULL,
		updated_at = $5, sent_at = COALESCE($6, sent_at)
		WHERE workspace_id = $7 AND id = $8 AND attempts = $9 AND state = 'sending'`,
		string(state), ref.ID, ref.URL, errMsg, at, sent, workspaceID, id, attempt)
	if err != nil {
		return false, dbErr("finish reply", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ListReplies returns an item's replies, oldest first.
func (s store) ListReplies(ctx context.Context, workspaceID, itemID int64) ([]herald.Reply, error) {
	return s.replies(ctx, `SELECT `+replyCols+` FROM inbox_replies WHERE workspace_id = $1 AND item_id = $2 ORDER BY id`,
		workspaceID, itemID)
}

// RepliesToSettle returns the replies that need a check with the platform.
func (s store) RepliesToSettle(ctx context.Context, now, orphanedBefore time.Time, limit int) ([]herald.Reply, error) {
	var orphaned *time.Time
	if !orphanedBefore.IsZero() {
		orphaned = &orphanedBefore
	}
	return s.replies(ctx, `SELECT `+replyCols+` FROM inbox_replies
		WHERE state = 'unsettled' OR (state = 'sending' AND (lease_until IS NULL OR lease_until < $1 OR updated_at < $2))
		ORDER BY updated_at, id LIMIT $3`, now, orphaned, limit)
}

func (s store) replies(ctx context.Context, query string, args ...any) ([]herald.Reply, error) {
	rows, err := s.q.Query(ctx, query, args...)
	if err != nil {
		return nil, dbErr("list replies", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (herald.Reply, error) { return scanReply(row) })
	if err != nil {
		return nil, dbErr("list replies", err)
	}
	return out, nil
}
