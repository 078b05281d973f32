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
	// ReadAt and AssignedTo are for triage. AssignedTo is a member of
	// the workspace.
	ReadAt     *time.Time `json:"read_at,omitempty"`
	AssignedTo *int64     `json:"assigned_to,omitempty"`
	// State is where the team's work on the item stands; new items are
	// open. StateChangedAt is when it last changed (nil: never), DoneBy
	// who marked it done (while it is done).
	State          InboxState `json:"state"`
	StateChangedAt *time.Time `json:"state_changed_at,omitempty"`
	DoneBy         *int64     `json:"done_by,omitempty"`
	// FirstResponseAt is when the platform confirmed Herald's first
	// reply to the item.
	FirstResponseAt *time.Time `json:"first_response_at,omitempty"`
	// Direct marks a direct (private) message; ConversationID is the
	// platform's conversation it belongs to. See dm.go.
	Direct         bool   `json:"direct,omitempty"`
	ConversationID string `json:"conversation_id,omitempty"`
	// InboxAnalysis is read from the text on arrival; Priority and Tags
	// are set by people and by rules (see inbox_rules.go).
	InboxAnalysis
	Priority InboxPriority `json:"priority"`
	Tags     []string      `json:"tags,omitempty"`
	// DueAt is when the item passes the workspace's first-response target
	// (nil: no target when it arrived). See inbox_targets.go.
	DueAt *time.Time `json:"due_at,omitempty"`
	// EditedAt is when the author edited the post, as Herald last read it
	// (Text is then the edited text); DeletedAt when Herald found it
	// deleted on the platform.
	EditedAt  *time.Time `json:"edited_at,omitempty"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
}

// InboxRemoteChange is what Herald learnt of an item on its platform:
// its edited text (Text with EditedAt), or that it is gone (DeletedAt).
type InboxRemoteChange struct {
	Text      string
	EditedAt  *time.Time
	DeletedAt *time.Time
}

// InboxState is the team's work state of an inbox item.
type InboxState string

// Inbox states. An item that is pending or done is reopened when its
// author writes to the same account again.
const (
	InboxOpen    InboxState = "open"
	InboxPending InboxState = "pending"
	InboxDone    InboxState = "done"
)

// Valid reports whether s is a known state.
func (s InboxState) Valid() bool {
	return s == InboxOpen || s == InboxPending || s == InboxDone
}

// InboxKind is what an item is to the workspace: a reply to one of its
// posts (TargetID set) or a mention elsewhere.
type InboxKind string

// Inbox kinds, for filtering.
const (
	InboxReply   InboxKind = "reply"
	InboxMention InboxKind = "mention"
	// InboxDM is a direct message (InboxItem.Direct).
	InboxDM InboxKind = "dm"
)

// Kind returns whether the item is a direct message, replies to one of
// our posts or mentions us.
func (i InboxItem) Kind() InboxKind {
	if i.Direct {
		return InboxDM
	}
	if i.TargetID != nil {
		return InboxReply
	}
	return InboxMention
}

// Ref is the remote reference of the item, to reply to or like it.
func (i InboxItem) Ref() RemoteRef {
	return RemoteRef{ID: i.RemoteID, URL: i.URL, Meta: i.Meta}
}

// InboxFilter selects inbox items; zero fields select everything.
type InboxFilter struct {
	WorkspaceID int64
	AccountID   int64
	Platform    Platform
	Kind        InboxKind
	State       InboxState
	// AssigneeID selects the items assigned to a user; -1 selects the
	// unassigned ones.
	AssigneeID int64
	// AuthorID selects one author's items (with AccountID: the author's
	// conversation with that account).
	AuthorID string
	// Since and Until bound the platform's creation time: Since <= t < Until.
	Since, Until *time.Time
	// Search matches the text, the author's handle or name, case-insensitively.
	Search string
	// Tag, Sentiment, Priority and HasQuestion select by the work and
	// analysis of inbox_rules.go (Tag case-insensitively).
	Tag, Sentiment string
	Priority       InboxPriority
	HasQuestion    *bool
	// OverdueAt selects the items past their response target at that
	// time: due by then, not answered and not done.
	OverdueAt *time.Time
	Page
}

// InboxStore keeps inbox items and each account's inbox cursor.
type InboxStore interface {
	// AddInboxItems inserts the items that are new (by account and remote
	// id), open, setting their IDs, State and, where ReplyToRemoteID is the
	// remote id of one of the account's targets, their TargetID; items
	// already there are left as they are (ID stays 0). When a new item's
	// author (AuthorID) has an earlier item on the account, the latest
	// such item is reopened if it is pending or done (at the new item's
	// FetchedAt). It returns how many were added.
	AddInboxItems(ctx context.Context, items []InboxItem) (added int, err error)
	GetInboxItem(ctx context.Context, workspaceID, id int64) (InboxItem, error)
	// ListInbox returns items matching f, newest first (by id).
	ListInbox(ctx context.Context, f InboxFilter) (items []InboxItem, next string, err error)
	// SetInboxState moves the workspace's items ids to state at, by the
	// user (kept as DoneBy when the state is done). Items already in the
	// state are left as they are. Any id not in the workspace is
	// ErrNotFound and nothing changes.
	SetInboxState(ctx context.Context, workspaceID int64, ids []int64, state InboxState, by int64, at time.Time) error
	// AssignInbox assigns the workspace's items ids to userID (nil:
	// nobody). Any id not in the workspace is ErrNotFound and nothing changes.
	AssignInbox(ctx context.Context, workspaceID int64, ids []int64, userID *int64) error
	// MarkInboxResponded records at as the item's first response, unless
	// it has one.
	MarkInboxResponded(ctx context.Context, workspaceID, id int64, at time.Time) error
	// ChangeInboxRemote records what changed on the platform: the edited
	// text and its time when c.EditedAt is set, the deletion when
	// c.DeletedAt is (ErrNotFound when the item is not in the workspace).
	ChangeInboxRemote(ctx context.Context, workspaceID, id int64, c InboxRemoteChange) error
	// FindInboxItem returns the account's item with the remote id
	// (ErrNotFound when it has none).
	FindInboxItem(ctx context.Context, accountID int64, remoteID string) (InboxItem, error)
	// InboxToCheck returns up to limit of the account's public items
	// (not direct messages) posted since since, not known deleted, whose
	// last check with the platform was before checkedBefore: never
	// checked first, then the longest unchecked, then the newest.
	InboxToCheck(ctx context.Context, accountID int64, since, checkedBefore time.Time, limit int) ([]InboxItem, error)
	// MarkInboxChecked records that the items ids were checked with the
	// platform at at.
	MarkInboxChecked(ctx context.Context, ids []int64, at time.Time) error
	// CountOpenInbox counts the workspace's open items.
	CountOpenInbox(ctx context.Context, workspaceID int64) (int, error)
	// SetInboxCursor saves where the account's next inbox sync starts.
	SetInboxCursor(ctx context.Context, workspaceID, accountID int64, cursor string) error
	// InboxAccounts returns the connected and expiring accounts with
	// credentials, of any workspace, on one of platforms, by id.
	InboxAccounts(ctx context.Context, platforms []Platform) ([]Account, error)
}
