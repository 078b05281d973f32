package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

const inboxCols = `id, workspace_id, account_id, remote_id, url, author_id, author_handle, author_name, text,
	reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at, assigned_to`

func scanInboxItem(r scanner) (herald.InboxItem, error) {
	var it herald.InboxItem
	err := r.Scan(&it.ID, &it.WorkspaceID, &it.AccountID, &it.RemoteID, &it.URL, &it.AuthorID, &it.AuthorHandle,
		&it.AuthorName, &it.Text, &it.ReplyToRemoteID, &it.TargetID, &it.CreatedAt, &it.FetchedAt, &it.Meta,
		&it.ReadAt, &it.AssignedTo)
	return it, err
}

// AddInboxItems inserts the items not yet in their account's inbox.
func (s store) AddInboxItems(ctx context.Context, items []herald.InboxItem) (int, error) {
	added := 0
	err := s.atomic(ctx, func(s store) error {
		added = 0
		for i := range items {
			it := &items[i]
			stamp(&it.CreatedAt)
			stamp(&it.FetchedAt)
			var meta any
			if len(it.Meta) > 0 {
				meta = it.Meta
			}
			err := s.q.QueryRow(ctx, `INSERT INTO inbox_items (workspace_id, account_id, remote_id, url, author_id,
				author_handle, author_name, text, reply_to_remote_id, target_id, created_at, fetched_at, meta, read_at,
				assigned_to)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text,
					(SELECT id FROM targets WHERE account_id = $2 AND remote_id = $9::text AND $9::text <> '' ORDER BY id LIMIT 1),
					$10, $11, $12, $13, $14)
				ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id, target_id`,
				it.WorkspaceID, it.AccountID, it.RemoteID, it.URL, it.AuthorID, it.AuthorHandle, it.AuthorName, it.Text,
				it.ReplyToRemoteID, it.CreatedAt, it.FetchedAt, meta, it.ReadAt, it.AssignedTo).Scan(&it.ID, &it.TargetID)
			if errors.Is(err, pgx.ErrNoRows) {
				it.ID, it.TargetID = 0, nil
				continue
			}
			if err != nil {
				return dbErr("add inbox item", err)
			}
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
func (s store) GetInboxItem(ctx context.Context, workspaceID, id int64) (herald.InboxItem, error) {
	it, err := scanInboxItem(s.q.QueryRow(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.InboxItem{}, notFound("inbox item", "get inbox item", err)
	}
	return it, nil
}

// ListInbox returns inbox items newest first.
func (s store) ListInbox(ctx context.Context, f herald.InboxFilter) ([]herald.InboxItem, string, error) {
	after, limit, err := pageArgs(f.Page)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.q.Query(ctx, `SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = $1 AND ($2 = 0 OR account_id = $2) AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, f.WorkspaceID, f.AccountID, after, limit+1)
	if err != nil {
		return nil, "", dbErr("list inbox", err)
	}
	out, err := collect(rows, scanInboxItem)
	if err != nil {
		return nil, "", dbErr("list inbox", err)
	}
	out, next := nextCursor(out, limit, func(it herald.InboxItem) int64 { return it.ID })
	return out, next, nil
}

// SetInboxCursor saves where the account's next inbox sync starts.
func (s store) SetInboxCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error {
	tag, err := s.q.Exec(ctx, `UPDATE accounts SET inbox_cursor = $3 WHERE workspace_id = $1 AND id = $2`,
		workspaceID, accountID, cursor)
	if err != nil {
		return dbErr("set inbox cursor", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("account")
	}
	return nil
}

// InboxAccounts returns the accounts whose inbox can be synced.
func (s store) InboxAccounts(ctx context.Context, platforms []herald.Platform) ([]herald.Account, error) {
	if len(platforms) == 0 {
		return []herald.Account{}, nil
	}
	names := make([]string, len(platforms))
	for i, p := range platforms {
		names[i] = string(p)
	}
	rows, err := s.q.Query(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE status IN ($1, $2) AND credentials IS NOT NULL AND length(credentials) > 0
			AND platform = ANY($3) ORDER BY id`, herald.AccountConnected, herald.AccountExpiring, names)
	if err != nil {
		return nil, dbErr("inbox accounts", err)
	}
	out, err := collect(rows, scanAccount)
	return out, dbErr("inbox accounts", err)
}
