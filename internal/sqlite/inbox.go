package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

const inboxCols = `id, workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
	reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at, assigned_to`

func scanInboxItem(sc scanner) (herald.InboxItem, error) {
	var it herald.InboxItem
	var target, readAt, assigned sql.NullInt64
	var created, fetched int64
	var meta sql.NullString
	if err := sc.Scan(&it.ID, &it.WorkspaceID, &it.AccountID, &it.RemoteID, &it.URL, &it.AuthorID, &it.AuthorHandle,
		&it.AuthorName, &it.Text, &it.ReplyToRemoteID, &target, &created, &fetched, &meta, &readAt, &assigned); err != nil {
		return it, err
	}
	if meta.Valid && meta.String != "" {
		if err := json.Unmarshal([]byte(meta.String), &it.Meta); err != nil {
			return it, fmt.Errorf("sqlite: inbox item %d meta: %w", it.ID, err)
		}
	}
	it.TargetID, it.AssignedTo = fromNullInt(target), fromNullInt(assigned)
	it.CreatedAt, it.FetchedAt, it.ReadAt = fromMicros(created), fromMicros(fetched), fromNullMicros(readAt)
	return it, nil
}

// AddInboxItems inserts the items not yet in their account's inbox.
func (s *store) AddInboxItems(ctx context.Context, items []herald.InboxItem) (int, error) {
	added := 0
	err := s.atomic(ctx, func(q querier) error {
		added = 0
		for i := range items {
			it := &items[i]
			it.CreatedAt, it.FetchedAt = stamp(it.CreatedAt), stamp(it.FetchedAt)
			it.ReadAt = stampPtr(it.ReadAt)
			var meta any
			if len(it.Meta) > 0 {
				b, err := json.Marshal(it.Meta)
				if err != nil {
					return fmt.Errorf("sqlite: encode inbox item meta: %w", err)
				}
				meta = string(b)
			}
			var id int64
			var target sql.NullInt64
			err := q.QueryRowContext(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
				author_handle, author_name, text, reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at,
				assigned_to)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
					(SELECT id FROM targets WHERE account_id = ?2 AND remote_id = ?9 AND ?9 != '' ORDER BY id LIMIT 1),
					?10, ?11, ?12, ?13, ?14)
				ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id, target_id`,
				it.WorkspaceID, it.AccountID, it.RemoteID, it.URL, it.AuthorID, it.AuthorHandle, it.AuthorName, it.Text,
				it.ReplyToRemoteID, micros(it.CreatedAt), micros(it.FetchedAt), meta, microsOrNil(it.ReadAt),
				nullInt(it.AssignedTo)).Scan(&id, &target)
			if errors.Is(err, sql.ErrNoRows) {
				it.ID = 0
				continue
			}
			if err != nil {
				return dbErr(err, "add inbox item", "",
					fmt.Sprintf("account %d does not exist in workspace %d", it.AccountID, it.WorkspaceID))
			}
			it.ID, it.TargetID = id, fromNullInt(target)
			added++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// GetInboxItem returns one inbox item of a workspace.
func (s *store) GetInboxItem(ctx context.Context, workspaceID, id int64) (herald.InboxItem, error) {
	it, err := scanInboxItem(s.r.QueryRowContext(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.InboxItem{}, getErr(err, "inbox item")
	}
	return it, nil
}

// ListInbox returns inbox items newest first.
func (s *store) ListInbox(ctx context.Context, f herald.InboxFilter) ([]herald.InboxItem, string, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(f.Page)
	q := `SELECT ` + inboxCols + ` FROM inbox_items WHERE workspace_id = ?`
	args := []any{f.WorkspaceID}
	if f.AccountID != 0 {
		q += ` AND account_id = ?`
		args = append(args, f.AccountID)
	}
	if after != 0 {
		q += ` AND id < ?`
		args = append(args, after)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list inbox: %w", err)
	}
	defer rows.Close()
	out := []herald.InboxItem{}
	for rows.Next() {
		it, err := scanInboxItem(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list inbox: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list inbox: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// SetInboxCursor saves where the account's next inbox sync starts.
func (s *store) SetInboxCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET inbox_cursor = ? WHERE workspace_id = ? AND id = ?`,
		cursor, workspaceID, accountID)
	if err != nil {
		return fmt.Errorf("sqlite: set inbox cursor: %w", err)
	}
	return affected(res, "account")
}

// InboxAccounts returns the accounts whose inbox can be synced.
func (s *store) InboxAccounts(ctx context.Context, platforms []herald.Platform) ([]herald.Account, error) {
	out := []herald.Account{}
	if len(platforms) == 0 {
		return out, nil
	}
	args := []any{string(herald.AccountConnected), string(herald.AccountExpiring)}
	for _, p := range platforms {
		args = append(args, string(p))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE status IN (?, ?) AND credentials IS NOT NULL AND length(credentials) > 0
			AND platform IN (`+placeholders(len(platforms))+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: inbox accounts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: inbox accounts: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: inbox accounts: %w", err)
	}
	return out, nil
}
