package mastodon_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/listen/mastodon"
)

func TestPollWalksForwardWithoutGaps(t *testing.T) {
	in := newInstance(t, mastodonfake.DefaultConfig())
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	s := in.source(t, func(c *mastodon.Config) { c.PageSize, c.MaxPages = 3, 2 })
	if s.Name() != "mastodon-tag:"+strings.TrimPrefix(in.url, "http://")+"#acme" {
		t.Fatalf("Name %q", s.Name())
	}
	for i := range 4 {
		in.srv.Post(fan.ID, fmt.Sprintf("old %d #acme", i), "")
	}
	first, err := s.Poll(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(first.Posts); !slices.Equal(got, []string{"old 1 #acme", "old 2 #acme", "old 3 #acme"}) {
		t.Fatalf("first poll (newest page only, oldest first): %q", got)
	}
	var want []string
	for i := range 8 {
		text := fmt.Sprintf("new %d #acme", i)
		in.srv.Post(fan.ID, text, "")
		in.srv.Post(fan.ID, "untagged", "")
		want = append(want, text)
	}
	var got []string
	cursor := first.Cursor
	for range 3 { // 8 posts, 3 a page, 2 pages a poll: 6, then 2, then none
		b, err := s.Poll(t.Context(), cursor)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, texts(b.Posts)...)
		if len(b.Posts) > 0 && b.Cursor == cursor {
			t.Fatal("the cursor did not move")
		}
		cursor = b.Cursor
	}
	if !slices.Equal(got, want) {
		t.Fatalf("polled %q, want %q", got, want)
	}
	if last := in.srv.Statuses(); cursor != last[len(last)-2].ID {
		t.Fatalf("cursor %s, want the newest tagged status", cursor)
	}
}

func TestPostMapping(t *testing.T) {
	in := newInstance(t, mastodonfake.DefaultConfig())
	far := in.srv.AddRemoteAccount("far", "far.example", "Far Away")
	in.srv.SetFollowCounts(far.ID, 1234, 5)
	parent := in.srv.Post(in.me.ID, "the parent", "")
	id := in.srv.PostWith(far.ID, "Hello @herald, see https://example.com/a/very/long/path #Acme #Rockets\n\nsecond paragraph",
		mastodonfake.PostOptions{InReplyTo: parent, Language: "de"})
	b, err := in.source(t, nil).Poll(t.Context(), parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Posts) != 1 {
		t.Fatalf("%d posts", len(b.Posts))
	}
	p := b.Posts[0]
	host := strings.TrimPrefix(in.url, "http://")
	want := map[string]string{
		"Platform": "mastodon", "RemoteID": "https://far.example/users/far/statuses/" + id, "URL": "https://far.example/@far/" + id,
		"AuthorID": "far@far.example", "AuthorHandle": "far@far.example", "AuthorName": "Far Away",
		"Text":    "Hello @herald, see https://example.com/a/very/long/path #Acme #Rockets\n\nsecond paragraph",
		"ReplyTo": "mastodon-id:" + host + "/" + parent,
	}
	got := map[string]string{"Platform": p.Platform, "RemoteID": p.RemoteID, "URL": p.URL, "AuthorID": p.AuthorID,
		"AuthorHandle": p.AuthorHandle, "AuthorName": p.AuthorName, "Text": p.Text, "ReplyTo": p.ReplyTo}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	if p.AuthorFollowers != 1234 || !slices.Equal(p.Languages, []string{"de"}) || !slices.Equal(p.Tags, []string{"acme", "rockets"}) ||
		!slices.Equal(p.Mentions, []string{"herald@" + host}) || p.PostedAt.IsZero() || p.SeenAt.IsZero() {
		t.Errorf("post %+v", p)
	}
	if b.Cursor != id {
		t.Errorf("cursor %s, want %s", b.Cursor, id)
	}
}

func TestRateLimitWaitsForReset(t *testing.T) {
	cfg := mastodonfake.DefaultConfig()
	cfg.RateLimit, cfg.RateWindow = 2, 300*time.Millisecond // a short window the fake resets
	in := newInstance(t, cfg)
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	from := in.srv.Post(fan.ID, "start", "")
	for i := range 5 {
		in.srv.Post(fan.ID, fmt.Sprintf("p%d #acme", i), "")
	}
	var mu sync.Mutex
	var waits []time.Duration
	sleep := func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		time.Sleep(d)
		return nil
	}
	s := in.source(t, func(c *mastodon.Config) { c.PageSize = 1 }, mastodon.WithSleep(sleep))
	b, err := s.Poll(t.Context(), from)
	if err != nil {
		t.Fatalf("poll under the rate limit: %v", err)
	}
	if len(b.Posts) != 5 {
		t.Fatalf("%d posts, want 5", len(b.Posts))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) < 2 {
		t.Fatalf("waited %v: want a wait for each reset (7 calls, 2 per window)", waits)
	}
	for _, w := range waits {
		if w <= 0 || w > 300*time.Millisecond {
			t.Errorf("wait %v outside the window", w)
		}
	}
}

func TestTooManyRequestsIsWaitedOut(t *testing.T) {
	in := newInstance(t, mastodonfake.DefaultConfig())
	fan, _ := in.srv.AddAccount("fan", "A Fan")
	from := in.srv.Post(fan.ID, "start", "")
	in.srv.Post(fan.ID, "one #acme", "")
	s := in.source(t, nil)
	s.Poll(t.Context(), from) // learns the instance first
	reset := time.Now().Add(150 * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z")
	in.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: "/api/v1/timelines/tag/acme", Status: http.StatusTooManyRequests,
		ContentType: "application/json", Body: `{"error":"Too many requests"}`,
		Header: http.Header{"X-Ratelimit-Limit": {"300"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {reset}}})
	start := time.Now()
	b, err := s.Poll(t.Context(), from)
	if err != nil || len(b.Posts) != 1 {
		t.Fatalf("after a 429: %v, %d posts", err, len(b.Posts))
	}
	if time.Since(start) < 100*time.Millisecond {
		t.Errorf("did not wait for the reset")
	}
}

func TestErrorsCarryTheServersMessage(t *testing.T) {
	in := newInstance(t, mastodonfake.DefaultConfig())
	s := in.source(t, nil)
	for _, c := range []struct {
		status int
		body   string
		class  connector.Class
	}{
		{http.StatusNotFound, `{"error":"Record not found"}`, connector.Invalid},
		{http.StatusForbidden, `{"error":"This action is outside the authorized scopes"}`, connector.AuthRevoked},
		{http.StatusServiceUnavailable, `{"error":"Upstream is down"}`, connector.Transient},
	} {
		in.srv.Inject(mastodonfake.Fault{Method: http.MethodGet, Path: "/api/v1/timelines/tag/acme", Status: c.status,
			ContentType: "application/json", Body: c.body})
		_, err := s.Poll(t.Context(), "1")
		var ce *connector.Error
		if !errors.As(err, &ce) || ce.Class != c.class || ce.Status != c.status || !strings.Contains(err.Error(), c.body[10:len(c.body)-2]) {
			t.Errorf("HTTP %d: %v, want class %s with the server's message", c.status, err, c.class)
		}
	}
	in.srv.RevokeToken(in.token)
	_, err := s.Poll(t.Context(), "1")
	if connector.ClassOf(err) != connector.AuthRevoked || !strings.Contains(err.Error(), "The access token is invalid") {
		t.Errorf("revoked token: %v", err)
	}
}
