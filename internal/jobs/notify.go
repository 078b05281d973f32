package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Notifier tells people about something the jobs could not fix on their
// own (an account whose token cannot be refreshed); the notification's
// message is safe to show and says what to do. Notify must not block for
// long (notify.(*Service) does it).
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, n herald.Notification)

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, n herald.Notification) { f(ctx, n) }

// logNotifier only logs, for a Runner given no Notifier.
type logNotifier struct {
	log *slog.Logger
}

// Notify logs the notification as a warning.
func (l logNotifier) Notify(ctx context.Context, n herald.Notification) {
	l.log.WarnContext(ctx, "notification", slog.String("kind", string(n.Kind)),
		slog.Int64("workspace_id", n.WorkspaceID), slog.String("message", n.Message))
}

// accountNotice is the notification that account a, now in status to,
// needs a person: kind, and a message saying why and what to do.
func accountNotice(a herald.Account, kind herald.NotificationKind, to herald.AccountStatus, message string, at time.Time) herald.Notification {
	title := fmt.Sprintf("Reconnect %s %s", a.Platform, a.Handle)
	if kind == herald.NotifyAccountExpiring {
		title = fmt.Sprintf("%s %s needs attention", a.Platform, a.Handle)
	}
	return herald.Notification{Kind: kind, WorkspaceID: a.WorkspaceID, AccountID: a.ID, Title: title, Message: message,
		Link: fmt.Sprintf("/w/%d/accounts", a.WorkspaceID), Key: fmt.Sprintf("account:%d:%s:%d", a.ID, to, at.UnixMicro()), At: at}
}
