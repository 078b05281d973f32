package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// ReportScheduleBody is a new scheduled report.
type ReportScheduleBody struct {
	Name       string   `json:"name" minLength:"1" maxLength:"200" doc:"What the report is called in the e-mail's subject"`
	Every      string   `json:"every" enum:"weekly,monthly" doc:"weekly: Mondays, for the week before; monthly: the 1st, for the month before; at 08:00 in the workspace's zone"`
	AccountID  int64    `json:"account_id,omitempty" doc:"Only this account's posts"`
	CampaignID int64    `json:"campaign_id,omitempty" doc:"Only this campaign's posts"`
	Recipients []string `json:"recipients" minItems:"1" maxItems:"20" doc:"E-mail addresses"`
}

// ReportScheduleInput creates a schedule.
type ReportScheduleInput struct {
	WorkspaceParam
	Body ReportScheduleBody
}

// ReportSchedulePath names a schedule.
type ReportSchedulePath struct {
	WorkspaceParam
	Schedule int64 `path:"schedule" doc:"The schedule's id"`
}

// ReportScheduleOutput is one schedule.
type ReportScheduleOutput struct {
	Body herald.ReportSchedule
}

// ReportScheduleList lists schedules.
type ReportScheduleList struct {
	Body struct {
		Items []herald.ReportSchedule `json:"items"`
	}
}

// ReportRunList lists a schedule's latest runs.
type ReportRunList struct {
	Body struct {
		Items []herald.ReportRun `json:"items" doc:"Newest first; state sending with no finish is a run a crash interrupted"`
	}
}

// ReportRunOutput is one run.
type ReportRunOutput struct {
	Body herald.ReportRun
}

func (a *API) registerReports() {
	tags := []string{"Analytics"}
	base := "/api/v1/workspaces/{workspace}/reports"
	register(a, huma.Operation{
		OperationID: "get-analytics-report", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/analytics/report.pdf",
		Summary: "Download the analytics report as PDF", Tags: tags,
		Description: "The overview of the period (same parameters as get-analytics) as a PDF: totals and their change, " +
			"engagements per day, follower growth, top and bottom posts, breakdowns, the best hours and every figure's definition.",
		Responses: map[string]*huma.Response{"200": {Description: "The report", Content: map[string]*huma.MediaType{
			"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
	}, func(ctx context.Context, in *AnalyticsInput) (*huma.StreamResponse, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rate, err := a.defaultRate(ctx, actor, in.Rate)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := a.d.Reports.Write(ctx, actor, analytics.Query{Days: in.Days, From: in.From, To: in.To,
			Rate: rate, AccountID: in.Account, CampaignID: in.Campaign}, &buf); err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", "application/pdf")
			hctx.SetHeader("Content-Length", strconv.Itoa(buf.Len()))
			hctx.SetHeader("Content-Disposition", `attachment; filename="analytics-report.pdf"`)
			hctx.SetStatus(http.StatusOK)
			_, _ = hctx.BodyWriter().Write(buf.Bytes())
		}}, nil
	})
	register(a, huma.Operation{
		OperationID: "list-report-schedules", Method: http.MethodGet, Path: base, Summary: "List scheduled reports", Tags: tags,
	}, func(ctx context.Context, in *WorkspaceParam) (*ReportScheduleList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		list, err := a.d.Reports.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := &ReportScheduleList{}
		out.Body.Items = list
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "create-report-schedule", Method: http.MethodPost, Path: base, Summary: "Schedule a report",
		Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "E-mails the analytics report as a PDF to the recipients weekly or monthly. Needs e-mail set up " +
			"on the server (HERALD_SMTP_*); refused with 422 otherwise. Managers and up.",
	}, func(ctx context.Context, in *ReportScheduleInput) (*ReportScheduleOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		s, err := a.d.Reports.Create(ctx, actor, herald.ReportSchedule{Name: b.Name, Every: herald.ReportEvery(b.Every),
			AccountID: b.AccountID, CampaignID: b.CampaignID, Recipients: b.Recipients})
		if err != nil {
			return nil, err
		}
		return &ReportScheduleOutput{Body: s}, nil
	})
	register(a, huma.Operation{
		OperationID: "delete-report-schedule", Method: http.MethodDelete, Path: base + "/{schedule}",
		Summary: "Delete a scheduled report", Tags: tags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *ReportSchedulePath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Reports.Delete(ctx, actor, in.Schedule)
	})
	register(a, huma.Operation{
		OperationID: "list-report-runs", Method: http.MethodGet, Path: base + "/{schedule}/runs",
		Summary: "List a scheduled report's sendings", Tags: tags,
	}, func(ctx context.Context, in *ReportSchedulePath) (*ReportRunList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		runs, err := a.d.Reports.Runs(ctx, actor, in.Schedule, 50)
		if err != nil {
			return nil, err
		}
		out := &ReportRunList{}
		out.Body.Items = runs
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "send-report-now", Method: http.MethodPost, Path: base + "/{schedule}/send",
		Summary: "Send a scheduled report now", Tags: tags,
		Description: "Sends the report of the last full week or month at once; the schedule's next run stays. " +
			"The run says whether the mail server took it.",
	}, func(ctx context.Context, in *ReportSchedulePath) (*ReportRunOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		run, err := a.d.Reports.SendNow(ctx, actor, in.Schedule)
		if err != nil {
			return nil, err
		}
		return &ReportRunOutput{Body: run}, nil
	})
}
