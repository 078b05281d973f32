package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

const mediaCols = `id, workspace_id, uploader_id, filename, content_type, size, width, height, duration_ms, alt_text, sha256,
	storage_key, created_at, updated_at,
	(SELECT json_group_array(tag) FROM media_tags WHERE media_tags.media_id = media.id)`

func scanMedia(sc scanner) (herald.MediaAsset, error) {
	var m herald.MediaAsset
	var created, updated int64
	var tags string
	if err := sc.Scan(&m.ID, &m.WorkspaceID, &m.UploaderID, &m.Filename, &m.ContentType, &m.Size, &m.Width, &m.Height,
		&m.DurationMS, &m.AltText, &m.SHA256, &m.StorageKey, &created, &updated, &tags); err != nil {
		return m, err
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(tags), &m.Tags); err != nil {
		return m, fmt.Errorf("sqlite: media %d tags: %w", m.ID, err)
	}
	m.Tags = herald.NormalizeTags(m.Tags)
	return m, nil
}

// saveTags replaces the tags of media m with m.Tags.
func saveTags(ctx context.Context, q querier, m *herald.MediaAsset) error {
	if m.Tags == nil {
		m.Tags = []string{}
	}
	if _, err := q.ExecContext(ctx, `DELETE FROM media_tags WHERE media_id = ?`, m.ID); err != nil {
		return fmt.Errorf("sqlite: save media tags: %w", err)
	}
	for _, t := range m.Tags {
		if _, err := q.ExecContext(ctx, `INSERT OR IGNORE INTO media_tags (media_id, workspace_id, tag) VALUES (?, ?, ?)`,
			m.ID, m.WorkspaceID, t); err != nil {
			return fmt.Errorf("sqlite: save media tags: %w", err)
		}
	}
	return nil
}

// CreateMedia inserts m and sets its ID.
func (s *store) CreateMedia(ctx context.Context, m *herald.MediaAsset) error {
	m.CreatedAt = stamp(m.CreatedAt)
	if m.UpdatedAt.IsZero() {
		m.UpdatedAt = m.CreatedAt
	}
	m.UpdatedAt = stamp(m.UpdatedAt)
	return s.atomic(ctx, func(q querier) error {
		err := q.QueryRowContext(ctx, `INSERT INTO media (workspace_id, uploader_id, filename, content_type, size, width,
			height, duration_ms, alt_text, sha256, storage_key, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.WorkspaceID, m.UploaderID, m.Filename, m.ContentType, m.Size, m.Width, m.Height, m.DurationMS, m.AltText, m.SHA256, m.StorageKey,
			micros(m.CreatedAt), micros(m.UpdatedAt)).Scan(&m.ID)
		if err != nil {
			return dbErr(err, "create media", "", "the media's workspace or uploader does not exist")
		}
		return saveTags(ctx, q, m)
	})
}

// GetMedia returns media asset id of workspaceID.
func (s *store) GetMedia(ctx context.Context, workspaceID, id int64) (herald.MediaAsset, error) {
	m, err := scanMedia(s.r.QueryRowContext(ctx, `SELECT `+mediaCols+` FROM media WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.MediaAsset{}, getErr(err, "media asset")
	}
	return m, nil
}

// GetMediaByHash returns the newest asset of workspaceID with this SHA-256.
func (s *store) GetMediaByHash(ctx context.Context, workspaceID int64, sha256 string) (herald.MediaAsset, error) {
	m, err := scanMedia(s.r.QueryRowContext(ctx, `SELECT `+mediaCols+` FROM media WHERE workspace_id = ? AND sha256 = ?
		ORDER BY id DESC LIMIT 1`, workspaceID, sha256))
	if err != nil {
		return herald.MediaAsset{}, getErr(err, "media asset")
	}
	return m, nil
}

// ListMedia returns one page of a workspace's media, newest first.
func (s *store) ListMedia(ctx context.Context, f herald.MediaFilter) ([]herald.MediaAsset, string, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(f.Page)
	conds := []string{"workspace_id = ?"}
	args := []any{f.WorkspaceID}
	if after > 0 {
		conds = append(conds, "id < ?")
		args = append(args, after)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		pattern := "%" + likeEscape(strings.ToLower(q)) + "%"
		conds = append(conds, `(lower(filename) LIKE ? ESCAPE '\' OR lower(alt_text) LIKE ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM media_tags WHERE media_tags.media_id = media.id AND media_tags.tag LIKE ? ESCAPE '\'))`)
		args = append(args, pattern, pattern, pattern)
	}
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, `SELECT `+mediaCols+` FROM media WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list media: %w", err)
	}
	defer rows.Close()
	out := []herald.MediaAsset{}
	for rows.Next() {
		m, err := scanMedia(rows)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: list media: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list media: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}

// UpdateMedia saves the filename, alt text, tags and UpdatedAt.
func (s *store) UpdateMedia(ctx context.Context, m *herald.MediaAsset) error {
	m.UpdatedAt = stamp(m.UpdatedAt)
	return s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE media SET filename = ?, alt_text = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			m.Filename, m.AltText, micros(m.UpdatedAt), m.WorkspaceID, m.ID)
		if err != nil {
			return dbErr(err, "update media", "", "")
		}
		if err := affected(res, "media asset"); err != nil {
			return err
		}
		return saveTags(ctx, q, m)
	})
}

// MediaUsage returns up to limit targets of workspaceID that use media id,
// those that may still publish first, then the newest posts.
func (s *store) MediaUsage(ctx context.Context, workspaceID, id int64, limit int) ([]herald.MediaUse, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.title, p.text, t.id, t.account_id, t.state, t.scheduled_at
		FROM target_media u JOIN targets t ON t.id = u.target_id JOIN posts p ON p.id = t.post_id
		WHERE u.workspace_id = ? AND u.media_id = ?
		ORDER BY t.state IN ('published', 'cancelled'), p.id DESC, t.id LIMIT ?`, workspaceID, id, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("sqlite: media usage: %w", err)
	}
	defer rows.Close()
	out := []herald.MediaUse{}
	for rows.Next() {
		var u herald.MediaUse
		var sched sql.NullInt64
		if err := rows.Scan(&u.PostID, &u.PostTitle, &u.PostText, &u.TargetID, &u.AccountID, &u.State, &sched); err != nil {
			return nil, fmt.Errorf("sqlite: media usage: %w", err)
		}
		if sched.Valid {
			at := fromMicros(sched.Int64)
			u.ScheduledAt = &at
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: media usage: %w", err)
	}
	return out, nil
}

// DeleteMedia deletes media asset id of workspaceID.
func (s *store) DeleteMedia(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM media WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete media", "", "")
	}
	return affected(res, "media asset")
}

const labelCols = `id, workspace_id, name, color, created_at`

func scanLabel(sc scanner) (herald.Label, error) {
	var l herald.Label
	var created int64
	if err := sc.Scan(&l.ID, &l.WorkspaceID, &l.Name, &l.Color, &created); err != nil {
		return l, err
	}
	l.CreatedAt = fromMicros(created)
	return l, nil
}

func labelClash(name string) string { return fmt.Sprintf("a label named %q already exists", name) }

// CreateLabel inserts l and sets its ID.
func (s *store) CreateLabel(ctx context.Context, l *herald.Label) error {
	l.CreatedAt = stamp(l.CreatedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO labels (workspace_id, name, color, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
		l.WorkspaceID, l.Name, l.Color, micros(l.CreatedAt)).Scan(&l.ID)
	return dbErr(err, "create label", labelClash(l.Name), fmt.Sprintf("there is no workspace %d", l.WorkspaceID))
}

// GetLabel returns label id of workspaceID.
func (s *store) GetLabel(ctx context.Context, workspaceID, id int64) (herald.Label, error) {
	l, err := scanLabel(s.r.QueryRowContext(ctx, `SELECT `+labelCols+` FROM labels WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.Label{}, getErr(err, "label")
	}
	return l, nil
}

// ListLabels returns a workspace's labels by name.
func (s *store) ListLabels(ctx context.Context, workspaceID int64) ([]herald.Label, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+labelCols+` FROM labels WHERE workspace_id = ? ORDER BY name COLLATE NOCASE, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list labels: %w", err)
	}
	defer rows.Close()
	out := []herald.Label{}
	for rows.Next() {
		l, err := scanLabel(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list labels: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list labels: %w", err)
	}
	return out, nil
}

// UpdateLabel saves the label's name and colour.
func (s *store) UpdateLabel(ctx context.Context, l *herald.Label) error {
	res, err := s.w.ExecContext(ctx, `UPDATE labels SET name = ?, color = ? WHERE workspace_id = ? AND id = ?`,
		l.Name, l.Color, l.WorkspaceID, l.ID)
	if err != nil {
		return dbErr(err, "update label", labelClash(l.Name), "")
	}
	return affected(res, "label")
}

// DeleteLabel deletes label id of workspaceID and its uses on posts.
func (s *store) DeleteLabel(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM labels WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete label", "", "")
	}
	return affected(res, "label")
}

const campaignCols = `id, workspace_id, name, goal, start_date, end_date, created_at, updated_at`

func scanCampaign(sc scanner) (herald.Campaign, error) {
	var c herald.Campaign
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Goal, &c.StartDate, &c.EndDate, &created, &updated); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// CreateCampaign inserts c and sets its ID.
func (s *store) CreateCampaign(ctx context.Context, c *herald.Campaign) error {
	c.CreatedAt = stamp(c.CreatedAt)
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.UpdatedAt = stamp(c.UpdatedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO campaigns (workspace_id, name, goal, start_date, end_date, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.WorkspaceID, c.Name, c.Goal, c.StartDate, c.EndDate,
		micros(c.CreatedAt), micros(c.UpdatedAt)).Scan(&c.ID)
	return dbErr(err, "create campaign", "", fmt.Sprintf("there is no workspace %d", c.WorkspaceID))
}

// GetCampaign returns campaign id of workspaceID.
func (s *store) GetCampaign(ctx context.Context, workspaceID, id int64) (herald.Campaign, error) {
	c, err := scanCampaign(s.r.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Campaign{}, getErr(err, "campaign")
	}
	return c, nil
}

// ListCampaigns returns a workspace's campaigns, newest first.
func (s *store) ListCampaigns(ctx context.Context, workspaceID int64) ([]herald.Campaign, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE workspace_id = ?
		ORDER BY created_at DESC, id DESC`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list campaigns: %w", err)
	}
	defer rows.Close()
	out := []herald.Campaign{}
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list campaigns: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list campaigns: %w", err)
	}
	return out, nil
}

// UpdateCampaign saves the campaign's fields.
func (s *store) UpdateCampaign(ctx context.Context, c *herald.Campaign) error {
	c.UpdatedAt = stamp(c.UpdatedAt)
	res, err := s.w.ExecContext(ctx, `UPDATE campaigns SET name = ?, goal = ?, start_date = ?, end_date = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, c.Name, c.Goal, c.StartDate, c.EndDate, micros(c.UpdatedAt), c.WorkspaceID, c.ID)
	if err != nil {
		return dbErr(err, "update campaign", "", "")
	}
	return affected(res, "campaign")
}

// DeleteCampaign deletes campaign id of workspaceID; its posts stay, unlinked.
func (s *store) DeleteCampaign(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM campaigns WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete campaign", "", "")
	}
	return affected(res, "campaign")
}

// AppendAudit appends e and sets its ID. WorkspaceID 0 is an
// installation-wide entry.
func (s *store) AppendAudit(ctx context.Context, e *herald.AuditEntry) error {
	e.At = stamp(e.At)
	var ws any
	if e.WorkspaceID != 0 {
		ws = e.WorkspaceID
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO audit_log (workspace_id, actor_id, token_id, actor_name, action, object_type, object_id,
		before, after, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ws, nullInt(e.ActorID), nullInt(e.TokenID), e.ActorName, e.Action, e.ObjectType, e.ObjectID, rawOrNil(e.Before), rawOrNil(e.After),
		micros(e.At)).Scan(&e.ID)
	return dbErr(err, "append audit", "", fmt.Sprintf("there is no workspace %d", e.WorkspaceID))
}

// ListAudit returns one page of audit entries matching f, newest first.
// f.WorkspaceID always applies; 0 selects installation-wide entries.
func (s *store) ListAudit(ctx context.Context, f herald.AuditFilter) ([]herald.AuditEntry, string, error) {
	after, err := decodeCursor(f.Cursor)
	if err != nil {
		return nil, "", err
	}
	limit := pageLimit(f.Page)
	var ws any
	if f.WorkspaceID != 0 {
		ws = f.WorkspaceID
	}
	conds := []string{"workspace_id IS ?"}
	args := []any{ws}
	if after > 0 {
		conds = append(conds, "id < ?")
		args = append(args, after)
	}
	if f.ObjectType != "" {
		conds = append(conds, "object_type = ?")
		args = append(args, f.ObjectType)
	}
	if f.ObjectID != 0 {
		conds = append(conds, "object_id = ?")
		args = append(args, f.ObjectID)
	}
	if f.ActorID != 0 {
		conds = append(conds, "actor_id = ?")
		args = append(args, f.ActorID)
	}
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, `SELECT id, workspace_id, actor_id, token_id, actor_name, action, object_type, object_id,
		before, after, at FROM audit_log WHERE `+strings.Join(conds, " AND ")+` ORDER BY id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
	}
	defer rows.Close()
	out := []herald.AuditEntry{}
	for rows.Next() {
		var e herald.AuditEntry
		var wsID, actor, token sql.NullInt64
		var before, afterJSON sql.NullString
		var at int64
		if err := rows.Scan(&e.ID, &wsID, &actor, &token, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &before, &afterJSON, &at); err != nil {
			return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
		}
		e.WorkspaceID = wsID.Int64
		e.ActorID, e.TokenID = fromNullInt(actor), fromNullInt(token)
		e.Before, e.After = fromNullRaw(before), fromNullRaw(afterJSON)
		e.At = fromMicros(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("sqlite: list audit: %w", err)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(out[limit-1].ID)
	}
	return out, next, nil
}
