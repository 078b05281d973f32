package x

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	var refs []herald.RemoteRef
	for i := range 120 {
		tw := e.srv.PostAs(e.user.ID, fmt.Sprintf("post %d", i), "")
		e.srv.SetMetrics(tw.ID, int64(i), 2, 3, 4, 1000+int64(i))
		refs = append(refs, herald.RemoteRef{ID: tw.ID})
	}
	old := e.srv.PostAs(e.user.ID, "old post", "")
	e.srv.SetMetrics(old.ID, 7, 1, 0, 0, 500)
	e.srv.Backdate(old.ID, 40*24*time.Hour)
	gone := e.srv.PostAs(e.user.ID, "deleted soon", "")
	if err := e.c.Delete(c, e.acct, herald.RemoteRef{ID: gone.ID}); err != nil {
		t.Fatal(err)
	}
	refs = append(refs, herald.RemoteRef{ID: old.ID}, herald.RemoteRef{ID: gone.ID}, refs[0])

	got, err := e.c.Metrics(c, e.acct, refs)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	if len(got) != 121 {
		t.Errorf("%d posts measured; want 121 (the deleted one left out)", len(got))
	}
	m := got[refs[5].ID]
	if m.Likes != 5 || m.Reposts != 2 || m.Replies != 3 || m.Quotes != 4 || m.Impressions != 1005 || m.At.IsZero() {
		t.Errorf("metrics of post 5 = %+v", m)
	}
	// The old post's non-public metrics are refused; public ones are read.
	if m := got[old.ID]; m.Likes != 7 || m.Impressions != 500 {
		t.Errorf("metrics of the old post = %+v", m)
	}
	if _, ok := got[gone.ID]; ok {
		t.Error("the deleted post has metrics")
	}
	// 123 distinct ids: two batches, and one public-only retry for the old post.
	if n := e.srv.Requests("GET /2/tweets"); n != 3 {
		t.Errorf("%d lookups; want 3", n)
	}
}

func TestMetricsWholeRequestRefused(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	tw := e.srv.PostAs(e.user.ID, "counted", "")
	e.srv.SetMetrics(tw.ID, 1, 2, 3, 4, 5)
	e.srv.Inject(xfake.Fault{Route: "GET /2/tweets", Status: 403, ContentType: "application/json",
		Body: `{"title":"Forbidden","detail":"Your plan does not include non_public_metrics.","type":"about:blank","status":403,"code":403,"message":"Forbidden"}`})
	got, err := e.c.Metrics(ctx(t), e.acct, []herald.RemoteRef{{ID: tw.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if m := got[tw.ID]; m.Likes != 1 || m.Impressions != 5 {
		t.Errorf("metrics = %+v", m)
	}
}

func TestMentions(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	mine, err := e.c.Publish(c, e.acct, connector.Part{Text: "Our news"})
	if err != nil {
		t.Fatal(err)
	}
	first := e.srv.PostAs(fan.ID, "Hello @Herald & friends", "")
	e.srv.PostAs(fan.ID, "Hello @heraldry", "") // another account
	reply := e.srv.PostAs(fan.ID, "Nice news", mine.ID)

	got, cursor, err := e.c.Mentions(c, e.acct, "")
	if err != nil {
		t.Fatalf("mentions: %v", err)
	}
	if len(got) != 2 || got[0].RemoteID != first.ID || got[1].RemoteID != reply.ID {
		t.Fatalf("mentions = %+v; want the mention then the reply", got)
	}
	m := got[0]
	if m.AuthorHandle != "@fan" || m.AuthorName != "A Fan" || m.AuthorID != fan.ID || m.Text != "Hello @Herald & friends" ||
		m.URL != "https://x.com/fan/status/"+first.ID || m.CreatedAt.IsZero() {
		t.Errorf("mention = %+v", m)
	}
	if got[1].ReplyTo != mine.ID {
		t.Errorf("reply's ReplyTo = %q; want %s", got[1].ReplyTo, mine.ID)
	}
	if cursor != reply.ID {
		t.Errorf("cursor = %q; want the newest id %s", cursor, reply.ID)
	}

	again, next, err := e.c.Mentions(c, e.acct, cursor)
	if err != nil || len(again) != 0 || next != "" {
		t.Errorf("nothing new: %v, %q, %v", again, next, err)
	}
	var want []string
	for i := range 130 {
		want = append(want, e.srv.PostAs(fan.ID, fmt.Sprintf("@herald number %d", i), "").ID)
	}
	more, next, err := e.c.Mentions(c, e.acct, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(more) != 130 || more[0].RemoteID != want[0] || more[129].RemoteID != want[129] || next != want[129] {
		t.Errorf("got %d mentions, next %q", len(more), next)
	}
	if !strings.HasPrefix(more[0].Text, "@herald number 0") {
		t.Errorf("oldest first: %q", more[0].Text)
	}
}

// TestMentionsGap: 620 mentions while Herald was away, more than one call
// reads (five pages of 100): the first call reads the newest 500 and says
// a span is left; the next reads the 120 older ones; then the cursor is
// the newest again. Every mention is read once.
func TestMentionsGap(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	c := ctx(t)
	fan := e.srv.AddUser("fan", "A Fan")
	first := e.srv.PostAs(fan.ID, "@herald hello", "")
	_, cursor, err := e.c.Mentions(c, e.acct, "")
	if err != nil || cursor != first.ID {
		t.Fatalf("first read: cursor %q, %v", cursor, err)
	}
	var want []string
	for i := range 620 {
		want = append(want, e.srv.PostAs(fan.ID, fmt.Sprintf("@herald number %d", i), "").ID)
	}
	seen := map[string]int{}
	var calls []int
	for range 4 {
		got, next, err := e.c.Mentions(c, e.acct, cursor)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, len(got))
		for _, m := range got {
			seen[m.RemoteID]++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(calls) < 2 || calls[0] != 500 || calls[1] != 120 {
		t.Fatalf("mentions per call %v, want 500 then 120", calls)
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Fatalf("mention %s read %d times, want once (of %d read)", id, seen[id], len(seen))
		}
	}
	if cursor != want[len(want)-1] {
		t.Fatalf("cursor after the gap %q, want the newest %s", cursor, want[len(want)-1])
	}
}
