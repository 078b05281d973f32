package bluesky_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestCheckPosts: of two mentions by bob, the one he deleted is gone and
// the other reads as written; a post nobody has is gone too.
func TestCheckPosts(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	kept, err := e.c.Publish(ctx, e.bob, connector.Part{Text: "hey @alice.test look", Key: "bob-1"})
	if err != nil {
		t.Fatal(err)
	}
	deleted, err := e.c.Publish(ctx, e.bob, connector.Part{Text: "@alice.test rude words", Key: "bob-2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.c.Delete(ctx, e.bob, deleted); err != nil {
		t.Fatal(err)
	}
	never := herald.RemoteRef{ID: "at://did:plc:gone/app.bsky.feed.post/3kabcdefghij2"}
	got, err := e.c.CheckPosts(ctx, e.alice, []herald.RemoteRef{kept, deleted, never})
	if err != nil {
		t.Fatal(err)
	}
	if s := got[kept.ID]; s.Gone || s.Text != "hey @alice.test look" || s.EditedAt != nil {
		t.Fatalf("kept post = %+v", s)
	}
	if !got[deleted.ID].Gone || !got[never.ID].Gone {
		t.Fatalf("deleted %+v and unknown %+v, want both gone", got[deleted.ID], got[never.ID])
	}
}

// TestMentionsGap: more mentions came in than one call reads (four pages
// of 50): the first call reads the newest 200 and leaves a span; the next
// reads the older rest; every mention is read once and the cursor is the
// newest again.
func TestMentionsGap(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	if _, err := e.c.Publish(ctx, e.bob, connector.Part{Text: "hi @alice.test", Key: "bob-first"}); err != nil {
		t.Fatal(err)
	}
	_, cursor, err := e.c.Mentions(ctx, e.alice, "")
	if err != nil || cursor == "" {
		t.Fatalf("first read: %q, %v", cursor, err)
	}
	var want []string
	for i := range 230 {
		ref, err := e.c.Publish(ctx, e.bob, connector.Part{Text: fmt.Sprintf("@alice.test number %d", i), Key: fmt.Sprint("bob-", i)})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, ref.ID)
	}
	seen := map[string]int{}
	var calls []int
	for range 4 {
		got, next, err := e.c.Mentions(ctx, e.alice, cursor)
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
	if len(calls) < 2 || calls[0] != 200 || calls[1] != 30 {
		t.Fatalf("mentions per call %v, want 200 then 30", calls)
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Fatalf("mention %s read %d times, want once", id, seen[id])
		}
	}
	if strings.HasPrefix(cursor, "gap") {
		t.Fatalf("the cursor still holds a span after reading it: %q", cursor)
	}
}
