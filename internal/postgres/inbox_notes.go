package postgres

import (
	"context"
	"errors"
	"slices"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxNoteCols reads a note with its author's name.
const inboxNoteCols = `n.id, n.workspace_id, n.item_id, coalesce(n.author_id, 0), coalesce(u.name, ''), n.body, n.mentions,
	n.created_at`

const inboxNoteFrom = ` FROM inbox_notes n LEFT JOIN users u ON u.id = n.author_id`

func scanInboxNote(sc scanner) (herald.InboxNote, error) {
	var n herald.InboxNote
	err := sc.Scan(&n.ID, &n.WorkspaceID, &n.ItemID, &n.AuthorID, &n.AuthorName, &n.Body, &n.Mentions, &n.CreatedAt)
	n.CreatedAt = n.CreatedAt.UTC()
	if n.Mentions == nil {
		n.Mentions = []int64{}
	}
	return n, err
}

// AddInboxNote inserts n and sets its ID.
func (s store) AddInboxNote(ctx context.Context, n *herald.InboxNote) error {
	n.CreatedAt = stamp(&n.CreatedAt).UTC()
	n.Mentions = slices.Compact(slices.Sorted(slices.Values(n.Mentions)))
	if n.Mentions == nil {
		n.Mentions = []int64{}
	}
	err := s.q.QueryRow(ctx, `INSERT INTO inbox_notes (workspace_id, item_id, author_id, body, mentions, created_at)
		SELECT $1, id, $2, $3, $4, $5 FROM inbox_items WHERE workspace_id = $1 AND id = $6 RETURNING id`,
		n.WorkspaceID, zeroNull(n.AuthorID), n.Body, n.Mentions, n.CreatedAt, n.ItemID).Scan(&n.ID)
	if err != nil {
		n.ID = 0
		if errors.Is(err, pgx.ErrNoRows) {
			return herald.NotFound("inbox item")
		}
		return dbErr("add inbox note", err)
	}
	return nil
}

// ListInboxNotes returns an item's notes, oldest first.
func (s store) ListInboxNotes(ctx context.Context, workspaceID, itemID int64) ([]herald.InboxNote, error) {
	rows, err := s.q.Query(ctx, `SELECT `+inboxNoteCols+inboxNoteFrom+
		` WHERE n.workspace_id = $1 AND n.item_id = $2 ORDER BY n.id`, workspaceID, itemID)
	if err != nil {
		return nil, dbErr("list inbox notes", err)
	}
	out, err := collect(rows, scanInboxNote)
	if err != nil {
		return nil, dbErr("list inbox notes", err)
	}
	return out, nil
}

// GetInboxNote returns one note of the workspace.
func (s store) GetInboxNote(ctx context.Context, workspaceID, id int64) (herald.InboxNote, error) {
	n, err := scanInboxNote(s.q.QueryRow(ctx, `SELECT `+inboxNoteCols+inboxNoteFrom+
		` WHERE n.workspace_id = $1 AND n.id = $2`, workspaceID, id))
	if err != nil {
		return herald.InboxNote{}, notFound("inbox note", "get inbox note", err)
	}
	return n, nil
}

// DeleteInboxNote deletes one note.
func (s store) DeleteInboxNote(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM inbox_notes WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete inbox note", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("inbox note")
	}
	return nil
}

const savedReplyCols = `id, workspace_id, name, body, coalesce(created_by, 0), created_at, updated_at`

func scanSavedReply(sc scanner) (herald.SavedReply, error) {
	var r herald.SavedReply
	err := sc.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.Body, &r.CreatedBy, &r.CreatedAt, &r.UpdatedAt)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return r, err
}

// CreateSavedReply inserts r and sets its ID.
func (s store) CreateSavedReply(ctx context.Context, r *herald.SavedReply) error {
	r.CreatedAt = stamp(&r.CreatedAt).UTC()
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO saved_replies (workspace_id, name, body, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, r.WorkspaceID, r.Name, r.Body, zeroNull(r.CreatedBy),
		r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
	if err != nil {
		r.ID = 0
		return dbErr("create saved reply", err)
	}
	return nil
}

// GetSavedReply returns one saved reply of the workspace.
func (s store) GetSavedReply(ctx context.Context, workspaceID, id int64) (herald.SavedReply, error) {
	r, err := scanSavedReply(s.q.QueryRow(ctx, `SELECT `+savedReplyCols+
		` FROM saved_replies WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.SavedReply{}, notFound("saved reply", "get saved reply", err)
	}
	return r, nil
}

// ListSavedReplies returns the workspace's saved replies by name.
func (s store) ListSavedReplies(ctx context.Context, workspaceID int64) ([]herald.SavedReply, error) {
	rows, err := s.q.Query(ctx, `SELECT `+savedReplyCols+` FROM saved_replies WHERE workspace_id = $1
		ORDER BY lower(name), id`, workspaceID)
	if err != nil {
		return nil, dbErr("list saved replies", err)
	}
	out, err := collect(rows, scanSavedReply)
	if err != nil {
		return nil, dbErr("list saved replies", err)
	}
	return out, nil
}

// UpdateSavedReply saves r's name and body.
func (s store) UpdateSavedReply(ctx context.Context, r *herald.SavedReply) error {
	r.UpdatedAt = stamp(&r.UpdatedAt).UTC()
	tag, err := s.q.Exec(ctx, `UPDATE saved_replies SET name = $1, body = $2, updated_at = $3
		WHERE workspace_id = $4 AND id = $5`, r.Name, r.Body, r.UpdatedAt, r.WorkspaceID, r.ID)
	if err != nil {
		return dbErr("update saved reply", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("saved reply")
	}
	return nil
}

// DeleteSavedReply deletes one saved reply.
func (s store) DeleteSavedReply(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM saved_replies WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete saved reply", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("saved reply")
	}
	return nil
}
