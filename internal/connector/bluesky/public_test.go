package bluesky_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
)

func TestPublicProfileAndPosts(t *testing.T) {
	e := newEnv(t, blueskyfake.Config{})
	ctx := context.Background()
	rival := e.fake.CreateAccount("rival.test", "Rival")
	e.fake.SetFollowCounts(rival.DID, 800, 20)
	p, err := e.c.PublicProfile(ctx, e.alice, "@rival.test")
	if err != nil {
		t.Fatalf("PublicProfile: %v", err)
	}
	if p.RemoteID != rival.DID || p.Handle != "rival.test" || p.DisplayName != "Rival" || p.Followers != 800 || p.Following != 20 {
		t.Fatalf("profile %+v", p)
	}
	if _, err := e.c.PublicProfile(ctx, e.alice, "nobody.test"); !errors.Is(err, connector.ErrNoSuchProfile) {
		t.Fatalf("an unknown handle: %v, want ErrNoSuchProfile", err)
	}

	now := time.Now().UTC()
	old := e.fake.Post(rival.DID, "last week", "", now.Add(-7*24*time.Hour))
	first := e.fake.Post(rival.DID, "launch day", "", now.Add(-3*time.Hour))
	e.fake.Post(rival.DID, "a reply", first, now.Add(-2*time.Hour))
	second := e.fake.Post(rival.DID, "more news", "", now.Add(-time.Hour))
	e.fake.Like(e.aliceInfo.DID, first)
	e.fake.Like(e.bobInfo.DID, first)
	bobs := e.fake.Post(e.bobInfo.DID, "bob's post", "", now.Add(-30*time.Minute))
	e.fake.Repost(rival.DID, bobs, now.Add(-20*time.Minute))
	posts, err := e.c.PublicPosts(ctx, e.alice, rival.DID, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatalf("PublicPosts: %v", err)
	}
	if len(posts) != 2 || posts[0].RemoteID != second || posts[1].RemoteID != first {
		t.Fatalf("posts %+v; want the two top-level posts of the day, not the reply, the repost or %s", posts, old)
	}
	// Two likes and the reply's count.
	if got := posts[1].Engagements(); got != 3 {
		t.Errorf("engagements %d, want 3", got)
	}
	if posts[1].Text != "launch day" || posts[1].URL == "" {
		t.Errorf("post %+v", posts[1])
	}
	if n := e.fake.Calls("app.bsky.feed.getAuthorFeed"); n != 1 {
		t.Errorf("%d feed calls; the first page already reached back past since", n)
	}
}
