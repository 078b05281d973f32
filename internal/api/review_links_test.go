package api_test

import (
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestReviewLinksAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		links := wsPath("/workspaces/%d/review-links", w.a.ID)
		var created struct {
			Link struct {
				herald.ReviewLink
				Status      string `json:"status"`
				HasPassword bool   `json:"has_password"`
			}
			URL, Path string
		}
		body := map[string]any{"name": "Acme marketing team", "campaign_id": w.aCampaign.ID, "password": "correct horse battery"}
		runWsCases(t, h, []wsCase{
			{name: "create by an editor", method: "POST", path: links, token: w.editorTok, body: body, status: 403, code: "forbidden"},
			{name: "create for another workspace's campaign", method: "POST", path: links, token: w.adminTok,
				body: map[string]any{"name": "x", "campaign_id": w.bCampaign.ID}, status: 422, code: "invalid", field: "campaign_id"},
			{name: "create without a scope", method: "POST", path: links, token: w.adminTok,
				body: map[string]any{"name": "x"}, status: 422, code: "invalid", field: "scope"},
			{name: "create with a range the wrong way round", method: "POST", path: links, token: w.adminTok,
				body: map[string]any{"name": "x", "from": "2026-03-10", "to": "2026-03-01"}, status: 422, code: "invalid", field: "to"},
			{name: "create", method: "POST", path: links, token: w.adminTok, body: body, status: 201,
				check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if created.Link.ID == 0 || created.Link.Status != "active" || !created.Link.HasPassword ||
						!strings.HasPrefix(created.URL, "https://herald.example.com/review/hrev_") ||
						strings.Contains(string(r.Body), "argon2") || strings.Contains(string(r.Body), "token_hash") {
						t.Fatalf("created %s", r.Body)
					}
					if r.Header.Get("Cache-Control") != "no-store" {
						t.Fatalf("Cache-Control %q on an answer with a secret", r.Header.Get("Cache-Control"))
					}
				}},
			{name: "list", method: "GET", path: links, token: w.ownerTok, status: 200, check: func(t *testing.T, r response) {
				if !strings.Contains(string(r.Body), `"name":"Acme marketing team"`) || strings.Contains(string(r.Body), "hrev_") {
					t.Fatalf("list %s", r.Body)
				}
			}},
			{name: "list by an analyst", method: "GET", path: links, token: w.analystTok, status: 403, code: "forbidden"},
			{name: "list from the other workspace", method: "GET", path: wsPath("/workspaces/%d/review-links", w.b.ID),
				token: w.bOwnerTok, status: 200, check: func(t *testing.T, r response) {
					if strings.Contains(string(r.Body), "Acme marketing team") {
						t.Fatalf("another workspace lists the link: %s", r.Body)
					}
				}},
		}, w.a.ID, w.b.ID)
		one := links + "/" + wsID(created.Link.ID)
		runWsCases(t, h, []wsCase{
			{name: "revoke from the other workspace", method: "POST",
				path:  wsPath("/workspaces/%d/review-links/", w.b.ID) + wsID(created.Link.ID) + "/revoke",
				token: w.bOwnerTok, status: 404, code: "not_found"},
			{name: "decisions", method: "GET", path: one + "/decisions", token: w.adminTok, status: 200,
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"items":[]`) {
						t.Fatalf("decisions %s", r.Body)
					}
				}},
			{name: "revoke", method: "POST", path: one + "/revoke", token: w.adminTok, status: 200,
				check: func(t *testing.T, r response) {
					if !strings.Contains(string(r.Body), `"status":"revoked"`) {
						t.Fatalf("revoked %s", r.Body)
					}
				}},
			{name: "get", method: "GET", path: one, token: w.ownerTok, status: 200},
		}, w.a.ID, w.b.ID)
	})
}
