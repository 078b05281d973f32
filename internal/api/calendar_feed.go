package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/ical"
)

// CalendarFeedBody says whether the caller has a calendar feed address.
type CalendarFeedBody struct {
	Active    bool       `json:"active"`
	CreatedAt *time.Time `json:"created_at,omitempty"`
}

// CalendarFeedOutput is the caller's feed state.
type CalendarFeedOutput struct {
	Body CalendarFeedBody
}

// CalendarFeedCreated is a new feed address, shown this once.
type CalendarFeedCreated struct {
	Body struct {
		URL       string    `json:"url" doc:"The secret address to subscribe to; shown only in this answer"`
		Path      string    `json:"path"`
		CreatedAt time.Time `json:"created_at"`
	}
}

func (a *API) registerCalendarFeed() {
	tags := []string{"Calendar feed"}
	path := "/api/v1/workspaces/{workspace}/calendar-feed"
	register(a, huma.Operation{
		OperationID: "get-calendar-feed", Method: http.MethodGet, Path: path,
		Summary: "Whether you have a calendar feed", Tags: tags,
		Description: "The address itself is shown only when created: Herald keeps only a fingerprint of it.",
	}, func(ctx context.Context, in *WorkspaceParam) (*CalendarFeedOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		f, ok, err := a.d.Calendar.Current(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := &CalendarFeedOutput{Body: CalendarFeedBody{Active: ok}}
		if ok {
			out.Body.CreatedAt = &f.CreatedAt
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "create-calendar-feed", Method: http.MethodPost, Path: path,
		Summary: "Create your calendar feed address", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "A secret iCalendar address of the workspace's scheduled posts and campaigns, for your calendar app. " +
			"Creating one revokes the one you had.",
	}, func(ctx context.Context, in *WorkspaceParam) (*CalendarFeedCreated, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		token, f, err := a.d.Calendar.Create(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := &CalendarFeedCreated{}
		out.Body.Path = ical.Path(token)
		out.Body.URL = a.d.BaseURL + out.Body.Path
		out.Body.CreatedAt = f.CreatedAt
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "revoke-calendar-feed", Method: http.MethodDelete, Path: path,
		Summary: "Revoke your calendar feed address", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Calendar apps reading it get 404 from now on.",
	}, func(ctx context.Context, in *WorkspaceParam) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Calendar.Revoke(ctx, actor)
	})
}
