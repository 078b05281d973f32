package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestInboxRulesAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		ctx := context.Background()
		alice := w.connectPassword(t, "alice")
		now := time.Now().UTC()
		items := []herald.InboxItem{
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "x1", AuthorID: "dan", AuthorHandle: "@dan",
				Text: "@alice where is my refund?", CreatedAt: now,
				InboxAnalysis: herald.InboxAnalysis{Sentiment: "neutral", Language: "en", HasQuestion: true}},
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "x2", AuthorID: "eve", AuthorHandle: "@eve",
				Text: "@alice you are wonderful", CreatedAt: now,
				InboxAnalysis: herald.InboxAnalysis{Sentiment: "positive", SentimentScore: 0.6}},
		}
		if _, err := h.store.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		rulesPath := w.path(w.ws, "/inbox-rules")
		rule := map[string]any{"name": "Refunds", "conditions": map[string]any{"terms": []string{"refund"}},
			"actions": map[string]any{"add_tags": []string{"billing"}, "priority": "high"}}

		// Test first: it matches without changing anything.
		r := h.do("POST", rulesPath+"/test", w.editorTok, rule)
		mustStatus(t, r, http.StatusOK)
		var matched struct {
			Items []herald.InboxItem `json:"items"`
		}
		r.JSON(t, &matched)
		if len(matched.Items) != 1 || matched.Items[0].ID != items[0].ID || len(matched.Items[0].Tags) != 0 {
			t.Fatalf("test matched %s", r.Body)
		}
		r = h.do("POST", rulesPath, w.ownerTok, rule)
		mustStatus(t, r, http.StatusCreated)
		var created herald.InboxRule
		r.JSON(t, &created)
		if !created.Enabled || created.Position != 1 || created.Actions.Priority != herald.PriorityHigh {
			t.Fatalf("created %s", r.Body)
		}
		r = h.do("POST", rulesPath, w.ownerTok, map[string]any{"name": "Nice", "enabled": false,
			"conditions": map[string]any{"sentiments": []string{"positive"}}, "actions": map[string]any{"mark_done": true}})
		mustStatus(t, r, http.StatusCreated)
		var nice herald.InboxRule
		r.JSON(t, &nice)
		rulePath := fmt.Sprintf("%s/%d", rulesPath, created.ID)
		mustStatus(t, h.do("POST", rulePath+"/disable", w.ownerTok, nil), http.StatusOK)
		mustStatus(t, h.do("POST", rulesPath+"/order", w.ownerTok, map[string]any{"ids": []int64{nice.ID, created.ID}}), http.StatusNoContent)
		r = h.do("GET", rulesPath, w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		var listed struct {
			Items []herald.InboxRule `json:"items"`
		}
		r.JSON(t, &listed)
		if len(listed.Items) != 2 || listed.Items[0].ID != nice.ID || listed.Items[1].Enabled {
			t.Fatalf("listed %s", r.Body)
		}
		rule["name"] = "Refunds and returns"
		rule["conditions"] = map[string]any{"pattern": `(?i)refund|return`}
		r = h.do("PUT", rulePath, w.ownerTok, rule)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), "Refunds and returns") {
			t.Fatalf("updated %s", r.Body)
		}

		// Tags and priority through the bulk change, and the new filters.
		ids := []int64{items[0].ID, items[1].ID}
		mustStatus(t, h.do("POST", w.path(w.ws, "/inbox/bulk"), w.editorTok, map[string]any{"ids": ids,
			"add_tags": []string{"VIP", "press"}, "priority": "urgent"}), http.StatusNoContent)
		mustStatus(t, h.do("PATCH", w.path(w.ws, fmt.Sprintf("/inbox/%d", items[1].ID)), w.editorTok,
			map[string]any{"remove_tags": []string{"vip"}}), http.StatusOK)
		list := func(q string) []int64 {
			t.Helper()
			r := h.do("GET", w.path(w.ws, "/inbox?"+q), w.ownerTok, nil)
			mustStatus(t, r, http.StatusOK)
			var page struct {
				Items []herald.InboxItem `json:"items"`
			}
			r.JSON(t, &page)
			var out []int64
			for _, it := range page.Items {
				out = append(out, it.ID)
			}
			return out
		}
		for _, c := range []struct {
			q    string
			want []int64
		}{
			{"tag=vip", []int64{items[0].ID}},
			{"tag=PRESS", []int64{items[1].ID, items[0].ID}},
			{"sentiment=positive", []int64{items[1].ID}},
			{"question=yes", []int64{items[0].ID}},
			{"question=no", []int64{items[1].ID}},
			{"priority=urgent", []int64{items[1].ID, items[0].ID}},
			{"priority=normal", nil},
		} {
			if got := list(c.q); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", c.q, got, c.want)
			}
		}
		r = h.do("GET", w.path(w.ws, "/inbox-tags"), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"press"`) || !strings.Contains(string(r.Body), `"VIP"`) {
			t.Fatalf("tags %s", r.Body)
		}
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox/%d/rule-hits", items[0].ID)), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)

		cases := []struct {
			name, method, path, token string
			body                      any
			status                    int
		}{
			{"editor may not add rules", "POST", rulesPath, w.editorTok, rule, http.StatusForbidden},
			{"invalid regex", "POST", rulesPath, w.ownerTok, map[string]any{"name": "x",
				"conditions": map[string]any{"pattern": "a(b"}, "actions": map[string]any{"mark_done": true}}, http.StatusUnprocessableEntity},
			{"no action", "POST", rulesPath, w.ownerTok, map[string]any{"name": "x"}, http.StatusUnprocessableEntity},
			{"order missing a rule", "POST", rulesPath + "/order", w.ownerTok, map[string]any{"ids": []int64{nice.ID}}, http.StatusConflict},
			{"rule of another workspace", "GET", fmt.Sprintf("%s/%d", w.path(w.other, "/inbox-rules"), created.ID), w.outsiderTok, nil, http.StatusNotFound},
			{"client may not tag", "POST", w.path(w.ws, "/inbox/bulk"), w.clientTok, map[string]any{"ids": ids, "add_tags": []string{"x"}}, http.StatusForbidden},
			{"bad priority", "POST", w.path(w.ws, "/inbox/bulk"), w.ownerTok, map[string]any{"ids": ids, "priority": "asap"}, http.StatusUnprocessableEntity},
			{"bad sentiment filter", "GET", w.path(w.ws, "/inbox?sentiment=angry"), w.ownerTok, nil, http.StatusUnprocessableEntity},
			{"delete by an editor", "DELETE", rulePath, w.editorTok, nil, http.StatusForbidden},
			{"delete", "DELETE", rulePath, w.ownerTok, nil, http.StatusNoContent},
			{"deleted", "GET", rulePath, w.ownerTok, nil, http.StatusNotFound},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := h.do(tc.method, tc.path, tc.token, tc.body)
				mustStatus(t, r, tc.status)
				if tc.name == "invalid regex" && !strings.Contains(string(r.Body), "conditions.pattern") {
					t.Fatalf("no field named: %s", r.Body)
				}
			})
		}
	})
}
