package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.PlaybookStore = store{}

const playbookCols = `id, workspace_id, kind, title, body, created_by, approved_by, approved_at, created_at, updated_at`

func scanPlaybookEntry(sc scanner) (herald.PlaybookEntry, error) {
	var e herald.PlaybookEntry
	err := sc.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Title, &e.Body, &e.CreatedBy, &e.ApprovedBy, &e.ApprovedAt,
		&e.CreatedAt, &e.UpdatedAt)
	e.ApprovedAt, e.CreatedAt, e.UpdatedAt = utcPtr(e.ApprovedAt), e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// CreatePlaybookEntry inserts e and sets its ID.
func (s store) CreatePlaybookEntry(ctx context.Context, e *herald.PlaybookEntry) error {
	stamp(&e.CreatedAt)
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	err := s.q.QueryRow(ctx, `INSERT INTO playbook_entries (workspace_id, kind, title, body, created_by, approved_by,
		approved_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, e.WorkspaceID,
		string(e.Kind), e.Title, e.Body, e.CreatedBy, e.ApprovedBy, e.ApprovedAt, e.CreatedAt, stamp(&e.UpdatedAt)).Scan(&e.ID)
	return dbErr("create playbook entry", err)
}

// GetPlaybookEntry returns entry id of workspaceID.
func (s store) GetPlaybookEntry(ctx context.Context, workspaceID, id int64) (herald.PlaybookEntry, error) {
	e, err := scanPlaybookEntry(s.q.QueryRow(ctx, `SELECT `+playbookCols+` FROM playbook_entries
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.PlaybookEntry{}, notFound("playbook text", "get playbook entry", err)
	}
	return e, nil
}

// ListPlaybookEntries returns statements first, then replies, by title.
func (s store) ListPlaybookEntries(ctx context.Context, workspaceID int64) ([]herald.PlaybookEntry, error) {
	rows, err := s.q.Query(ctx, `SELECT `+playbookCols+` FROM playbook_entries WHERE workspace_id = $1
		ORDER BY kind = 'reply', lower(title) COLLATE "C", id`, workspaceID)
	if err != nil {
		return nil, dbErr("list playbook entries", err)
	}
	out, err := collect(rows, scanPlaybookEntry)
	return out, dbErr("list playbook entries", err)
}

// UpdatePlaybookEntry saves kind, title, body and approval.
func (s store) UpdatePlaybookEntry(ctx context.Context, e *herald.PlaybookEntry) error {
	stamp(&e.UpdatedAt)
	tag, err := s.q.Exec(ctx, `UPDATE playbook_entries SET kind = $3, title = $4, body = $5, approved_by = $6, approved_at = $7,
		updated_at = $8 WHERE workspace_id = $1 AND id = $2`, e.WorkspaceID, e.ID, string(e.Kind), e.Title, e.Body, e.ApprovedBy,
		e.ApprovedAt, e.UpdatedAt)
	if err != nil {
		return dbErr("update playbook entry", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("playbook text")
	}
	return nil
}

// DeletePlaybookEntry removes entry id of workspaceID.
func (s store) DeletePlaybookEntry(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM playbook_entries WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete playbook entry", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("playbook text")
	}
	return nil
}

// PlaybookSteps returns the workspace's checklist in order.
func (s store) PlaybookSteps(ctx context.Context, workspaceID int64) ([]herald.PlaybookStep, error) {
	rows, err := s.q.Query(ctx, `SELECT title, owner_id FROM playbook_steps WHERE workspace_id = $1 ORDER BY position`,
		workspaceID)
	if err != nil {
		return nil, dbErr("list playbook steps", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.PlaybookStep, error) {
		var st herald.PlaybookStep
		return st, sc.Scan(&st.Title, &st.OwnerID)
	})
	return out, dbErr("list playbook steps", err)
}

// SetPlaybookSteps replaces the workspace's checklist.
func (s store) SetPlaybookSteps(ctx context.Context, workspaceID int64, steps []herald.PlaybookStep) error {
	return s.atomic(ctx, func(s store) error {
		if _, err := s.q.Exec(ctx, `DELETE FROM playbook_steps WHERE workspace_id = $1`, workspaceID); err != nil {
			return dbErr("set playbook steps", err)
		}
		for i, st := range steps {
			if _, err := s.q.Exec(ctx, `INSERT INTO playbook_steps (workspace_id, position, title, owner_id)
				VALUES ($1, $2, $3, $4)`, workspaceID, i+1, st.Title, st.OwnerID); err != nil {
				return dbErr("set playbook steps", err)
			}
		}
		return nil
	})
}

// copyPlaybookSteps gives a new incident the workspace's checklist.
func (s store) copyPlaybookSteps(ctx context.Context, workspaceID, incidentID int64) error {
	_, err := s.q.Exec(ctx, `INSERT INTO incident_steps (incident_id, position, title, owner_id)
		SELECT $1, position, title, owner_id FROM playbook_steps WHERE workspace_id = $2 ORDER BY position`, incidentID, workspaceID)
	return dbErr("copy the checklist", err)
}

func scanIncidentStep(sc scanner) (herald.IncidentStep, error) {
	var st herald.IncidentStep
	err := sc.Scan(&st.ID, &st.IncidentID, &st.Position, &st.Title, &st.OwnerID, &st.DoneAt, &st.DoneBy)
	st.DoneAt = utcPtr(st.DoneAt)
	return st, err
}

// ListIncidentSteps returns an incident's checklist in order.
func (s store) ListIncidentSteps(ctx context.Context, workspaceID, incidentID int64) ([]herald.IncidentStep, error) {
	rows, err := s.q.Query(ctx, `SELECT st.id, st.incident_id, st.position, st.title, st.owner_id, st.done_at, st.done_by
		FROM incident_steps st JOIN incidents i ON i.id = st.incident_id WHERE i.workspace_id = $1 AND st.incident_id = $2
		ORDER BY st.position, st.id`, workspaceID, incidentID)
	if err != nil {
		return nil, dbErr("list incident steps", err)
	}
	out, err := collect(rows, scanIncidentStep)
	return out, dbErr("list incident steps", err)
}

// SetIncidentStepDone marks a step done (or not) and returns it.
func (s store) SetIncidentStepDone(ctx context.Context, workspaceID, incidentID, stepID, by int64, at *time.Time) (herald.IncidentStep, error) {
	st, err := scanIncidentStep(s.q.QueryRow(ctx, `UPDATE incident_steps SET done_at = $1, done_by = $2
		WHERE id = $3 AND incident_id = $4 AND incident_id IN (SELECT id FROM incidents WHERE workspace_id = $5)
		RETURNING id, incident_id, position, title, owner_id, done_at, done_by`, at, by, stepID, incidentID, workspaceID))
	if err != nil {
		return herald.IncidentStep{}, notFound("checklist step", "set incident step", err)
	}
	return st, nil
}
