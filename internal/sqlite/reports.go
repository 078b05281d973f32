package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const reportScheduleCols = `id, workspace_id, name, coalesce(account_id, 0), coalesce(campaign_id, 0), every, recipients,
	next_run_at, created_by, created_at, updated_at`

func scanReportSchedule(sc scanner) (herald.ReportSchedule, error) {
	var r herald.ReportSchedule
	var recipients string
	var next, created, updated int64
	if err := sc.Scan(&r.ID, &r.WorkspaceID, &r.Name, &r.AccountID, &r.CampaignID, &r.Every, &recipients, &next,
		&r.CreatedBy, &created, &updated); err != nil {
		return r, err
	}
	if err := json.Unmarshal([]byte(recipients), &r.Recipients); err != nil {
		return r, fmt.Errorf("recipients of report schedule %d: %w", r.ID, err)
	}
	r.NextRunAt, r.CreatedAt, r.UpdatedAt = fromMicros(next), fromMicros(created), fromMicros(updated)
	return r, nil
}

// CreateReportSchedule stores a new schedule.
func (s *store) CreateReportSchedule(ctx context.Context, r *herald.ReportSchedule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	recipients, err := json.Marshal(r.Recipients)
	if err != nil {
		return fmt.Errorf("sqlite: create report schedule: %w", err)
	}
	r.CreatedAt, r.UpdatedAt, r.NextRunAt = stamp(r.CreatedAt), stamp(r.UpdatedAt), stamp(r.NextRunAt)
	err = s.w.QueryRowContext(ctx, `INSERT INTO report_schedules (workspace_id, name, account_id, campaign_id, every,
		recipients, next_run_at, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.WorkspaceID, r.Name, zeroNull(r.AccountID), zeroNull(r.CampaignID), string(r.Every), string(recipients),
		micros(r.NextRunAt), r.CreatedBy, micros(r.CreatedAt), micros(r.UpdatedAt)).Scan(&r.ID)
	return dbErr(err, "create report schedule", "", "the report's workspace, account or campaign does not exist")
}

// GetReportSchedule returns one schedule of the workspace.
func (s *store) GetReportSchedule(ctx context.Context, workspaceID, id int64) (herald.ReportSchedule, error) {
	r, err := scanReportSchedule(s.r.QueryRowContext(ctx, `SELECT `+reportScheduleCols+` FROM report_schedules
		WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return herald.ReportSchedule{}, getErr(err, "report schedule")
	}
	return r, nil
}

// ListReportSchedules returns the workspace's schedules by name.
func (s *store) ListReportSchedules(ctx context.Context, workspaceID int64) ([]herald.ReportSchedule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportScheduleCols+` FROM report_schedules WHERE workspace_id = ?
		ORDER BY name, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list report schedules: %w", err)
	}
	return collectRows(rows, scanReportSchedule, "list report schedules")
}

// DeleteReportSchedule deletes a schedule and its runs.
func (s *store) DeleteReportSchedule(ctx context.Context, workspaceID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM report_schedules WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("sqlite: delete report schedule: %w", err)
	}
	return affected(res, "report schedule")
}

// DueReportSchedules returns the schedules due at now.
func (s *store) DueReportSchedules(ctx context.Context, now time.Time, limit int) ([]herald.ReportSchedule, error) {
	if limit < 1 {
		return nil, herald.Errorf(herald.CodeInvalid, "the number of reports to send must be at least 1, not %d", limit)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+reportScheduleCols+` FROM report_schedules WHERE next_run_at <= ?
		ORDER BY next_run_at, id LIMIT ?`, micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: due report schedules: %w", err)
	}
	return collectRows(rows, scanReportSchedule, "due report schedules")
}

// StartReportRun records a run and moves the schedule on, once.
func (s *store) StartReportRun(ctx context.Context, run *herald.ReportRun, due, next time.Time) (bool, error) {
	run.At = stamp(run.At)
	run.State = herald.ReportSending
	started := false
	err := s.atomic(ctx, func(q querier) error {
		res, err := q.ExecContext(ctx, `UPDATE report_schedules SET next_run_at = ? WHERE workspace_id = ? AND id = ?
			AND next_run_at = ?`, micros(stamp(next)), run.WorkspaceID, run.ScheduleID, micros(stamp(due)))
		if err != nil {
			return fmt.Errorf("sqlite: start report run: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		started = true
		return q.QueryRowContext(ctx, `INSERT INTO report_runs (workspace_id, schedule_id, at, period_from, period_to,
			state, recipients) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, run.WorkspaceID, run.ScheduleID, micros(run.At),
			run.From, run.To, string(run.State), run.Recipients).Scan(&run.ID)
	})
	if err != nil {
		return false, fmt.Errorf("sqlite: start report run: %w", err)
	}
	return started, nil
}

// FinishReportRun records how a run ended.
func (s *store) FinishReportRun(ctx context.Context, workspaceID, runID int64, state herald.ReportRunState, errText string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE report_runs SET state = ?, error = ?, finished_at = ?
		WHERE workspace_id = ? AND id = ?`, string(state), errText, micros(stamp(at)), workspaceID, runID)
	if err != nil {
		return fmt.Errorf("sqlite: finish report run: %w", err)
	}
	return affected(res, "report run")
}

// ListReportRuns returns a schedule's latest runs.
func (s *store) ListReportRuns(ctx context.Context, workspaceID, scheduleID int64, limit int) ([]herald.ReportRun, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, workspace_id, schedule_id, at, period_from, period_to, state, error,
		recipients, finished_at FROM report_runs WHERE workspace_id = ? AND schedule_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
		workspaceID, scheduleID, max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("sqlite: list report runs: %w", err)
	}
	return collectRows(rows, func(sc scanner) (herald.ReportRun, error) {
		var r herald.ReportRun
		var at int64
		var finished sql.NullInt64
		err := sc.Scan(&r.ID, &r.WorkspaceID, &r.ScheduleID, &at, &r.From, &r.To, &r.State, &r.Error, &r.Recipients, &finished)
		r.At = fromMicros(at)
		if finished.Valid {
			t := fromMicros(finished.Int64)
			r.FinishedAt = &t
		}
		return r, err
	}, "list report runs")
}
