package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/webhook"
)

// WebhookPath addresses one notification channel.
type WebhookPath struct {
	WorkspaceParam
	Webhook int64 `path:"webhook" minimum:"1" doc:"Webhook id"`
}

// WebhookCreateInput adds a notification channel.
type WebhookCreateInput struct {
	WorkspaceParam
	Body struct {
		Kind    herald.WebhookKind        `json:"kind" enum:"slack,discord,generic" doc:"slack: a Slack incoming webhook; discord: a Discord channel webhook; generic: Herald's JSON, signed with HMAC-SHA256"`
		Name    string                    `json:"name" minLength:"1" maxLength:"200" doc:"A name to tell the channel from others"`
		URL     string                    `json:"url" minLength:"1" maxLength:"2000" doc:"The webhook address the receiver gave you (http or https, on the public internet unless the operator allows private networks)"`
		Kinds   []herald.NotificationKind `json:"kinds,omitempty" doc:"The notification kinds it gets; empty or absent: every kind"`
		Enabled *bool                     `json:"enabled,omitempty" doc:"Default true"`
	}
}

// WebhookPatchInput changes a channel; absent fields stay as they are.
type WebhookPatchInput struct {
	WebhookPath
	Body struct {
		Name    *string                    `json:"name,omitempty" minLength:"1" maxLength:"200"`
		URL     *string                    `json:"url,omitempty" minLength:"1" maxLength:"2000"`
		Kinds   *[]herald.NotificationKind `json:"kinds,omitempty" doc:"The notification kinds it gets; empty: every kind"`
		Enabled *bool                      `json:"enabled,omitempty"`
	}
}

// WebhookDeliveriesInput lists a channel's deliveries.
type WebhookDeliveriesInput struct {
	WebhookPath
	Limit int `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"How many deliveries, newest first"`
}

// WebhookOutput is one channel.
type WebhookOutput struct {
	Body herald.WebhookEndpoint
}

// WebhookCreated is a new channel with its signing secret.
type WebhookCreated struct {
	Body struct {
		herald.WebhookEndpoint
		Secret string `json:"secret,omitempty" doc:"A generic webhook's signing secret, shown only now"`
	}
}

// WebhookSecret is a rolled signing secret.
type WebhookSecret struct {
	Body struct {
		Secret string `json:"secret" doc:"The new signing secret, shown only now; the old one stops working at once"`
	}
}

// WebhookList lists channels.
type WebhookList struct {
	Body ListBody[herald.WebhookEndpoint]
}

// WebhookDeliveryOutput is one delivery with its attempts.
type WebhookDeliveryOutput struct {
	Body herald.WebhookDelivery
}

// WebhookDeliveryList lists deliveries.
type WebhookDeliveryList struct {
	Body ListBody[herald.WebhookDelivery]
}

func (a *API) registerWebhooks() {
	tags := []string{"Webhooks"}
	base := "/api/v1/workspaces/{workspace}/webhooks"
	register(a, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: base, Summary: "List notification channels", Tags: tags,
		Description: "The workspace's Slack, Discord and signed webhooks, by name; managers and up.",
	}, func(ctx context.Context, in *WorkspaceParam) (*WebhookList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		es, err := a.d.Webhooks.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &WebhookList{Body: list(es, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: base, Summary: "Add a notification channel", Tags: tags,
		DefaultStatus: http.StatusCreated,
		Description: "Adds a channel that gets the workspace's notifications. A generic webhook's signing secret is in " +
			"this answer only (roll it to get a new one). An address on a private network is refused unless the " +
			"operator allows private networks.",
	}, func(ctx context.Context, in *WebhookCreateInput) (*WebhookCreated, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		wi := webhook.Input{Kind: b.Kind, Name: &b.Name, URL: &b.URL, Enabled: b.Enabled}
		if b.Kinds != nil {
			wi.Kinds = &b.Kinds
		}
		c, err := a.d.Webhooks.Create(ctx, actor, wi)
		if err != nil {
			return nil, err
		}
		out := &WebhookCreated{}
		out.Body.WebhookEndpoint, out.Body.Secret = c.Endpoint, c.Secret
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "get-webhook", Method: http.MethodGet, Path: base + "/{webhook}", Summary: "Get a notification channel", Tags: tags,
	}, func(ctx context.Context, in *WebhookPath) (*WebhookOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		e, err := a.d.Webhooks.Get(ctx, actor, in.Webhook)
		if err != nil {
			return nil, err
		}
		return &WebhookOutput{Body: e}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: base + "/{webhook}", Summary: "Update a notification channel",
		Tags: tags, Description: "Fields left out stay as they are; the kind cannot change.",
	}, func(ctx context.Context, in *WebhookPatchInput) (*WebhookOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		e, err := a.d.Webhooks.Update(ctx, actor, in.Webhook, webhook.Input{Name: b.Name, URL: b.URL, Kinds: b.Kinds,
			Enabled: b.Enabled})
		if err != nil {
			return nil, err
		}
		return &WebhookOutput{Body: e}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: base + "/{webhook}", Summary: "Delete a notification channel",
		Tags: tags, DefaultStatus: http.StatusNoContent, Description: "Deletes the channel and its delivery log.",
	}, func(ctx context.Context, in *WebhookPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Webhooks.Delete(ctx, actor, in.Webhook)
	})

	register(a, huma.Operation{
		OperationID: "roll-webhook-secret", Method: http.MethodPost, Path: base + "/{webhook}/secret",
		Summary: "Roll a webhook's signing secret", Tags: tags,
		Description: "Gives a generic webhook a new signing secret, in this answer only; the old one stops working at once.",
	}, func(ctx context.Context, in *WebhookPath) (*WebhookSecret, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Webhooks.RollSecret(ctx, actor, in.Webhook)
		if err != nil {
			return nil, err
		}
		out := &WebhookSecret{}
		out.Body.Secret = s
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "test-webhook", Method: http.MethodPost, Path: base + "/{webhook}/test", Summary: "Send a test notification",
		Tags: tags,
		Description: "Sends a test notification now, once (no retries), and answers with the delivery and the " +
			"receiver's answer. It is kept in the delivery log.",
	}, func(ctx context.Context, in *WebhookPath) (*WebhookDeliveryOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		d, err := a.d.Webhooks.SendTest(ctx, actor, in.Webhook)
		if err != nil {
			return nil, err
		}
		return &WebhookDeliveryOutput{Body: d}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: base + "/{webhook}/deliveries",
		Summary: "List a channel's deliveries", Tags: tags,
		Description: "The latest deliveries, newest first, each with every attempt: its time, duration, HTTP status and " +
			"the start of the answer (2 KiB) or the error.",
	}, func(ctx context.Context, in *WebhookDeliveriesInput) (*WebhookDeliveryList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ds, err := a.d.Webhooks.Deliveries(ctx, actor, in.Webhook, in.Limit)
		if err != nil {
			return nil, err
		}
		return &WebhookDeliveryList{Body: list(ds, "")}, nil
	})
}
