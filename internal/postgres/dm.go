package postgres

import (
	"context"

	"github.com/heraldsocial/herald/internal/herald"
)

// conversationLimit is ListConversation's limit when none is given.
const conversationLimit = 200

// DMCursor returns where the account's next direct-message sync starts.
func (s store) DMCursor(ctx context.Context, workspaceID, accountID int64) (string, error) {
	var c string
	err := s.q.QueryRow(ctx, `SELECT dm_cursor FROM accounts WHERE workspace_id = $1 AND id = $2`,
		workspaceID, accountID).Scan(&c)
	if err != nil {
		return "", notFound("account", "get dm cursor", err)
	}
	return c, nil
}

// SetDMCursor saves where the account's next direct-message sync starts.
func (s store) SetDMCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error {
	tag, err := s.q.Exec(ctx, `UPDATE accounts SET dm_cursor = $3 WHERE workspace_id = $1 AND id = $2`,
		workspaceID, accountID, cursor)
	if err != nil {
		return dbErr("set dm cursor", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("account")
	}
	return nil
}

// ListConversation returns the latest direct items of a conversation,
// oldest first.
func (s store) ListConversation(ctx context.Context, workspaceID, accountID int64, conversationID string, limit int) ([]herald.InboxItem, error) {
	if limit <= 0 {
		limit = conversationLimit
	}
	rows, err := s.q.Query(ctx, `SELECT * FROM (SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = $1 AND account_id = $2 AND direct AND conversation_id = $3
		ORDER BY created_at DESC, id DESC LIMIT $4) AS c ORDER BY created_at, id`,
		workspaceID, accountID, conversationID, limit)
	if err != nil {
		return nil, dbErr("list conversation", err)
	}
	out, err := collect(rows, scanInboxItem)
	if err != nil {
		return nil, dbErr("list conversation", err)
	}
	if out == nil {
		out = []herald.InboxItem{}
	}
	return out, nil
}

// SetDMRefused records why the platform refused the account's direct messages.
func (s store) SetDMRefused(ctx context.Context, workspaceID, accountID int64, reason string) error {
	tag, err := s.q.Exec(ctx, `UPDATE accounts SET dm_refused = $3 WHERE workspace_id = $1 AND id = $2`,
		workspaceID, accountID, reason)
	if err != nil {
		return dbErr("set dm refused", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("account")
	}
	return nil
}

// DMRefusals returns the workspace's accounts whose direct messages were refused.
func (s store) DMRefusals(ctx context.Context, workspaceID int64) (map[int64]string, error) {
	rows, err := s.q.Query(ctx, `SELECT id, dm_refused FROM accounts WHERE workspace_id = $1 AND dm_refused <> ''`,
		workspaceID)
	if err != nil {
		return nil, dbErr("dm refusals", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var reason string
		if err := rows.Scan(&id, &reason); err != nil {
			return nil, dbErr("dm refusals", err)
		}
		out[id] = reason
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("dm refusals", err)
	}
	return out, nil
}
