package bluesky_test

import (
	"context"
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
