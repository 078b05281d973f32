package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// ListenSettings returns the workspace's listening settings or the defaults.
func (s *store) ListenSettings(ctx context.Context, workspaceID int64) (herald.ListenSettings, error) {
	out := herald.ListenSettings{WorkspaceID: workspaceID, KeepDays: herald.DefaultListenKeepDays}
	err := s.r.QueryRowContext(ctx, `SELECT keep_days FROM listen_settings WHERE workspace_id = ?`, workspaceID).Scan(&out.KeepDays)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return herald.ListenSettings{}, fmt.Errorf("sqlite: listen settings: %w", err)
	}
	return out, nil
}

// PutListenSettings saves the workspace's listening settings.
func (s *store) PutListenSettings(ctx context.Context, st herald.ListenSettings) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO listen_settings (workspace_id, keep_days) VALUES (?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET keep_days = excluded.keep_days`, st.WorkspaceID, st.KeepDays)
	return dbErr(err, "put listen settings", "", "the workspace does not exist")
}
