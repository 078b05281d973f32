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
