package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/herald"
)

// AnalyticsInput picks the overview's period and engagement rate.
type AnalyticsInput struct {
	WorkspaceParam
	Days     int    `query:"days" doc:"The last days up to and including today in the workspace's zone (default 28; 1 to 366)"`
	From     string `query:"from" doc:"First day of a span (2006-01-02, in the workspace's zone), with to; overrides days"`
	To       string `query:"to" doc:"Last day of the span, included"`
	Rate     string `query:"rate" enum:"followers,impressions," doc:"The engagement rate's denominator (default: the workspace's analytics setting, followers until changed)"`
	Account  int64  `query:"account" doc:"Only this account's posts (the account view)"`
	Campaign int64  `query:"campaign" doc:"Only this campaign's posts (the campaign view)"`
}

// AnalyticsOutput is the overview.
type AnalyticsOutput struct {
	Body analytics.Overview
}

// AudienceInput picks an account's snapshots.
type AudienceInput struct {
	WorkspaceParam
	Account int64     `path:"account" doc:"The account's id"`
	From    time.Time `query:"from" doc:"Start (RFC 3339), inclusive; default 90 days before to"`
	To      time.Time `query:"to" doc:"End (RFC 3339), exclusive; default now"`
}

// AudienceOutput lists an account's daily counts.
type AudienceOutput struct {
	Body struct {
		Snapshots []herald.AccountSnapshot `json:"snapshots" doc:"One per UTC day with a reading, oldest first; -1 where the platform does not give a count"`
	}
}

// defaultRate is the rate asked for, else the workspace's default.
func (a *API) defaultRate(ctx context.Context, actor herald.Actor, asked string) (analytics.Denominator, error) {
	if asked != "" || a.d.Links == nil {
		return analytics.Denominator(asked), nil
	}
	s, err := a.d.Links.Settings(ctx, actor, actor.WorkspaceID)
	if err != nil {
		return "", err
	}
	return analytics.Denominator(s.RateBy), nil
}

func (a *API) registerAnalytics() {
	a.registerBestTimes()
	tags := []string{"Analytics"}
	register(a, huma.Operation{
		OperationID: "get-analytics", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/analytics",
		Summary: "Get the analytics overview", Tags: tags,
		Description: "The figures of the posts published in a period (whole days in the workspace's zone) and in the " +
			"period of the same length before it: totals, per day, by account, platform and campaign, top and bottom " +
			"posts by engagements, and each account's follower growth. A count a platform does not give is " +
			"left out: each count says over how many posts it was summed (0: not given). Rates carry their " +
			"numerator and denominator and a value of null when no post gives both. The definitions are in " +
			"the documentation and beside each figure on the analytics page.",
	}, func(ctx context.Context, in *AnalyticsInput) (*AnalyticsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rate, err := a.defaultRate(ctx, actor, in.Rate)
		if err != nil {
			return nil, err
		}
		o, err := a.d.Analytics.Overview(ctx, actor, analytics.Query{Days: in.Days, From: in.From, To: in.To,
			Rate: rate, AccountID: in.Account, CampaignID: in.Campaign})
		if err != nil {
			return nil, err
		}
		return &AnalyticsOutput{Body: o}, nil
	})
	register(a, huma.Operation{
		OperationID: "list-account-audience", Method: http.MethodGet,
		Path:    "/api/v1/workspaces/{workspace}/accounts/{account}/audience",
		Summary: "List an account's daily follower counts", Tags: tags,
		Description: "The account's followers, following and post count as read from its platform once a day " +
			"(and within 15 minutes of connecting), oldest first. -1: the platform does not give that count.",
	}, func(ctx context.Context, in *AudienceInput) (*AudienceOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		to := in.To
		if to.IsZero() {
			to = time.Now()
		}
		from := in.From
		if from.IsZero() {
			from = to.AddDate(0, 0, -90)
		}
		list, err := a.d.Analytics.Audience(ctx, actor, in.Account, from, to)
		if err != nil {
			return nil, err
		}
		out := &AudienceOutput{}
		out.Body.Snapshots = list
		return out, nil
	})
}

// BestTimesInput picks the grid's account and rate.
type BestTimesInput struct {
	WorkspaceParam
	Account int64  `query:"account" doc:"One account's posts only (default: every account's)"`
	Rate    string `query:"rate" enum:"followers,impressions," doc:"The engagement rate's denominator (default: the workspace's analytics setting, followers until changed)"`
}

// BestTimesOutput is the grid.
type BestTimesOutput struct {
	Body struct {
		analytics.BestTimes
		Best []analytics.Cell `json:"best" doc:"Up to 5 hours with enough posts, highest median first"`
	}
}

func (a *API) registerBestTimes() {
	register(a, huma.Operation{
		OperationID: "get-best-times", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/analytics/best-times",
		Summary: "Get the best times to post", Tags: []string{"Analytics"},
		Description: "The median engagement rate of the posts published in the last 180 days, by weekday (0 Sunday) " +
			"and hour in the workspace's zone, with a distribution-free band that holds the median at least 90 % of " +
			"the time. A cell with fewer than 3 posts has enough false and no rate.",
	}, func(ctx context.Context, in *BestTimesInput) (*BestTimesOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rate, err := a.defaultRate(ctx, actor, in.Rate)
		if err != nil {
			return nil, err
		}
		bt, err := a.d.Analytics.BestTimes(ctx, actor, in.Account, rate)
		if err != nil {
			return nil, err
		}
		out := &BestTimesOutput{}
		out.Body.BestTimes, out.Body.Best = bt, bt.Best(5)
		return out, nil
	})
}
