package sqlite

import (
	"context"
	"time"
)

// MarkTargetRemote records a deletion or an edit of a published target on
// its platform: deletedAt and editedAt when not nil, remoteURL when not "".
func (s *store) MarkTargetRemote(ctx context.Context, workspaceID, targetID int64, deletedAt, editedAt *time.Time, remoteURL string) error {
	deletedAt, editedAt = stampPtr(deletedAt), stampPtr(editedAt)
	updated := deletedAt
	if updated == nil {
		updated = editedAt
	}
	res, err := s.w.ExecContext(ctx, `UPDATE targets SET
		remote_deleted_at = coalesce(?, remote_deleted_at),
		edited_at = coalesce(?, edited_at),
		remote_url = CASE WHEN ? = '' THEN remote_url ELSE ? END,
		updated_at = coalesce(?, updated_at)
		WHERE workspace_id = ? AND id = ?`,
		microsOrNil(deletedAt), microsOrNil(editedAt), remoteURL, remoteURL, microsOrNil(updated), workspaceID, targetID)
	if err != nil {
		return dbErr(err, "mark target remote", "", "")
	}
	return affected(res, "target")
}
