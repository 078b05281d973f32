package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestWebhooksTab(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "mo@example.com", herald.RoleManager)
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		http.Error(rw, "no such hook", http.StatusNotFound)
	}))
	defer rcv.Close()

	ed := e.browser()
	ed.signIn("ed@example.com")
	wantNot(t, ed.get(settingsURL(w.ID, "")), `id="tab-webhooks"`)
	want(t, ed.get(webhooksURL(w.ID)), http.StatusForbidden)

	b := e.browser()
	b.signIn("mo@example.com")
	want(t, b.get(settingsURL(w.ID, "")), http.StatusOK, `id="tab-webhooks"`)
	want(t, b.get(webhooksURL(w.ID)), http.StatusOK, "No webhooks yet.")
	form := url.Values{"kind": {"slack"}, "name": {"Team"}, "url": {"not an address"}, "enabled": {"true"}}
	want(t, b.post(webhooksURL(w.ID), form), http.StatusUnprocessableEntity, "is not an http:// or https:// address")
	form.Set("url", rcv.URL)
	form["kind_filter"] = []string{"target_failed", "account_expired"}
	want(t, b.post(webhooksURL(w.ID), form), http.StatusSeeOther)
	es, err := e.store.ListWebhookEndpoints(context.Background(), w.ID)
	if err != nil || len(es) != 1 || len(es[0].Kinds) != 2 || es[0].Kind != herald.WebhookSlack {
		t.Fatalf("endpoints %+v, %v", es, err)
	}
	one := webhookURL(w.ID, es[0].ID, "")
	want(t, b.get(one), http.StatusOK, "Added the webhook “Team”", "Nothing sent yet.")
	want(t, b.post(webhookURL(w.ID, es[0].ID, "test"), nil), http.StatusOK,
		"The test was not delivered: the receiver answered 404 Not Found, which Herald does not retry", "no such hook")
	form.Set("name", "")
	want(t, b.post(one, form), http.StatusUnprocessableEntity, "is required")
	want(t, b.post(webhookURL(w.ID, es[0].ID, "delete"), nil), http.StatusSeeOther)
	want(t, b.get(webhooksURL(w.ID)), http.StatusOK, "Deleted the webhook “Team”", "No webhooks yet.")
}
