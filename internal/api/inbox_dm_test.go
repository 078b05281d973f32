package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestInboxDirectMessages(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newEngageWorld(t, h)
		ctx := context.Background()
		alice := w.connectPassword(t, "alice")
		now := time.Now().UTC()
		items := []herald.InboxItem{
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "d2", AuthorID: "dan", AuthorHandle: "@dan",
				Text: "are you there?", CreatedAt: now, Direct: true, ConversationID: "conv"},
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "d1", AuthorID: "dan", AuthorHandle: "@dan",
				Text: "hi, privately", CreatedAt: now.Add(-time.Minute), Direct: true, ConversationID: "conv"},
			{WorkspaceID: w.ws.ID, AccountID: alice.ID, RemoteID: "m1", AuthorID: "eve", AuthorHandle: "@eve",
				Text: "@alice in public", CreatedAt: now},
		}
		if _, err := h.store.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		var page struct {
			Items []herald.InboxItem `json:"items"`
		}
		r := h.do("GET", w.path(w.ws, "/inbox?kind=dm&state=open"), w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &page)
		if len(page.Items) != 2 || !page.Items[0].Direct || page.Items[0].ConversationID != "conv" {
			t.Fatalf("kind=dm listed %s", r.Body)
		}
		page.Items = nil
		r = h.do("GET", w.path(w.ws, "/inbox?kind=mention"), w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].RemoteID != "m1" {
			t.Fatalf("kind=mention listed %s, want the public mention only", r.Body)
		}
		mustStatus(t, h.do("GET", w.path(w.ws, "/inbox?kind=private"), w.ownerTok, nil), http.StatusUnprocessableEntity)

		page.Items = nil
		r = h.do("GET", w.path(w.ws, fmt.Sprintf("/inbox/%d/conversation", items[0].ID)), w.clientTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &page)
		if len(page.Items) != 2 || page.Items[0].RemoteID != "d1" || page.Items[1].RemoteID != "d2" {
			t.Fatalf("conversation %s, want d1 then d2", r.Body)
		}

		var no struct {
			Items []struct {
				Account herald.Account `json:"account"`
				Reason  string         `json:"reason"`
			} `json:"items"`
		}
		r = h.do("GET", w.path(w.ws, "/inbox/accounts-without-dms"), w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		r.JSON(t, &no)
		if len(no.Items) != 1 || no.Items[0].Account.ID != alice.ID || no.Items[0].Reason != connector.NoDMsReason {
			t.Fatalf("accounts without DMs %s, want alice's fake platform", r.Body)
		}
	})
}
