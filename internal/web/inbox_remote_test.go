package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestInboxEditedAndDeleted: when the author edits the post, opening the
// conversation updates the stored text and says it was edited; once they
// delete it, the item says it is gone, keeps its text, and a reply is
// refused with words that say why (nothing is sent).
func TestInboxEditedAndDeleted(t *testing.T) {
	e, platformURL := newConnectEnv(t)
	iw := newInboxWorld(t, e, platformURL)
	ws := iw.w.ID
	ctx := context.Background()
	e.member(iw.w, "ed@example.com", herald.RoleEditor)
	b := e.browser()
	b.signIn("ed@example.com")
	dan := connector.Account{Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: platformURL, AccessToken: "dan"})}
	ref := herald.RemoteRef{ID: iw.reply.RemoteID}
	pub := fake.New(nil)

	if _, err := pub.Edit(ctx, dan, ref, connector.Part{Text: "@alice love it, but the box was damaged"}); err != nil {
		t.Fatal(err)
	}
	want(t, b.get(inboxVerbURL(ws, iw.reply.ID, "thread")), http.StatusOK, "the box was damaged")
	want(t, b.get(inboxItemURL(ws, iw.reply.ID)), http.StatusOK, `id="item-edited"`, "the box was damaged")
	want(t, b.get(inboxURL(ws)), http.StatusOK, ">edited</span>")
	// Search finds the edited words.
	want(t, b.get(inboxURL(ws)+"?q=damaged"), http.StatusOK, "@dan")

	if err := pub.Delete(ctx, dan, ref); err != nil {
		t.Fatal(err)
	}
	want(t, b.get(inboxVerbURL(ws, iw.reply.ID, "thread")), http.StatusOK, `id="thread-error"`)
	a := b.get(inboxItemURL(ws, iw.reply.ID))
	want(t, a, http.StatusOK, `id="item-deleted"`, "No longer on the platform", "the box was damaged")
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), url.Values{"text": {"sorry to hear"}, "key": {"k1"}}),
		http.StatusConflict, "no longer on the platform")
	if rs, err := e.store.ListReplies(ctx, ws, iw.reply.ID); err != nil || len(rs) != 0 {
		t.Fatalf("replies to a deleted post: %+v, %v", rs, err)
	}
	want(t, b.get(inboxURL(ws)), http.StatusOK, ">deleted</span>")
}
