package sqlite

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// GetWorkspaceLogo returns the workspace's logo; not found when it has none.
func (s *store) GetWorkspaceLogo(ctx context.Context, workspaceID int64) (herald.WorkspaceLogo, error) {
	l := herald.WorkspaceLogo{WorkspaceID: workspaceID}
	var updated int64
	err := s.r.QueryRowContext(ctx, `SELECT content_type, data, updated_at FROM workspace_logos WHERE workspace_id = ?`,
		workspaceID).Scan(&l.ContentType, &l.Data, &updated)
	if err != nil {
		return herald.WorkspaceLogo{}, getErr(err, "workspace logo")
	}
	l.UpdatedAt = fromMicros(updated)
	return l, nil
}

// PutWorkspaceLogo saves l as its workspace's logo, replacing any.
func (s *store) PutWorkspaceLogo(ctx context.Context, l *herald.WorkspaceLogo) error {
	l.UpdatedAt = stamp(l.UpdatedAt)
	data := l.Data
	if data == nil {
		data = []byte{}
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO workspace_logos (workspace_id, content_type, data, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE SET content_type = excluded.content_type,
		data = excluded.data, updated_at = excluded.updated_at`,
		l.WorkspaceID, l.ContentType, data, micros(l.UpdatedAt))
	return dbErr(err, "put workspace logo", "", fmt.Sprintf("there is no workspace %d", l.WorkspaceID))
}

// DeleteWorkspaceLogo removes the workspace's logo; not found when it has none.
func (s *store) DeleteWorkspaceLogo(ctx context.Context, workspaceID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM workspace_logos WHERE workspace_id = ?`, workspaceID)
	if err != nil {
		return dbErr(err, "delete workspace logo", "", "")
	}
	return affected(res, "workspace logo")
}
