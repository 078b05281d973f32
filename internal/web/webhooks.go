package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/webhook"
)

// webhooksRoutes registers the Webhooks settings tab and each webhook's page.
func (h *Handler) webhooksRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings/webhooks", h.inWorkspace(h.webhooks))
	m.Handle("POST /w/{ws}/settings/webhooks", h.inWorkspace(h.webhookCreate))
	m.Handle("GET /w/{ws}/settings/webhooks/{webhook}", h.inWorkspace(h.webhookPage))
	m.Handle("POST /w/{ws}/settings/webhooks/{webhook}", h.inWorkspace(h.webhookUpdate))
	m.Handle("POST /w/{ws}/settings/webhooks/{webhook}/test", h.inWorkspace(h.webhookTest))
	m.Handle("POST /w/{ws}/settings/webhooks/{webhook}/secret", h.inWorkspace(h.webhookRoll))
	m.Handle("POST /w/{ws}/settings/webhooks/{webhook}/delete", h.inWorkspace(h.webhookDelete))
}

// webhooksURL is the Webhooks settings tab.
func webhooksURL(ws int64) string { return settingsURL(ws, "webhooks") }

// webhookURL is one webhook's page, or an action on it.
func webhookURL(ws, id int64, action string) string {
	u := webhooksURL(ws) + "/" + itoa(id)
	if action != "" {
		u += "/" + action
	}
	return u
}

// webhookForm is what a webhook's form holds.
type webhookForm struct {
	Kind, Name, URL string
	Kinds           []herald.NotificationKind
	Enabled         bool
	Err             *herald.Error
}

// webhooksData is the Webhooks tab.
type webhooksData struct {
	Endpoints []herald.WebhookEndpoint
	New       webhookForm
	// Created and Secret show a webhook just added, with its secret.
	Created *herald.WebhookEndpoint
	Secret  string
}

// webhookData is one webhook's page.
type webhookData struct {
	E          herald.WebhookEndpoint
	Form       webhookForm
	Deliveries []herald.WebhookDelivery
	// Test is the delivery "Send test" just made.
	Test *herald.WebhookDelivery
	// Secret is a secret just rolled.
	Secret string
}

func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderWebhooks(w, r, p, http.StatusOK, webhooksData{New: webhookForm{Kind: string(herald.WebhookSlack), Enabled: true}})
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, p *page, status int, d webhooksData) error {
	es, err := h.d.Webhooks.List(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d.Endpoints = es
	p.Title = "Webhooks"
	h.render(w, r, status, webhooksPage(p, d))
	return nil
}

// webhookFormFrom reads the posted form.
func webhookFormFrom(r *http.Request) webhookForm {
	in := webhookForm{Kind: r.PostFormValue("kind"), Name: strings.TrimSpace(r.PostFormValue("name")),
		URL: strings.TrimSpace(r.PostFormValue("url")), Enabled: r.PostFormValue("enabled") == "true"}
	for _, k := range r.PostForm["kind_filter"] {
		in.Kinds = append(in.Kinds, herald.NotificationKind(k))
	}
	return in
}

func (in webhookForm) input() webhook.Input {
	kinds := in.Kinds
	if kinds == nil {
		kinds = []herald.NotificationKind{}
	}
	return webhook.Input{Kind: herald.WebhookKind(in.Kind), Name: &in.Name, URL: &in.URL, Kinds: &kinds, Enabled: &in.Enabled}
}

func webhookFormOf(e herald.WebhookEndpoint) webhookForm {
	return webhookForm{Kind: string(e.Kind), Name: e.Name, URL: e.URL, Kinds: e.Kinds, Enabled: e.Enabled}
}

func (h *Handler) webhookCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	in := webhookFormFrom(r)
	c, err := h.d.Webhooks.Create(r.Context(), p.Actor, in.input())
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderWebhooks(w, r, p, statusOf(in.Err), webhooksData{New: in})
	}
	if c.Secret == "" {
		h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Added the webhook “%s”. “Send test” shows whether it works.", c.Endpoint.Name))
		http.Redirect(w, r, webhookURL(p.Current.ID, c.Endpoint.ID, ""), http.StatusSeeOther)
		return nil
	}
	// The secret is shown in this answer only.
	return h.renderWebhooks(w, r, p, http.StatusOK, webhooksData{New: webhookForm{Kind: string(herald.WebhookSlack), Enabled: true},
		Created: &c.Endpoint, Secret: c.Secret})
}

func (h *Handler) webhookPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderWebhook(w, r, p, http.StatusOK, webhookData{})
}

// renderWebhook renders one webhook's page; d may carry a refused form, a
// test's delivery or a rolled secret.
func (h *Handler) renderWebhook(w http.ResponseWriter, r *http.Request, p *page, status int, d webhookData) error {
	id, err := pathID(r, "webhook", "webhook")
	if err != nil {
		return err
	}
	if d.E, err = h.d.Webhooks.Get(r.Context(), p.Actor, id); err != nil {
		return err
	}
	if d.Form.Err == nil {
		d.Form = webhookFormOf(d.E)
	}
	if d.Deliveries, err = h.d.Webhooks.Deliveries(r.Context(), p.Actor, id, 50); err != nil {
		return err
	}
	p.Title = d.E.Name + " · Webhooks"
	h.render(w, r, status, webhookPage(p, d))
	return nil
}

func (h *Handler) webhookUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "webhook", "webhook")
	if err != nil {
		return err
	}
	in := webhookFormFrom(r)
	wi := in.input()
	wi.Kind = ""
	e, err := h.d.Webhooks.Update(r.Context(), p.Actor, id, wi)
	if err != nil {
		if in.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderWebhook(w, r, p, statusOf(in.Err), webhookData{Form: in})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the webhook “%s”.", e.Name))
	http.Redirect(w, r, webhookURL(p.Current.ID, id, ""), http.StatusSeeOther)
	return nil
}

func (h *Handler) webhookTest(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "webhook", "webhook")
	if err != nil {
		return err
	}
	d, err := h.d.Webhooks.SendTest(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderWebhook(w, r, p, http.StatusOK, webhookData{Test: &d})
}

func (h *Handler) webhookRoll(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "webhook", "webhook")
	if err != nil {
		return err
	}
	s, err := h.d.Webhooks.RollSecret(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderWebhook(w, r, p, http.StatusOK, webhookData{Secret: s})
}

func (h *Handler) webhookDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.deleteNamed(w, r, "webhook", webhooksURL(p.Current.ID),
		func(ctx context.Context, id int64) (string, error) {
			e, err := h.d.Webhooks.Get(ctx, p.Actor, id)
			return e.Name, err
		},
		func(ctx context.Context, id int64) error { return h.d.Webhooks.Delete(ctx, p.Actor, id) },
		"Deleted the webhook “%s” and its delivery log.")
}

// webhookKindLabel names a kind for people.
func webhookKindLabel(k herald.WebhookKind) string {
	switch k {
	case herald.WebhookSlack:
		return "Slack"
	case herald.WebhookDiscord:
		return "Discord"
	}
	return "Signed webhook"
}

// webhookKindsWords says which notifications an endpoint gets.
func webhookKindsWords(e herald.WebhookEndpoint) string {
	if len(e.Kinds) == 0 {
		return "every notification"
	}
	names := make([]string, len(e.Kinds))
	for i, k := range e.Kinds {
		names[i] = notificationLabel(k)
	}
	return strings.Join(names, ", ")
}

// notificationLabel names a notification kind for people.
func notificationLabel(k herald.NotificationKind) string {
	s := strings.ReplaceAll(string(k), "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// deliveryWords says how a delivery stands.
func deliveryWords(d herald.WebhookDelivery, loc *time.Location) string {
	switch d.State {
	case herald.DeliveryDelivered:
		return "Delivered"
	case herald.DeliveryFailed:
		return "Failed: " + d.LastError
	case herald.DeliverySending:
		return "Sending"
	}
	if d.Attempts == 0 {
		return "Waiting to be sent"
	}
	return "Next try " + fmtTime(d.NextAttemptAt, loc) + ": " + d.LastError
}

// attemptWords sums up one attempt.
func attemptWords(a herald.WebhookAttempt) string {
	took := a.Duration.Round(time.Millisecond).String()
	if a.Status == 0 {
		return fmt.Sprintf("#%d · no answer · %s", a.Number, took)
	}
	return fmt.Sprintf("#%d · %d %s · %s", a.Number, a.Status, http.StatusText(a.Status), took)
}

// wantsKind reports whether the form has kind k ticked.
func (in webhookForm) wantsKind(k herald.NotificationKind) bool { return slices.Contains(in.Kinds, k) }
