package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// PostingSlotBody is one weekly queue slot.
type PostingSlotBody struct {
	Day  string `json:"day" enum:"monday,tuesday,wednesday,thursday,friday,saturday,sunday" doc:"Day of the week"`
	Time string `json:"time" pattern:"^[0-2][0-9]:[0-5][0-9]$" doc:"Local time in the workspace's time zone, 24-hour HH:MM"`
}

// ScheduleBody is an account's posting schedule.
type ScheduleBody struct {
	Slots []PostingSlotBody `json:"slots" maxItems:"100" nullable:"false" doc:"Weekly slots; \"add to queue\" fills the next free one"`
}

// ScheduleInput replaces an account's posting schedule.
type ScheduleInput struct {
	AccountPath
	Body ScheduleBody
}

// ScheduleOutput is an account's posting schedule.
type ScheduleOutput struct {
	Body ScheduleBody
}

func scheduleOut(ps herald.PostingSchedule) *ScheduleOutput {
	out := &ScheduleOutput{Body: ScheduleBody{Slots: []PostingSlotBody{}}}
	for _, s := range ps.Slots {
		out.Body.Slots = append(out.Body.Slots, PostingSlotBody{Day: s.Day, Time: s.Time})
	}
	return out
}

// registerSchedules adds the accounts' posting schedules (queues).
func (a *API) registerSchedules() {
	tags := []string{"Accounts"}
	path := "/api/v1/workspaces/{workspace}/accounts/{account}/schedule"
	register(a, huma.Operation{
		OperationID: "get-account-schedule", Method: http.MethodGet, Path: path,
		Summary: "An account's posting schedule", Tags: tags,
		Description: "The weekly slots, in the workspace's time zone, that \"add to queue\" fills.",
	}, func(ctx context.Context, in *AccountPath) (*ScheduleOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ps, err := a.d.Accounts.Schedule(ctx, actor, in.Account)
		if err != nil {
			return nil, err
		}
		return scheduleOut(ps), nil
	})

	register(a, huma.Operation{
		OperationID: "set-account-schedule", Method: http.MethodPut, Path: path,
		Summary: "Set an account's posting schedule", Tags: tags,
		Description: "Replaces the weekly slots (at most 100, no repeats). A slot at a local time that does not " +
			"exist on a day (clocks going forward) is skipped that day; one that happens twice (clocks going back) " +
			"is the first of the two.",
	}, func(ctx context.Context, in *ScheduleInput) (*ScheduleOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ps := herald.PostingSchedule{Slots: []herald.PostingSlot{}}
		for _, s := range in.Body.Slots {
			ps.Slots = append(ps.Slots, herald.PostingSlot{Day: s.Day, Time: s.Time})
		}
		ps, err = a.d.Accounts.SetSchedule(ctx, actor, in.Account, ps)
		if err != nil {
			return nil, err
		}
		return scheduleOut(ps), nil
	})
}
