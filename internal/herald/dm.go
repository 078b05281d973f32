package herald

import "context"

// Direct messages are inbox items with Direct set. They come from each
// account's DM sync, which keeps its own cursor beside the inbox cursor,
// and they are grouped by the platform's conversation id.

// DMStore keeps each account's direct-message sync cursor and reads a
// conversation's messages.
type DMStore interface {
	// DMCursor returns where the account's next direct-message sync
	// starts ("" when it never ran).
	DMCursor(ctx context.Context, workspaceID, accountID int64) (string, error)
	// SetDMCursor saves where the account's next direct-message sync starts.
	SetDMCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error
	// SetDMRefused records why the platform refused the account's direct
	// messages at the last sync ("": it gave them).
	SetDMRefused(ctx context.Context, workspaceID, accountID int64, reason string) error
	// DMRefusals returns, by account id, the workspace's accounts whose
	// direct messages the platform refused, with the reason.
	DMRefusals(ctx context.Context, workspaceID int64) (map[int64]string, error)
	// ListConversation returns the account's direct items of the
	// conversation, oldest first (by the platform's creation time, then id),
	// at most limit of the latest ones (limit <= 0: 200).
	ListConversation(ctx context.Context, workspaceID, accountID int64, conversationID string, limit int) ([]InboxItem, error)
}
