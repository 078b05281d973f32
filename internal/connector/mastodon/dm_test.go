package mastodon_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestReplyToDirectStaysDirect: answering a private message through the
// ordinary Reply (the inbox's reply path) never makes it public, and the
// direct message is not read as a mention too.
func TestReplyToDirectStaysDirect(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	acct := f.account()
	fan, _ := f.srv.AddAccount("fan", "A fan")
	first := f.srv.DirectMessage(fan.ID, f.me.ID, "a secret", "")
	second := f.srv.DirectMessage(fan.ID, f.me.ID, "another secret", first)
	public := f.srv.Post(fan.ID, "@herald hello in public", "")

	mentions, _, err := c.Mentions(t.Context(), acct, "")
	if err != nil {
		t.Fatalf("Mentions: %v", err)
	}
	if len(mentions) != 1 || mentions[0].RemoteID != public {
		t.Fatalf("Mentions returned %+v, want only the public mention %s", mentions, public)
	}
	dms, next, err := c.DirectMessages(t.Context(), acct, "")
	if err != nil {
		t.Fatalf("DirectMessages: %v", err)
	}
	if len(dms) != 2 || dms[0].RemoteID != first || dms[1].RemoteID != second || next != second {
		t.Fatalf("DirectMessages returned %+v, next %q; want %s then %s, next %s", dms, next, first, second, second)
	}
	conv := f.srv.ConversationOf(first)
	if dms[0].ConversationID != conv || dms[1].ConversationID != conv || dms[1].ReplyTo != first {
		t.Fatalf("conversation ids %q and %q (reply to %q), want %q", dms[0].ConversationID, dms[1].ConversationID, dms[1].ReplyTo, conv)
	}
	// The part asks for public visibility: the reply is direct all the same.
	to := herald.RemoteRef{ID: dms[1].RemoteID, URL: dms[1].URL, Meta: dms[1].Meta}
	ref, err := c.Reply(t.Context(), acct, to, connector.Part{WorkspaceID: 1, Text: "thanks", Key: "k-r",
		Options: map[string]string{"visibility": "public"}})
	if err != nil {
		t.Fatalf("Reply: %v", err)
	}
	for _, s := range f.srv.Statuses() {
		if s.ID == ref.ID && (s.Visibility != "direct" || s.Text != "@fan thanks" || s.InReplyToID != second) {
			t.Fatalf("the reply is %q visibility %s in reply to %s; want a direct @fan reply to %s", s.Text, s.Visibility, s.InReplyToID, second)
		}
	}
	// Nothing new from the cursor: the account's own reply is not read back.
	again, _, err := c.DirectMessages(t.Context(), acct, next)
	if err != nil || len(again) != 0 {
		t.Fatalf("DirectMessages from the cursor: %+v, %v; want nothing", again, err)
	}
}

// TestDirectMessagesWithoutScope: a token without read access to
// conversations is told to reconnect, not failed as an account.
func TestDirectMessagesWithoutScope(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	f.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: "/api/v1/conversations", Status: http.StatusForbidden,
		ContentType: "application/json", Body: `{"error":"This action is outside the authorized scopes"}`})
	_, _, err := newConnector().DirectMessages(t.Context(), f.account(), "")
	if got := connector.DMRefused(err); got != "reconnect to allow direct messages" {
		t.Fatalf("DirectMessages without the scope: %v (refused %q)", err, got)
	}
}

// TestDirectMessagesGap: more conversations changed than one read takes
// (five pages of 40): the first read brings the newest 200 and keeps the
// rest in its cursor; the next brings the other 30; then nothing is new.
// Each message is read once.
func TestDirectMessagesGap(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	ctx := t.Context()
	first, _ := f.srv.AddAccount("first", "First")
	f.srv.DirectMessage(first.ID, f.me.ID, "hello", "")
	_, cursor, err := c.DirectMessages(ctx, f.account(), "")
	if err != nil || cursor == "" {
		t.Fatalf("first read: %q, %v", cursor, err)
	}
	var want []string
	for i := range 230 {
		fan, _ := f.srv.AddAccount(fmt.Sprintf("fan%d", i), "A Fan")
		want = append(want, f.srv.DirectMessage(fan.ID, f.me.ID, fmt.Sprintf("question %d", i), ""))
	}
	seen := map[string]int{}
	var reads []int
	for range 4 {
		got, next, err := c.DirectMessages(ctx, f.account(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		reads = append(reads, len(got))
		for _, m := range got {
			seen[m.RemoteID]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(reads) != 3 || reads[0] != 200 || reads[1] != 30 || reads[2] != 0 {
		t.Fatalf("messages per read %v, want 200, 30, then none", reads)
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Fatalf("message %s read %d times, want once", id, seen[id])
		}
	}
	if cursor != want[len(want)-1] {
		t.Fatalf("cursor %q, want the newest %s", cursor, want[len(want)-1])
	}
}
