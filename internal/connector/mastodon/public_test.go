package mastodon_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
)

func TestPublicProfileAndPosts(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	ctx := context.Background()
	rival := f.srv.AddRemoteAccount("rival", "rival.example", "Rival")
	f.srv.SetFollowCounts(rival.ID, 300, 7)
	p, err := c.PublicProfile(ctx, f.account(), "@rival@rival.example")
	if err != nil {
		t.Fatalf("PublicProfile: %v", err)
	}
	if p.RemoteID != rival.ID || p.Handle != "rival@rival.example" || p.Followers != 300 || p.Following != 7 {
		t.Fatalf("profile %+v", p)
	}
	if _, err := c.PublicProfile(ctx, f.account(), "nobody@rival.example"); !errors.Is(err, connector.ErrNoSuchProfile) {
		t.Fatalf("an unknown account: %v, want ErrNoSuchProfile", err)
	}

	now := time.Now().UTC()
	f.srv.PostWith(rival.ID, "last week", mastodonfake.PostOptions{CreatedAt: now.Add(-7 * 24 * time.Hour)})
	first := f.srv.PostWith(rival.ID, "launch day", mastodonfake.PostOptions{CreatedAt: now.Add(-3 * time.Hour)})
	f.srv.Engage(first, 5, 2)
	f.srv.PostWith(rival.ID, "second", mastodonfake.PostOptions{CreatedAt: now.Add(-time.Hour)})
	posts, err := c.PublicPosts(ctx, f.account(), rival.ID, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatalf("PublicPosts: %v", err)
	}
	if len(posts) != 2 || posts[1].RemoteID != first || posts[0].Text != "second" {
		t.Fatalf("posts %+v", posts)
	}
	// 5 favourites and 2 boosts.
	if got := posts[1].Engagements(); got != 7 {
		t.Errorf("engagements %d, want 7", got)
	}
}
