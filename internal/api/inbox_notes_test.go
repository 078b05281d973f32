package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestInboxNotesAndSavedRepliesAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		alice := w.connectPassword(t, "alice")
		items := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "n1", AuthorID: "dan",
			AuthorHandle: "@dan", AuthorName: "Dan", Text: "@alice my order is late", CreatedAt: time.Now().UTC()}}
		if _, err := h.store.AddInboxItems(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		notes := w.path(w.ws, fmt.Sprintf("/inbox/%d/notes", items[0].ID))

		r := h.do("POST", notes, w.ownerTok, map[string]any{"body": "@editor please chase the courier"})
		mustStatus(t, r, http.StatusCreated)
		var n herald.InboxNote
		r.JSON(t, &n)
		if n.ID == 0 || len(n.Mentions) != 1 {
			t.Fatalf("note %s", r.Body)
		}
		mustStatus(t, h.do("POST", notes, w.ownerTok, map[string]any{"body": "   "}), http.StatusUnprocessableEntity)
		mustStatus(t, h.do("POST", notes, w.clientTok, map[string]any{"body": "hi"}), http.StatusForbidden)
		mustStatus(t, h.do("POST", w.path(w.other, fmt.Sprintf("/inbox/%d/notes", items[0].ID)), w.outsiderTok,
			map[string]any{"body": "hi"}), http.StatusNotFound)
		r = h.do("GET", notes, w.analystTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), "chase the courier") {
			t.Fatalf("notes %s", r.Body)
		}
		mustStatus(t, h.do("DELETE", fmt.Sprintf("%s/%d", notes, n.ID), w.editorTok, nil), http.StatusForbidden)
		mustStatus(t, h.do("DELETE", fmt.Sprintf("%s/%d", notes, n.ID), w.ownerTok, nil), http.StatusNoContent)

		saved := w.path(w.ws, "/saved-replies")
		r = h.do("POST", saved, w.editorTok, map[string]any{"name": "Late order",
			"body": "Sorry {{author.name}}, {{ me.name }} is on it."})
		mustStatus(t, r, http.StatusCreated)
		var sr herald.SavedReply
		r.JSON(t, &sr)
		r = h.do("POST", saved, w.editorTok, map[string]any{"name": "Bad", "body": "Hi {{customer}}"})
		mustStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "{{customer}}") {
			t.Fatalf("unknown variable error %s", r.Body)
		}
		mustStatus(t, h.do("POST", saved, w.editorTok, map[string]any{"name": "late ORDER", "body": "x"}), http.StatusConflict)
		mustStatus(t, h.do("POST", saved, w.contribTok, map[string]any{"name": "c", "body": "c"}), http.StatusForbidden)
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox/%d/saved-replies", items[0].ID)), w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		var filled struct {
			Items []struct {
				ID   int64  `json:"id"`
				Text string `json:"text"`
			} `json:"items"`
		}
		r.JSON(t, &filled)
		if len(filled.Items) != 1 || filled.Items[0].ID != sr.ID || filled.Items[0].Text != "Sorry Dan, owner is on it." {
			t.Fatalf("filled %s", r.Body)
		}
		one := fmt.Sprintf("%s/%d", saved, sr.ID)
		mustStatus(t, h.do("PUT", one, w.editorTok, map[string]any{"name": "Late", "body": "Thanks {{author.handle}}"}), http.StatusOK)
		r = h.do("GET", one, w.contribTok, nil)
		mustStatus(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), "Thanks {{author.handle}}") {
			t.Fatalf("after update %s", r.Body)
		}
		mustStatus(t, h.do("GET", one, w.outsiderTok, nil), http.StatusNotFound)
		mustStatus(t, h.do("DELETE", one, w.editorTok, nil), http.StatusNoContent)
		mustStatus(t, h.do("GET", one, w.editorTok, nil), http.StatusNotFound)
	})
}
