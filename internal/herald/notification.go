package herald

import (
	"context"
	"strconv"
	"time"
)

// NotificationKind says what a notification is about.
type NotificationKind string

// Notification kinds.
const (
	// NotifyTargetUnconfirmed: the platform may or may not have the post; a
	// person must check and decide.
	NotifyTargetUnconfirmed NotificationKind = "target_unconfirmed"
	// NotifyTargetFailed: the post could not be published (the platform's
	// message says why).
	NotifyTargetFailed NotificationKind = "target_failed"
	// NotifyTargetOverdue: the post is late and still not out.
	NotifyTargetOverdue NotificationKind = "target_overdue"
	// NotifyAccountExpiring: the account's token expires soon and could not
	// be refreshed; reconnect it before it expires.
	NotifyAccountExpiring NotificationKind = "account_expiring"
	// NotifyAccountExpired: the account's token expired and could not be
	// refreshed; it must be reconnected.
	NotifyAccountExpired NotificationKind = "account_expired"
	// NotifyAccountRevoked: the platform withdrew Herald's access; the
	// account must be reconnected.
	NotifyAccountRevoked NotificationKind = "account_revoked"
	// NotifyMentioned: someone @mentioned the person in a comment or note.
	NotifyMentioned NotificationKind = "mentioned"
	// NotifyAssigned: a task (or another piece of work) was assigned to the
	// person.
	NotifyAssigned NotificationKind = "assigned"
	// NotifyApprovalRequested: a post waits for the person's approval.
	NotifyApprovalRequested NotificationKind = "approval_requested"
	// NotifyApprovalGiven: a post the person wrote was approved (by a
	// member or a client through a review link).
	NotifyApprovalGiven NotificationKind = "approval_given"
	// NotifyChangesRequested: a post the person wrote was sent back with
	// changes requested.
	NotifyChangesRequested NotificationKind = "changes_requested"
	// NotifyTaskDueSoon: a task assigned to the person is due soon.
	NotifyTaskDueSoon NotificationKind = "task_due_soon"
	// NotifyTaskOverdue: a task assigned to the person is past its due date.
	NotifyTaskOverdue NotificationKind = "task_overdue"
	// NotifyBudgetOverPlan: a campaign's actual spend passed its plan.
	NotifyBudgetOverPlan NotificationKind = "budget_over_plan"
	// NotifyReportSent: a scheduled report was sent.
	NotifyReportSent NotificationKind = "report_sent"
	// NotifyInboxAssigned: a mention or reply in the inbox was assigned
	// to the person.
	NotifyInboxAssigned NotificationKind = "inbox_assigned"
	// NotifyInboxOverdue: an inbox item passed the workspace's
	// first-response target without an answer.
	NotifyInboxOverdue NotificationKind = "inbox_overdue"
	// NotifyCrisisDetected: a crisis detector fired and opened an incident
	// (or a drill did).
	NotifyCrisisDetected NotificationKind = "crisis_detected"
)

// NotificationKinds lists every kind, in the order preference pages show them.
var NotificationKinds = []NotificationKind{
	NotifyMentioned, NotifyAssigned, NotifyInboxAssigned, NotifyInboxOverdue,
	NotifyApprovalRequested, NotifyApprovalGiven, NotifyChangesRequested,
	NotifyTaskDueSoon, NotifyTaskOverdue,
	NotifyTargetFailed, NotifyTargetUnconfirmed, NotifyTargetOverdue,
	NotifyAccountExpiring, NotifyAccountExpired, NotifyAccountRevoked,
	NotifyBudgetOverPlan, NotifyReportSent, NotifyCrisisDetected,
}

// Notification tells people about something that needs them. Message is
// safe to show and says what happened and what to do.
//
// A service that makes one calls a Notify(ctx, Notification) method on an
// interface it declares; the notification service (or, without one, a
// logger) implements it. Key makes delivery exactly once: the same Key in
// the same workspace is one event, however often it is sent.
type Notification struct {
	Kind        NotificationKind `json:"kind"`
	WorkspaceID int64            `json:"workspace_id"`
	TargetID    int64            `json:"target_id,omitempty"`
	AccountID   int64            `json:"account_id,omitempty"`
	PostID      int64            `json:"post_id,omitempty"`
	TaskID      int64            `json:"task_id,omitempty"`
	CampaignID  int64            `json:"campaign_id,omitempty"`
	InboxItemID int64            `json:"inbox_item_id,omitempty"`
	// UserIDs are the people it is for. Empty: the notification service
	// picks them by kind (the post's author, or the members whose role
	// can act on it).
	UserIDs []int64 `json:"user_ids,omitempty"`
	// ActorID is the member who caused it (0: Herald itself or someone
	// outside the workspace, named by Actor); the actor is not notified of
	// their own action.
	ActorID int64  `json:"actor_id,omitempty"`
	Actor   string `json:"actor,omitempty"`
	// Title is a short line for a list or an email subject.
	Title   string `json:"title,omitempty"`
	Message string `json:"message"`
	// Link is the path inside Herald where the person acts on it
	// ("/w/3/tasks/17"); the base URL is added by whoever sends it out.
	Link string `json:"link,omitempty"`
	// Key identifies the event ("task:17:assigned:4"); empty: every call
	// is a new event.
	Key string    `json:"key,omitempty"`
	At  time.Time `json:"at"`
}

// UserNotification is one notification in one member's feed (the bell in
// the header). The embedded Notification carries what happened; UserIDs
// is empty there.
type UserNotification struct {
	ID     int64 `json:"id"`
	UserID int64 `json:"user_id"`
	Notification
	// ReadAt is when the person read it (opened it or marked it read);
	// nil while unread.
	ReadAt *time.Time `json:"read_at,omitempty"`
}

// NotificationFilter narrows a feed.
type NotificationFilter struct {
	UnreadOnly bool
	// Kinds keeps only these kinds (empty: every kind).
	Kinds []NotificationKind
	// Page's Cursor is a NotificationPage.Next from the page before (""
	// for the newest); its Limit is normalized (Page.Normalize).
	Page
}

// NotificationPage is one page of a feed, newest first. Next is the
// cursor of the page after, "" on the last page.
type NotificationPage struct {
	Items []UserNotification `json:"items"`
	Next  string             `json:"next,omitempty"`
}

// NotificationStore keeps each member's notification feed. Every method
// is scoped to one person in one workspace.
type NotificationStore interface {
	// AddNotifications stores ns, setting their IDs, and returns how many
	// it stored. A notification whose (WorkspaceID, UserID, Key) is stored
	// already is the same event for the same person: it is skipped and
	// its ID stays 0. Keys must not be empty.
	AddNotifications(ctx context.Context, ns []UserNotification) (int, error)
	// ListNotifications returns a page of userID's feed in the workspace.
	ListNotifications(ctx context.Context, workspaceID, userID int64, f NotificationFilter) (NotificationPage, error)
	// CountUnreadNotifications counts userID's unread notifications in
	// the workspace.
	CountUnreadNotifications(ctx context.Context, workspaceID, userID int64) (int, error)
	// MarkNotifications marks userID's notifications ids in the workspace
	// read at at (read false: unread again); nil ids means every unread
	// one (read must then be true). It returns how many changed; ids of
	// others or of no one are left alone.
	MarkNotifications(ctx context.Context, workspaceID, userID int64, ids []int64, read bool, at time.Time) (int, error)
	// PruneNotifications deletes, in every workspace, up to limit read
	// notifications from before readBefore and any from before
	// allBefore, and returns how many it deleted.
	PruneNotifications(ctx context.Context, readBefore, allBefore time.Time, limit int) (int, error)
}

// Size is the page size f asks for (Page.Normalize).
func (f NotificationFilter) Size() int { return f.Page.Normalize().Limit }

// Before is the id a page starts below (0: the newest page), read from
// Cursor.
func (f NotificationFilter) Before() (int64, error) {
	if f.Cursor == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(f.Cursor, 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(CodeInvalid, "the cursor %q is not one Herald gave out; start again from the first page", f.Cursor)
	}
	return id, nil
}

// NewNotificationPage makes a page of the rows a store read, newest
// first: up to size of them, plus one more when another page follows.
func NewNotificationPage(rows []UserNotification, size int) NotificationPage {
	p := NotificationPage{Items: rows}
	if len(rows) > size {
		p.Items = rows[:size]
		p.Next = strconv.FormatInt(p.Items[size-1].ID, 10)
	}
	return p
}
