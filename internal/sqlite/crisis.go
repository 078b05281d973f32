package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const detectorCols = `id, workspace_id, name, kind, topic_id, sentiment, window_us, baseline_us, multiple, min_count, phrases,
	hold, enabled, fired_at, below_since, checked_at, created_by, created_at, updated_at`

func scanDetector(sc scanner) (herald.Detector, error) {
	var d herald.Detector
	var topic, fired, below, checked sql.NullInt64
	var window, baseline, created, updated int64
	var phrases string
	err := sc.Scan(&d.ID, &d.WorkspaceID, &d.Name, &d.Kind, &topic, &d.Sentiment, &window, &baseline, &d.Multiple, &d.MinCount,
		&phrases, &d.Hold, &d.Enabled, &fired, &below, &checked, &d.CreatedBy, &created, &updated)
	if err != nil {
		return d, err
	}
	d.TopicID = topic.Int64
	d.Window, d.Baseline = time.Duration(window)*time.Microsecond, time.Duration(baseline)*time.Microsecond
	d.FiredAt, d.BelowSince, d.CheckedAt = fromNullMicros(fired), fromNullMicros(below), fromNullMicros(checked)
	d.CreatedAt, d.UpdatedAt = fromMicros(created), fromMicros(updated)
	if err := json.Unmarshal([]byte(phrases), &d.Phrases); err != nil {
		return d, fmt.Errorf("sqlite: detector %d phrases: %w", d.ID, err)
	}
	return d, nil
}

func detectorClash(name string) string {
	return fmt.Sprintf("a crisis detector named %q already exists", name)
}

// CreateDetector inserts d and sets its ID.
func (s *store) CreateDetector(ctx context.Context, d *herald.Detector) error {
	d.CreatedAt = stamp(d.CreatedAt)
	if d.UpdatedAt.IsZero() {
		d.UpdatedAt = d.CreatedAt
	}
	phrases, err := toJSON(herald.NonNil(d.Phrases))
	if err != nil {
		return err
	}
	err = s.w.QueryRowContext(ctx, `INSERT INTO crisis_detectors (workspace_id, name, kind, topic_id, sentiment, window_us,
		baseline_us, multiple, min_count, phrases, hold, enabled, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.WorkspaceID, d.Name, string(d.Kind), zeroNil(d.TopicID),
		d.Sentiment, d.Window.Microseconds(), d.Baseline.Microseconds(), d.Multiple, d.MinCount, phrases, string(d.Hold), d.Enabled,
		d.CreatedBy, micros(d.CreatedAt), micros(stamp(d.UpdatedAt))).Scan(&d.ID)
	return dbErr(err, "create crisis detector", detectorClash(d.Name), "the workspace or the topic does not exist")
}

// GetDetector returns detector id of workspaceID.
func (s *store) GetDetector(ctx context.Context, workspaceID, id int64) (herald.Detector, error) {
	d, err := scanDetector(s.r.QueryRowContext(ctx, `SELECT `+detectorCols+` FROM crisis_detectors WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Detector{}, getErr(err, "crisis detector")
	}
	return d, nil
}

// ListDetectors returns a workspace's detectors by name.
func (s *store) ListDetectors(ctx context.Context, workspaceID int64) ([]herald.Detector, error) {
	return listRows(ctx, s, "crisis detectors", `SELECT `+detectorCols+` FROM crisis_detectors WHERE workspace_id = ?
		ORDER BY name COLLATE NOCASE, id`, []any{workspaceID}, scanDetector)
}

// EnabledDetectors returns every workspace's enabled detectors.
func (s *store) EnabledDetectors(ctx context.Context) ([]herald.Detector, error) {
	return listRows(ctx, s, "crisis detectors", `SELECT `+detectorCols+` FROM crisis_detectors WHERE enabled ORDER BY id`,
		nil, scanDetector)
}

// UpdateDetector saves a detector's settings.
func (s *store) UpdateDetector(ctx context.Context, d *herald.Detector) error {
	d.UpdatedAt = stamp(d.UpdatedAt)
	phrases, err := toJSON(herald.NonNil(d.Phrases))
	if err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE crisis_detectors SET name = ?, kind = ?, topic_id = ?, sentiment = ?, window_us = ?,
		baseline_us = ?, multiple = ?, min_count = ?, phrases = ?, hold = ?, enabled = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, d.Name, string(d.Kind), zeroNil(d.TopicID), d.Sentiment, d.Window.Microseconds(),
		d.Baseline.Microseconds(), d.Multiple, d.MinCount, phrases, string(d.Hold), d.Enabled, micros(d.UpdatedAt), d.WorkspaceID, d.ID)
	if err != nil {
		return dbErr(err, "update crisis detector", detectorClash(d.Name), "the topic does not exist")
	}
	return affected(res, "crisis detector")
}

// SetDetectorState saves an evaluation's outcome.
func (s *store) SetDetectorState(ctx context.Context, d herald.Detector) error {
	res, err := s.w.ExecContext(ctx, `UPDATE crisis_detectors SET fired_at = ?, below_since = ?, checked_at = ?
		WHERE workspace_id = ? AND id = ?`, microsOrNil(d.FiredAt), microsOrNil(d.BelowSince), microsOrNil(d.CheckedAt),
		d.WorkspaceID, d.ID)
	if err != nil {
		return dbErr(err, "set crisis detector state", "", "")
	}
	return affected(res, "crisis detector")
}

// DeleteDetector deletes a detector; its incidents stay.
func (s *store) DeleteDetector(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM crisis_detectors WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return dbErr(err, "delete crisis detector", "", "")
	}
	return affected(res, "crisis detector")
}

// ListenCounts returns matches per bucket.
func (s *store) ListenCounts(ctx context.Context, workspaceID, topicID int64, sentiment string, from, to time.Time,
	step time.Duration) ([]int, error) {
	if step <= 0 || !to.After(from) {
		return []int{}, nil
	}
	n := int((to.Sub(from) + step - 1) / step)
	q := `SELECT (m.posted_at - ?) / ?, count(*) FROM listen_matches m WHERE m.workspace_id = ? AND m.posted_at >= ? AND m.posted_at < ?`
	args := []any{micros(from), step.Microseconds(), workspaceID, micros(from), micros(to)}
	if topicID != 0 {
		q = `SELECT (mt.posted_at - ?) / ?, count(*) FROM listen_match_topics mt JOIN listen_matches m ON m.id = mt.match_id
			WHERE mt.topic_id = ? AND m.workspace_id = ? AND mt.posted_at >= ? AND mt.posted_at < ?`
		args = []any{micros(from), step.Microseconds(), topicID, workspaceID, micros(from), micros(to)}
	}
	if sentiment != "" {
		q += ` AND m.sentiment = ?`
		args = append(args, sentiment)
	}
	out := make([]int, n)
	rows, err := listRows(ctx, s, "listening counts", q+` GROUP BY 1`, args, func(sc scanner) ([2]int64, error) {
		var r [2]int64
		return r, sc.Scan(&r[0], &r[1])
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r[0] >= 0 && int(r[0]) < n {
			out[r[0]] = int(r[1])
		}
	}
	return out, nil
}

// ListenReplies returns the replies posted in [from, to) per answered post.
func (s *store) ListenReplies(ctx context.Context, workspaceID, topicID int64, from, to time.Time) (map[string][]herald.ListenReply, error) {
	q := `SELECT m.reply_to, m.id, m.posted_at FROM listen_matches m WHERE m.workspace_id = ? AND m.reply_to <> ''
		AND m.posted_at >= ? AND m.posted_at < ?`
	args := []any{workspaceID, micros(from), micros(to)}
	if topicID != 0 {
		q += ` AND EXISTS (SELECT 1 FROM listen_match_topics mt WHERE mt.match_id = m.id AND mt.topic_id = ?)`
		args = append(args, topicID)
	}
	out := map[string][]herald.ListenReply{}
	_, err := listRows(ctx, s, "listening replies", q, args, func(sc scanner) (struct{}, error) {
		var to string
		var r herald.ListenReply
		var at int64
		if err := sc.Scan(&to, &r.MatchID, &at); err != nil {
			return struct{}{}, err
		}
		r.PostedAt = fromMicros(at)
		out[to] = append(out[to], r)
		return struct{}{}, nil
	})
	return out, err
}

const incidentCols = `id, workspace_id, detector_id, title, status, drill, why, evidence, hold_proposed, held_at, opened_at,
	resolved_at, resolved_by`

func scanIncident(sc scanner) (herald.Incident, error) {
	var in herald.Incident
	var detector, held, resolved sql.NullInt64
	var opened int64
	var evidence string
	err := sc.Scan(&in.ID, &in.WorkspaceID, &detector, &in.Title, &in.Status, &in.Drill, &in.Why, &evidence, &in.HoldProposed,
		&held, &opened, &resolved, &in.ResolvedBy)
	if err != nil {
		return in, err
	}
	in.DetectorID = detector.Int64
	in.HeldAt, in.ResolvedAt, in.OpenedAt = fromNullMicros(held), fromNullMicros(resolved), fromMicros(opened)
	if err := json.Unmarshal([]byte(evidence), &in.Evidence); err != nil {
		return in, fmt.Errorf("sqlite: incident %d evidence: %w", in.ID, err)
	}
	return in, nil
}

// CreateIncident stores an incident with its first timeline entries and
// the workspace's checklist.
func (s *store) CreateIncident(ctx context.Context, in *herald.Incident, events []herald.IncidentEvent) error {
	in.OpenedAt = stamp(in.OpenedAt)
	evidence, err := toJSON(in.Evidence)
	if err != nil {
		return err
	}
	if in.Evidence == nil {
		evidence = "[]"
	}
	return s.atomic(ctx, func(q querier) error {
		err := q.QueryRowContext(ctx, `INSERT INTO incidents (workspace_id, detector_id, title, status, drill, why, evidence,
			hold_proposed, held_at, opened_at, resolved_at, resolved_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.WorkspaceID, zeroNil(in.DetectorID), in.Title, string(in.Status), in.Drill, in.Why, evidence, in.HoldProposed,
			microsOrNil(in.HeldAt), micros(in.OpenedAt), microsOrNil(in.ResolvedAt), in.ResolvedBy).Scan(&in.ID)
		if err != nil {
			return dbErr(err, "create incident", "", "the workspace or the detector does not exist")
		}
		for i := range events {
			if err := addIncidentEvent(ctx, q, in.ID, &events[i]); err != nil {
				return err
			}
		}
		return copyPlaybookSteps(ctx, q, in.WorkspaceID, in.ID)
	})
}

func addIncidentEvent(ctx context.Context, q querier, incidentID int64, e *herald.IncidentEvent) error {
	e.IncidentID, e.At = incidentID, stamp(e.At)
	err := q.QueryRowContext(ctx, `INSERT INTO incident_events (incident_id, at, kind, actor_id, message) VALUES (?, ?, ?, ?, ?)
		RETURNING id`, incidentID, micros(e.At), string(e.Kind), e.ActorID, e.Message).Scan(&e.ID)
	return dbErr(err, "add incident event", "", "the incident does not exist")
}

// GetIncident returns incident id of workspaceID.
func (s *store) GetIncident(ctx context.Context, workspaceID, id int64) (herald.Incident, error) {
	in, err := scanIncident(s.r.QueryRowContext(ctx, `SELECT `+incidentCols+` FROM incidents WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return herald.Incident{}, getErr(err, "incident")
	}
	return in, nil
}

// ListIncidents returns open incidents first, then newest first.
func (s *store) ListIncidents(ctx context.Context, workspaceID int64, limit int) ([]herald.Incident, error) {
	if limit <= 0 {
		limit = 100
	}
	return listRows(ctx, s, "incidents", `SELECT `+incidentCols+` FROM incidents WHERE workspace_id = ?
		ORDER BY status = 'resolved', opened_at DESC, id DESC LIMIT ?`, []any{workspaceID, limit}, scanIncident)
}

// UpdateIncident saves status, hold and resolution.
func (s *store) UpdateIncident(ctx context.Context, in *herald.Incident) error {
	res, err := s.w.ExecContext(ctx, `UPDATE incidents SET status = ?, hold_proposed = ?, held_at = ?, resolved_at = ?,
		resolved_by = ? WHERE workspace_id = ? AND id = ?`, string(in.Status), in.HoldProposed, microsOrNil(in.HeldAt),
		microsOrNil(in.ResolvedAt), in.ResolvedBy, in.WorkspaceID, in.ID)
	if err != nil {
		return dbErr(err, "update incident", "", "")
	}
	return affected(res, "incident")
}

// AddIncidentEvent appends to an incident's timeline.
func (s *store) AddIncidentEvent(ctx context.Context, workspaceID int64, e *herald.IncidentEvent) error {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM incidents WHERE workspace_id = ? AND id = ?`, workspaceID,
		e.IncidentID).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: add incident event: %w", err)
	}
	if n == 0 {
		return herald.NotFound("incident")
	}
	return addIncidentEvent(ctx, s.w, e.IncidentID, e)
}

// ListIncidentEvents returns an incident's timeline, oldest first.
func (s *store) ListIncidentEvents(ctx context.Context, workspaceID, incidentID int64) ([]herald.IncidentEvent, error) {
	return listRows(ctx, s, "incident events", `SELECT e.id, e.incident_id, e.at, e.kind, e.actor_id, e.message
		FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.workspace_id = ? AND e.incident_id = ?
		ORDER BY e.at, e.id`, []any{workspaceID, incidentID}, func(sc scanner) (herald.IncidentEvent, error) {
		var e herald.IncidentEvent
		var at int64
		err := sc.Scan(&e.ID, &e.IncidentID, &at, &e.Kind, &e.ActorID, &e.Message)
		e.At = fromMicros(at)
		return e, err
	})
}
