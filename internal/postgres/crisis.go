package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

var _ herald.CrisisStore = store{}

const detectorCols = `id, workspace_id, name, kind, topic_id, sentiment, window_us, baseline_us, multiple, min_count, phrases,
	hold, enabled, fired_at, below_since, checked_at, created_by, created_at, updated_at`

func scanDetector(sc scanner) (herald.Detector, error) {
	var d herald.Detector
	var topic *int64
	var window, baseline int64
	var phrases []byte
	err := sc.Scan(&d.ID, &d.WorkspaceID, &d.Name, &d.Kind, &topic, &d.Sentiment, &window, &baseline, &d.Multiple, &d.MinCount,
		&phrases, &d.Hold, &d.Enabled, &d.FiredAt, &d.BelowSince, &d.CheckedAt, &d.CreatedBy, &d.CreatedAt, &d.UpdatedAt)
	if err != nil {
		return d, err
	}
	if topic != nil {
		d.TopicID = *topic
	}
	d.Window, d.Baseline = time.Duration(window)*time.Microsecond, time.Duration(baseline)*time.Microsecond
	d.FiredAt, d.BelowSince, d.CheckedAt = utcPtr(d.FiredAt), utcPtr(d.BelowSince), utcPtr(d.CheckedAt)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if err := json.Unmarshal(phrases, &d.Phrases); err != nil {
		return d, fmt.Errorf("postgres: detector %d phrases: %w", d.ID, err)
	}
	return d, nil
}

// CreateDetector inserts d and sets its ID.
func (s store) CreateDetector(ctx context.Context, d *herald.Detector) error {
	stamp(&d.CreatedAt)
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	phrases, err := json.Marshal(herald.NonNil(d.Phrases))
	if err != nil {
		return fmt.Errorf("postgres: detector phrases: %w", err)
	}
	err = s.q.QueryRow(ctx, `INSERT INTO crisis_detectors (workspace_id, name, kind, topic_id, sentiment, window_us,
		baseline_us, multiple, min_count, phrases, hold, enabled, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`, d.WorkspaceID, d.Name,
		string(d.Kind), zeroNull(d.TopicID), d.Sentiment, d.Window.Microseconds(), d.Baseline.Microseconds(), d.Multiple,
		d.MinCount, string(phrases), string(d.Hold), d.Enabled, d.CreatedBy, d.CreatedAt, d.UpdatedAt).Scan(&d.ID)
	return dbErr("create crisis detector", err)
}

// GetDetector returns detector id of workspaceID.
func (s store) GetDetector(ctx context.Context, workspaceID, id int64) (herald.Detector, error) {
	d, err := scanDetector(s.q.QueryRow(ctx, `SELECT `+detectorCols+` FROM crisis_detectors WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Detector{}, notFound("crisis detector", "get crisis detector", err)
	}
	return d, nil
}

func (s store) listDetectors(ctx context.Context, q string, args ...any) ([]herald.Detector, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr("list crisis detectors", err)
	}
	out, err := collect(rows, scanDetector)
	return out, dbErr("list crisis detectors", err)
}

// ListDetectors returns a workspace's detectors by name.
func (s store) ListDetectors(ctx context.Context, workspaceID int64) ([]herald.Detector, error) {
	return s.listDetectors(ctx, `SELECT `+detectorCols+` FROM crisis_detectors WHERE workspace_id = $1
		ORDER BY lower(name) COLLATE "C", id`, workspaceID)
}

// EnabledDetectors returns every workspace's enabled detectors.
func (s store) EnabledDetectors(ctx context.Context) ([]herald.Detector, error) {
	return s.listDetectors(ctx, `SELECT `+detectorCols+` FROM crisis_detectors WHERE enabled ORDER BY id`)
}

// UpdateDetector saves a detector's settings.
func (s store) UpdateDetector(ctx context.Context, d *herald.Detector) error {
	stamp(&d.UpdatedAt)
	phrases, err := json.Marshal(herald.NonNil(d.Phrases))
	if err != nil {
		return fmt.Errorf("postgres: detector phrases: %w", err)
	}
	tag, err := s.q.Exec(ctx, `UPDATE crisis_detectors SET name = $3, kind = $4, topic_id = $5, sentiment = $6, window_us = $7,
		baseline_us = $8, multiple = $9, min_count = $10, phrases = $11, hold = $12, enabled = $13, updated_at = $14
		WHERE workspace_id = $1 AND id = $2`, d.WorkspaceID, d.ID, d.Name, string(d.Kind), zeroNull(d.TopicID), d.Sentiment,
		d.Window.Microseconds(), d.Baseline.Microseconds(), d.Multiple, d.MinCount, string(phrases), string(d.Hold), d.Enabled,
		d.UpdatedAt)
	if err != nil {
		return dbErr("update crisis detector", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("crisis detector")
	}
	return nil
}

// SetDetectorState saves an evaluation's outcome.
func (s store) SetDetectorState(ctx context.Context, d herald.Detector) error {
	tag, err := s.q.Exec(ctx, `UPDATE crisis_detectors SET fired_at = $3, below_since = $4, checked_at = $5
		WHERE workspace_id = $1 AND id = $2`, d.WorkspaceID, d.ID, d.FiredAt, d.BelowSince, d.CheckedAt)
	if err != nil {
		return dbErr("set crisis detector state", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("crisis detector")
	}
	return nil
}

// DeleteDetector deletes a detector; its incidents stay.
func (s store) DeleteDetector(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM crisis_detectors WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete crisis detector", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("crisis detector")
	}
	return nil
}

// ListenCounts returns matches per bucket.
func (s store) ListenCounts(ctx context.Context, workspaceID, topicID int64, sentiment string, from, to time.Time,
	step time.Duration) ([]int, error) {
	if step <= 0 || !to.After(from) {
		return []int{}, nil
	}
	n := int((to.Sub(from) + step - 1) / step)
	bucket := `floor((extract(epoch FROM (%s.posted_at - $1)) * 1000000) / $2)::bigint`
	q := `SELECT ` + fmt.Sprintf(bucket, "m") + `, count(*) FROM listen_matches m WHERE m.workspace_id = $3
		AND m.posted_at >= $1 AND m.posted_at < $4`
	args := []any{from, step.Microseconds(), workspaceID, to}
	if topicID != 0 {
		q = `SELECT ` + fmt.Sprintf(bucket, "mt") + `, count(*) FROM listen_match_topics mt JOIN listen_matches m ON m.id = mt.match_id
			WHERE m.workspace_id = $3 AND mt.posted_at >= $1 AND mt.posted_at < $4 AND mt.topic_id = $5`
		args = append(args, topicID)
	}
	if sentiment != "" {
		args = append(args, sentiment)
		q += fmt.Sprintf(` AND m.sentiment = $%d`, len(args))
	}
	rows, err := s.q.Query(ctx, q+` GROUP BY 1`, args...)
	if err != nil {
		return nil, dbErr("listening counts", err)
	}
	out := make([]int, n)
	_, err = collect(rows, func(sc scanner) (struct{}, error) {
		var b, c int64
		if err := sc.Scan(&b, &c); err != nil {
			return struct{}{}, err
		}
		if b >= 0 && int(b) < n {
			out[b] = int(c)
		}
		return struct{}{}, nil
	})
	return out, dbErr("listening counts", err)
}

// ListenReplies returns the replies posted in [from, to) per answered post.
func (s store) ListenReplies(ctx context.Context, workspaceID, topicID int64, from, to time.Time) (map[string][]herald.ListenReply, error) {
	q := `SELECT m.reply_to, m.id, m.posted_at FROM listen_matches m WHERE m.workspace_id = $1 AND m.reply_to <> ''
		AND m.posted_at >= $2 AND m.posted_at < $3`
	args := []any{workspaceID, from, to}
	if topicID != 0 {
		q += ` AND EXISTS (SELECT 1 FROM listen_match_topics mt WHERE mt.match_id = m.id AND mt.topic_id = $4)`
		args = append(args, topicID)
	}
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, dbErr("listening replies", err)
	}
	out := map[string][]herald.ListenReply{}
	_, err = collect(rows, func(sc scanner) (struct{}, error) {
		var to string
		var r herald.ListenReply
		if err := sc.Scan(&to, &r.MatchID, &r.PostedAt); err != nil {
			return struct{}{}, err
		}
		r.PostedAt = r.PostedAt.UTC()
		out[to] = append(out[to], r)
		return struct{}{}, nil
	})
	return out, dbErr("listening replies", err)
}

const incidentCols = `id, workspace_id, detector_id, title, status, drill, why, evidence, hold_proposed, held_at, opened_at,
	resolved_at, resolved_by`

func scanIncident(sc scanner) (herald.Incident, error) {
	var in herald.Incident
	var detector *int64
	var evidence []byte
	err := sc.Scan(&in.ID, &in.WorkspaceID, &detector, &in.Title, &in.Status, &in.Drill, &in.Why, &evidence, &in.HoldProposed,
		&in.HeldAt, &in.OpenedAt, &in.ResolvedAt, &in.ResolvedBy)
	if err != nil {
		return in, err
	}
	if detector != nil {
		in.DetectorID = *detector
	}
	in.HeldAt, in.ResolvedAt, in.OpenedAt = utcPtr(in.HeldAt), utcPtr(in.ResolvedAt), in.OpenedAt.UTC()
	if err := json.Unmarshal(evidence, &in.Evidence); err != nil {
		return in, fmt.Errorf("postgres: incident %d evidence: %w", in.ID, err)
	}
	return in, nil
}

// CreateIncident stores an incident with its first timeline entries and
// the workspace's checklist.
func (s store) CreateIncident(ctx context.Context, in *herald.Incident, events []herald.IncidentEvent) error {
	stamp(&in.OpenedAt)
	evidence := []byte("[]")
	if in.Evidence != nil {
		var err error
		if evidence, err = json.Marshal(in.Evidence); err != nil {
			return fmt.Errorf("postgres: incident evidence: %w", err)
		}
	}
	return s.atomic(ctx, func(s store) error {
		err := s.q.QueryRow(ctx, `INSERT INTO incidents (workspace_id, detector_id, title, status, drill, why, evidence,
			hold_proposed, held_at, opened_at, resolved_at, resolved_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING id`, in.WorkspaceID, zeroNull(in.DetectorID), in.Title, string(in.Status), in.Drill, in.Why, string(evidence),
			in.HoldProposed, in.HeldAt, in.OpenedAt, in.ResolvedAt, in.ResolvedBy).Scan(&in.ID)
		if err != nil {
			return dbErr("create incident", err)
		}
		for i := range events {
			if err := s.addIncidentEvent(ctx, in.ID, &events[i]); err != nil {
				return err
			}
		}
		return s.copyPlaybookSteps(ctx, in.WorkspaceID, in.ID)
	})
}

func (s store) addIncidentEvent(ctx context.Context, incidentID int64, e *herald.IncidentEvent) error {
	e.IncidentID = incidentID
	stamp(&e.At)
	err := s.q.QueryRow(ctx, `INSERT INTO incident_events (incident_id, at, kind, actor_id, message) VALUES ($1, $2, $3, $4, $5)
		RETURNING id`, incidentID, e.At, string(e.Kind), e.ActorID, e.Message).Scan(&e.ID)
	return dbErr("add incident event", err)
}

// GetIncident returns incident id of workspaceID.
func (s store) GetIncident(ctx context.Context, workspaceID, id int64) (herald.Incident, error) {
	in, err := scanIncident(s.q.QueryRow(ctx, `SELECT `+incidentCols+` FROM incidents WHERE workspace_id = $1 AND id = $2`,
		workspaceID, id))
	if err != nil {
		return herald.Incident{}, notFound("incident", "get incident", err)
	}
	return in, nil
}

// ListIncidents returns open incidents first, then newest first.
func (s store) ListIncidents(ctx context.Context, workspaceID int64, limit int) ([]herald.Incident, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.q.Query(ctx, `SELECT `+incidentCols+` FROM incidents WHERE workspace_id = $1
		ORDER BY status = 'resolved', opened_at DESC, id DESC LIMIT $2`, workspaceID, limit)
	if err != nil {
		return nil, dbErr("list incidents", err)
	}
	out, err := collect(rows, scanIncident)
	return out, dbErr("list incidents", err)
}

// UpdateIncident saves status, hold and resolution.
func (s store) UpdateIncident(ctx context.Context, in *herald.Incident) error {
	tag, err := s.q.Exec(ctx, `UPDATE incidents SET status = $3, hold_proposed = $4, held_at = $5, resolved_at = $6,
		resolved_by = $7 WHERE workspace_id = $1 AND id = $2`, in.WorkspaceID, in.ID, string(in.Status), in.HoldProposed,
		in.HeldAt, in.ResolvedAt, in.ResolvedBy)
	if err != nil {
		return dbErr("update incident", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("incident")
	}
	return nil
}

// AddIncidentEvent appends to an incident's timeline.
func (s store) AddIncidentEvent(ctx context.Context, workspaceID int64, e *herald.IncidentEvent) error {
	var n int
	if err := s.q.QueryRow(ctx, `SELECT count(*) FROM incidents WHERE workspace_id = $1 AND id = $2`, workspaceID,
		e.IncidentID).Scan(&n); err != nil {
		return dbErr("add incident event", err)
	}
	if n == 0 {
		return missing("incident")
	}
	return s.addIncidentEvent(ctx, e.IncidentID, e)
}

// ListIncidentEvents returns an incident's timeline, oldest first.
func (s store) ListIncidentEvents(ctx context.Context, workspaceID, incidentID int64) ([]herald.IncidentEvent, error) {
	rows, err := s.q.Query(ctx, `SELECT e.id, e.incident_id, e.at, e.kind, e.actor_id, e.message
		FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.workspace_id = $1 AND e.incident_id = $2
		ORDER BY e.at, e.id`, workspaceID, incidentID)
	if err != nil {
		return nil, dbErr("list incident events", err)
	}
	out, err := collect(rows, func(sc scanner) (herald.IncidentEvent, error) {
		var e herald.IncidentEvent
		err := sc.Scan(&e.ID, &e.IncidentID, &e.At, &e.Kind, &e.ActorID, &e.Message)
		e.At = e.At.UTC()
		return e, err
	})
	return out, dbErr("list incident events", err)
}
