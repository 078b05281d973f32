package postgres

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/heraldsocial/herald/internal/herald"
)

const mediaCols = `id, workspace_id, uploader_id, filename, content_type, size, width, height, duration_ms, alt_text,
	sha256, storage_key, created_at, updated_at,
	coalesce((SELECT array_agg(tag ORDER BY tag) FROM media_tags WHERE media_tags.media_id = media_assets.id), '{}')`

func scanMedia(r scanner) (herald.MediaAsset, error) {
	var m herald.MediaAsset
	err := r.Scan(&m.ID, &m.WorkspaceID, &m.UploaderID, &m.Filename, &m.ContentType, &m.Size, &m.Width,
		&m.Height, &m.DurationMS, &m.AltText, &m.SHA256, &m.StorageKey, &m.CreatedAt, &m.UpdatedAt, &m.Tags)
	m.Tags = herald.NormalizeTags(m.Tags)
	return m, err
}

// saveTags replaces the tags of media m with m.Tags.
func (s store) saveTags(ctx context.Context, m *herald.MediaAsset) error {
	if m.Tags == nil {
		m.Tags = []string{}
	}
	if _, err := s.q.Exec(ctx, `DELETE FROM media_tags WHERE media_id = $1`, m.ID); err != nil {
		return dbErr("save media tags", err)
	}
	_, err := s.q.Exec(ctx, `INSERT INTO media_tags (media_id, workspace_id, tag)
		SELECT $1, $2, t FROM unnest($3::text[]) t ON CONFLICT DO NOTHING`, m.ID, m.WorkspaceID, m.Tags)
	return dbErr("save media tags", err)
}

// CreateMedia inserts m and its tags, and sets its ID.
func (s store) CreateMedia(ctx context.Context, m *herald.MediaAsset) error {
	stamp(&m.CreatedAt)
	stamp(&m.UpdatedAt)
	return s.atomic(ctx, func(s store) error {
		err := s.q.QueryRow(ctx, `INSERT INTO media_assets (workspace_id, uploader_id, filename, content_type,
			size, width, height, duration_ms, alt_text, sha256, storage_key, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			m.WorkspaceID, m.UploaderID, m.Filename, m.ContentType, m.Size, m.Width, m.Height, m.DurationMS, m.AltText,
			m.SHA256, m.StorageKey, m.CreatedAt, m.UpdatedAt).Scan(&m.ID)
		if err != nil {
			return dbErr("create media", err)
		}
		return s.saveTags(ctx, m)
	})
}

// GetMedia returns the workspace's media asset id.
func (s store) GetMedia(ctx context.Context, workspaceID, id int64) (herald.MediaAsset, error) {
	m, err := scanMedia(s.q.QueryRow(ctx, `SELECT `+mediaCols+` FROM media_assets
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.MediaAsset{}, notFound("media asset", "get media", err)
	}
	return m, nil
}

// GetMediaByHash returns the workspace's media asset with the given hex SHA-256.
func (s store) GetMediaByHash(ctx context.Context, workspaceID int64, sha256 string) (herald.MediaAsset, error) {
	m, err := scanMedia(s.q.QueryRow(ctx, `SELECT `+mediaCols+` FROM media_assets
		WHERE workspace_id = $1 AND sha256 = $2`, workspaceID, sha256))
	if err != nil {
		return herald.MediaAsset{}, notFound("media asset", "get media by hash", err)
	}
	return m, nil
}

// ListMedia returns one page of the workspace's media, newest first; Query
// matches the filename or alt text, ignoring case.
func (s store) ListMedia(ctx context.Context, f herald.MediaFilter) ([]herald.MediaAsset, string, error) {
	after, limit, err := pageArgs(f.Page)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.q.Query(ctx, `SELECT `+mediaCols+` FROM media_assets
		WHERE workspace_id = $1
		  AND ($2::text = '' OR strpos(lower(filename), lower($2)) > 0 OR strpos(lower(alt_text), lower($2)) > 0
		       OR EXISTS (SELECT 1 FROM media_tags WHERE media_tags.media_id = media_assets.id
		                  AND strpos(media_tags.tag, lower($2)) > 0))
		  AND ($3::bigint = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, f.WorkspaceID, f.Query, after, limit+1)
	if err != nil {
		return nil, "", dbErr("list media", err)
	}
	out, err := collect(rows, scanMedia)
	if err != nil {
		return nil, "", dbErr("list media", err)
	}
	out, next := nextCursor(out, limit, func(m herald.MediaAsset) int64 { return m.ID })
	return out, next, nil
}

// UpdateMedia saves m's filename, alt text, tags and UpdatedAt.
func (s store) UpdateMedia(ctx context.Context, m *herald.MediaAsset) error {
	stamp(&m.UpdatedAt)
	return s.atomic(ctx, func(s store) error {
		tag, err := s.q.Exec(ctx, `UPDATE media_assets SET filename = $3, alt_text = $4, updated_at = $5
			WHERE workspace_id = $1 AND id = $2`, m.WorkspaceID, m.ID, m.Filename, m.AltText, m.UpdatedAt)
		if err != nil {
			return dbErr("update media", err)
		}
		if tag.RowsAffected() == 0 {
			return missing("media asset")
		}
		return s.saveTags(ctx, m)
	})
}

// MediaUsage returns up to limit targets of the workspace that use media
// id, those that may still publish first, then the newest posts.
func (s store) MediaUsage(ctx context.Context, workspaceID, id int64, limit int) ([]herald.MediaUse, error) {
	rows, err := s.q.Query(ctx, `SELECT p.id, p.title, p.text, t.id, t.account_id, t.state, t.scheduled_at
		FROM target_media u JOIN targets t ON t.id = u.target_id JOIN posts p ON p.id = t.post_id
		WHERE u.workspace_id = $1 AND u.media_id = $2
		ORDER BY t.state IN ('published', 'cancelled'), p.id DESC, t.id LIMIT $3`, workspaceID, id, max(limit, 1))
	if err != nil {
		return nil, dbErr("media usage", err)
	}
	out, err := collect(rows, func(r scanner) (herald.MediaUse, error) {
		var u herald.MediaUse
		err := r.Scan(&u.PostID, &u.PostTitle, &u.PostText, &u.TargetID, &u.AccountID, &u.State, &u.ScheduledAt)
		return u, err
	})
	return out, dbErr("media usage", err)
}

// DeleteMedia deletes the workspace's media asset record id.
func (s store) DeleteMedia(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM media_assets WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete media", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("media asset")
	}
	return nil
}

const labelCols = `id, workspace_id, name, color, created_at`

func scanLabel(r scanner) (herald.Label, error) {
	var l herald.Label
	err := r.Scan(&l.ID, &l.WorkspaceID, &l.Name, &l.Color, &l.CreatedAt)
	return l, err
}

// CreateLabel inserts l and sets its ID; ErrConflict if the workspace has a
// label of that name in any case.
func (s store) CreateLabel(ctx context.Context, l *herald.Label) error {
	stamp(&l.CreatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO labels (workspace_id, name, color, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, l.WorkspaceID, l.Name, l.Color, l.CreatedAt).Scan(&l.ID)
	return dbErr("create label", err)
}

// GetLabel returns the workspace's label id.
func (s store) GetLabel(ctx context.Context, workspaceID, id int64) (herald.Label, error) {
	l, err := scanLabel(s.q.QueryRow(ctx, `SELECT `+labelCols+` FROM labels WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Label{}, notFound("label", "get label", err)
	}
	return l, nil
}

// ListLabels returns the workspace's labels by name.
func (s store) ListLabels(ctx context.Context, workspaceID int64) ([]herald.Label, error) {
	rows, err := s.q.Query(ctx, `SELECT `+labelCols+` FROM labels WHERE workspace_id = $1
		ORDER BY lower(name) COLLATE "C", id`, workspaceID)
	if err != nil {
		return nil, dbErr("list labels", err)
	}
	out, err := collect(rows, scanLabel)
	return out, dbErr("list labels", err)
}

// UpdateLabel saves l's name and colour.
func (s store) UpdateLabel(ctx context.Context, l *herald.Label) error {
	tag, err := s.q.Exec(ctx, `UPDATE labels SET name = $3, color = $4 WHERE workspace_id = $1 AND id = $2`,
		l.WorkspaceID, l.ID, l.Name, l.Color)
	if err != nil {
		return dbErr("update label", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("label")
	}
	return nil
}

// DeleteLabel deletes the workspace's label id and, by cascade, its uses on posts.
func (s store) DeleteLabel(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM labels WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete label", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("label")
	}
	return nil
}

const campaignCols = `id, workspace_id, name, goal, coalesce(to_char(start_date, 'YYYY-MM-DD'), ''),
	coalesce(to_char(end_date, 'YYYY-MM-DD'), ''), created_at, updated_at`

func scanCampaign(r scanner) (herald.Campaign, error) {
	var c herald.Campaign
	err := r.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Goal, &c.StartDate, &c.EndDate, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// CreateCampaign inserts c and sets its ID.
func (s store) CreateCampaign(ctx context.Context, c *herald.Campaign) error {
	stamp(&c.CreatedAt)
	stamp(&c.UpdatedAt)
	err := s.q.QueryRow(ctx, `INSERT INTO campaigns (workspace_id, name, goal, start_date, end_date,
		created_at, updated_at)
		VALUES ($1, $2, $3, NULLIF($4::text, '')::date, NULLIF($5::text, '')::date, $6, $7) RETURNING id`,
		c.WorkspaceID, c.Name, c.Goal, c.StartDate, c.EndDate, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
	return dbErr("create campaign", err)
}

// GetCampaign returns the workspace's campaign id.
func (s store) GetCampaign(ctx context.Context, workspaceID, id int64) (herald.Campaign, error) {
	c, err := scanCampaign(s.q.QueryRow(ctx, `SELECT `+campaignCols+` FROM campaigns
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.Campaign{}, notFound("campaign", "get campaign", err)
	}
	return c, nil
}

// ListCampaigns returns the workspace's campaigns, newest first.
func (s store) ListCampaigns(ctx context.Context, workspaceID int64) ([]herald.Campaign, error) {
	rows, err := s.q.Query(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE workspace_id = $1
		ORDER BY id DESC`, workspaceID)
	if err != nil {
		return nil, dbErr("list campaigns", err)
	}
	out, err := collect(rows, scanCampaign)
	return out, dbErr("list campaigns", err)
}

// UpdateCampaign saves c's name, goal, dates and UpdatedAt.
func (s store) UpdateCampaign(ctx context.Context, c *herald.Campaign) error {
	stamp(&c.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE campaigns SET name = $3, goal = $4, start_date = NULLIF($5::text, '')::date,
		end_date = NULLIF($6::text, '')::date, updated_at = $7 WHERE workspace_id = $1 AND id = $2`,
		c.WorkspaceID, c.ID, c.Name, c.Goal, c.StartDate, c.EndDate, c.UpdatedAt)
	if err != nil {
		return dbErr("update campaign", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("campaign")
	}
	return nil
}

// DeleteCampaign deletes the workspace's campaign id; its posts stay, unlinked.
func (s store) DeleteCampaign(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM campaigns WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete campaign", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("campaign")
	}
	return nil
}

const auditCols = `id, coalesce(workspace_id, 0), actor_id, token_id, actor_name, action, object_type, object_id,
	before, after, at`

func scanAudit(r scanner) (herald.AuditEntry, error) {
	var e herald.AuditEntry
	var before, after []byte
	err := r.Scan(&e.ID, &e.WorkspaceID, &e.ActorID, &e.TokenID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID,
		&before, &after, &e.At)
	e.Before, e.After = compactJSON(before), compactJSON(after)
	return e, err
}

// compactJSON undoes jsonb's output spacing, so a document reads back as
// encoding/json wrote it (jsonb may still reorder object keys).
func compactJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return b
	}
	return buf.Bytes()
}

// rawJSON passes an empty document as NULL.
func rawJSON(m json.RawMessage) any {
	if len(m) == 0 {
		return nil
	}
	return m
}

// AppendAudit appends e and sets its ID. A WorkspaceID of 0 records an
// installation-wide event.
func (s store) AppendAudit(ctx context.Context, e *herald.AuditEntry) error {
	stamp(&e.At)
	if s.whole {
		// The ID is not read back, so the entry can wait in the pipeline.
		return dbErr("append audit", s.deferExec(ctx, `INSERT INTO audit_log (workspace_id, actor_id, token_id,
			action, object_type, object_id, before, after, at)
			VALUES (NULLIF($1::bigint, 0), $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.WorkspaceID, e.ActorID, e.TokenID, e.Action, e.ObjectType, e.ObjectID, rawJSON(e.Before),
			rawJSON(e.After), e.At))
	}
	err := s.q.QueryRow(ctx, `INSERT INTO audit_log (workspace_id, actor_id, token_id, action, object_type,
		object_id, before, after, at, actor_name)
		VALUES (NULLIF($1::bigint, 0), $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.WorkspaceID, e.ActorID, e.TokenID, e.Action, e.ObjectType, e.ObjectID, rawJSON(e.Before),
		rawJSON(e.After), e.At, e.ActorName).Scan(&e.ID)
	return dbErr("append audit", err)
}

// ListAudit returns one page of audit entries matching f, newest first.
// The workspace always applies (0 selects installation-wide entries only);
// the other zero filter fields do not filter.
func (s store) ListAudit(ctx context.Context, f herald.AuditFilter) ([]herald.AuditEntry, string, error) {
	after, limit, err := pageArgs(f.Page)
	if err != nil {
		return nil, "", err
	}
	rows, err := s.q.Query(ctx, `SELECT `+auditCols+` FROM audit_log
		WHERE workspace_id IS NOT DISTINCT FROM NULLIF($1::bigint, 0)
		  AND ($2::text = '' OR object_type = $2)
		  AND ($3::bigint = 0 OR object_id = $3)
		  AND ($4::bigint = 0 OR actor_id = $4)
		  AND ($5::bigint = 0 OR id < $5)
		ORDER BY id DESC LIMIT $6`, f.WorkspaceID, f.ObjectType, f.ObjectID, f.ActorID, after, limit+1)
	if err != nil {
		return nil, "", dbErr("list audit", err)
	}
	out, err := collect(rows, scanAudit)
	if err != nil {
		return nil, "", dbErr("list audit", err)
	}
	out, next := nextCursor(out, limit, func(e herald.AuditEntry) int64 { return e.ID })
	return out, next, nil
}
