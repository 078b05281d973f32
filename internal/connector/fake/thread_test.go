package fake_test

import (
	"context"
	"testing"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestConversationThread: a reply in the middle of a conversation is read with the
// posts above it, oldest first, and every reply below it, nested ones too.
func TestConversationThread(t *testing.T) {
	_, base := platform(t, fakeserver.Config{})
	c := fake.New(nil)
	ctx := context.Background()
	alice := account("alice", fake.Credentials{BaseURL: base, AccessToken: "alice"})
	bob := account("bob", fake.Credentials{BaseURL: base, AccessToken: "bob"})
	root, err := c.Publish(ctx, alice, part("k-root", "Our launch is today"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Reply(ctx, bob, root, part("k-q", "@alice when does it ship?"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Reply(ctx, alice, q, part("k-a", "Tomorrow!"))
	if err != nil {
		t.Fatal(err)
	}
	thanks, err := c.Reply(ctx, bob, a, part("k-thanks", "Great, thanks"))
	if err != nil {
		t.Fatal(err)
	}
	th, err := c.Thread(ctx, alice, herald.RemoteRef{ID: q.ID})
	if err != nil {
		t.Fatal(err)
	}
	if th.Post.RemoteID != q.ID || th.Post.Text != "@alice when does it ship?" || th.Post.AuthorHandle != "@bob" || th.Post.ReplyTo != root.ID {
		t.Errorf("post = %+v", th.Post)
	}
	if len(th.Ancestors) != 1 || th.Ancestors[0].RemoteID != root.ID || th.Ancestors[0].AuthorID != "alice" {
		t.Errorf("ancestors = %+v, want the root", th.Ancestors)
	}
	if len(th.Replies) != 2 || th.Replies[0].RemoteID != a.ID || th.Replies[1].RemoteID != thanks.ID || th.Replies[1].ReplyTo != a.ID {
		t.Errorf("replies = %+v, want alice's answer then bob's thanks", th.Replies)
	}
	if _, err := c.Thread(ctx, alice, herald.RemoteRef{ID: "999999"}); err == nil {
		t.Error("the thread of a post that does not exist was read")
	}
}
