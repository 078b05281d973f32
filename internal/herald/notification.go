package herald

import "time"

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
)

// NotificationKinds lists every kind, in the order preference pages show them.
var NotificationKinds = []NotificationKind{
	NotifyMentioned, NotifyAssigned, NotifyInboxAssigned, NotifyInboxOverdue,
	NotifyApprovalRequested, NotifyApprovalGiven, NotifyChangesRequested,
	NotifyTaskDueSoon, NotifyTaskOverdue,
	NotifyTargetFailed, NotifyTargetUnconfirmed, NotifyTargetOverdue,
	NotifyAccountExpiring, NotifyAccountExpired, NotifyAccountRevoked,
	NotifyBudgetOverPlan, NotifyReportSent,
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
