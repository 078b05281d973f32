package x

import (
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
)

func TestPublicProfileAndPosts(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	rival := e.srv.AddUser("Rival_Co", "Rival Co")
	e.srv.SetFollowers(rival.ID, 5400, 12)
	p, err := e.c.PublicProfile(ctx(t), e.acct, "@rival_co")
	if err != nil {
		t.Fatalf("PublicProfile: %v", err)
	}
	if p.RemoteID != rival.ID || p.Handle != "Rival_Co" || p.Followers != 5400 || p.Following != 12 || p.Posts != 0 {
		t.Fatalf("profile %+v", p)
	}
	for _, h := range []string{"nobody_here", "not a name", "waytoolongusername_x"} {
		if _, err := e.c.PublicProfile(ctx(t), e.acct, h); !errors.Is(err, connector.ErrNoSuchProfile) {
			t.Errorf("PublicProfile(%q) = %v, want ErrNoSuchProfile", h, err)
		}
	}

	old := e.srv.PostAs(rival.ID, "last week", "")
	e.srv.Backdate(old.ID, 7*24*time.Hour)
	first := e.srv.PostAs(rival.ID, "launch day", "")
	e.srv.SetMetrics(first.ID, 10, 4, 3, 1, 900)
	reply := e.srv.PostAs(rival.ID, "thanks!", first.ID)
	second := e.srv.PostAs(rival.ID, "more", "")
	since := time.Now().Add(-24 * time.Hour)
	posts, err := e.c.PublicPosts(ctx(t), e.acct, rival.ID, since)
	if err != nil {
		t.Fatalf("PublicPosts: %v", err)
	}
	if len(posts) != 2 || posts[0].RemoteID != second.ID || posts[1].RemoteID != first.ID {
		t.Fatalf("posts %+v (the reply %s and the old post must be left out)", posts, reply.ID)
	}
	if got := posts[1].Engagements(); got != 19 {
		t.Errorf("engagements %d, want 10 likes + 4 reposts + 4 replies (3 set, then the reply) + 1 quote", got)
	}
	if posts[0].Text != "more" || posts[0].PostedAt.Before(since) {
		t.Errorf("post %+v", posts[0])
	}
}

func TestPublicPostsRateLimit(t *testing.T) {
	e := newEnv(t, xfake.Config{RateLimit: 1})
	rival := e.srv.AddUser("rival", "Rival")
	for range 101 {
		e.srv.PostAs(rival.ID, "post", "")
	}
	_, err := e.c.PublicPosts(ctx(t), e.acct, rival.ID, time.Now().Add(-time.Hour))
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter <= 0 {
		t.Fatalf("PublicPosts with a used-up limit: %v, want RateLimited with a wait", err)
	}
	if n := e.srv.Requests("GET /2/users/{id}/tweets"); n != 1 {
		t.Errorf("%d calls; the second page must wait for the reset", n)
	}
}
