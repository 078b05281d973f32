package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const playbookCols = `id, workspace_id, kind, title, body, created_by, approved_by, approved_at, created_at, updated_at`

func scanPlaybookEntry(sc scanner) (herald.PlaybookEntry, error) {
	var e herald.PlaybookEntry
	var by, at sql.NullInt64
	var created, updated int64
	err := sc.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Title, &e.Body, &e.CreatedBy, &by, &at, &created, &updated)
	if by.Valid {
		e.ApprovedBy = &by.Int64
	}
	e.ApprovedAt, e.CreatedAt, e.UpdatedAt = fromNullMicros(at), fromMicros(created), fromMicros(updated)
	return e, err
}

func playbookClash(title string) string {
	return fmt.Sprintf("a playbook text titled %q already exists (titles ignore case)", title)
}

// CreatePlaybookEntry inserts e and sets its ID.
func (s *store) CreatePlaybookEntry(ctx context.Context, e *herald.PlaybookEntry) error {
	e.CreatedAt = stamp(e.CreatedAt)
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	e.ApprovedAt = stampPtr(e.ApprovedAt)
	err := s.w.QueryRowContext(ctx, `INSERT INTO playbook_entries (workspace_id, kind, title, body, created_by, approved_by,
		approved_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, e.WorkspaceID, string(e.Kind),
		e.Title, e.Body, e.CreatedBy, e.ApprovedBy, microsOrNil(e.ApprovedAt), micros(e.CreatedAt),
		micros(stamp(e.UpdatedAt))).Scan(&e.ID)
	return dbErr(err, "create playbook entry", playbookClash(e.Title), "the workspace does not exist")
}

// GetPlaybookEntry returns entry id of workspaceID.
func (s *store) GetPlaybookEntry(ctx context.Context, workspaceID, id int64) (herald.PlaybookEntry, error) {
	e, err := scanPlaybookEntry(s.r.QueryRowContext(ctx, `SELECT `+playbookCols+` FROM playbook_entries
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.PlaybookEntry{}, getErr(err, "playbook text")
	}
	return e, nil
}

// ListPlaybookEntries returns statements first, then replies, by title.
func (s *store) ListPlaybookEntries(ctx context.Context, workspaceID int64) ([]herald.PlaybookEntry, error) {
	return listRows(ctx, s, "playbook entries", `SELECT `+playbookCols+` FROM playbook_entries WHERE workspace_id = ?
		ORDER BY kind = 'reply', title COLLATE NOCASE, id`, []any{workspaceID}, scanPlaybookEntry)
}

// UpdatePlaybookEntry saves kind, title, body and approval.
func (s *store) UpdatePlaybookEntry(ctx context.Context, e *herald.PlaybookEntry) error {
	e.UpdatedAt, e.ApprovedAt = stamp(e.UpdatedAt), stampPtr(e.ApprovedAt)
	res, err := s.w.ExecContext(ctx, `UPDATE playbook_entries SET kind = ?, title = ?, body = ?, approved_by = ?,
		approved_at = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`, string(e.Kind), e.Title, e.Body, e.ApprovedBy,
		microsOrNil(e.ApprovedAt), micros(e.UpdatedAt), e.WorkspaceID, e.ID)
	if err != nil {
		return dbErr(err, "update playbook entry", playbookClash(e.Title), "")
	}
	return affected(res, "playbook text")
}

// DeletePlaybookEntry removes entry id of workspaceID.
func (s *store) DeletePlaybookEntry(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM playbook_entries WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete playbook entry: %w", err)
	}
	return affected(res, "playbook text")
}

// PlaybookSteps returns the workspace's checklist in order.
func (s *store) PlaybookSteps(ctx context.Context, workspaceID int64) ([]herald.PlaybookStep, error) {
	return listRows(ctx, s, "playbook steps", `SELECT title, owner_id FROM playbook_steps WHERE workspace_id = ?
		ORDER BY position`, []any{workspaceID}, func(sc scanner) (herald.PlaybookStep, error) {
		var st herald.PlaybookStep
		return st, sc.Scan(&st.Title, &st.OwnerID)
	})
}

// SetPlaybookSteps replaces the workspace's checklist.
func (s *store) SetPlaybookSteps(ctx context.Context, workspaceID int64, steps []herald.PlaybookStep) error {
	return s.atomic(ctx, func(q querier) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM playbook_steps WHERE workspace_id = ?`, workspaceID); err != nil {
			return fmt.Errorf("sqlite: set playbook steps: %w", err)
		}
		for i, st := range steps {
			if _, err := q.ExecContext(ctx, `INSERT INTO playbook_steps (workspace_id, position, title, owner_id)
				VALUES (?, ?, ?, ?)`, workspaceID, i+1, st.Title, st.OwnerID); err != nil {
				return dbErr(err, "set playbook steps", "", "the workspace does not exist")
			}
		}
		return nil
	})
}

// copyPlaybookSteps gives a new incident the workspace's checklist.
func copyPlaybookSteps(ctx context.Context, q querier, workspaceID, incidentID int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO incident_steps (incident_id, position, title, owner_id)
		SELECT ?, position, title, owner_id FROM playbook_steps WHERE workspace_id = ? ORDER BY position`, incidentID, workspaceID)
	if err != nil {
		return fmt.Errorf("sqlite: copy the checklist: %w", err)
	}
	return nil
}

const incidentStepCols = `st.id, st.incident_id, st.position, st.title, st.owner_id, st.done_at, st.done_by`

func scanIncidentStep(sc scanner) (herald.IncidentStep, error) {
	var st herald.IncidentStep
	var done sql.NullInt64
	err := sc.Scan(&st.ID, &st.IncidentID, &st.Position, &st.Title, &st.OwnerID, &done, &st.DoneBy)
	st.DoneAt = fromNullMicros(done)
	return st, err
}

// ListIncidentSteps returns an incident's checklist in order.
func (s *store) ListIncidentSteps(ctx context.Context, workspaceID, incidentID int64) ([]herald.IncidentStep, error) {
	return listRows(ctx, s, "incident steps", `SELECT `+incidentStepCols+` FROM incident_steps st
		JOIN incidents i ON i.id = st.incident_id WHERE i.workspace_id = ? AND st.incident_id = ? ORDER BY st.position, st.id`,
		[]any{workspaceID, incidentID}, scanIncidentStep)
}

// SetIncidentStepDone marks a step done (or not) and returns it.
func (s *store) SetIncidentStepDone(ctx context.Context, workspaceID, incidentID, stepID, by int64, at *time.Time) (herald.IncidentStep, error) {
	st, err := scanIncidentStep(s.w.QueryRowContext(ctx, `UPDATE incident_steps SET done_at = ?, done_by = ?
		WHERE id = ? AND incident_id = ? AND incident_id IN (SELECT id FROM incidents WHERE workspace_id = ?)
		RETURNING id, incident_id, position, title, owner_id, done_at, done_by`, microsOrNil(stampPtr(at)), by, stepID, incidentID, workspaceID))
	if err != nil {
		return herald.IncidentStep{}, getErr(err, "checklist step")
	}
	return st, nil
}
