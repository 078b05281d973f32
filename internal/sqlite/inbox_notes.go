package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxNoteCols reads a note with its author's name.
const inboxNoteCols = `n.id, n.workspace_id, n.item_id, coalesce(n.author_id, 0), coalesce(u.name, ''), n.body, n.mentions,
	n.created_at`

const inboxNoteFrom = ` FROM inbox_notes n LEFT JOIN users u ON u.id = n.author_id`

func scanInboxNote(sc scanner) (herald.InboxNote, error) {
	var n herald.InboxNote
	var mentions string
	var created int64
	if err := sc.Scan(&n.ID, &n.WorkspaceID, &n.ItemID, &n.AuthorID, &n.AuthorName, &n.Body, &mentions,
		&created); err != nil {
		return n, err
	}
	n.CreatedAt = fromMicros(created)
	n.Mentions = []int64{}
	for f := range strings.SplitSeq(mentions, ",") {
		if f == "" {
			continue
		}
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return n, fmt.Errorf("note %d mention %q: %w", n.ID, f, err)
		}
		n.Mentions = append(n.Mentions, id)
	}
	return n, nil
}

// AddInboxNote inserts n and sets its ID.
func (s *store) AddInboxNote(ctx context.Context, n *herald.InboxNote) error {
	n.CreatedAt = stamp(n.CreatedAt)
	n.Mentions = slices.Compact(slices.Sorted(slices.Values(n.Mentions)))
	if n.Mentions == nil {
		n.Mentions = []int64{}
	}
	ids := make([]string, len(n.Mentions))
	for i, id := range n.Mentions {
		ids[i] = strconv.FormatInt(id, 10)
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO inbox_notes (workspace_id, item_id, author_id, body, mentions, created_at)
		SELECT ?, id, ?, ?, ?, ? FROM inbox_items WHERE workspace_id = ? AND id = ? RETURNING id`,
		n.WorkspaceID, zeroNull(n.AuthorID), n.Body, strings.Join(ids, ","), micros(n.CreatedAt), n.WorkspaceID,
		n.ItemID).Scan(&n.ID)
	if err != nil {
		n.ID = 0
		if err == sql.ErrNoRows {
			return herald.NotFound("inbox item")
		}
		return dbErr(err, "add inbox note", "", "the author does not exist")
	}
	return nil
}

// ListInboxNotes returns an item's notes, oldest first.
func (s *store) ListInboxNotes(ctx context.Context, workspaceID, itemID int64) ([]herald.InboxNote, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+inboxNoteCols+inboxNoteFrom+
		` WHERE n.workspace_id = ? AND n.item_id = ? ORDER BY n.id`, workspaceID, itemID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list inbox notes: %w", err)
	}
	defer rows.Close()
	out := []herald.InboxNote{}
	for rows.Next() {
		n, err := scanInboxNote(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list inbox notes: %w", err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list inbox notes: %w", err)
	}
	return out, nil
}

// GetInboxNote returns one note of the workspace.
func (s *store) GetInboxNote(ctx context.Context, workspaceID, id int64) (herald.InboxNote, error) {
	n, err := scanInboxNote(s.r.QueryRowContext(ctx, `SELECT `+inboxNoteCols+inboxNoteFrom+
		` WHERE n.workspace_id = ? AND n.id = ?`, workspaceID, id))
	if err != nil {
		return herald.InboxNote{}, getErr(err, "inbox note")
	}
	return n, nil
}

// DeleteInboxNote deletes one note.
func (s *store) DeleteInboxNote(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM inbox_notes WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete inbox note: %w", err)
	}
	return affected(res, "inbox note")
}

const savedReplyCols = `id, workspace_id, name, body, coalesce(created_by, 0), created_at, updated_at`

func scanSavedReply(sc scanner) (herald.SavedReply, error) {
	var r herald.SavedReply
	var created, updated int64
	if err := sc.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.Body, &r.CreatedBy, &created, &updated); err != nil {
		return r, err
	}
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return r, nil
}

const savedReplyClash = "a saved reply with this name already exists in the workspace (names ignore case)"

// CreateSavedReply inserts r and sets its ID.
func (s *store) CreateSavedReply(ctx context.Context, r *herald.SavedReply) error {
	r.CreatedAt = stamp(r.CreatedAt)
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO saved_replies (workspace_id, name, name_key, body, created_by,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.WorkspaceID, r.Name,
		strings.ToLower(r.Name), r.Body, zeroNull(r.CreatedBy), micros(r.CreatedAt), micros(r.UpdatedAt)).Scan(&r.ID)
	if err != nil {
		r.ID = 0
		return dbErr(err, "create saved reply", savedReplyClash, "the workspace or the author does not exist")
	}
	return nil
}

// GetSavedReply returns one saved reply of the workspace.
func (s *store) GetSavedReply(ctx context.Context, workspaceID, id int64) (herald.SavedReply, error) {
	r, err := scanSavedReply(s.r.QueryRowContext(ctx, `SELECT `+savedReplyCols+
		` FROM saved_replies WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.SavedReply{}, getErr(err, "saved reply")
	}
	return r, nil
}

// ListSavedReplies returns the workspace's saved replies by name.
func (s *store) ListSavedReplies(ctx context.Context, workspaceID int64) ([]herald.SavedReply, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+savedReplyCols+` FROM saved_replies WHERE workspace_id = ?
		ORDER BY name_key, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list saved replies: %w", err)
	}
	defer rows.Close()
	out := []herald.SavedReply{}
	for rows.Next() {
		r, err := scanSavedReply(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list saved replies: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list saved replies: %w", err)
	}
	return out, nil
}

// UpdateSavedReply saves r's name and body.
func (s *store) UpdateSavedReply(ctx context.Context, r *herald.SavedReply) error {
	r.UpdatedAt = stamp(r.UpdatedAt)
	res, err := s.w.ExecContext(ctx, `UPDATE saved_replies SET name = ?, name_key = ?, body = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, r.Name, strings.ToLower(r.Name), r.Body, micros(r.UpdatedAt),
		r.WorkspaceID, r.ID)
	if err != nil {
		return dbErr(err, "update saved reply", savedReplyClash, "")
	}
	return affected(res, "saved reply")
}

// DeleteSavedReply deletes one saved reply.
func (s *store) DeleteSavedReply(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM saved_replies WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete saved reply: %w", err)
	}
	return affected(res, "saved reply")
}
