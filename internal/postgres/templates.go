package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

var (
	_ herald.TemplateStore = store{}
	_ herald.SnippetStore  = store{}
)

const templateCols = `id, workspace_id, name, description, content, created_by, created_at, updated_at`

func scanTemplate(r scanner) (herald.Template, error) {
	var t herald.Template
	err := r.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Description, &t.Content, &t.CreatedBy, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// CreateTemplate inserts t and sets its ID; ErrConflict if the workspace
// has a template of that name in any case.
func (s store) CreateTemplate(ctx context.Context, t *herald.Template) error {
	stamp(&t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO templates (workspace_id, name, description, content, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, t.WorkspaceID, t.Name, t.Description, t.Content, t.CreatedBy,
		t.CreatedAt, t.UpdatedAt).Scan(&t.ID)
	return dbErr("create template", err)
}

// GetTemplate returns the workspace's template id.
func (s store) GetTemplate(ctx context.Context, workspaceID, id int64) (herald.Template, error) {
	t, err := scanTemplate(s.q.QueryRow(ctx, `SELECT `+templateCols+` FROM templates WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Template{}, notFound("template", "get template", err)
	}
	return t, nil
}

// ListTemplates returns the templates f selects, by name.
func (s store) ListTemplates(ctx context.Context, f herald.KitFilter) ([]herald.Template, error) {
	q := `SELECT ` + templateCols + ` FROM templates WHERE workspace_id = $1`
	args := []any{f.WorkspaceID}
	if f.Query != "" {
		q += ` AND (name ILIKE $2 ESCAPE '\' OR description ILIKE $2 ESCAPE '\')`
		args = append(args, herald.LikePattern(f.Query))
	}
	rows, err := s.q.Query(ctx, q+` ORDER BY lower(name) COLLATE "C", id`, args...)
	if err != nil {
		return nil, dbErr("list templates", err)
	}
	out, err := collect(rows, scanTemplate)
	return out, dbErr("list templates", err)
}

// UpdateTemplate saves t's name, description, content and UpdatedAt.
func (s store) UpdateTemplate(ctx context.Context, t *herald.Template) error {
	stamp(&t.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE templates SET name = $3, description = $4, content = $5, updated_at = $6
		WHERE workspace_id = $1 AND id = $2`, t.WorkspaceID, t.ID, t.Name, t.Description, t.Content, t.UpdatedAt)
	if err != nil {
		return dbErr("update template", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("template")
	}
	return nil
}

// DeleteTemplate deletes the workspace's template id.
func (s store) DeleteTemplate(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM templates WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete template", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("template")
	}
	return nil
}

// Snippets and hashtag groups share the snippets table: kind "text" or
// "hashtags", a group's body being its tags, space-separated.

const (
	kindText     = "text"
	kindHashtags = "hashtags"
)

// kitRow is one row of the snippets table.
type kitRow struct {
	ID, WorkspaceID      int64
	Name, Body           string
	CreatedAt, UpdatedAt time.Time
}

const kitCols = `id, workspace_id, name, body, created_at, updated_at`

func scanKit(r scanner) (kitRow, error) {
	var k kitRow
	err := r.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Body, &k.CreatedAt, &k.UpdatedAt)
	return k, err
}

func kitWhat(kind string) string {
	if kind == kindHashtags {
		return "hashtag group"
	}
	return "snippet"
}

func (s store) createKit(ctx context.Context, kind string, k *kitRow) error {
	stamp(&k.CreatedAt)
	if k.UpdatedAt.IsZero() {
		k.UpdatedAt = k.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO snippets (workspace_id, kind, name, body, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, k.WorkspaceID, kind, k.Name, k.Body, k.CreatedAt, k.UpdatedAt).Scan(&k.ID)
	return dbErr("create "+kitWhat(kind), err)
}

func (s store) getKit(ctx context.Context, kind string, workspaceID, id int64) (kitRow, error) {
	k, err := scanKit(s.q.QueryRow(ctx, `SELECT `+kitCols+` FROM snippets WHERE workspace_id = $1 AND id = $2 AND kind = $3`,
		workspaceID, id, kind))
	if err != nil {
		return kitRow{}, notFound(kitWhat(kind), "get "+kitWhat(kind), err)
	}
	return k, nil
}

func (s store) listKits(ctx context.Context, kind string, f herald.KitFilter) ([]kitRow, error) {
	q := `SELECT ` + kitCols + ` FROM snippets WHERE workspace_id = $1 AND kind = $2`
	args := []any{f.WorkspaceID, kind}
	if f.Query != "" {
		q += ` AND (name ILIKE $3 ESCAPE '\' OR body ILIKE $3 ESCAPE '\')`
		args = append(args, herald.LikePattern(f.Query))
	}
	rows, err := s.q.Query(ctx, q+` ORDER BY lower(name) COLLATE "C", id`, args...)
	if err != nil {
		return nil, dbErr("list "+kitWhat(kind)+"s", err)
	}
	out, err := collect(rows, scanKit)
	return out, dbErr("list "+kitWhat(kind)+"s", err)
}

func (s store) updateKit(ctx context.Context, kind string, k *kitRow) error {
	stamp(&k.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE snippets SET name = $4, body = $5, updated_at = $6
		WHERE workspace_id = $1 AND id = $2 AND kind = $3`, k.WorkspaceID, k.ID, kind, k.Name, k.Body, k.UpdatedAt)
	if err != nil {
		return dbErr("update "+kitWhat(kind), err)
	}
	if tag.RowsAffected() == 0 {
		return missing(kitWhat(kind))
	}
	return nil
}

func (s store) deleteKit(ctx context.Context, kind string, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM snippets WHERE workspace_id = $1 AND id = $2 AND kind = $3`, workspaceID, id, kind)
	if err != nil {
		return dbErr("delete "+kitWhat(kind), err)
	}
	if tag.RowsAffected() == 0 {
		return missing(kitWhat(kind))
	}
	return nil
}

func snippetRow(sn herald.Snippet) kitRow {
	return kitRow{ID: sn.ID, WorkspaceID: sn.WorkspaceID, Name: sn.Name, Body: sn.Text, CreatedAt: sn.CreatedAt, UpdatedAt: sn.UpdatedAt}
}

func (k kitRow) snippet() herald.Snippet {
	return herald.Snippet{ID: k.ID, WorkspaceID: k.WorkspaceID, Name: k.Name, Text: k.Body, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
}

func groupRow(g herald.HashtagGroup) kitRow {
	return kitRow{ID: g.ID, WorkspaceID: g.WorkspaceID, Name: g.Name, Body: g.Text(), CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

func (k kitRow) group() herald.HashtagGroup {
	tags := strings.Fields(k.Body)
	if tags == nil {
		tags = []string{}
	}
	return herald.HashtagGroup{ID: k.ID, WorkspaceID: k.WorkspaceID, Name: k.Name, Hashtags: tags, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
}

// CreateSnippet inserts sn and sets its ID.
func (s store) CreateSnippet(ctx context.Context, sn *herald.Snippet) error {
	k := snippetRow(*sn)
	if err := s.createKit(ctx, kindText, &k); err != nil {
		return err
	}
	*sn = k.snippet()
	return nil
}

// GetSnippet returns the workspace's snippet id.
func (s store) GetSnippet(ctx context.Context, workspaceID, id int64) (herald.Snippet, error) {
	k, err := s.getKit(ctx, kindText, workspaceID, id)
	return k.snippet(), err
}

// ListSnippets returns the snippets f selects, by name.
func (s store) ListSnippets(ctx context.Context, f herald.KitFilter) ([]herald.Snippet, error) {
	ks, err := s.listKits(ctx, kindText, f)
	if err != nil {
		return nil, err
	}
	out := make([]herald.Snippet, len(ks))
	for i, k := range ks {
		out[i] = k.snippet()
	}
	return out, nil
}

// UpdateSnippet saves the snippet's name, text and UpdatedAt.
func (s store) UpdateSnippet(ctx context.Context, sn *herald.Snippet) error {
	k := snippetRow(*sn)
	err := s.updateKit(ctx, kindText, &k)
	sn.UpdatedAt = k.UpdatedAt
	return err
}

// DeleteSnippet deletes the workspace's snippet id.
func (s store) DeleteSnippet(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, kindText, workspaceID, id)
}

// CreateHashtagGroup inserts g and sets its ID.
func (s store) CreateHashtagGroup(ctx context.Context, g *herald.HashtagGroup) error {
	k := groupRow(*g)
	if err := s.createKit(ctx, kindHashtags, &k); err != nil {
		return err
	}
	*g = k.group()
	return nil
}

// GetHashtagGroup returns the workspace's hashtag group id.
func (s store) GetHashtagGroup(ctx context.Context, workspaceID, id int64) (herald.HashtagGroup, error) {
	k, err := s.getKit(ctx, kindHashtags, workspaceID, id)
	return k.group(), err
}

// ListHashtagGroups returns the hashtag groups f selects, by name.
func (s store) ListHashtagGroups(ctx context.Context, f herald.KitFilter) ([]herald.HashtagGroup, error) {
	ks, err := s.listKits(ctx, kindHashtags, f)
	if err != nil {
		return nil, err
	}
	out := make([]herald.HashtagGroup, len(ks))
	for i, k := range ks {
		out[i] = k.group()
	}
	return out, nil
}

// UpdateHashtagGroup saves the group's name, tags and UpdatedAt.
func (s store) UpdateHashtagGroup(ctx context.Context, g *herald.HashtagGroup) error {
	k := groupRow(*g)
	err := s.updateKit(ctx, kindHashtags, &k)
	g.UpdatedAt = k.UpdatedAt
	return err
}

// DeleteHashtagGroup deletes the workspace's hashtag group id.
func (s store) DeleteHashtagGroup(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, kindHashtags, workspaceID, id)
}
