package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestInboxDirectMessagePages(t *testing.T) {
	e, platformURL := newConnectEnv(t)
	iw := newInboxWorld(t, e, platformURL)
	ws := iw.w.ID
	now := time.Now().UTC()
	dms := []herald.InboxItem{
		{WorkspaceID: ws, AccountID: iw.acct.ID, RemoteID: "dm-2", AuthorID: "fay", AuthorHandle: "@fay",
			Text: "second private word", CreatedAt: now, Direct: true, ConversationID: "c1"},
		{WorkspaceID: ws, AccountID: iw.acct.ID, RemoteID: "dm-1", AuthorID: "fay", AuthorHandle: "@fay",
			Text: "first private word", CreatedAt: now.Add(-time.Minute), Direct: true, ConversationID: "c1"},
	}
	if _, err := e.store.AddInboxItems(context.Background(), dms); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	// The filter offers direct messages; the fake platform gives none to
	// apps, and the page says so.
	a := b.get(inboxURL(ws) + "?kind=dm")
	want(t, a, http.StatusOK, `<option value="dm" selected`, "Direct message", "second private word", `id="no-dms"`,
		`id="no-dms-`+itoa(iw.acct.ID)+`"`, "the platform does not give messages to apps")
	wantNot(t, a, "has anyone tried", "love it")
	wantNot(t, b.get(inboxURL(ws)+"?kind=mention"), "private word")

	// The conversation page shows the conversation oldest first.
	a = b.get(inboxItemURL(ws, dms[0].ID))
	want(t, a, http.StatusOK, `id="dm-messages"`, "Private conversation", `id="dm-`+itoa(dms[1].ID)+`"`)
	_, conv, _ := strings.Cut(a.Body, `id="dm-messages"`)
	first, second := strings.Index(conv, "first private word"), strings.Index(conv, "second private word")
	if first < 0 || second < 0 || first > second {
		t.Fatalf("conversation not oldest first (first at %d, second at %d)", first, second)
	}
	// A public item has no private conversation.
	wantNot(t, b.get(inboxItemURL(ws, iw.mention.ID)), `id="dm-messages"`)
}
