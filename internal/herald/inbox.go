package herald

import (
	"context"
	"time"
)

// InboxItem is a post by someone else that mentions or replies to one of
// the workspace's accounts. (AccountID, RemoteID) is unique.
type InboxItem struct {
	ID           int64  `json:"id"`
	WorkspaceID  int64  `json:"workspace_id"`
	AccountID    int64  `json:"account_id"`
	RemoteID     string `json:"remote_id"`
	URL          string `json:"url,omitempty"`
	AuthorID     string `json:"author_id"`
	AuthorHandle string `json:"author_handle"`
	AuthorName   string `json:"author_name,omitempty"`
	Text         string `json:"text"`
	// ReplyToRemoteID is the remote id of the post it replies to, if any.
	ReplyToRemoteID string `json:"reply_to_remote_id,omitempty"`
	// TargetID is our target it replies to, when it replies to one of ours.
	TargetID  *int64            `json:"target_id,omitempty"`
	CreatedAt time.Time         `json:"created_at"` // as the platform says
	FetchedAt time.Time         `json:"fetched_at"`
	Meta      map[string]string `json:"meta,omitempty"` // platform specifics (Bluesky uri and cid, …)
	// ReadAt and AssignedTo are for triage.
	ReadAt     *time.Time `json:"read_at,omitempty"`
	AssignedTo *int64     `json:"assigned_to,omitempty"`
}

// Ref is the remote reference of the item, to reply to or like it.
func (i InboxItem) Ref() RemoteRef {
	return RemoteRef{ID: i.RemoteID, URL: i.URL, Meta: i.Meta}
}

// InboxFilter selects inbox items. AccountID 0 means every account.
type InboxFilter struct {
	WorkspaceID int64
	AccountID   int64
	Page
}

// InboxStore keeps inbox items and each account's inbox cursor.
type InboxStore interface {
	// AddInboxItems inserts the items that are new (by account and remote
	// id), setting their IDs and, where ReplyToRemoteID is the remote id
	// of one of the account's targets, their TargetID; items already there
	// are left as they are (ID stays 0). It returns how many were added.
	AddInboxItems(ctx context.Context, items []InboxItem) (added int, err error)
	GetInboxItem(ctx context.Context, workspaceID, id int64) (InboxItem, error)
	// ListInbox returns items matching f, newest first (by id).
	ListInbox(ctx context.Context, f InboxFilter) (items []InboxItem, next string, err error)
	// SetInboxCursor saves where the account's next inbox sync starts.
	SetInboxCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error
	// InboxAccounts returns the connected and expiring accounts with
	// credentials, of any workspace, on one of platforms, by id.
	InboxAccounts(ctx context.Context, platforms []Platform) ([]Account, error)
}
