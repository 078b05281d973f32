package bluesky

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fakeAppView answers searchPosts with total posts, pageSize at a time.
func fakeAppView(tb testing.TB, total int, handle func(w http.ResponseWriter, r *http.Request) bool) (*httptest.Server, *[]string) {
	var (
		mu      sync.Mutex
		queries []string
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+searchPath, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		if handle != nil && handle(w, r) {
			return
		}
		q := r.URL.Query()
		limit, _ := strconv.Atoi(q.Get("limit"))
		from, _ := strconv.Atoi(q.Get("cursor"))
		var posts []string
		for i := from; i < total && len(posts) < limit; i++ {
			posts = append(posts, fmt.Sprintf(`{"uri":"at://%s/app.bsky.feed.post/r%d","cid":"bafy%d",
				"author":{"did":"%s","handle":"alice.test","displayName":"Alice"},
				"record":{"$type":"app.bsky.feed.post","text":"acme %d","createdAt":"2026-03-01T10:00:00Z","langs":["en"],
				  "facets":[{"index":{"byteStart":0,"byteEnd":4},"features":[{"$type":"app.bsky.richtext.facet#tag","tag":"acme"}]}]},
				"indexedAt":"2026-03-01T10:00:01Z","likeCount":3}`, aliceDID, i, i, aliceDID, i))
		}
		cursor := ""
		if next := from + len(posts); next < total {
			cursor = fmt.Sprintf(`,"cursor":"%d"`, next)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"posts":[%s]%s}`, join(posts), cursor)
	})
	srv := httptest.NewServer(mux)
	tb.Cleanup(srv.Close)
	return srv, &queries
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ","
		}
		out += v
	}
	return out
}

func TestSearchPages(t *testing.T) {
	srv, queries := fakeAppView(t, 250, nil)
	since := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	posts, err := Search(context.Background(), srv.Client(), srv.URL+"/", "acme", since, 230)
	if err != nil {
		t.Fatal(err)
	}
	if len(posts) != 230 {
		t.Fatalf("got %d posts; want 230", len(posts))
	}
	want := []string{
		"limit=100&q=acme&since=2026-02-01T00%3A00%3A00Z&sort=latest",
		"cursor=100&limit=100&q=acme&since=2026-02-01T00%3A00%3A00Z&sort=latest",
		"cursor=200&limit=30&q=acme&since=2026-02-01T00%3A00%3A00Z&sort=latest",
	}
	if !equal(*queries, want) {
		t.Errorf("queries =\n%q\nwant\n%q", *queries, want)
	}
	p := posts[7]
	if p.RemoteID != "at://"+aliceDID+"/app.bsky.feed.post/r7" || p.CID != "bafy7" || p.AuthorID != aliceDID ||
		p.AuthorHandle != "alice.test" || p.AuthorName != "Alice" || p.AuthorFollowers != -1 || p.Text != "acme 7" ||
		!equal(p.Tags, []string{"acme"}) || !equal(p.Languages, []string{"en"}) ||
		!p.PostedAt.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || p.Platform != "bluesky" {
		t.Errorf("post = %+v", p)
	}
	// The end of the results ends the search early.
	posts, err = Search(context.Background(), srv.Client(), srv.URL, "acme", time.Time{}, 1000)
	if err != nil || len(posts) != 250 {
		t.Errorf("Search to the end = %d posts, %v; want 250", len(posts), err)
	}
}

func TestSearchErrors(t *testing.T) {
	reset := time.Now().Add(90 * time.Second).Truncate(time.Second)
	srv, _ := fakeAppView(t, 10, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Query().Get("q") {
		case "bad":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"InvalidRequest","message":"Error: q must not be empty"}`)
		case "slow":
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`)
		case "down":
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>upstream gone</html>")
		default:
			return false
		}
		return true
	})
	ctx := context.Background()
	_, err := Search(ctx, srv.Client(), srv.URL, "bad", time.Time{}, 10)
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Status != 400 || e.Name != "InvalidRequest" || e.Message != "Error: q must not be empty" || e.Temporary() {
		t.Errorf("400: %v (%+v)", err, e)
	}
	_, err = Search(ctx, srv.Client(), srv.URL, "slow", time.Time{}, 10)
	e, ok = errors.AsType[*Error](err)
	if !ok || !e.RateLimited() || !e.RetryAt.Equal(reset) || !e.Temporary() {
		t.Errorf("429: %v (%+v); want retry at %v", err, e, reset)
	}
	_, err = Search(ctx, srv.Client(), srv.URL, "down", time.Time{}, 10)
	e, ok = errors.AsType[*Error](err)
	if !ok || e.Status != 502 || e.Message != "<html>upstream gone</html>" || !e.Temporary() {
		t.Errorf("502: %v (%+v)", err, e)
	}
	for _, appview := range []string{"", "ftp://x", "::"} {
		if _, err := Search(ctx, nil, appview, "x", time.Time{}, 1); err == nil {
			t.Errorf("Search on %q = nil error", appview)
		}
	}
	if _, err := Search(ctx, nil, srv.URL, " ", time.Time{}, 1); err == nil {
		t.Error("an empty query was sent")
	}
}

func TestRetryAt(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    http.Header
		want time.Time
	}{
		{http.Header{"Ratelimit-Reset": {"1772359260"}}, time.Unix(1772359260, 0).UTC()},
		{http.Header{"Ratelimit-Reset": {"30"}}, now.Add(30 * time.Second)},
		{http.Header{"Retry-After": {"5"}}, now.Add(5 * time.Second)},
		{http.Header{"Retry-After": {"Sun, 01 Mar 2026 10:01:00 GMT"}}, now.Add(time.Minute)},
		{http.Header{}, time.Time{}},
	} {
		if got := retryAt(tc.h, now); !got.Equal(tc.want) {
			t.Errorf("retryAt(%v) = %v; want %v", tc.h, got, tc.want)
		}
	}
}
