package herald

import "context"

// Listening retention: how long a workspace keeps its matches.
const (
	DefaultListenKeepDays = 90
	MinListenKeepDays     = 1
	MaxListenKeepDays     = 730
)

// ListenSettings are a workspace's listening settings.
type ListenSettings struct {
	WorkspaceID int64 `json:"workspace_id"`
	// KeepDays is how many days matches are kept (by the time they were
	// posted); older ones are deleted by the prune_listen job.
	KeepDays int `json:"keep_days"`
}

// ListenSettingsStore keeps the workspaces' listening settings.
type ListenSettingsStore interface {
	// ListenSettings returns the workspace's settings, the defaults when
	// it has none saved.
	ListenSettings(ctx context.Context, workspaceID int64) (ListenSettings, error)
	PutListenSettings(ctx context.Context, s ListenSettings) error
}
