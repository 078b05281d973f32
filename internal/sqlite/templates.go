package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const templateCols = `id, workspace_id, name, description, content, created_by, created_at, updated_at`

func scanTemplate(sc scanner) (herald.Template, error) {
	var t herald.Template
	var content string
	var created, updated int64
	if err := sc.Scan(&t.ID, &t.WorkspaceID, &t.Name, &t.Description, &content, &t.CreatedBy, &created, &updated); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(content), &t.Content); err != nil {
		return t, fmt.Errorf("sqlite: template %d content: %w", t.ID, err)
	}
	return t, nil
}

func templateClash(name string) string {
	return fmt.Sprintf("a template named %q already exists", name)
}

// CreateTemplate inserts t and sets its ID.
func (s *store) CreateTemplate(ctx context.Context, t *herald.Template) error {
	t.CreatedAt = stamp(t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	t.UpdatedAt = stamp(t.UpdatedAt)
	content, err := toJSON(t.Content)
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO templates (workspace_id, name, description, content, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, t.WorkspaceID, t.Name, t.Description, content, t.CreatedBy,
		micros(t.CreatedAt), micros(t.UpdatedAt)).Scan(&t.ID)
	return dbErr(err, "create template", templateClash(t.Name), fmt.Sprintf("there is no workspace %d", t.WorkspaceID))
}

// GetTemplate returns template id of workspaceID.
func (s *store) GetTemplate(ctx context.Context, workspaceID, id int64) (herald.Template, error) {
	t, err := scanTemplate(s.r.QueryRowContext(ctx, `SELECT `+templateCols+` FROM templates WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Template{}, getErr(err, "template")
	}
	return t, nil
}

// ListTemplates returns a workspace's templates by name.
func (s *store) ListTemplates(ctx context.Context, f herald.KitFilter) ([]herald.Template, error) {
	q := `SELECT ` + templateCols + ` FROM templates WHERE workspace_id = ?`
	args := []any{f.WorkspaceID}
	if f.Query != "" {
		like := herald.LikePattern(f.Query)
		q += ` AND (name LIKE ? ESCAPE '\' OR description LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	return listRows(ctx, s, "templates", q+` ORDER BY name COLLATE NOCASE, id`, args, scanTemplate)
}

// UpdateTemplate saves the template's name, description and content.
func (s *store) UpdateTemplate(ctx context.Context, t *herald.Template) error {
	t.UpdatedAt = stamp(t.UpdatedAt)
	content, err := toJSON(t.Content)
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE templates SET name = ?, description = ?, content = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, t.Name, t.Description, content, micros(t.UpdatedAt), t.WorkspaceID, t.ID)
	if err != nil {
		return dbErr(err, "update template", templateClash(t.Name), "")
	}
	return affected(res, "template")
}

// DeleteTemplate deletes template id of workspaceID.
func (s *store) DeleteTemplate(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, "templates", "template", workspaceID, id, "")
}

// deleteKit deletes row id of workspaceID from table (of kind, when
// kind is not "").
func (s *store) deleteKit(ctx context.Context, table, what string, workspaceID, id int64, kind string) error {
	q := `DELETE FROM ` + table + ` WHERE workspace_id = ? AND id = ?`
	args := []any{workspaceID, id}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	res, err := s.w.ExecContext(ctx, q, args...)
	if err != nil {
		return dbErr(err, "delete "+what, "", "")
	}
	return affected(res, what)
}

// listRows runs a listing query on the read pool and scans every row.
func listRows[T any](ctx context.Context, s *store, what, q string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list %s: %w", what, err)
	}
	return out, nil
}

// Snippets and hashtag groups share the snippets table: kind "text" or
// "hashtags", a group's body being its tags, space-separated.

const (
	kindText     = "text"
	kindHashtags = "hashtags"
)

// kitRow is one row of the snippets table, times as the domain keeps them.
type kitRow struct {
	ID, WorkspaceID      int64
	Name, Body           string
	CreatedAt, UpdatedAt time.Time
}

const kitCols = `id, workspace_id, name, body, created_at, updated_at`

func scanKit(sc scanner) (kitRow, error) {
	var k kitRow
	var created, updated int64
	err := sc.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Body, &created, &updated)
	k.CreatedAt, k.UpdatedAt = fromMicros(created), fromMicros(updated)
	return k, err
}

func kitWhat(kind string) string {
	if kind == kindHashtags {
		return "hashtag group"
	}
	return "snippet"
}

// createKit inserts k as a row of kind, setting its ID and times.
func (s *store) createKit(ctx context.Context, kind string, k *kitRow) error {
	k.CreatedAt = stamp(k.CreatedAt)
	if k.UpdatedAt.IsZero() {
		k.UpdatedAt = k.CreatedAt
	}
	k.UpdatedAt = stamp(k.UpdatedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO snippets (workspace_id, kind, name, body, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, k.WorkspaceID, kind, k.Name, k.Body, micros(k.CreatedAt),
		micros(k.UpdatedAt)).Scan(&k.ID)
	return dbErr(err, "create "+kitWhat(kind), fmt.Sprintf("a %s named %q already exists", kitWhat(kind), k.Name),
		fmt.Sprintf("there is no workspace %d", k.WorkspaceID))
}

// getKit reads row id of kind in workspaceID.
func (s *store) getKit(ctx context.Context, kind string, workspaceID, id int64) (kitRow, error) {
	k, err := scanKit(s.r.QueryRowContext(ctx, `SELECT `+kitCols+` FROM snippets WHERE workspace_id = ? AND id = ? AND kind = ?`,
		workspaceID, id, kind))
	if err != nil {
		return kitRow{}, getErr(err, kitWhat(kind))
	}
	return k, nil
}

// listKits lists the rows of kind that f selects, by name.
func (s *store) listKits(ctx context.Context, kind string, f herald.KitFilter) ([]kitRow, error) {
	q := `SELECT ` + kitCols + ` FROM snippets WHERE workspace_id = ? AND kind = ?`
	args := []any{f.WorkspaceID, kind}
	if f.Query != "" {
		like := herald.LikePattern(f.Query)
		q += ` AND (name LIKE ? ESCAPE '\' OR body LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	return listRows(ctx, s, kitWhat(kind)+"s", q+` ORDER BY name COLLATE NOCASE, id`, args, scanKit)
}

// updateKit saves k's name, body and UpdatedAt.
func (s *store) updateKit(ctx context.Context, kind string, k *kitRow) error {
	k.UpdatedAt = stamp(k.UpdatedAt)
	res, err := s.w.ExecContext(ctx, `UPDATE snippets SET name = ?, body = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ? AND kind = ?`, k.Name, k.Body, micros(k.UpdatedAt), k.WorkspaceID, k.ID, kind)
	if err != nil {
		return dbErr(err, "update "+kitWhat(kind), fmt.Sprintf("a %s named %q already exists", kitWhat(kind), k.Name), "")
	}
	return affected(res, kitWhat(kind))
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
func (s *store) CreateSnippet(ctx context.Context, sn *herald.Snippet) error {
	k := snippetRow(*sn)
	if err := s.createKit(ctx, kindText, &k); err != nil {
		return err
	}
	*sn = k.snippet()
	return nil
}

// GetSnippet returns snippet id of workspaceID.
func (s *store) GetSnippet(ctx context.Context, workspaceID, id int64) (herald.Snippet, error) {
	k, err := s.getKit(ctx, kindText, workspaceID, id)
	return k.snippet(), err
}

// ListSnippets returns the snippets f selects, by name.
func (s *store) ListSnippets(ctx context.Context, f herald.KitFilter) ([]herald.Snippet, error) {
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

// UpdateSnippet saves the snippet's name and text.
func (s *store) UpdateSnippet(ctx context.Context, sn *herald.Snippet) error {
	k := snippetRow(*sn)
	err := s.updateKit(ctx, kindText, &k)
	sn.UpdatedAt = k.UpdatedAt
	return err
}

// DeleteSnippet deletes snippet id of workspaceID.
func (s *store) DeleteSnippet(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, "snippets", "snippet", workspaceID, id, kindText)
}

// CreateHashtagGroup inserts g and sets its ID.
func (s *store) CreateHashtagGroup(ctx context.Context, g *herald.HashtagGroup) error {
	k := groupRow(*g)
	if err := s.createKit(ctx, kindHashtags, &k); err != nil {
		return err
	}
	*g = k.group()
	return nil
}

// GetHashtagGroup returns hashtag group id of workspaceID.
func (s *store) GetHashtagGroup(ctx context.Context, workspaceID, id int64) (herald.HashtagGroup, error) {
	k, err := s.getKit(ctx, kindHashtags, workspaceID, id)
	return k.group(), err
}

// ListHashtagGroups returns the hashtag groups f selects, by name.
func (s *store) ListHashtagGroups(ctx context.Context, f herald.KitFilter) ([]herald.HashtagGroup, error) {
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

// UpdateHashtagGroup saves the group's name and tags.
func (s *store) UpdateHashtagGroup(ctx context.Context, g *herald.HashtagGroup) error {
	k := groupRow(*g)
	err := s.updateKit(ctx, kindHashtags, &k)
	g.UpdatedAt = k.UpdatedAt
	return err
}

// DeleteHashtagGroup deletes hashtag group id of workspaceID.
func (s *store) DeleteHashtagGroup(ctx context.Context, workspaceID, id int64) error {
	return s.deleteKit(ctx, "snippets", "hashtag group", workspaceID, id, kindHashtags)
}
