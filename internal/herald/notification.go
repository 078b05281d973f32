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
)

// Notification tells people about something that needs them. Message is
// safe to show and says what happened and what to do.
type Notification struct {
	Kind        NotificationKind `json:"kind"`
	WorkspaceID int64            `json:"workspace_id"`
	TargetID    int64            `json:"target_id,omitempty"`
	AccountID   int64            `json:"account_id,omitempty"`
	Message     string           `json:"message"`
	At          time.Time        `json:"at"`
}
