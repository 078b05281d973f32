package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldsocial/herald/internal/herald"
)

// GetWorkspaceLogo returns the workspace's logo; not found when it has none.
func (s store) GetWorkspaceLogo(ctx context.Context, workspaceID int64) (herald.WorkspaceLogo, error) {
	l := herald.WorkspaceLogo{WorkspaceID: workspaceID}
	err := s.q.QueryRow(ctx, `SELECT content_type, data, updated_at FROM workspace_logos WHERE workspace_id = $1`,
		workspaceID).Scan(&l.ContentType, &l.Data, &l.UpdatedAt)
	if err != nil {
		return herald.WorkspaceLogo{}, notFound("workspace logo", "get workspace logo", err)
	}
	l.UpdatedAt = l.UpdatedAt.UTC()
	return l, nil
}

// PutWorkspaceLogo saves l as its workspace's logo, replacing any.
func (s store) PutWorkspaceLogo(ctx context.Context, l *herald.WorkspaceLogo) error {
	stamp(&l.UpdatedAt)
	data := l.Data
	if data == nil {
		data = []byte{}
	}
	_, err := s.q.Exec(ctx, `INSERT INTO workspace_logos (workspace_id, content_type, data, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (workspace_id) DO UPDATE SET content_type = EXCLUDED.content_type,
		data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
		l.WorkspaceID, l.ContentType, data, l.UpdatedAt)
	err = dbErr("put workspace logo", err)
	var he *herald.Error
	if errors.As(err, &he) && he.Code == herald.CodeConflict {
		return &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("there is no workspace %d", l.WorkspaceID), Err: err}
	}
	return err
}

// DeleteWorkspaceLogo removes the workspace's logo; not found when it has none.
func (s store) DeleteWorkspaceLogo(ctx context.Context, workspaceID int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM workspace_logos WHERE workspace_id = $1`, workspaceID)
	if err != nil {
		return dbErr("delete workspace logo", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("workspace logo")
	}
	return nil
}
