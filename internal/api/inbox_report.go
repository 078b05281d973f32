package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// InboxTargetBody is a response target as a person writes it.
type InboxTargetBody struct {
	FirstResponseMinutes int   `json:"first_response_minutes" minimum:"0" maximum:"10080" doc:"Minutes for a first answer; 0: no target"`
	Always               bool  `json:"always,omitempty" doc:"Count every hour, not business hours"`
	Days                 []int `json:"days,omitempty" maxItems:"7" doc:"Business days, 0 Sunday … 6 Saturday"`
	StartMinute          int   `json:"start_minute,omitempty" doc:"Business hours start, minutes after local midnight (540: 09:00)"`
	EndMinute            int   `json:"end_minute,omitempty" doc:"Business hours end, minutes after local midnight (1020: 17:00)"`
}

// InboxTargetInput replaces the workspace's response target.
type InboxTargetInput struct {
	WorkspaceParam
	Body InboxTargetBody
}

// InboxTargetOutput is the workspace's response target.
type InboxTargetOutput struct {
	Body herald.InboxTarget
}

// InboxReportInput picks the report's period.
type InboxReportInput struct {
	WorkspaceParam
	From time.Time `query:"from" required:"true" doc:"Start of the period (RFC 3339), inclusive: items that arrived from then"`
	To   time.Time `query:"to" required:"true" doc:"End of the period (RFC 3339), exclusive; at most 366 days after from"`
}

// InboxReportOutput is the response-time report.
type InboxReportOutput struct {
	Body inbox.Report
}

func (a *API) registerInboxReport() {
	tags := []string{"Inbox"}
	path := "/api/v1/workspaces/{workspace}/inbox-target"
	register(a, huma.Operation{
		OperationID: "get-inbox-target", Method: http.MethodGet, Path: path, Summary: "Get the response target", Tags: tags,
		Description: "The workspace's first-response target: minutes, and the business hours they count in (days 0 Sunday … 6 Saturday, minutes after local midnight in the workspace's zone), or every hour when always. 0 minutes: no target.",
	}, func(ctx context.Context, in *WorkspaceParam) (*InboxTargetOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Inbox.Target(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &InboxTargetOutput{Body: t}, nil
	})
	register(a, huma.Operation{
		OperationID: "set-inbox-target", Method: http.MethodPut, Path: path, Summary: "Set the response target", Tags: tags,
		Description: "Saves the target and re-dates the items still waiting for a first answer; items past it are highlighted, filtered by overdue=yes, and told once. Those who manage inbox rules may.",
	}, func(ctx context.Context, in *InboxTargetInput) (*InboxTargetOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		t, err := a.d.Inbox.SetTarget(ctx, actor, herald.InboxTarget{FirstResponseMinutes: b.FirstResponseMinutes,
			Always: b.Always, Days: b.Days, StartMinute: b.StartMinute, EndMinute: b.EndMinute})
		if err != nil {
			return nil, err
		}
		return &InboxTargetOutput{Body: t}, nil
	})
	register(a, huma.Operation{
		OperationID: "inbox-report", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/inbox-report",
		Summary: "Response-time report", Tags: tags,
		Description: "For the items that arrived in the period: first-response and resolution times (median: the middle value, the mean of the two middle ones for an even count; p90: nearest rank), overall and by member who sent the first answer, account and week (from Monday, in the workspace's zone), and the volume by kind and sentiment. Times are in nanoseconds, counted in the target's business hours when business_hours is true. Roles that read analytics may.",
	}, func(ctx context.Context, in *InboxReportInput) (*InboxReportOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Inbox.Report(ctx, actor, in.From, in.To)
		if err != nil {
			return nil, err
		}
		return &InboxReportOutput{Body: r}, nil
	})
}
