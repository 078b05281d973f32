package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestWebhooksAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		owner := h.newUser("owner@example.com")
		ws := h.newWorkspace(owner, "Acme")
		_, managerTok := h.member(ws, "manager@example.com", herald.RoleManager)
		_, editorTok := h.member(ws, "editor@example.com", herald.RoleEditor)
		other := h.newWorkspace(owner, "Other")
		otherTok := h.tokenFor(owner, other, herald.RoleOwner)
		var hits atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			hits.Add(1)
			if r.Header.Get("Herald-Signature") == "" {
				rw.WriteHeader(http.StatusBadRequest)
				return
			}
			_, _ = rw.Write([]byte("thanks"))
		}))
		defer srv.Close()
		base := wsPath("/workspaces/%d/webhooks", ws.ID)
		doc := h.do("GET", "/api/openapi.json", "", nil)
		for _, op := range []string{`"operationId":"create-webhook"`, `"operationId":"test-webhook"`,
			`"operationId":"list-webhook-deliveries"`, `"operationId":"roll-webhook-secret"`} {
			if !strings.Contains(string(doc.Body), op) {
				t.Fatalf("the OpenAPI document lacks %s", op)
			}
		}
		create := map[string]any{"kind": "generic", "name": "Ops", "url": srv.URL + "/in"}
		mustStatus(t, h.do("POST", base, editorTok, create), 403)
		r := h.do("POST", base, managerTok, map[string]any{"kind": "generic", "name": "Ops", "url": "gopher://x"})
		mustStatus(t, r, 422)
		if !strings.Contains(string(r.Body), `"field":"url"`) {
			t.Fatalf("bad url answer: %s", r.Body)
		}
		r = h.do("POST", base, managerTok, create)
		mustStatus(t, r, 201)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("the answer with the secret may be cached: %q", r.Header.Get("Cache-Control"))
		}
		var created struct {
			herald.WebhookEndpoint
			Secret string `json:"secret"`
		}
		r.JSON(t, &created)
		if created.ID == 0 || !strings.HasPrefix(created.Secret, "whsec_") || !created.Enabled {
			t.Fatalf("created %s", r.Body)
		}
		one := wsPath("/workspaces/%d/webhooks/%d", ws.ID, created.ID)
		r = h.do("GET", one, managerTok, nil)
		mustStatus(t, r, 200)
		if strings.Contains(string(r.Body), created.Secret) || strings.Contains(string(r.Body), "secret") {
			t.Fatalf("the secret is shown again: %s", r.Body)
		}
		mustStatus(t, h.do("GET", wsPath("/workspaces/%d/webhooks/%d", other.ID, created.ID), otherTok, nil), 404)

		r = h.do("POST", one+"/test", managerTok, nil)
		mustStatus(t, r, 200)
		var d herald.WebhookDelivery
		r.JSON(t, &d)
		if d.State != herald.DeliveryDelivered || len(d.Log) != 1 || d.Log[0].Status != 200 || d.Log[0].Response != "thanks" {
			t.Fatalf("test delivery %s", r.Body)
		}
		r = h.do("PATCH", one, managerTok, map[string]any{"enabled": false, "kinds": []string{"account_expired"}})
		mustStatus(t, r, 200)
		var e herald.WebhookEndpoint
		r.JSON(t, &e)
		if e.Enabled || len(e.Kinds) != 1 {
			t.Fatalf("patched %s", r.Body)
		}
		r = h.do("POST", one+"/secret", managerTok, nil)
		mustStatus(t, r, 200)
		if !strings.Contains(string(r.Body), `"secret":"whsec_`) {
			t.Fatalf("rolled %s", r.Body)
		}
		r = h.do("GET", one+"/deliveries", managerTok, nil)
		mustStatus(t, r, 200)
		if !strings.Contains(string(r.Body), `"status":200`) || !strings.Contains(string(r.Body), `"test":true`) {
			t.Fatalf("deliveries %s", r.Body)
		}
		r = h.do("GET", base, managerTok, nil)
		mustStatus(t, r, 200)
		if !strings.Contains(string(r.Body), `"name":"Ops"`) {
			t.Fatalf("list %s", r.Body)
		}
		mustStatus(t, h.do("DELETE", one, managerTok, nil), 204)
		mustStatus(t, h.do("GET", one, managerTok, nil), 404)
		if hits.Load() != 1 {
			t.Fatalf("the receiver got %d requests, want 1", hits.Load())
		}
	})
}
