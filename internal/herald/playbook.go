package herald

import (
	"context"
	"time"
)

// PlaybookKind is what a playbook text is for.
type PlaybookKind string

// Playbook texts.
const (
	// PlaybookStatement is a holding statement, published as a post of
	// its own from the workspace's accounts.
	PlaybookStatement PlaybookKind = "statement"
	// PlaybookReply answers a post (a listening match or an inbox item).
	PlaybookReply PlaybookKind = "reply"
)

// PlaybookEntry is a text written before a crisis and approved then: while
// an incident is open (and only then) it goes out without further review,
// exactly as approved. Changing the text takes the approval away.
type PlaybookEntry struct {
	ID          int64        `json:"id"`
	WorkspaceID int64        `json:"workspace_id"`
	Kind        PlaybookKind `json:"kind"`
	Title       string       `json:"title"`
	Body        string       `json:"body"`
	CreatedBy   int64        `json:"created_by"`
	// ApprovedBy and ApprovedAt say who approved the current text (nil:
	// not approved; it cannot be used).
	ApprovedBy *int64     `json:"approved_by,omitempty"`
	ApprovedAt *time.Time `json:"approved_at,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// Approved reports whether the entry's current text is approved.
func (e PlaybookEntry) Approved() bool { return e.ApprovedBy != nil }

// PlaybookStep is one step of the workspace's crisis checklist, copied into
// every incident when it opens.
type PlaybookStep struct {
	Title string `json:"title"`
	// OwnerID is the member who does it (0: whoever is on duty).
	OwnerID int64 `json:"owner_id,omitempty"`
}

// IncidentStep is a checklist step of one incident.
type IncidentStep struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	Position   int        `json:"position"`
	Title      string     `json:"title"`
	OwnerID    int64      `json:"owner_id,omitempty"`
	DoneAt     *time.Time `json:"done_at,omitempty"`
	DoneBy     int64      `json:"done_by,omitempty"`
}

// PlaybookStore keeps the workspace's playbook: its pre-approved texts and
// its checklist, and each incident's copy of the checklist.
type PlaybookStore interface {
	CreatePlaybookEntry(ctx context.Context, e *PlaybookEntry) error
	GetPlaybookEntry(ctx context.Context, workspaceID, id int64) (PlaybookEntry, error)
	// ListPlaybookEntries returns the workspace's texts, statements first,
	// then by title.
	ListPlaybookEntries(ctx context.Context, workspaceID int64) ([]PlaybookEntry, error)
	// UpdatePlaybookEntry saves kind, title, body, approval and UpdatedAt.
	UpdatePlaybookEntry(ctx context.Context, e *PlaybookEntry) error
	DeletePlaybookEntry(ctx context.Context, workspaceID, id int64) error
	// PlaybookSteps returns the workspace's checklist in order.
	PlaybookSteps(ctx context.Context, workspaceID int64) ([]PlaybookStep, error)
	// SetPlaybookSteps replaces the workspace's checklist.
	SetPlaybookSteps(ctx context.Context, workspaceID int64, steps []PlaybookStep) error
	// ListIncidentSteps returns an incident's checklist in order (the
	// workspace's checklist as it was when the incident opened).
	ListIncidentSteps(ctx context.Context, workspaceID, incidentID int64) ([]IncidentStep, error)
	// SetIncidentStepDone marks a step done by a member at a time, or not
	// done (by 0, at nil). It returns the step as saved.
	SetIncidentStepDone(ctx context.Context, workspaceID, incidentID, stepID, by int64, at *time.Time) (IncidentStep, error)
}
