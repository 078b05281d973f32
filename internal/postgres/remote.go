package postgres

import (
	"context"
	"time"
)

// MarkTargetRemote records a deletion or an edit of a published target on
// its platform: deletedAt and editedAt when not nil, remoteURL when not "".
func (s store) MarkTargetRemote(ctx context.Context, workspaceID, targetID int64, deletedAt, editedAt *time.Time, remoteURL string) error {
	updated := deletedAt
	if updated == nil {
		updated = editedAt
	}
	tag, err := s.q.Exec(ctx, `UPDATE targets SET
		remote_deleted_at = coalesce($3, remote_deleted_at),
		edited_at = coalesce($4, edited_at),
		remote_url = CASE WHEN $5::text = '' THEN remote_url ELSE $5::text END,
		updated_at = coalesce($6, updated_at)
		WHERE workspace_id = $1 AND id = $2`,
		workspaceID, targetID, deletedAt, editedAt, remoteURL, updated)
	if err != nil {
		return dbErr("mark target remote", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("target")
	}
	return nil
}
