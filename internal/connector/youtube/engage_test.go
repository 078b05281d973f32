package youtube

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// clock is a settable time for the fake's comments.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestInboxCursorAndReplies(t *testing.T) {
	e := newEnv(t)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	e.srv.SetClock(clk.now)
	ref, err := e.c.Publish(ctx(t), e.acct, videoPart("k-v", 10, nil))
	if err != nil {
		t.Fatal(err)
	}
	top := e.srv.AddComment(ref.ID, "", "ann", "First!")
	clk.add(time.Second)
	// Six replies: more than a thread carries, so comments.list pages them.
	var replies []string
	for i := range 6 {
		replies = append(replies, e.srv.AddComment(ref.ID, top, "bob", fmt.Sprintf("reply %d", i)))
	}
	got, cursor, err := e.c.Mentions(ctx(t), e.acct, "")
	if err != nil {
		t.Fatalf("Mentions: %v", err)
	}
	if len(got) != 7 || got[0].RemoteID != top || got[0].ReplyTo != ref.ID || got[0].AuthorHandle != "@ann" || got[0].Text != "First!" {
		t.Fatalf("mentions %+v", got)
	}
	for i, m := range got[1:] {
		if m.RemoteID != replies[i] || m.ReplyTo != top || m.Meta["thread"] != top || m.Meta["video"] != ref.ID {
			t.Fatalf("reply %d: %+v", i, m)
		}
	}
	if e.log.Count("GET /youtube/v3/comments") != 1 {
		t.Errorf("comments.list called %d times, want once for the thread with six replies", e.log.Count("GET /youtube/v3/comments"))
	}
	if !strings.Contains(got[0].URL, "watch?v="+ref.ID+"&lc="+top) {
		t.Errorf("URL %q", got[0].URL)
	}
	// A comment in the same second as the cursor is not lost, and none is
	// given twice; the channel's own answers are not mentions.
	late := e.srv.AddComment(ref.ID, top, "cat", "same second")
	own, err := e.c.Reply(ctx(t), e.acct, herald.RemoteRef{ID: replies[2], Meta: got[3].Meta}, connector.Part{Text: "Thanks, Bob"})
	if err != nil {
		t.Fatalf("Reply: %v", err)
	}
	clk.add(time.Second)
	newer := e.srv.AddComment(ref.ID, "", "dan", "Later")
	got, cursor2, err := e.c.Mentions(ctx(t), e.acct, cursor)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].RemoteID != late || got[1].RemoteID != newer || got[1].ReplyTo != ref.ID {
		t.Fatalf("from the cursor %q: %+v", cursor, got)
	}
	if again, next, err := e.c.Mentions(ctx(t), e.acct, cursor2); err != nil || len(again) != 0 || next != "" {
		t.Fatalf("nothing new: %+v %q %v", again, next, err)
	}
	// YouTube nests one level: the answer to a reply goes to its thread.
	var mine *struct{ parent string }
	for _, c := range e.srv.Comments() {
		if c.ID == own.ID {
			mine = &struct{ parent string }{c.ParentID}
		}
	}
	if mine == nil || mine.parent != top || own.Meta["thread"] != top {
		t.Fatalf("reply %+v stored under %+v, want thread %q", own, mine, top)
	}
}

func TestMetricsAndDelete(t *testing.T) {
	e := newEnv(t)
	a, err := e.c.Publish(ctx(t), e.acct, videoPart("k-a", 10, nil))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.c.Publish(ctx(t), e.acct, videoPart("k-b", 10, nil))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetCounts(a.ID, 1200, 40, 5)
	e.srv.SetCounts(b.ID, 3, -1, -1) // likes hidden, comments off
	got, err := e.c.Metrics(ctx(t), e.acct, []herald.RemoteRef{a, b, {ID: "gone"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := got[a.ID]; m.Impressions != 1200 || m.Likes != 40 || m.Replies != 5 || m.Reposts != -1 || m.Quotes != -1 {
		t.Errorf("metrics of a: %+v", m)
	}
	if m := got[b.ID]; m.Impressions != 3 || m.Likes != -1 || m.Replies != -1 {
		t.Errorf("metrics of b: %+v", m)
	}
	if _, ok := got["gone"]; ok || len(got) != 2 {
		t.Errorf("metrics %+v", got)
	}
	if err := e.c.Delete(ctx(t), e.acct, a); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(ctx(t), e.acct, a); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if vs := e.srv.Videos(); !vs[0].Deleted || vs[1].Deleted {
		t.Fatalf("videos %+v", vs)
	}
}
