package herald

import (
	"context"
	"time"
)

// InboxNote is a remark a member leaves on an inbox item for the team.
// The item's author never sees it: it is never sent to the platform.
// Mentions are the members it names with @name, who are notified.
type InboxNote struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	ItemID      int64  `json:"item_id"`
	AuthorID    int64  `json:"author_id"`
	AuthorName  string `json:"author_name"` // filled by reads, from the author's user
	Body        string `json:"body"`
	// Mentions are the user ids of the members the body mentions, in
	// ascending order, without repeats.
	Mentions  []int64   `json:"mentions"`
	CreatedAt time.Time `json:"created_at"`
}

// SavedReply is a workspace's ready answer, inserted into a reply and
// filled in for the item answered: Body may hold the variables of
// SavedReplyVariables, written {{author.name}}.
type SavedReply struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"`
	Body        string    `json:"body"`
	CreatedBy   int64     `json:"created_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// SavedReplyVariables are the variables a saved reply may use, with what
// each becomes.
var SavedReplyVariables = []struct{ Name, Means string }{
	{"author.name", "the display name of the person answered (their handle when they have none)"},
	{"author.handle", "the handle of the person answered, with its @"},
	{"account.name", "the display name of the account answering"},
	{"account.handle", "the handle of the account answering"},
	{"me.name", "the name of the member sending the reply"},
	{"workspace.name", "the workspace's name"},
}

// InboxNoteStore keeps the internal notes on inbox items.
type InboxNoteStore interface {
	// AddInboxNote inserts n and sets its ID and CreatedAt. An item not in
	// the workspace is ErrNotFound.
	AddInboxNote(ctx context.Context, n *InboxNote) error
	// ListInboxNotes returns an item's notes, oldest first.
	ListInboxNotes(ctx context.Context, workspaceID, itemID int64) ([]InboxNote, error)
	GetInboxNote(ctx context.Context, workspaceID, id int64) (InboxNote, error)
	DeleteInboxNote(ctx context.Context, workspaceID, id int64) error
}

// SavedReplyStore keeps the workspace's saved replies. Names are unique in
// a workspace ignoring case (ErrConflict).
type SavedReplyStore interface {
	CreateSavedReply(ctx context.Context, r *SavedReply) error
	GetSavedReply(ctx context.Context, workspaceID, id int64) (SavedReply, error)
	// ListSavedReplies returns the workspace's saved replies by name.
	ListSavedReplies(ctx context.Context, workspaceID int64) ([]SavedReply, error)
	// UpdateSavedReply saves r's name and body.
	UpdateSavedReply(ctx context.Context, r *SavedReply) error
	DeleteSavedReply(ctx context.Context, workspaceID, id int64) error
}
