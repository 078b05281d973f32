package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestInboxTargetAndReportAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		alice := w.connectPassword(t, "alice")
		old := time.Now().UTC().Add(-3 * time.Hour)
		items := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "t1", AuthorID: "dan",
			AuthorHandle: "@dan", Text: "@alice hello?", CreatedAt: old}}
		if _, err := h.store.AddInboxItems(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		target := w.path(w.ws, "/inbox-target")
		r := h.do("PUT", target, w.ownerTok, map[string]any{"first_response_minutes": 60, "always": false,
			"days": []int{1, 2, 9}, "start_minute": 540, "end_minute": 1020})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "not a weekday") {
			t.Fatalf("bad day: %s", r.Body)
		}
		mustStatus(t, h.do("PUT", target, w.editorTok, map[string]any{"first_response_minutes": 60, "always": true}), http.StatusForbidden)
		r = h.do("PUT", target, w.ownerTok, map[string]any{"first_response_minutes": 60, "always": true, "days": []int{}})
		mustStatus(t, r, http.StatusOK)
		r = h.do("GET", target, w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"first_response_minutes":60`) {
			t.Fatalf("target %s", r.Body)
		}
		// The item waited three hours against a one-hour target.
		r = h.do("GET", w.path(w.ws, "/inbox?overdue=yes"), w.editorTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"remote_id":"t1"`) || !strings.Contains(string(r.Body), `"due_at"`) {
			t.Fatalf("overdue list %s", r.Body)
		}
		q := url.Values{"from": {old.Add(-time.Hour).Format(time.RFC3339)}, "to": {time.Now().UTC().Add(time.Hour).Format(time.RFC3339)}}
		r = h.do("GET", w.path(w.ws, "/inbox-report?"+q.Encode()), w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"items":1`) || !strings.Contains(string(r.Body), `"by_kind":[{"key":"mention","items":1}]`) {
			t.Fatalf("report %s", r.Body)
		}
		q.Set("to", q.Get("from"))
		mustStatus(t, h.do("GET", w.path(w.ws, "/inbox-report?"+q.Encode()), w.analystTok, nil), http.StatusUnprocessableEntity)
		mustStatus(t, h.do("GET", w.path(w.ws, "/inbox-report?"+q.Encode()), w.contribTok, nil), http.StatusForbidden)
	})
}
