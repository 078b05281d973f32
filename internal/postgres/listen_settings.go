package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// ListenSettings returns the workspace's listening settings or the defaults.
func (s store) ListenSettings(ctx context.Context, workspaceID int64) (herald.ListenSettings, error) {
	out := herald.ListenSettings{WorkspaceID: workspaceID, KeepDays: herald.DefaultListenKeepDays}
	err := s.q.QueryRow(ctx, `SELECT keep_days FROM listen_settings WHERE workspace_id = $1`, workspaceID).Scan(&out.KeepDays)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return herald.ListenSettings{}, dbErr("listen settings", err)
	}
	return out, nil
}

// PutListenSettings saves the workspace's listening settings.
func (s store) PutListenSettings(ctx context.Context, st herald.ListenSettings) error {
	_, err := s.q.Exec(ctx, `INSERT INTO listen_settings (workspace_id, keep_days) VALUES ($1, $2)
		ON CONFLICT (workspace_id) DO UPDATE SET keep_days = excluded.keep_days`, st.WorkspaceID, st.KeepDays)
	return dbErr("put listen settings", err)
}
