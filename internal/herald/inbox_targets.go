package herald

import (
	"context"
	"time"
)

// InboxTarget is a workspace's first-response target: an item should get
// its first reply within FirstResponseMinutes of arriving, counted in
// business hours of the workspace's zone (every hour when Always). Zero
// minutes: no target.
type InboxTarget struct {
	WorkspaceID          int64 `json:"-"`
	FirstResponseMinutes int   `json:"first_response_minutes"`
	// Always counts every hour; otherwise Days (0 Sunday … 6 Saturday)
	// from StartMinute to EndMinute after local midnight.
	Always      bool      `json:"always"`
	Days        []int     `json:"days"`
	StartMinute int       `json:"start_minute"`
	EndMinute   int       `json:"end_minute"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// On reports whether the workspace has a target.
func (t InboxTarget) On() bool { return t.FirstResponseMinutes > 0 }

// Hours returns the target's business hours in loc.
func (t InboxTarget) Hours(loc *time.Location) BusinessHours {
	b := BusinessHours{Always: t.Always, Start: t.StartMinute, End: t.EndMinute, Loc: loc}
	for _, d := range t.Days {
		if d >= 0 && d < 7 {
			b.Days[d] = true
		}
	}
	return b
}

// Due returns when an item that arrived at created is past the target,
// or nil when there is no target.
func (t InboxTarget) Due(created time.Time, loc *time.Location) *time.Time {
	if !t.On() {
		return nil
	}
	d, ok := t.Hours(loc).Deadline(created, time.Duration(t.FirstResponseMinutes)*time.Minute)
	if !ok {
		return nil
	}
	d = d.UTC()
	return &d
}

// InboxReportRow is one item as the response-time report counts it.
type InboxReportRow struct {
	ItemID          int64
	AccountID       int64
	Direct          bool
	Reply           bool // a reply to one of the workspace's posts
	Sentiment       string
	State           InboxState
	CreatedAt       time.Time
	FirstResponseAt *time.Time
	// FirstResponder is the member who sent the first reply that went
	// out (0: none, or a reply made outside Herald).
	FirstResponder int64
	// DoneAt is when the item was last marked done (nil: not done).
	DoneAt *time.Time
}

// InboxTargetStore keeps the workspaces' response targets, the items' due
// times and the overdue notifications.
type InboxTargetStore interface {
	// GetInboxTarget returns the workspace's target; none saved is the
	// zero target (off) without error.
	GetInboxTarget(ctx context.Context, workspaceID int64) (InboxTarget, error)
	// SetInboxTarget saves the workspace's target.
	SetInboxTarget(ctx context.Context, t *InboxTarget) error
	// SetInboxDue sets the items' due times (nil: none).
	SetInboxDue(ctx context.Context, workspaceID int64, due map[int64]*time.Time) error
	// ListInboxAwaiting returns the workspace's items not done and not
	// answered, newest first, at most limit.
	ListInboxAwaiting(ctx context.Context, workspaceID int64, limit int) ([]InboxItem, error)
	// ListInboxOverdue returns items of every workspace whose due time is
	// at or before now, not done, not answered and not yet notified,
	// oldest due first, at most limit.
	ListInboxOverdue(ctx context.Context, now time.Time, limit int) ([]InboxItem, error)
	// MarkInboxOverdueNotified records that the items' lateness was told.
	MarkInboxOverdueNotified(ctx context.Context, ids []int64, at time.Time) error
	// InboxReportRows returns the workspace's items created in
	// [from, to), oldest first.
	InboxReportRows(ctx context.Context, workspaceID int64, from, to time.Time) ([]InboxReportRow, error)
}
