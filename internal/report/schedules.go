package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/mail"
)

// Sender sends e-mail (mail.Sender).
type Sender interface {
	Enabled() bool
	Send(ctx context.Context, m mail.Message) error
}

// DueBatch is the most scheduled reports one run of the job sends.
const DueBatch = 50

// Service renders analytics reports as PDF and sends the scheduled ones.
type Service struct {
	store     herald.Store
	analytics *analytics.Service
	mail      Sender
	clock     herald.Clock
	log       *slog.Logger
}

// NewService returns a Service; mail may be disabled (scheduled reports
// are then refused, with the setting to make).
func NewService(store herald.Store, a *analytics.Service, sender Sender, clock herald.Clock, log *slog.Logger) *Service {
	return &Service{store: store, analytics: a, mail: sender, clock: clock, log: log.With(slog.String("component", "report"))}
}

// MailEnabled reports whether reports can be e-mailed.
func (s *Service) MailEnabled() bool { return s.mail != nil && s.mail.Enabled() }

// errNoMail says what the operator must set before reports are e-mailed.
var errNoMail = herald.Errorf(herald.CodeInvalid,
	"e-mail is not set up on this server: the operator sets HERALD_SMTP_HOST and HERALD_SMTP_FROM (see the README) before reports can be sent")

// Write renders the report of q for the actor's workspace as PDF.
func (s *Service) Write(ctx context.Context, actor herald.Actor, q analytics.Query, w io.Writer) error {
	in, err := s.input(ctx, actor, q)
	if err != nil {
		return err
	}
	return s.render(ctx, w, in)
}

// input gathers what a report shows.
func (s *Service) input(ctx context.Context, actor herald.Actor, q analytics.Query) (Input, error) {
	o, best, err := s.analytics.Page(ctx, actor, q, q.AccountID, q.Rate)
	if err != nil {
		return Input{}, err
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return Input{}, fmt.Errorf("report: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		loc = time.UTC
	}
	title := "Analytics report"
	if q.AccountID != 0 {
		a, err := s.store.GetAccount(ctx, actor.WorkspaceID, q.AccountID)
		if err != nil {
			return Input{}, fmt.Errorf("report: %w", err)
		}
		title = "Account: " + a.Handle
	}
	if q.CampaignID != 0 {
		c, err := s.store.GetCampaign(ctx, actor.WorkspaceID, q.CampaignID)
		if err != nil {
			return Input{}, fmt.Errorf("report: %w", err)
		}
		title = "Campaign: " + c.Name
	}
	logo, err := s.store.GetWorkspaceLogo(ctx, actor.WorkspaceID)
	switch {
	case errors.Is(err, herald.ErrNotFound):
		// no logo: the header shows the name alone
	case err != nil:
		return Input{}, fmt.Errorf("report: logo: %w", err)
	}
	return Input{Workspace: ws.Name, Logo: logo.Data, Title: title, Overview: o, Best: &best, Generated: s.clock.Now(),
		Loc: loc}, nil
}

// render writes in as PDF. A stored logo the renderer refuses (uploads
// are checked, but the renderer may change) does not stop the report: it
// is made without the logo, and the refusal is logged.
func (s *Service) render(ctx context.Context, w io.Writer, in Input) error {
	if len(in.Logo) > 0 {
		if err := CheckLogo(in.Logo); err != nil {
			s.log.WarnContext(ctx, "report made without the workspace's logo", slog.String("workspace", in.Workspace),
				slog.Any("error", err))
			in.Logo = nil
		}
	}
	return PDF(w, in)
}

// List returns the workspace's report schedules.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.ReportSchedule, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	out, err := s.store.ListReportSchedules(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("report: list schedules: %w", err)
	}
	return out, nil
}

// Create adds a schedule; its first report goes out at the next Monday or
// 1st of the month, 08:00 in the workspace's zone.
func (s *Service) Create(ctx context.Context, actor herald.Actor, r herald.ReportSchedule) (herald.ReportSchedule, error) {
	if err := actor.Require(herald.ActReportsManage); err != nil {
		return herald.ReportSchedule{}, err
	}
	if !s.MailEnabled() {
		return herald.ReportSchedule{}, errNoMail
	}
	r.ID, r.WorkspaceID, r.CreatedBy = 0, actor.WorkspaceID, actor.UserID
	if err := r.Validate(); err != nil {
		return herald.ReportSchedule{}, err
	}
	var p herald.Problems
	if r.AccountID != 0 {
		if _, err := s.store.GetAccount(ctx, actor.WorkspaceID, r.AccountID); errors.Is(err, herald.ErrNotFound) {
			p.Add("account_id", "account %d is not an account of this workspace", r.AccountID)
		} else if err != nil {
			return herald.ReportSchedule{}, fmt.Errorf("report: create schedule: %w", err)
		}
	}
	if r.CampaignID != 0 {
		if _, err := s.store.GetCampaign(ctx, actor.WorkspaceID, r.CampaignID); errors.Is(err, herald.ErrNotFound) {
			p.Add("campaign_id", "campaign %d is not a campaign of this workspace", r.CampaignID)
		} else if err != nil {
			return herald.ReportSchedule{}, fmt.Errorf("report: create schedule: %w", err)
		}
	}
	if err := p.Err("the report schedule is not valid"); err != nil {
		return herald.ReportSchedule{}, err
	}
	loc, err := s.location(ctx, actor.WorkspaceID)
	if err != nil {
		return herald.ReportSchedule{}, err
	}
	now := s.clock.Now()
	r.CreatedAt, r.UpdatedAt = now, now
	r.NextRunAt = herald.NextReportRun(r.Every, now, loc)
	if err := s.store.CreateReportSchedule(ctx, &r); err != nil {
		return herald.ReportSchedule{}, fmt.Errorf("report: create schedule: %w", err)
	}
	return r, nil
}

// Delete removes a schedule and its runs.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActReportsManage); err != nil {
		return err
	}
	if err := s.store.DeleteReportSchedule(ctx, actor.WorkspaceID, id); err != nil {
		return fmt.Errorf("report: delete schedule: %w", err)
	}
	return nil
}

// Runs returns a schedule's latest runs, newest first.
func (s *Service) Runs(ctx context.Context, actor herald.Actor, id int64, limit int) ([]herald.ReportRun, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	if _, err := s.store.GetReportSchedule(ctx, actor.WorkspaceID, id); err != nil {
		return nil, fmt.Errorf("report: runs: %w", err)
	}
	out, err := s.store.ListReportRuns(ctx, actor.WorkspaceID, id, limit)
	if err != nil {
		return nil, fmt.Errorf("report: runs: %w", err)
	}
	return out, nil
}

// SendNow sends a schedule's report for its last full period at once,
// leaving its next run where it is, unless that run is due already (the
// job has not taken it yet): then this is that run, and the schedule moves
// on to the next, so that the period is not sent twice. It is a conflict
// when the send_reports job starts the schedule's due run at the same
// moment.
func (s *Service) SendNow(ctx context.Context, actor herald.Actor, id int64) (herald.ReportRun, error) {
	if err := actor.Require(herald.ActReportsManage); err != nil {
		return herald.ReportRun{}, err
	}
	if !s.MailEnabled() {
		return herald.ReportRun{}, errNoMail
	}
	r, err := s.store.GetReportSchedule(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.ReportRun{}, fmt.Errorf("report: send now: %w", err)
	}
	next := r.NextRunAt
	if now := s.clock.Now(); !next.After(now) {
		loc, err := s.location(ctx, r.WorkspaceID)
		if err != nil {
			return herald.ReportRun{}, err
		}
		next = herald.NextReportRun(r.Every, now, loc)
	}
	run, started, err := s.send(ctx, r, r.NextRunAt, next)
	if err == nil && !started {
		// The job took the due run between the read and the start: no run
		// of ours exists, and this one sent nothing.
		return herald.ReportRun{}, herald.Errorf(herald.CodeConflict,
			"the report is being sent by its schedule at this moment; see its latest run")
	}
	return run, err
}

// SendDue sends every report due now (the send_reports job), each once
// across instances. A report that fails is recorded as failed and waits
// for its next period (or a person's "Send now"); only database errors are
// returned.
func (s *Service) SendDue(ctx context.Context) (int, error) {
	if !s.MailEnabled() {
		return 0, nil
	}
	due, err := s.store.DueReportSchedules(ctx, s.clock.Now(), DueBatch)
	if err != nil {
		return 0, fmt.Errorf("report: due schedules: %w", err)
	}
	sent := 0
	var errs []error
	for _, r := range due {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		loc, err := s.location(ctx, r.WorkspaceID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		run, started, err := s.send(ctx, r, r.NextRunAt, herald.NextReportRun(r.Every, s.clock.Now(), loc))
		if err != nil { // also when the report went out but its run could not be recorded
			errs = append(errs, err)
		}
		if started && run.State == herald.ReportSent {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// send starts a run (moving the schedule from due to next, once), renders
// and e-mails the report, and records how it ended. started is false when
// another instance took the run; a failure to render or send is recorded on
// the run and not returned.
func (s *Service) send(ctx context.Context, r herald.ReportSchedule, due, next time.Time) (herald.ReportRun, bool, error) {
	loc, err := s.location(ctx, r.WorkspaceID)
	if err != nil {
		return herald.ReportRun{}, false, err
	}
	now := s.clock.Now()
	from, to := herald.ReportPeriod(r.Every, now, loc)
	run := herald.ReportRun{WorkspaceID: r.WorkspaceID, ScheduleID: r.ID, At: now, From: from, To: to,
		Recipients: len(r.Recipients)}
	started, err := s.store.StartReportRun(ctx, &run, due, next)
	if err != nil || !started {
		return run, false, err
	}
	actor := herald.Actor{WorkspaceID: r.WorkspaceID, Role: herald.RoleAnalyst, Name: "scheduled report"}
	failure := s.deliver(ctx, actor, r, from, to)
	run.State, run.Error = herald.ReportSent, ""
	if failure != nil {
		run.State, run.Error = herald.ReportFailed, failure.Error()
		s.log.WarnContext(ctx, "scheduled report not sent", slog.Int64("schedule_id", r.ID), slog.Any("error", failure))
	}
	end := s.clock.Now()
	run.FinishedAt = &end
	if err := s.store.FinishReportRun(context.WithoutCancel(ctx), r.WorkspaceID, run.ID, run.State, run.Error, end); err != nil {
		return run, true, fmt.Errorf("report: finish run %d: %w", run.ID, err)
	}
	return run, true, nil
}

// deliver renders and e-mails one report.
func (s *Service) deliver(ctx context.Context, actor herald.Actor, r herald.ReportSchedule, from, to string) error {
	in, err := s.input(ctx, actor, analytics.Query{From: from, To: to, AccountID: r.AccountID, CampaignID: r.CampaignID})
	if err != nil {
		return fmt.Errorf("preparing the report: %w", err)
	}
	var buf bytes.Buffer
	if err := s.render(ctx, &buf, in); err != nil {
		return fmt.Errorf("rendering the report: %w", err)
	}
	name := fmt.Sprintf("%s-%s-%s.pdf", fileSafe(in.Workspace), from, to)
	text := fmt.Sprintf("%s: %s, %s to %s.\n\nThe report is attached as a PDF. It was sent by Herald for the schedule %q.\n",
		in.Workspace, in.Title, from, to, r.Name)
	m := mail.Message{To: r.Recipients, Subject: fmt.Sprintf("%s: %s, %s – %s", in.Workspace, r.Name, from, to), Text: text,
		Attachments: []mail.Attachment{{Name: name, ContentType: "application/pdf", Data: buf.Bytes()}}}
	if err := s.mail.Send(ctx, m); err != nil {
		return fmt.Errorf("sending the e-mail: %w", err)
	}
	return nil
}

func (s *Service) location(ctx context.Context, workspaceID int64) (*time.Location, error) {
	ws, err := s.store.GetWorkspace(ctx, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("report: workspace %d: %w", workspaceID, err)
	}
	loc, err := ws.Location()
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

// fileSafe keeps letters, digits and dashes of a name for a file name.
func fileSafe(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	if out := strings.Trim(b.String(), "-"); out != "" {
		return out
	}
	return "report"
}
