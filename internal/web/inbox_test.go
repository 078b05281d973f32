package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
)

// inboxWorld is a workspace whose fake-platform account "alice" has a
// published post, a reply to it from dan and a mention from eve.
type inboxWorld struct {
	w                herald.Workspace
	owner            herald.User
	acct             herald.Account
	postID           int64
	reply, mention   herald.InboxItem
	platformURL, ref string
}

func newInboxWorld(t *testing.T, e *env, platformURL string) inboxWorld {
	t.Helper()
	ctx := context.Background()
	iw := inboxWorld{platformURL: platformURL}
	iw.owner, iw.w = e.owner("ana@example.com", "Acme")
	owner := herald.Actor{UserID: iw.owner.ID, WorkspaceID: iw.w.ID, Role: herald.RoleOwner}
	var err error
	iw.acct, err = e.accounts.Connect(ctx, owner, herald.Account{Platform: herald.PlatformFake, RemoteID: "alice",
		Handle: "@alice", DisplayName: "Alice", Status: herald.AccountConnected},
		fake.MarshalCredentials(fake.Credentials{BaseURL: platformURL, AccessToken: "alice"}))
	if err != nil {
		t.Fatal(err)
	}
	as := func(token string) connector.Account {
		return connector.Account{Credentials: fake.MarshalCredentials(fake.Credentials{BaseURL: platformURL, AccessToken: token})}
	}
	pub := fake.New(nil)
	ours, err := pub.Publish(ctx, as("alice"), connector.Part{Text: "our launch"})
	if err != nil {
		t.Fatal(err)
	}
	p := e.scheduled(iw.owner, iw.w, iw.acct, "our launch", time.Now().Add(time.Hour))
	iw.postID = p.ID
	tg, err := e.store.GetTarget(ctx, iw.w.ID, p.Targets[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []herald.TargetState{herald.StatePublishing, herald.StatePublished} {
		tr, err := tg.Transition(s, nil, "test", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if s == herald.StatePublished {
			tg.RemoteID, tg.RemoteURL = ours.ID, ours.URL
		}
		if err := e.store.TransitionTarget(ctx, &tg, tr); err != nil {
			t.Fatal(err)
		}
	}
	dan, err := pub.Publish(ctx, as("dan"), connector.Part{Text: "@alice love it", ReplyTo: &ours})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	items := []herald.InboxItem{
		{WorkspaceID: iw.w.ID, AccountID: iw.acct.ID, RemoteID: dan.ID, URL: dan.URL, AuthorID: "dan", AuthorHandle: "@dan",
			AuthorName: "Dan D", Text: "@alice love it", ReplyToRemoteID: ours.ID, CreatedAt: now.Add(-time.Hour)},
		{WorkspaceID: iw.w.ID, AccountID: iw.acct.ID, RemoteID: "eve-1", AuthorID: "eve", AuthorHandle: "@eve",
			Text: "has anyone tried @alice support?", CreatedAt: now},
	}
	if _, err := e.store.AddInboxItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	if items[0].TargetID == nil {
		t.Fatal("dan's reply is not matched to our post")
	}
	iw.reply, iw.mention = items[0], items[1]
	return iw
}

func TestInboxPages(t *testing.T) {
	e, platformURL := newConnectEnv(t)
	iw := newInboxWorld(t, e, platformURL)
	ws := iw.w.ID
	ed := e.member(iw.w, "ed@example.com", herald.RoleEditor)
	e.member(iw.w, "cy@example.com", herald.RoleContributor)
	_, other := e.owner("olga@example.com", "Other")

	b := e.browser()
	b.signIn("ed@example.com")
	want(t, b.get(inboxURL(ws)), http.StatusOK, `id="nav-inbox"`, `id="nav-inbox-count"`, ">2</span>",
		"@dan", "Dan D", "@eve", "Reply to our post", "Mention", "@alice · ", `id="bulk-done"`, "/static/", "inbox")
	a := b.get(inboxURL(ws) + "?q=SUPPORT")
	want(t, a, http.StatusOK, "@eve")
	wantNot(t, a, "love it")
	a = b.get(inboxURL(ws) + "?kind=reply")
	want(t, a, http.StatusOK, "@dan")
	wantNot(t, a, "has anyone tried")

	// The conversation: our post, the reply form with the platform's limit.
	a = b.get(inboxItemURL(ws, iw.reply.ID))
	want(t, a, http.StatusOK, `id="replied-post"`, postURL(ws, iw.postID), `id="reply-text"`, "At most 500 characters",
		"Nothing else from @dan", `id="mark-done"`)
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), url.Values{"text": {strings.Repeat("a", 600)}}),
		http.StatusUnprocessableEntity, "the platform would refuse the reply", `id="reply-text"`)
	a = b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), url.Values{"text": {"thanks Dan!"}, "key": {"form-1"}})
	want(t, a, http.StatusSeeOther)
	want(t, b.get(a.Location), http.StatusOK, "Replied", `id="first-response"`, `id="inbox-replies"`, `data-state="sent"`,
		`hx-get="`+inboxVerbURL(ws, iw.reply.ID, "thread")+`"`)
	// The same form sent again (a double click) is the same reply.
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "reply"), url.Values{"text": {"thanks Dan!"}, "key": {"form-1"}}), http.StatusSeeOther)
	if rs, err := e.store.ListReplies(context.Background(), ws, iw.reply.ID); err != nil || len(rs) != 1 {
		t.Fatalf("after the form twice: %d replies, %v; want 1", len(rs), err)
	}
	// The conversation from the platform: our post above, our reply below.
	a = b.get(inboxVerbURL(ws, iw.reply.ID, "thread"))
	want(t, a, http.StatusOK, `id="thread-posts"`, "our launch", "@alice love it", "thanks Dan!", "our account", "this item")
	// An item the platform no longer has says so in place of the thread.
	want(t, b.get(inboxVerbURL(ws, iw.mention.ID, "thread")), http.StatusOK, `id="thread-error"`, "could not be read")

	// Assign, then mark both done in bulk: the open filter empties.
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "assign"), url.Values{"assignee": {itoa(ed.ID)}}), http.StatusSeeOther)
	want(t, b.get(inboxURL(ws)+"?assignee=me"), http.StatusOK, "@dan")
	wantNot(t, b.get(inboxURL(ws)+"?assignee=me"), "has anyone tried")
	want(t, b.post(inboxVerbURL(ws, iw.reply.ID, "assign"), url.Values{"assignee": {"999999"}}), http.StatusSeeOther)
	want(t, b.get(inboxItemURL(ws, iw.reply.ID)), http.StatusOK, "Not done:", "not a member")
	a = b.post(inboxURL(ws)+"/bulk", url.Values{"id": {itoa(iw.reply.ID), itoa(iw.mention.ID)}, "action": {"done"},
		"back": {inboxURL(ws) + "?kind=mention"}})
	want(t, a, http.StatusSeeOther)
	if a.Location != inboxURL(ws)+"?kind=mention" {
		t.Fatalf("bulk went back to %q", a.Location)
	}
	a = b.get(inboxURL(ws))
	want(t, a, http.StatusOK, "Marked 2 items done.", `id="inbox-empty"`)
	wantNot(t, a, `id="nav-inbox-count"`)
	want(t, b.get(inboxURL(ws)+"?state=done"), http.StatusOK, "@dan", "@eve")
	want(t, b.post(inboxVerbURL(ws, iw.mention.ID, "state"), url.Values{"state": {"pending"}}), http.StatusSeeOther)
	want(t, b.get(inboxURL(ws)+"?state=pending"), http.StatusOK, "@eve")

	// A contributor reads and likes but does not triage or reply; another
	// workspace finds nothing.
	c := e.browser()
	c.signIn("cy@example.com")
	a = c.get(inboxItemURL(ws, iw.mention.ID))
	want(t, a, http.StatusOK, `id="like-submit"`)
	wantNot(t, a, `id="reply-text"`, `id="mark-done"`)
	want(t, c.post(inboxVerbURL(ws, iw.mention.ID, "state"), url.Values{"state": {"done"}}), http.StatusSeeOther)
	want(t, c.get(inboxItemURL(ws, iw.mention.ID)), http.StatusOK, "Not done:", "role")
	o := e.browser()
	o.signIn("olga@example.com")
	want(t, o.get(inboxItemURL(other.ID, iw.mention.ID)), http.StatusNotFound)
	want(t, o.post(inboxVerbURL(other.ID, iw.mention.ID, "state"), url.Values{"state": {"done"}}), http.StatusNotFound)
}
