package jobs

import (
	"context"
	"log/slog"

	"github.com/heraldsocial/herald/internal/herald"
)

// Notifier tells people about something the jobs could not fix on their
// own (an account whose token cannot be refreshed). message is safe to
// show and says what to do. Notify must not block for long.
type Notifier interface {
	Notify(ctx context.Context, kind herald.NotificationKind, workspaceID int64, message string)
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, kind herald.NotificationKind, workspaceID int64, message string)

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, kind herald.NotificationKind, workspaceID int64, message string) {
	f(ctx, kind, workspaceID, message)
}

// logNotifier only logs, for a Runner given no Notifier.
type logNotifier struct {
	log *slog.Logger
}

// Notify logs the notification as a warning.
func (n logNotifier) Notify(ctx context.Context, kind herald.NotificationKind, workspaceID int64, message string) {
	n.log.WarnContext(ctx, "notification", slog.String("kind", string(kind)),
		slog.Int64("workspace_id", workspaceID), slog.String("message", message))
}
