package sqlite

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// conversationLimit is ListConversation's limit when none is given.
const conversationLimit = 200

// DMCursor returns where the account's next direct-message sync starts.
func (s *store) DMCursor(ctx context.Context, workspaceID, accountID int64) (string, error) {
	var c string
	err := s.r.QueryRowContext(ctx, `SELECT dm_cursor FROM accounts WHERE workspace_id = ? AND id = ?`,
		workspaceID, accountID).Scan(&c)
	if err != nil {
		return "", getErr(err, "account")
	}
	return c, nil
}

// SetDMCursor saves where the account's next direct-message sync starts.
func (s *store) SetDMCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET dm_cursor = ? WHERE workspace_id = ? AND id = ?`,
		cursor, workspaceID, accountID)
	if err != nil {
		return fmt.Errorf("sqlite: set dm cursor: %w", err)
	}
	return affected(res, "account")
}

// ListConversation returns the latest direct items of a conversation,
// oldest first.
func (s *store) ListConversation(ctx context.Context, workspaceID, accountID int64, conversationID string, limit int) ([]herald.InboxItem, error) {
	if limit <= 0 {
		limit = conversationLimit
	}
	out, err := listRows(ctx, s, "conversation", `SELECT * FROM (SELECT `+inboxCols+` FROM inbox_items
		WHERE workspace_id = ? AND account_id = ? AND direct = 1 AND conversation_id = ?
		ORDER BY created_at DESC, id DESC LIMIT ?) ORDER BY created_at, id`,
		[]any{workspaceID, accountID, conversationID, limit}, scanInboxItem)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []herald.InboxItem{}
	}
	return out, nil
}

// SetDMRefused records why the platform refused the account's direct messages.
func (s *store) SetDMRefused(ctx context.Context, workspaceID, accountID int64, reason string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE accounts SET dm_refused = ? WHERE workspace_id = ? AND id = ?`,
		reason, workspaceID, accountID)
	if err != nil {
		return fmt.Errorf("sqlite: set dm refused: %w", err)
	}
	return affected(res, "account")
}

// DMRefusals returns the workspace's accounts whose direct messages were refused.
func (s *store) DMRefusals(ctx context.Context, workspaceID int64) (map[int64]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, dm_refused FROM accounts WHERE workspace_id = ? AND dm_refused <> ''`,
		workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dm refusals: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var reason string
		if err := rows.Scan(&id, &reason); err != nil {
			return nil, fmt.Errorf("sqlite: dm refusals: %w", err)
		}
		out[id] = reason
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: dm refusals: %w", err)
	}
	return out, nil
}
