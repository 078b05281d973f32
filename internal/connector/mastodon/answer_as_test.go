package mastodon_test

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestAnswerAsOnAnotherServer: a fan's mention read on server A is
// answered by an account on server B. B finds the post by its address
// (search with resolve, which fetches it from A), the reply goes into that
// thread on B, mentioning the fan at A's domain, and Find finds it again.
// A followers-only post cannot be found from B: a clear refusal.
func TestAnswerAsOnAnotherServer(t *testing.T) {
	a := newFake(t, mastodonfake.DefaultConfig())
	b := newFake(t, mastodonfake.DefaultConfig())
	fan, fanToken := a.srv.AddAccount("fan", "A Fan")
	asFan := connector.Account{Account: herald.Account{Platform: herald.PlatformMastodon, RemoteID: fan.ID, InstanceURL: a.url},
		Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: fanToken})}
	c := newConnector()
	ctx := t.Context()
	if !c.CanAnswerAs(a.account().Account, b.account().Account) {
		t.Fatal("an account of another server may not answer")
	}
	a.srv.Post(fan.ID, "@herald is the shop open on Sunday?", "")
	mentions, _, err := c.Mentions(ctx, a.account(), "")
	if err != nil || len(mentions) != 1 {
		t.Fatalf("mentions on A: %+v, %v", mentions, err)
	}
	m := mentions[0]
	ref := herald.RemoteRef{ID: m.RemoteID, URL: m.URL, Meta: maps.Clone(m.Meta)}
	ref.Meta[connector.MetaReadOn] = a.url

	part := connector.Part{Text: "Yes, from 8 to 12!", Key: "reply-answer-as-1"}
	sent, err := c.Reply(ctx, b.account(), ref, part)
	if err != nil {
		t.Fatal(err)
	}
	var mirror, reply mastodonfake.Status
	for _, st := range b.srv.Statuses() {
		switch {
		case st.URI != "":
			mirror = st
		case st.ID == sent.ID:
			reply = st
		}
	}
	if mirror.ID == "" || !strings.HasSuffix(mirror.URI, "/users/fan/statuses/"+m.RemoteID) || mirror.Text != "@herald is the shop open on Sunday?" {
		t.Fatalf("B's copy of the fan's post: %+v", mirror)
	}
	domain := strings.TrimPrefix(a.url, "http://")
	if reply.AccountID != b.me.ID || reply.InReplyToID != mirror.ID || reply.Text != "@fan@"+domain+" Yes, from 8 to 12!" {
		t.Fatalf("the reply on B: %+v, want @fan@%s … in reply to %s", reply, domain, mirror.ID)
	}
	found, ok, err := c.Find(ctx, b.account(), connector.Part{Text: part.Text, Key: part.Key, ReplyTo: &ref})
	if err != nil || !ok || found.ID != sent.ID {
		t.Fatalf("Find on B = %+v, %v, %v; want the reply %s", found, ok, err, sent.ID)
	}
	if n := len(b.srv.Statuses()); n != 2 {
		t.Fatalf("B has %d statuses, want the copy and one reply", n)
	}

	// Followers-only: B cannot see it.
	private, err := c.Publish(ctx, asFan, connector.Part{Text: "@herald only for followers", Options: map[string]string{"visibility": "private"}})
	if err != nil {
		t.Fatal(err)
	}
	hidden := herald.RemoteRef{ID: private.ID, URL: private.URL, Meta: map[string]string{connector.MetaReadOn: a.url, "acct": "fan"}}
	_, err = c.Reply(ctx, b.account(), hidden, connector.Part{Text: "hello", Key: "reply-answer-as-2"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.Invalid || !strings.Contains(ce.Message, "cannot find the post") {
		t.Fatalf("answering a followers-only post from another server: %v", err)
	}
	// On the same server the reference is used as it is.
	same := ref
	same.Meta = maps.Clone(ref.Meta)
	same.Meta[connector.MetaReadOn] = a.url + "/"
	if _, err := c.Reply(ctx, a.account(), same, connector.Part{Text: "Same server", Key: "reply-answer-as-3"}); err != nil {
		t.Fatalf("answering on the same server: %v", err)
	}
}
