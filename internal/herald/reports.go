package herald

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// ReportEvery is how often a scheduled report is sent.
type ReportEvery string

// How often reports go out: weekly on Mondays (the week before, Monday to
// Sunday), monthly on the 1st (the month before); both at 08:00 in the
// workspace's zone.
const (
	ReportWeekly  ReportEvery = "weekly"
	ReportMonthly ReportEvery = "monthly"
)

// MaxReportRecipients bounds a schedule's recipients.
const MaxReportRecipients = 20

// ReportSchedule is a report e-mailed as a PDF on a schedule: the
// workspace's analytics, or one account's or one campaign's.
type ReportSchedule struct {
	ID          int64       `json:"id"`
	WorkspaceID int64       `json:"workspace_id"`
	Name        string      `json:"name"`
	AccountID   int64       `json:"account_id,omitempty"`  // the account view; 0: every account
	CampaignID  int64       `json:"campaign_id,omitempty"` // the campaign view; 0: every campaign
	Every       ReportEvery `json:"every"`
	Recipients  []string    `json:"recipients"`
	// NextRunAt is when the report goes out next.
	NextRunAt time.Time `json:"next_run_at"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the schedule's fields (not that its account or
// campaign exist).
func (r *ReportSchedule) Validate() error {
	var p Problems
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		p.Add("name", "is required")
	} else if len([]rune(r.Name)) > 200 {
		p.Add("name", "is %d characters long; keep it to 200", len([]rune(r.Name)))
	}
	if r.Every != ReportWeekly && r.Every != ReportMonthly {
		p.Add("every", "is %q; choose weekly or monthly", r.Every)
	}
	if r.AccountID < 0 {
		p.Add("account_id", "must not be negative")
	}
	if r.CampaignID < 0 {
		p.Add("campaign_id", "must not be negative")
	}
	switch n := len(r.Recipients); {
	case n == 0:
		p.Add("recipients", "name at least one e-mail address")
	case n > MaxReportRecipients:
		p.Add("recipients", "has %d addresses; send to at most %d", n, MaxReportRecipients)
	}
	for i, to := range r.Recipients {
		to = strings.TrimSpace(to)
		a, err := mail.ParseAddress(to)
		if err != nil || a.Address != to {
			p.Add(fmt.Sprintf("recipients[%d]", i), "%q is not an e-mail address like ana@example.com", to)
			continue
		}
		r.Recipients[i] = to
	}
	return p.Err("the report schedule is not valid")
}

// NextReportRun is the first sending time of a schedule after t: the next
// Monday (weekly) or 1st of the month (monthly) at 08:00 in loc.
func NextReportRun(every ReportEvery, t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 8, 0, 0, 0, loc)
	if every == ReportMonthly {
		day = time.Date(l.Year(), l.Month(), 1, 8, 0, 0, 0, loc)
		for !day.After(t) {
			day = time.Date(day.Year(), day.Month()+1, 1, 8, 0, 0, 0, loc)
		}
		return day.UTC()
	}
	for day.Weekday() != time.Monday || !day.After(t) {
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 8, 0, 0, 0, loc)
	}
	return day.UTC()
}

// ReportPeriod is the span a run at `at` reports on, in loc: the week
// (Monday to Sunday) or the month before the one at falls in. from and to
// are dates, both included ("2006-01-02").
func ReportPeriod(every ReportEvery, at time.Time, loc *time.Location) (from, to string) {
	l := at.In(loc)
	today := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	if every == ReportMonthly {
		first := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
		start := first.AddDate(0, -1, 0)
		return start.Format(time.DateOnly), first.AddDate(0, 0, -1).Format(time.DateOnly)
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, -7).Format(time.DateOnly), monday.AddDate(0, 0, -1).Format(time.DateOnly)
}

// ReportRunState is how a run ended.
type ReportRunState string

// Run states: sending until the mail server took it (or a crash left it
// so: "interrupted" to people), then sent or failed.
const (
	ReportSending ReportRunState = "sending"
	ReportSent    ReportRunState = "sent"
	ReportFailed  ReportRunState = "failed"
)

// ReportRun is one sending of a scheduled report.
type ReportRun struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"workspace_id"`
	ScheduleID  int64          `json:"schedule_id"`
	At          time.Time      `json:"at"`
	From        string         `json:"from"` // the period reported, dates in the workspace's zone
	To          string         `json:"to"`
	State       ReportRunState `json:"state"`
	Error       string         `json:"error,omitempty"`
	Recipients  int            `json:"recipients"`
	FinishedAt  *time.Time     `json:"finished_at,omitempty"`
}

// ReportStore keeps report schedules and their runs.
type ReportStore interface {
	CreateReportSchedule(ctx context.Context, r *ReportSchedule) error
	GetReportSchedule(ctx context.Context, workspaceID, id int64) (ReportSchedule, error)
	// ListReportSchedules returns the workspace's schedules by name.
	ListReportSchedules(ctx context.Context, workspaceID int64) ([]ReportSchedule, error)
	DeleteReportSchedule(ctx context.Context, workspaceID, id int64) error
	// DueReportSchedules returns up to limit schedules of any workspace
	// due at now, the longest due first.
	DueReportSchedules(ctx context.Context, now time.Time, limit int) ([]ReportSchedule, error)
	// StartReportRun records run (state sending) and moves the schedule's
	// next run from due to next, in one transaction, only while the
	// schedule still waits for due: false means another instance took
	// this run (nothing written).
	StartReportRun(ctx context.Context, run *ReportRun, due, next time.Time) (bool, error)
	// FinishReportRun records how a run ended.
	FinishReportRun(ctx context.Context, workspaceID, runID int64, state ReportRunState, errText string, at time.Time) error
	// ListReportRuns returns a schedule's latest runs, newest first.
	ListReportRuns(ctx context.Context, workspaceID, scheduleID int64, limit int) ([]ReportRun, error)
}
