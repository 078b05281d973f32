package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestInboxAnswerAs: with a second account on the same test platform
// server, the reply form offers "Answer as"; the reply goes out from the
// account chosen, once, and the Replies list says which account sent it.
func TestInboxAnswerAs(t *testing.T) {
	e, platformURL := newConnectEnv(t)
	iw := newInboxWorld(t, e, platformURL)
	ws := iw.w.ID
	e.member(iw.w, "ed@example.com", herald.RoleEditor)
	b := e.browser()
	b.signIn("ed@example.com")

	// One account: no picker.
	wantNot(t, b.get(inboxItemURL(ws, iw.reply.ID)), `id="reply-as"`)

	// Both on the same server, as connecting them through the test
	// platform records.
	iw.acct.InstanceURL = platformURL
	if err := e.store.UpdateAccount(context.Background(), &iw.acct); err != nil {
		t.Fatal(err)
	}
	owner := herald.Actor{UserID: iw.owner.ID, WorkspaceID: ws, Role: herald.RoleOwner}
	bob, err := e.accounts.Connect(context.Background(), owner, herald.Account{Platform: herald.PlatformFake, RemoteID: "bob",
		Handle: "@bob", DisplayName: "Bob Support", InstanceURL: platformURL, Status: herald.AccountConnected},
		fake.MarshalCredentials(fake.Credentials{BaseURL: platformURL, AccessToken: "bob"}))
	if err != nil {
		t.Fatal(err)
	}
	want(t, b.get(inboxItemURL(ws, iw.reply.ID)), http.StatusOK, `id="reply-as"`, `name="account_id"`, "@bob · Test platform",
		"The message came to")
	form := url.Values{"text": {"Bob from support here"}, "key": {"form-as"}, "account_id": {itoa(bob.ID)}}
	a := b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), form)
	want(t, a, http.StatusSeeOther)
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), form), http.StatusSeeOther)
	want(t, b.get(a.Location), http.StatusOK, "Replied", `class="muted reply-as"`, "as @bob · Test platform")
	rs, err := e.store.ListReplies(context.Background(), ws, iw.reply.ID)
	if err != nil || len(rs) != 1 || rs[0].AccountID == nil || *rs[0].AccountID != bob.ID || rs[0].State != herald.ReplySent {
		t.Fatalf("replies %+v, %v: want one sent from bob", rs, err)
	}
	// A bad choice is refused in the form, the words kept.
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), url.Values{"text": {"keep these words"}, "account_id": {"x"}}),
		http.StatusUnprocessableEntity, "not a number")
}
