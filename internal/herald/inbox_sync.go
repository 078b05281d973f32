package herald

import (
	"context"
	"time"
)

// InboxSync is when an account's inbox is next read. The interval adapts
// to the account's activity: short while a conversation is going on
// (until ActiveUntil), longer while it is quiet.
type InboxSync struct {
	AccountID   int64
	NextAt      time.Time
	ActiveUntil *time.Time
}

// InboxSyncStore keeps each account's inbox sync schedule.
type InboxSyncStore interface {
	// InboxSchedule returns the schedules of the given accounts; an
	// account without one is absent (due at once).
	InboxSchedule(ctx context.Context, accountIDs []int64) (map[int64]InboxSync, error)
	// SetInboxSync saves an account's schedule (replacing the old one).
	SetInboxSync(ctx context.Context, s InboxSync) error
}

// InboxStreamStore leases each account's push stream (see
// connector.InboxWatcher) to one Herald instance at a time, so that a
// cluster holds one connection per account.
type InboxStreamStore interface {
	// ClaimInboxStream gives the account's stream to holder until until,
	// when it is free, its lease ended by now, or holder has it already
	// (a renewal). It reports whether holder has it.
	ClaimInboxStream(ctx context.Context, accountID int64, holder string, until, now time.Time) (bool, error)
	// ReleaseInboxStream frees the account's stream if holder has it.
	ReleaseInboxStream(ctx context.Context, accountID int64, holder string) error
}
