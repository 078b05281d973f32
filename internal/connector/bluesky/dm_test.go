package bluesky_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// dmTexts returns the texts of messages, in order.
func dmTexts(msgs []connector.DirectMessage) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Text
	}
	return out
}

// TestDirectMessages: the first read brings the latest messages of every
// conversation, oldest first, without the account's own; reads from the
// cursor follow the chat log and bring each new message once.
func TestDirectMessages(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	alice, bob := e.aliceInfo.DID, e.bobInfo.DID
	carol := e.fake.CreateAccount("carol.test", "Carol")
	convo, first := e.fake.DirectMessage(bob, alice, "hi alice")
	e.fake.DirectMessage(alice, bob, "hi bob, what's up?")
	_, second := e.fake.DirectMessage(carol.DID, alice, "hello from carol")
	_, third := e.fake.DirectMessage(bob, alice, "can we talk?")

	msgs, cursor, err := e.c.DirectMessages(t.Context(), e.alice, "")
	if err != nil {
		t.Fatalf("DirectMessages: %v", err)
	}
	if got := dmTexts(msgs); strings.Join(got, "|") != "hi alice|hello from carol|can we talk?" {
		t.Fatalf("first read: %q, want bob's and carol's messages oldest first, not alice's own", got)
	}
	if cursor == "" {
		t.Fatal("the first read gave no cursor")
	}
	m := msgs[0]
	if m.RemoteID != first || m.ConversationID != convo || m.Meta["convo_id"] != convo || m.AuthorID != bob ||
		m.AuthorHandle != "bob.test" || m.AuthorName != "Bob" || m.CreatedAt.IsZero() || !strings.HasSuffix(m.URL, "/messages/"+convo) {
		t.Fatalf("bob's message: %+v", m)
	}
	if msgs[1].RemoteID != second || msgs[1].AuthorHandle != "carol.test" || msgs[1].ConversationID == convo {
		t.Fatalf("carol's message: %+v", msgs[1])
	}
	if msgs[2].RemoteID != third {
		t.Fatalf("the third message is %q, want %q", msgs[2].RemoteID, third)
	}

	again, next, err := e.c.DirectMessages(t.Context(), e.alice, cursor)
	if err != nil || len(again) != 0 || next != "" {
		t.Fatalf("nothing new: %q, next %q, %v; want nothing and the old cursor kept", dmTexts(again), next, err)
	}

	// New messages: in an old conversation, in a new one, and alice's own.
	dave := e.fake.CreateAccount("dave.test", "Dave")
	_, fourth := e.fake.DirectMessage(bob, alice, "still there?")
	e.fake.DirectMessage(alice, bob, "yes")
	_, fifth := e.fake.DirectMessage(dave.DID, alice, "dave here")
	later, next, err := e.c.DirectMessages(t.Context(), e.alice, cursor)
	if err != nil {
		t.Fatalf("DirectMessages from the cursor: %v", err)
	}
	if len(later) != 2 || later[0].RemoteID != fourth || later[1].RemoteID != fifth {
		t.Fatalf("from the cursor: %q, want bob's and dave's new messages", dmTexts(later))
	}
	if later[1].AuthorHandle != "dave.test" || later[1].AuthorName != "Dave" || later[1].ConversationID == "" {
		t.Fatalf("dave's message (a new conversation, read from the log): %+v", later[1])
	}
	if next == "" || next == cursor {
		t.Fatalf("the cursor did not move: %q", next)
	}
	last, n2, err := e.c.DirectMessages(t.Context(), e.alice, next)
	if err != nil || len(last) != 0 || n2 != "" {
		t.Fatalf("from the new cursor: %q, next %q, %v; want nothing", dmTexts(last), n2, err)
	}
}

// TestDirectMessagesLogPages: more events than one getLog page are all
// read, each once.
func TestDirectMessagesLogPages(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	alice, bob := e.aliceInfo.DID, e.bobInfo.DID
	e.fake.DirectMessage(bob, alice, "hello")
	_, cursor, err := e.c.DirectMessages(t.Context(), e.alice, "")
	if err != nil || cursor == "" {
		t.Fatalf("first read: cursor %q, %v", cursor, err)
	}
	const n = 130
	for range n {
		e.fake.DirectMessage(bob, alice, "again")
		e.fake.DirectMessage(alice, bob, "mine")
	}
	msgs, _, err := e.c.DirectMessages(t.Context(), e.alice, cursor)
	if err != nil {
		t.Fatalf("DirectMessages: %v", err)
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if m.Text != "again" || seen[m.RemoteID] {
			t.Fatalf("unexpected or repeated message %+v", m)
		}
		seen[m.RemoteID] = true
	}
	if len(msgs) != n {
		t.Fatalf("read %d messages across log pages, want %d", len(msgs), n)
	}
	if calls := e.fake.Calls("chat.bsky.convo.getLog"); calls < 3 {
		t.Fatalf("getLog was called %d times; the test wants several pages", calls)
	}
}

// dmAccount connects alice again with a new app password, with or without
// access to direct messages.
func dmAccount(t *testing.T, e *env, chat bool) connector.Account {
	t.Helper()
	info := e.aliceInfo
	info.AppPassword = e.fake.AddAppPassword(info.DID, chat)
	return e.connect(t, e.connector(), info)
}

// TestDirectMessagesRefused: an app password without access to direct
// messages is refused by the PDS (400 InvalidToken "Bad token method"):
// the connector says so with a *connector.DMRefusedError, for reading and
// sending, and the session goes on working for everything else.
func TestDirectMessagesRefused(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	convo, _ := e.fake.DirectMessage(e.bobInfo.DID, e.aliceInfo.DID, "hi")
	acct := dmAccount(t, e, false)

	c := e.connector()
	_, _, err := c.DirectMessages(t.Context(), acct, "")
	var refused *connector.DMRefusedError
	if !errors.As(err, &refused) || refused.Reason != bluesky.DMRefusedReason {
		t.Fatalf("DirectMessages with an app password without chat: %v, want a DMRefusedError", err)
	}
	if !strings.Contains(err.Error(), "Bad token method") {
		t.Errorf("the refusal does not carry the PDS's answer: %v", err)
	}
	if connector.ClassOf(err) == connector.AuthExpired || connector.ClassOf(err) == connector.AuthRevoked {
		t.Errorf("the refusal is classed %s: the account's access is fine", connector.ClassOf(err))
	}
	_, _, err = c.DirectMessages(t.Context(), acct, "3kabcdefghijk")
	if connector.DMRefused(err) != bluesky.DMRefusedReason {
		t.Fatalf("DirectMessages from a cursor: %v", err)
	}
	_, err = c.SendDM(t.Context(), acct, convo, herald.RemoteRef{}, connector.Part{Text: "hello"})
	if connector.DMRefused(err) != bluesky.DMRefusedReason {
		t.Fatalf("SendDM: %v, want a DMRefusedError", err)
	}
	if sent := e.fake.DirectSent(e.aliceInfo.DID, convo); len(sent) != 0 {
		t.Fatalf("the refused session sent %q", sent)
	}
	// The same session still reads mentions.
	if _, _, err := c.Mentions(t.Context(), acct, ""); err != nil {
		t.Fatalf("Mentions after the refusal: %v", err)
	}

	// A password with access reads them.
	ok := dmAccount(t, e, true)
	msgs, _, err := c.DirectMessages(t.Context(), ok, "")
	if err != nil || len(msgs) != 1 {
		t.Fatalf("with chat access: %q, %v", dmTexts(msgs), err)
	}
}

// TestDirectMessagesUnreachable: a PDS that does not pass chat on (501
// MethodNotImplemented, or a proxy service it cannot resolve) is a
// refusal too, with its own reason.
func TestDirectMessagesUnreachable(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	jsonHdr := http.Header{"Content-Type": {"application/json"}}
	e.fake.Fail("chat.bsky.convo.listConvos",
		blueskyfake.Fault{Status: http.StatusNotImplemented, Header: jsonHdr, Body: `{"error":"MethodNotImplemented","message":"Method Not Implemented"}`},
		blueskyfake.Fault{Status: http.StatusBadRequest, Header: jsonHdr, Body: `{"error":"InvalidRequest","message":"could not resolve proxy did"}`})
	for range 2 {
		_, _, err := e.c.DirectMessages(t.Context(), e.alice, "")
		if connector.DMRefused(err) != bluesky.DMUnreachableReason {
			t.Fatalf("DirectMessages through a PDS without chat: %v", err)
		}
	}
	// Other failures are not refusals.
	e.fake.Fail("chat.bsky.convo.listConvos", blueskyfake.Fault{Status: http.StatusBadGateway, Header: jsonHdr,
		Body: `{"error":"UpstreamFailure","message":"Upstream Failure"}`})
	_, _, err := e.c.DirectMessages(t.Context(), e.alice, "")
	if err == nil || connector.DMRefused(err) != "" {
		t.Fatalf("an upstream failure: %v, want an error that is not a refusal", err)
	}
}

// TestChatNeedsProxyHeader: the fake, as the PDS, sends chat calls without
// the atproto-proxy header to its AppView (501), and refuses other
// services; the connector's calls carry the header (the other tests pass).
func TestChatNeedsProxyHeader(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	tok := creds(t, e.alice).AccessJWT
	for _, tc := range []struct {
		proxy  string
		status int
		name   string
	}{
		{"", http.StatusNotImplemented, "MethodNotImplemented"},
		{"did:web:api.bsky.chat#bsky_appview", http.StatusBadRequest, "InvalidRequest"},
		{bluesky.ChatProxy, http.StatusOK, ""},
	} {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/xrpc/chat.bsky.convo.listConvos", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		if tc.proxy != "" {
			req.Header.Set("atproto-proxy", tc.proxy)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var xe struct {
			Error string `json:"error"`
		}
		_ = json.Unmarshal(body, &xe)
		if res.StatusCode != tc.status || xe.Error != tc.name {
			t.Errorf("proxy %q: %d %s, want %d %q", tc.proxy, res.StatusCode, body, tc.status, tc.name)
		}
	}
}

// TestSendDMAndFindDM: an answer goes out in the conversation once, with
// its message id; FindDM finds it, and finds neither a text never sent
// nor one sent before since.
func TestSendDMAndFindDM(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	convo, first := e.fake.DirectMessage(e.bobInfo.DID, e.aliceInfo.DID, "question?")
	before := time.Now().Add(-time.Minute)
	ref, err := e.c.SendDM(t.Context(), e.alice, convo, herald.RemoteRef{ID: first, Meta: map[string]string{"convo_id": convo}},
		connector.Part{Text: "answer, see https://example.com", Key: "k1"})
	if err != nil {
		t.Fatalf("SendDM: %v", err)
	}
	if ref.ID == "" || ref.Meta["convo_id"] != convo {
		t.Fatalf("SendDM returned %+v", ref)
	}
	if sent := e.fake.DirectSent(e.aliceInfo.DID, convo); len(sent) != 1 || sent[0] != "answer, see https://example.com" {
		t.Fatalf("the account sent %q", sent)
	}
	// Someone else's message with the same text is not the account's.
	e.fake.DirectMessage(e.bobInfo.DID, e.aliceInfo.DID, "copycat")

	got, found, err := e.c.FindDM(t.Context(), e.alice, convo, " answer, see https://example.com\n", before)
	if err != nil || !found || got.ID != ref.ID {
		t.Fatalf("FindDM of the sent answer: %+v, found %v, %v; want %s", got, found, err, ref.ID)
	}
	if _, found, err := e.c.FindDM(t.Context(), e.alice, convo, "never sent", before); err != nil || found {
		t.Fatalf("FindDM of a text never sent: found %v, %v", found, err)
	}
	if _, found, err := e.c.FindDM(t.Context(), e.alice, convo, "copycat", before); err != nil || found {
		t.Fatalf("FindDM of bob's text: found %v, %v", found, err)
	}
	if _, found, err := e.c.FindDM(t.Context(), e.alice, convo, "answer, see https://example.com", time.Now().Add(time.Minute)); err != nil || found {
		t.Fatalf("FindDM since after the send: found %v, %v", found, err)
	}
}

// TestSendDMLimits: chat messages have at most 1000 graphemes and 10,000
// bytes, text only; over the limit nothing is sent.
func TestSendDMLimits(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	convo, _ := e.fake.DirectMessage(e.bobInfo.DID, e.aliceInfo.DID, "hi")
	family := "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466" // one grapheme, 25 bytes
	for _, tc := range []struct {
		name string
		part connector.Part
		want string
	}{
		{"1001 graphemes", connector.Part{Text: strings.Repeat("a", 1001)}, "at most 1000 characters"},
		{"over 10,000 bytes", connector.Part{Text: strings.Repeat(family, 401)}, "at most 10000 bytes"},
		{"empty", connector.Part{Text: "  "}, "needs text"},
		{"media", connector.Part{Text: "look", Media: []connector.Media{imageMedia([]byte("png"), "", 1, 1)}}, "text only"},
	} {
		_, err := e.c.SendDM(t.Context(), e.alice, convo, herald.RemoteRef{}, tc.part)
		if err == nil || classOf(t, err) != connector.Invalid || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want Invalid %q", tc.name, err, tc.want)
		}
	}
	if n := e.fake.Calls("chat.bsky.convo.sendMessage"); n != 0 {
		t.Fatalf("sendMessage was called %d times for messages over the limits", n)
	}
	for _, text := range []string{strings.Repeat("a", 1000), strings.Repeat(family, 400)} {
		if _, err := e.c.SendDM(t.Context(), e.alice, convo, herald.RemoteRef{}, connector.Part{Text: text}); err != nil {
			t.Fatalf("SendDM at the limit (%d bytes): %v", len(text), err)
		}
	}
}
