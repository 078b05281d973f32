package postgres

import (
	"context"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

const reportScheduleCols = `id, workspace_id, name, coalesce(account_id, 0), coalesce(campaign_id, 0), every, recipients,
	next_run_at, created_by, created_at, updated_at`

func scanReportSchedule(r scanner) (herald.ReportSchedule, error) {
	var x herald.ReportSchedule
	err := r.Scan(&x.ID, &x.WorkspaceID, &x.Name, &x.AccountID, &x.CampaignID, &x.Every, &x.Recipients, &x.NextRunAt,
		&x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	x.NextRunAt, x.CreatedAt, x.UpdatedAt = x.NextRunAt.UTC(), x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	return x, err
}

func pgTime(t time.Time) time.Time {
	if t.IsZero() {
		return now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// CreateReportSchedule stores a new schedule.
func (s store) CreateReportSchedule(ctx context.Context, r *herald.ReportSchedule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.CreatedAt, r.UpdatedAt, r.NextRunAt = pgTime(r.CreatedAt), pgTime(r.UpdatedAt), pgTime(r.NextRunAt)
	err := s.q.QueryRow(ctx, `INSERT INTO report_schedules (workspace_id, name, account_id, campaign_id, every,
		recipients, next_run_at, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		RETURNING id`, r.WorkspaceID, r.Name, zeroNull(r.AccountID), zeroNull(r.CampaignID), string(r.Every), r.Recipients,
		r.NextRunAt, r.CreatedBy, r.CreatedAt, r.UpdatedAt).Scan(&r.ID)
	return dbErr("create report schedule", err)
}

// GetReportSchedule returns one schedule of the workspace.
func (s store) GetReportSchedule(ctx context.Context, workspaceID, id int64) (herald.ReportSchedule, error) {
	r, err := scanReportSchedule(s.q.QueryRow(ctx, `SELECT `+reportScheduleCols+` FROM report_schedules
		WHERE workspace_id = $1 AND id = $2`, workspaceID, id))
	if err != nil {
		return herald.ReportSchedule{}, notFound("report schedule", "get report schedule", err)
	}
	return r, nil
}

// ListReportSchedules returns the workspace's schedules by name.
func (s store) ListReportSchedules(ctx context.Context, workspaceID int64) ([]herald.ReportSchedule, error) {
	rows, err := s.q.Query(ctx, `SELECT `+reportScheduleCols+` FROM report_schedules WHERE workspace_id = $1
		ORDER BY name, id`, workspaceID)
	if err != nil {
		return nil, dbErr("list report schedules", err)
	}
	out, err := collect(rows, scanReportSchedule)
	return out, dbErr("list report schedules", err)
}

// DeleteReportSchedule deletes a schedule and its runs.
func (s store) DeleteReportSchedule(ctx context.Context, workspaceID, id int64) error {
	tag, err := s.q.Exec(ctx, `DELETE FROM report_schedules WHERE workspace_id = $1 AND id = $2`, workspaceID, id)
	if err != nil {
		return dbErr("delete report schedule", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("report schedule")
	}
	return nil
}

// DueReportSchedules returns the schedules due at now.
func (s store) DueReportSchedules(ctx context.Context, at time.Time, limit int) ([]herald.ReportSchedule, error) {
	if limit < 1 {
		return nil, herald.Errorf(herald.CodeInvalid, "the number of reports to send must be at least 1, not %d", limit)
	}
	rows, err := s.q.Query(ctx, `SELECT `+reportScheduleCols+` FROM report_schedules WHERE next_run_at <= $1
		ORDER BY next_run_at, id LIMIT $2`, at, limit)
	if err != nil {
		return nil, dbErr("due report schedules", err)
	}
	out, err := collect(rows, scanReportSchedule)
	return out, dbErr("due report schedules", err)
}

// StartReportRun records a run and moves the schedule on, once.
func (s store) StartReportRun(ctx context.Context, run *herald.ReportRun, due, next time.Time) (bool, error) {
	run.At = pgTime(run.At)
	run.State = herald.ReportSending
	started := false
	err := s.atomic(ctx, func(s store) error {
		tag, err := s.q.Exec(ctx, `UPDATE report_schedules SET next_run_at = $1 WHERE workspace_id = $2 AND id = $3
			AND next_run_at = $4`, pgTime(next), run.WorkspaceID, run.ScheduleID, pgTime(due))
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		started = true
		return s.q.QueryRow(ctx, `INSERT INTO report_runs (workspace_id, schedule_id, at, period_from, period_to,
			state, recipients) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, run.WorkspaceID, run.ScheduleID, run.At,
			run.From, run.To, string(run.State), run.Recipients).Scan(&run.ID)
	})
	if err != nil {
		return false, dbErr("start report run", err)
	}
	return started, nil
}

// FinishReportRun records how a run ended.
func (s store) FinishReportRun(ctx context.Context, workspaceID, runID int64, state herald.ReportRunState, errText string, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE report_runs SET state = $1, error = $2, finished_at = $3
		WHERE workspace_id = $4 AND id = $5`, string(state), errText, pgTime(at), workspaceID, runID)
	if err != nil {
		return dbErr("finish report run", err)
	}
	if tag.RowsAffected() == 0 {
		return missing("report run")
	}
	return nil
}

// ListReportRuns returns a schedule's latest runs.
func (s store) ListReportRuns(ctx context.Context, workspaceID, scheduleID int64, limit int) ([]herald.ReportRun, error) {
	rows, err := s.q.Query(ctx, `SELECT id, workspace_id, schedule_id, at, period_from, period_to, state, error,
		recipients, finished_at FROM report_runs WHERE workspace_id = $1 AND schedule_id = $2 ORDER BY at DESC, id DESC
		LIMIT $3`, workspaceID, scheduleID, max(limit, 1))
	if err != nil {
		return nil, dbErr("list report runs", err)
	}
	out, err := collect(rows, func(r scanner) (herald.ReportRun, error) {
		var x herald.ReportRun
		err := r.Scan(&x.ID, &x.WorkspaceID, &x.ScheduleID, &x.At, &x.From, &x.To, &x.State, &x.Error, &x.Recipients,
			&x.FinishedAt)
		x.At = x.At.UTC()
		if x.FinishedAt != nil {
			t := x.FinishedAt.UTC()
			x.FinishedAt = &t
		}
		return x, err
	})
	return out, dbErr("list report runs", err)
}
