package threads_test

import (
	"bytes"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/threads"
	"github.com/heraldsocial/herald/internal/connector/threads/threadsfake"
)

func ids(ms []connector.Mention) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.RemoteID)
	}
	return out
}

func (e *env) noViolations(t *testing.T) {
	t.Helper()
	if v := e.fake.Violations(); len(v) > 0 {
		t.Errorf("contract violations:\n%s", strings.Join(v, "\n"))
	}
}

// TestInboxMentionsAndReplies: posts tagging the account join the replies
// in one stream, oldest first, each once (a reply that also tags the
// account comes as the reply), and the cursor moves past them, including
// another mention in the same second as the last.
func TestInboxMentionsAndReplies(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	post, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "New menu today"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	tag := e.fake.PostAs(e.fan.ID, "Best flat white in town: @herald.cafe.")
	e.clock.Add(time.Second)
	both := e.fake.ReplyAs(e.fan.ID, post.ID, "Looks great @Herald.Cafe")
	e.clock.Add(time.Second)
	e.fake.PostAs(e.fan.ID, "@herald.cafeteria is another place") // not the account
	e.fake.PostAs(e.user.ID, "we are @herald.cafe")               // the account itself
	got, cursor, err := e.c.Mentions(ctx(t), acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(ids(got), " "); s != tag+" "+both {
		t.Fatalf("mentions %v, want %s then %s: %+v", s, tag, both, got)
	}
	if m := got[0]; m.Meta["kind"] != "mention" || m.AuthorHandle != "@a.fan" || m.ReplyTo != "" ||
		!strings.Contains(m.URL, tag) || m.Meta["media_type"] != "TEXT_POST" || m.CreatedAt.IsZero() {
		t.Errorf("the mention %+v", m)
	}
	if m := got[1]; m.ReplyTo != post.ID || m.Meta["root_post"] != post.ID || m.Meta["kind"] == "mention" {
		t.Errorf("the reply that also tags %+v", m)
	}
	if !strings.HasPrefix(cursor, "r=") || !strings.Contains(cursor, ";m=") {
		t.Fatalf("cursor %q", cursor)
	}
	again, same, err := e.c.Mentions(ctx(t), acct, cursor)
	if err != nil || len(again) != 0 || same != "" {
		t.Fatalf("from the cursor: %+v %q %v, want nothing and the cursor kept", again, same, err)
	}
	// A mention in the very second of the last one, then one later.
	e.clock.Add(-time.Second)
	late := e.fake.PostAs(e.fan.ID, "again @herald.cafe")
	e.clock.Add(2 * time.Second)
	later := e.fake.PostAs(e.fan.ID, "and again @herald.cafe")
	more, next, err := e.c.Mentions(ctx(t), acct, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(ids(more), " "); s != late+" "+later {
		t.Fatalf("new mentions %v, want %s %s", s, late, later)
	}
	if next == "" || next == cursor {
		t.Fatalf("the cursor did not advance: %q", next)
	}
	if none, _, err := e.c.Mentions(ctx(t), acct, next); err != nil || len(none) != 0 {
		t.Fatalf("after the new cursor: %+v %v", none, err)
	}
	e.noViolations(t)
}

// TestInboxOldCursor: a cursor stored by the replies-only inbox
// ("unix|ids") still marks the replies read; mentions start afresh.
func TestInboxOldCursor(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	post, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "Open late tonight"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	reply := e.fake.ReplyAs(e.fan.ID, post.ID, "Until when?")
	old := strconv.FormatInt(e.clock.Now().Unix(), 10) + "|" + reply
	e.clock.Add(time.Second)
	tag := e.fake.PostAs(e.fan.ID, "Meet at @herald.cafe")
	e.clock.Add(time.Second)
	newer := e.fake.ReplyAs(e.fan.ID, post.ID, "Thanks")
	got, cursor, err := e.c.Mentions(ctx(t), acct, old)
	if err != nil {
		t.Fatal(err)
	}
	if s := strings.Join(ids(got), " "); s != tag+" "+newer {
		t.Fatalf("from the old cursor %v, want %s %s", s, tag, newer)
	}
	if !strings.HasPrefix(cursor, "r="+strconv.FormatInt(e.clock.Now().Unix(), 10)+"|"+newer+";m=") {
		t.Errorf("cursor %q", cursor)
	}
	// An old cursor with nothing new keeps itself.
	old2 := strconv.FormatInt(e.clock.Now().Unix(), 10) + "|" + newer
	e.clock.Add(time.Hour)
	got, _, err = e.c.Mentions(ctx(t), acct, old2)
	if err != nil || strings.Join(ids(got), " ") != tag {
		t.Fatalf("the old cursor %q: %v %v, want only the mention %s", old2, ids(got), err, tag)
	}
	e.noViolations(t)
}

// TestInboxWithoutMentionsPermission: a token without
// threads_manage_mentions gets the replies, no error, and one log line.
func TestInboxWithoutMentionsPermission(t *testing.T) {
	e := newEnv(t)
	e.fake.Withhold(threadsfake.ScopeMentions)
	var logs bytes.Buffer
	e.c = threads.New(e.ts.Client(), threads.WithApp("th-app", "th-secret"), threads.WithBaseURL(e.ts.URL, e.ts.URL),
		threads.WithMediaURL(mediaURL), threads.WithClock(e.clock.Now), threads.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	acct := e.account(t)
	post, err := e.c.Publish(ctx(t), acct, connector.Part{Text: "Hello"})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Add(time.Second)
	e.fake.PostAs(e.fan.ID, "Hi @herald.cafe")
	reply := e.fake.ReplyAs(e.fan.ID, post.ID, "Hi back")
	got, cursor, err := e.c.Mentions(ctx(t), acct, "")
	if err != nil {
		t.Fatalf("Mentions without the permission: %v", err)
	}
	if strings.Join(ids(got), " ") != reply || cursor == "" {
		t.Fatalf("got %v %q, want the reply %s alone", ids(got), cursor, reply)
	}
	if e.fake.Requests(threadsfake.RouteMentions) != 1 {
		t.Errorf("the mentions endpoint was asked %d times", e.fake.Requests(threadsfake.RouteMentions))
	}
	e.clock.Add(time.Second)
	second := e.fake.ReplyAs(e.fan.ID, post.ID, "Still there?")
	got, _, err = e.c.Mentions(ctx(t), acct, cursor)
	if err != nil || strings.Join(ids(got), " ") != second {
		t.Fatalf("second sync: %v %v", ids(got), err)
	}
	if n := strings.Count(logs.String(), "threads_manage_mentions"); n != 1 {
		t.Errorf("logged the missing permission %d times:\n%s", n, logs.String())
	}
	e.noViolations(t)
}

// TestInboxMentionPages: more mentions than a page come in pages, each
// once, oldest first.
func TestInboxMentionPages(t *testing.T) {
	e := newEnv(t)
	acct := e.account(t)
	var want []string
	for i := range 150 {
		e.clock.Add(time.Second)
		want = append(want, e.fake.PostAs(e.fan.ID, "visit "+strconv.Itoa(i)+" @herald.cafe"))
	}
	got, cursor, err := e.c.Mentions(ctx(t), acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ids(got), " ") != strings.Join(want, " ") {
		t.Fatalf("got %d mentions, want the %d in order", len(got), len(want))
	}
	if n := e.fake.Requests(threadsfake.RouteMentions); n < 2 {
		t.Errorf("%d requests for 150 mentions: paging was not followed", n)
	}
	again, _, err := e.c.Mentions(ctx(t), acct, cursor)
	if err != nil || len(again) != 0 {
		t.Fatalf("again: %d %v", len(again), err)
	}
	e.noViolations(t)
}
