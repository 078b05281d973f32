package x

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func ids(msgs []connector.DirectMessage) []string {
	out := make([]string, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.RemoteID)
	}
	return out
}

func TestDirectMessages(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	other := e.srv.AddUser("other", "Someone Else")
	first := e.srv.SendDM(fan.ID, e.user.ID, "Hello & welcome <3")
	e.srv.SendDM(e.user.ID, fan.ID, "Thanks!") // the account's own side
	second := e.srv.SendDM(other.ID, e.user.ID, "Another conversation")
	mine := e.srv.SendDM(e.user.ID, other.ID, "Hi other")

	got, cursor, err := e.c.DirectMessages(c, e.acct, "")
	if err != nil {
		t.Fatalf("DirectMessages: %v", err)
	}
	if want := []string{first.ID, second.ID}; fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Fatalf("messages %v; want the two from other people, oldest first: %v", ids(got), want)
	}
	m := got[0]
	conv := xfake.ConversationID(e.user.ID, fan.ID)
	if m.AuthorID != fan.ID || m.AuthorHandle != "@fan" || m.AuthorName != "A Fan" || m.Text != "Hello & welcome <3" ||
		m.ConversationID != conv || m.Meta["conversation_id"] != conv || m.CreatedAt.IsZero() ||
		m.URL != "https://x.com/messages/"+conv {
		t.Errorf("message = %+v", m)
	}
	if !strings.Contains(conv, "-") || got[1].ConversationID == conv {
		t.Errorf("conversations %q and %q", conv, got[1].ConversationID)
	}
	if cursor != mine.ID {
		t.Errorf("cursor = %q; want the newest event %s, the account's own included", cursor, mine.ID)
	}

	again, next, err := e.c.DirectMessages(c, e.acct, cursor)
	if err != nil || len(again) != 0 || next != "" {
		t.Errorf("nothing new: %v, %q, %v", ids(again), next, err)
	}

	// Only the account's own messages are new: none returned, the cursor
	// moves on past them.
	own := e.srv.SendDM(e.user.ID, fan.ID, "One more from us")
	got, next, err = e.c.DirectMessages(c, e.acct, cursor)
	if err != nil || len(got) != 0 || next != own.ID {
		t.Errorf("own only: %v, %q (want %s), %v", ids(got), next, own.ID, err)
	}
}

func TestDirectMessagesPages(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	_, cursor, err := e.c.DirectMessages(c, e.acct, "")
	if err != nil || cursor != "" {
		t.Fatalf("empty inbox: %q, %v", cursor, err)
	}
	old := e.srv.SendDM(fan.ID, e.user.ID, "old")
	if _, cursor, err = e.c.DirectMessages(c, e.acct, ""); err != nil || cursor != old.ID {
		t.Fatalf("cursor %q, %v; want %s", cursor, err, old.ID)
	}
	var want []string
	last := ""
	for i := range 250 {
		if i%10 == 0 {
			last = e.srv.SendDM(e.user.ID, fan.ID, fmt.Sprintf("answer %d", i)).ID
		}
		m := e.srv.SendDM(fan.ID, e.user.ID, fmt.Sprintf("message %d", i))
		want, last = append(want, m.ID), m.ID
	}
	before := e.srv.Requests("GET /2/dm_events")
	got, next, err := e.c.DirectMessages(c, e.acct, cursor)
	if err != nil {
		t.Fatal(err)
	}
	// 276 events after the cursor and the old one: three pages of 100.
	if n := e.srv.Requests("GET /2/dm_events") - before; n != 3 {
		t.Errorf("%d pages read; want 3", n)
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Fatalf("got %d messages; want the 250 new ones once each, oldest first", len(got))
	}
	if got[0].Text != "message 0" || next != last {
		t.Errorf("first %q, next %q; want message 0 and %s", got[0].Text, next, last)
	}
	if again, n, err := e.c.DirectMessages(c, e.acct, next); err != nil || len(again) != 0 || n != "" {
		t.Errorf("after the last page: %d messages, %q, %v", len(again), n, err)
	}
}

// hookTransport calls hook once before a request of path is sent.
type hookTransport struct {
	base http.RoundTripper
	path string
	n    int
	hook func(n int)
	mu   sync.Mutex
}

func (h *hookTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == h.path {
		h.mu.Lock()
		h.n++
		n := h.n
		h.mu.Unlock()
		h.hook(n)
	}
	return h.base.RoundTrip(r)
}

// Messages that arrive between two pages shift the pages: the events at
// the boundary come again, and must not be returned twice.
func TestDirectMessagesShiftingPages(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	start := e.srv.SendDM(fan.ID, e.user.ID, "start")
	var want []string
	for i := range 150 {
		want = append(want, e.srv.SendDM(fan.ID, e.user.ID, fmt.Sprintf("m%d", i)).ID)
	}
	var late []string
	client := *e.ts.Client()
	client.Transport = &hookTransport{base: e.ts.Client().Transport, path: "/2/dm_events", hook: func(n int) {
		if n == 2 { // before the second page
			for i := range 5 {
				late = append(late, e.srv.SendDM(fan.ID, e.user.ID, fmt.Sprintf("late %d", i)).ID)
			}
		}
	}}
	cn := New(&client, WithBaseURL(e.ts.URL))
	got, next, err := cn.DirectMessages(c, e.acct, start.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Errorf("got %d messages; want the 150 of the first read once each (%d)", len(got), len(want))
	}
	// The late ones are newer than the cursor: the next read has them.
	more, _, err := cn.DirectMessages(c, e.acct, next)
	if err != nil || fmt.Sprint(ids(more)) != fmt.Sprint(late) {
		t.Errorf("next read: %v, %v; want the late ones %v", ids(more), err, late)
	}
}

// More new messages than ten pages: the newest thousand are read and the
// cursor keeps the rest; the next read brings the 50 older ones and ends
// on the newest, so nothing is read twice or skipped.
func TestDirectMessagesPageCap(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	start := e.srv.SendDM(fan.ID, e.user.ID, "start")
	var all []string
	for i := range 1050 {
		all = append(all, e.srv.SendDM(fan.ID, e.user.ID, fmt.Sprintf("m%d", i)).ID)
	}
	got, next, err := e.c.DirectMessages(c, e.acct, start.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1000 || got[0].RemoteID != all[50] || got[999].RemoteID != all[1049] || !strings.HasPrefix(next, "gap") {
		t.Fatalf("got %d messages, next %q", len(got), next)
	}
	if n := e.srv.Requests("GET /2/dm_events"); n != 10 {
		t.Errorf("%d pages; want 10", n)
	}
	rest, next, err := e.c.DirectMessages(c, e.acct, next)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest) != 50 || rest[0].RemoteID != all[0] || rest[49].RemoteID != all[49] || next != all[1049] {
		t.Fatalf("the rest: %d messages, next %q; want the 50 older ones and the newest id", len(rest), next)
	}
	if again, next, err := e.c.DirectMessages(c, e.acct, next); err != nil || len(again) != 0 || next != "" {
		t.Fatalf("then: %d messages, next %q, %v; want nothing new", len(again), next, err)
	}
}

func TestSendAndFindDM(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	in := e.srv.SendDM(fan.ID, e.user.ID, "Can you help?")
	conv := in.ConversationID
	since := time.Now().Add(-time.Minute)
	ref, err := e.c.SendDM(c, e.acct, conv, herald.RemoteRef{ID: in.ID}, connector.Part{Text: "Sure & gladly", Key: "k1"})
	if err != nil {
		t.Fatalf("SendDM: %v", err)
	}
	msgs := e.srv.DMs(conv)
	if len(msgs) != 2 || msgs[1].ID != ref.ID || msgs[1].SenderID != e.user.ID || msgs[1].Text != "Sure & gladly" {
		t.Fatalf("conversation %+v; ref %+v", msgs, ref)
	}
	if ref.Meta["conversation_id"] != conv || ref.URL == "" {
		t.Errorf("ref = %+v", ref)
	}

	found, ok, err := e.c.FindDM(c, e.acct, conv, "Sure & gladly", since)
	if err != nil || !ok || found.ID != ref.ID {
		t.Errorf("FindDM of the sent message: %+v, %v, %v", found, ok, err)
	}
	// The fan's words are not the account's, nor is a text never sent.
	for _, text := range []string{"Can you help?", "Never sent"} {
		if _, ok, err := e.c.FindDM(c, e.acct, conv, text, since); err != nil || ok {
			t.Errorf("FindDM(%q) = %v, %v; want not found", text, ok, err)
		}
	}
	// Sent before since: not the attempt being settled.
	e.srv.BackdateDM(ref.ID, time.Hour)
	if _, ok, err := e.c.FindDM(c, e.acct, conv, "Sure & gladly", since); err != nil || ok {
		t.Errorf("FindDM of an older message = %v, %v", ok, err)
	}
}

func TestSendDMLimits(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	conv := xfake.ConversationID(e.user.ID, fan.ID)
	// 10,000 characters of two bytes each: within the limit.
	if _, err := e.c.SendDM(c, e.acct, conv, herald.RemoteRef{}, connector.Part{Text: strings.Repeat("é", DMTextLimit)}); err != nil {
		t.Fatalf("10,000 characters: %v", err)
	}
	for name, p := range map[string]connector.Part{
		"over the limit": {Text: strings.Repeat("a", DMTextLimit+1)},
		"empty":          {Text: "  "},
		"media":          {Text: "look", Media: []connector.Media{file("a.png", "image/png", []byte("png"), "")}},
	} {
		_, err := e.c.SendDM(c, e.acct, conv, herald.RemoteRef{}, p)
		if classOf(t, err) != connector.Invalid {
			t.Errorf("%s: %v", name, err)
		}
		if name == "over the limit" && !strings.Contains(err.Error(), "10000") {
			t.Errorf("the error does not say the limit: %v", err)
		}
	}
	if _, err := e.c.SendDM(c, e.acct, "", herald.RemoteRef{}, connector.Part{Text: "hi"}); classOf(t, err) != connector.Invalid {
		t.Errorf("no conversation: %v", err)
	}
	if n := e.srv.Requests("POST /2/dm_conversations/{id}/messages"); n != 1 {
		t.Errorf("%d sends reached X; want only the one within the limit", n)
	}
}

func wantRefused(t *testing.T, what string, err error) {
	t.Helper()
	var r *connector.DMRefusedError
	if !errors.As(err, &r) || r.Reason != DMRefusedReason {
		t.Errorf("%s: %v (%T); want a DMRefusedError", what, err, err)
		return
	}
	// Refused messages are not a withdrawn account.
	if cl := connector.ClassOf(err); cl != connector.Invalid {
		t.Errorf("%s: class %s; want invalid", what, cl)
	}
}

func TestDMRefused(t *testing.T) {
	t.Run("token without the DM scopes", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		fan := e.srv.AddUser("fan", "A Fan")
		in := e.srv.SendDM(fan.ID, e.user.ID, "hi")
		e.srv.DropDMScopes(e.tok.Access)
		_, _, err := e.c.DirectMessages(ctx(t), e.acct, "")
		wantRefused(t, "DirectMessages", err)
		_, err = e.c.SendDM(ctx(t), e.acct, in.ConversationID, herald.RemoteRef{}, connector.Part{Text: "hello"})
		wantRefused(t, "SendDM", err)
		_, _, err = e.c.FindDM(ctx(t), e.acct, in.ConversationID, "hello", time.Now().Add(-time.Hour))
		wantRefused(t, "FindDM", err)
		// Mentions go on.
		if _, _, err := e.c.Mentions(ctx(t), e.acct, ""); err != nil {
			t.Errorf("Mentions: %v", err)
		}
	})
	t.Run("access level without DMs", func(t *testing.T) {
		e := newEnv(t, xfake.Config{NoDMAccess: true})
		fan := e.srv.AddUser("fan", "A Fan")
		conv := xfake.ConversationID(e.user.ID, fan.ID)
		_, _, err := e.c.DirectMessages(ctx(t), e.acct, "")
		wantRefused(t, "DirectMessages", err)
		_, err = e.c.SendDM(ctx(t), e.acct, conv, herald.RemoteRef{}, connector.Part{Text: "hello"})
		wantRefused(t, "SendDM", err)
		_, _, err = e.c.FindDM(ctx(t), e.acct, conv, "hello", time.Now().Add(-time.Hour))
		wantRefused(t, "FindDM", err)
	})
	// Listing one's own messages has no other reason to be forbidden.
	t.Run("other 403 on the list", func(t *testing.T) {
		e := newEnv(t, xfake.Config{})
		e.srv.Inject(xfake.Fault{Route: "GET /2/dm_events", Status: 403, ContentType: "application/json",
			Body: `{"title":"Forbidden","detail":"You are not permitted to perform this action.","type":"about:blank","status":403,"code":403,"message":"Forbidden"}`})
		_, _, err := e.c.DirectMessages(ctx(t), e.acct, "")
		wantRefused(t, "DirectMessages", err)
	})
}

func TestDMErrorsThatAreNotRefusals(t *testing.T) {
	reset := strconv.FormatInt(time.Now().Add(15*time.Minute).Unix(), 10)
	tests := []struct {
		name  string
		route string
		fault xfake.Fault
		class connector.Class
	}{
		{name: "rate limited", route: "GET /2/dm_events", class: connector.RateLimited, fault: xfake.Fault{Status: 429,
			Header:      http.Header{"X-Rate-Limit-Limit": {"15"}, "X-Rate-Limit-Remaining": {"0"}, "X-Rate-Limit-Reset": {reset}},
			ContentType: "application/json",
			Body:        `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429,"code":88,"message":"Too Many Requests"}`}},
		{name: "server error", route: "GET /2/dm_events", class: connector.Transient, fault: xfake.Fault{Status: 503,
			ContentType: "application/json", Body: `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503,"code":503,"message":"Service Unavailable"}`}},
		{name: "suspended account", route: "GET /2/dm_events", class: connector.AuthRevoked, fault: xfake.Fault{Status: 403,
			ContentType: "application/json", Body: `{"title":"Forbidden","detail":"Your account is suspended and is not permitted to access this feature.","type":"about:blank","status":403,"code":64,"message":"Forbidden"}`}},
		{name: "rate limited send", route: "POST /2/dm_conversations/{id}/messages", class: connector.RateLimited, fault: xfake.Fault{Status: 429,
			Header:      http.Header{"X-Rate-Limit-Reset": {reset}},
			ContentType: "application/json", Body: `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429,"code":88,"message":"Too Many Requests"}`}},
		{name: "recipient does not take messages", route: "POST /2/dm_conversations/{id}/messages", class: connector.Invalid, fault: xfake.Fault{Status: 403,
			ContentType: "application/json", Body: `{"title":"Forbidden","detail":"You cannot send messages to this user.","type":"about:blank","status":403,"code":349,"message":"Forbidden"}`}},
		{name: "send without an answer", route: "POST /2/dm_conversations/{id}/messages", class: connector.Ambiguous, fault: xfake.Fault{Drop: true}},
		{name: "send with a server error", route: "POST /2/dm_conversations/{id}/messages", class: connector.Ambiguous, fault: xfake.Fault{Status: 500,
			ContentType: "application/json", Body: `{"title":"Internal Server Error","detail":"boom","type":"about:blank","status":500,"code":131,"message":"Internal error"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, xfake.Config{})
			fan := e.srv.AddUser("fan", "A Fan")
			conv := xfake.ConversationID(e.user.ID, fan.ID)
			f := tt.fault
			f.Route = tt.route
			e.srv.Inject(f)
			var err error
			if strings.HasPrefix(tt.route, "GET") {
				_, _, err = e.c.DirectMessages(ctx(t), e.acct, "")
			} else {
				_, err = e.c.SendDM(ctx(t), e.acct, conv, herald.RemoteRef{}, connector.Part{Text: "hello"})
			}
			if reason := connector.DMRefused(err); reason != "" {
				t.Fatalf("%v taken for a refusal", err)
			}
			if got := classOf(t, err); got != tt.class {
				t.Errorf("class %s; want %s (%v)", got, tt.class, err)
			}
			if tt.class == connector.RateLimited {
				var ce *connector.Error
				if errors.As(err, &ce); ce.RetryAfter <= 0 {
					t.Errorf("no wait from x-rate-limit-reset: %+v", ce)
				}
			}
		})
	}
}
