package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// NotificationListInput filters the caller's feed.
type NotificationListInput struct {
	WorkspaceParam
	PageParams
	Unread bool     `query:"unread" doc:"Only the unread ones"`
	Kind   []string `query:"kind" doc:"Only these kinds (repeat the parameter for several), e.g. inbox_assigned, mentioned, target_failed"`
}

// NotificationList is a page of the caller's feed, newest first.
type NotificationList struct {
	Body ListBody[herald.UserNotification]
}

// UnreadOutput counts the caller's unread notifications.
type UnreadOutput struct {
	Body struct {
		Unread int `json:"unread" doc:"Unread notifications of the caller in the workspace"`
	}
}

// MarkNotificationsInput marks some of the caller's notifications.
type MarkNotificationsInput struct {
	WorkspaceParam
	Body struct {
		IDs  []int64 `json:"ids" minItems:"1" maxItems:"500" doc:"The notifications to mark"`
		Read *bool   `json:"read,omitempty" doc:"true (the default): read; false: unread again"`
	}
}

// MarkedOutput says how many notifications changed.
type MarkedOutput struct {
	Body struct {
		Changed int `json:"changed" doc:"How many changed; those already so, and ids that are not the caller's, are left alone"`
	}
}

func (a *API) registerNotifications() {
	tags := []string{"Notifications"}
	base := "/api/v1/workspaces/{workspace}/notifications"
	register(a, huma.Operation{
		OperationID: "list-notifications", Method: http.MethodGet, Path: base, Summary: "List your notifications",
		Tags: tags,
		Description: "The caller's own notification feed in the workspace, newest first: what was assigned to them, " +
			"mentions, approvals, posts that failed or need checking, accounts to reconnect, inbox items past their " +
			"response target. Each has a link to the page where it is acted on. A token that acts for no person has no feed.",
	}, func(ctx context.Context, in *NotificationListInput) (*NotificationList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		f := herald.NotificationFilter{UnreadOnly: in.Unread, Page: in.Page()}
		for _, k := range in.Kind {
			f.Kinds = append(f.Kinds, herald.NotificationKind(k))
		}
		p, err := a.d.Notifications.List(ctx, actor, f)
		if err != nil {
			return nil, err
		}
		return &NotificationList{Body: list(p.Items, p.Next)}, nil
	})
	register(a, huma.Operation{
		OperationID: "count-unread-notifications", Method: http.MethodGet, Path: base + "/unread", Summary: "Count your unread notifications",
		Tags: tags, Description: "What the bell in the header shows.",
	}, func(ctx context.Context, in *WorkspaceParam) (*UnreadOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		n, err := a.d.Notifications.Unread(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := &UnreadOutput{}
		out.Body.Unread = n
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "mark-notifications", Method: http.MethodPost, Path: base + "/read", Summary: "Mark notifications read or unread",
		Tags: tags,
	}, func(ctx context.Context, in *MarkNotificationsInput) (*MarkedOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		read := in.Body.Read == nil || *in.Body.Read
		n, err := a.d.Notifications.Mark(ctx, actor, in.Body.IDs, read)
		if err != nil {
			return nil, err
		}
		out := &MarkedOutput{}
		out.Body.Changed = n
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "mark-all-notifications-read", Method: http.MethodPost, Path: base + "/read-all",
		Summary: "Mark all your notifications read", Tags: tags,
	}, func(ctx context.Context, in *WorkspaceParam) (*MarkedOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		n, err := a.d.Notifications.MarkAllRead(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := &MarkedOutput{}
		out.Body.Changed = n
		return out, nil
	})
}
