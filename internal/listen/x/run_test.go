package x_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/listen/source"
	"github.com/heraldsocial/herald/internal/listen/x"
)

const searchRoute = "GET /2/tweets/search/recent"

// TestNotEnrolledStops: an account whose access level lacks recent search
// stops the source with an error that says so, and the capability shows
// it; with access the probe says it can search.
func TestNotEnrolledStops(t *testing.T) {
	e := newEnv(t, xfake.Config{NoSearchAccess: true})
	s := e.source(t, nil)
	caps, err := s.Capabilities(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rs := caps.RecentSearch; rs.Supported || !rs.Known ||
		!strings.Contains(rs.Note, "this X account's API access does not include recent search (Basic tier or above)") {
		t.Fatalf("capability %+v", rs)
	}
	err = s.Run(t.Context(), "", &collector{})
	if !errors.Is(err, x.ErrNoSearchAccess) ||
		!strings.Contains(err.Error(), "this X account's API access does not include recent search (Basic tier or above)") {
		t.Fatalf("Run: %v", err)
	}
	if w := e.clock.slept(); len(w) != 0 {
		t.Fatalf("Run waited %v before stopping", w)
	}

	ok := newEnv(t, xfake.Config{})
	s = ok.source(t, nil)
	if c := s.Observed(); c.RecentSearch.Known {
		t.Fatalf("known before any answer: %+v", c)
	}
	caps, err = s.Capabilities(t.Context())
	if err != nil || !caps.RecentSearch.Supported || !caps.RecentSearch.Known || !caps.Query.Supported {
		t.Fatalf("with access: %v %+v", err, caps)
	}
}

// TestTokenRefused: a 401 asks the token source once more (the refresh
// job may have replaced the token); a token X still refuses stops the
// source with ErrTokenRefused.
func TestTokenRefused(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	e.post(e.fan, "acme", 0)
	fresh := e.srv.IssueToken(e.me.ID)
	var asked atomic.Int32
	s := e.source(t, func(c *x.Config) {
		c.Token = ""
		c.TokenSource = func(context.Context) (string, error) {
			if asked.Add(1) == 1 {
				return "at-stale", nil
			}
			return fresh.Access, nil
		}
	})
	b, err := s.Poll(t.Context(), "")
	if err != nil || len(b.Posts) != 1 || asked.Load() != 2 {
		t.Fatalf("after a renewed token: %v, %d posts, asked %d times", err, len(b.Posts), asked.Load())
	}
	e.srv.RevokeUser(e.me.ID)
	_, err = s.Poll(t.Context(), b.Cursor)
	if !errors.Is(err, x.ErrTokenRefused) || !strings.Contains(err.Error(), "reconnect the X account") {
		t.Fatalf("revoked: %v", err)
	}
	if c := s.Observed().RecentSearch; c.Supported || !c.Known {
		t.Fatalf("capability %+v", c)
	}
}

// corrupt is a transport that replaces the body of the answers whose
// number (from 1) is in bad.
type corrupt struct {
	mu   sync.Mutex
	n    int
	bad  map[int]string
	next http.RoundTripper
}

func (c *corrupt) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(r)
	if err != nil {
		return res, err
	}
	c.mu.Lock()
	c.n++
	body, ok := c.bad[c.n]
	c.mu.Unlock()
	if ok {
		res.Body.Close()
		res.Body = io.NopCloser(bytes.NewReader([]byte(body)))
		res.ContentLength = int64(len(body))
		res.Header.Del("Content-Length")
	}
	return res, nil
}

// TestMalformedAnswersSkipped: a page that is not JSON is counted and
// skipped without losing what it held (the next poll reads it); posts
// and users that are not the expected JSON are counted and skipped.
func TestMalformedAnswersSkipped(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	start := e.post(e.fan, "start", time.Hour).ID
	var want []string
	for i := range 25 {
		want = append(want, "acme "+strconv.Itoa(i))
		e.post(e.fan, want[i], 0)
	}
	tr := &corrupt{next: http.DefaultTransport, bad: map[int]string{
		2: `{"data":[{"id":"1","text":`, // page 2 of the first poll
		5: `{"data":[{"id":"` + strings.Repeat("9", 19) + `","text":"acme ok","author_id":"7"},{"id":5},"junk",{"text":"no id"}],` +
			`"includes":{"users":[{"id":"7","username":"seven"},{"id":8}]},"meta":{"result_count":4}}`,
	}}
	s, err := x.New(&http.Client{Transport: tr}, x.Config{BaseURL: e.url, Query: "acme", Token: e.tok.Access, MaxResults: 10},
		x.WithClock(e.clock.Now), x.WithSleep(e.clock.sleep), x.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	b, err := s.Poll(t.Context(), start)
	if err != nil {
		t.Fatal(err)
	}
	c.Accept(t.Context(), b)
	if len(b.Posts) != 10 || s.Stats().Malformed != 1 {
		t.Fatalf("poll with a broken page 2: %d posts, stats %+v", len(b.Posts), s.Stats())
	}
	for len(c.texts()) < 25 {
		if b, err = s.Poll(t.Context(), b.Cursor); err != nil {
			t.Fatal(err)
		}
		c.Accept(t.Context(), b)
		if tr.n > 5 {
			t.Fatalf("after %d requests: %q", tr.n, c.texts())
		}
	}
	got := c.texts()
	if len(got) != 25 {
		t.Fatalf("%d posts", len(got))
	}
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g] {
			t.Fatalf("%q twice", g)
		}
		seen[g] = true
	}
	b, err = s.Poll(t.Context(), b.Cursor) // answer 5: one good post among broken ones
	if err != nil || len(b.Posts) != 1 || b.Posts[0].AuthorHandle != "seven" || s.Stats().Malformed != 5 {
		t.Fatalf("mixed answer: %v %+v, stats %+v", err, b.Posts, s.Stats())
	}
}

// TestDefaultPollIntervalWithinRateLimit: with the defaults (a poll a
// minute) the source stays within X's self-serve limit of 60 searches
// per 15 minutes; with a smaller limit the waits stretch so that no 429
// comes. The waits are read from the fake clock, not waited.
func TestDefaultPollIntervalWithinRateLimit(t *testing.T) {
	for _, limit := range []int{0, 5} {
		t.Run("limit "+strconv.Itoa(limit), func(t *testing.T) {
			e := newEnv(t, xfake.Config{SearchRateLimit: limit, AccessTTL: 48 * time.Hour})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			polls := 0
			e.clock.onSleep = func(time.Duration) {
				e.post(e.fan, "acme "+strconv.Itoa(polls), 0)
				if polls++; polls == 40 {
					cancel()
				}
			}
			s := e.source(t, func(c *x.Config) { c.Token = e.tok.Access })
			c := &collector{}
			if err := s.Run(ctx, "", c); err != nil {
				t.Fatal(err)
			}
			st := s.Stats()
			if st.RateLimited != 0 || st.Requests != 40 {
				t.Fatalf("stats %+v: want 40 polls and no 429", st)
			}
			waits := e.clock.slept()
			for i, w := range waits {
				switch {
				case limit == 0 && w != time.Minute:
					t.Fatalf("wait %d is %v, want the default minute", i, w)
				case w < time.Minute:
					t.Fatalf("wait %d is %v, shorter than the poll interval", i, w)
				}
			}
			if limit == 5 && waits[1] <= time.Minute {
				t.Fatalf("waits %v: want them stretched to spread 5 calls over 15 minutes", waits[:5])
			}
			if n := len(c.texts()); n != 39 {
				t.Fatalf("%d posts delivered, want 39", n)
			}
		})
	}
}

// TestBackoff: failures that may pass are tried again after 1 s
// doubling (with jitter); then polling goes on.
func TestBackoff(t *testing.T) {
	e := newEnv(t, xfake.Config{})
	e.srv.Inject(xfake.Fault{Route: searchRoute, Status: http.StatusServiceUnavailable, ContentType: "application/json",
		Body: `{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}`, Times: 4, Raw: true})
	e.post(e.fan, "acme", 0)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	c := &collector{}
	e.clock.onSleep = func(time.Duration) {
		if len(c.texts()) > 0 {
			cancel()
		}
	}
	if err := e.source(t, nil).Run(ctx, "", c); err != nil {
		t.Fatal(err)
	}
	waits := e.clock.slept()
	if len(waits) != 5 {
		t.Fatalf("waits %v", waits)
	}
	for i, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		if waits[i] < base/2 || waits[i] >= base*3/2 {
			t.Errorf("backoff %d is %v, want about %v", i, waits[i], base)
		}
	}
	once(t, c.texts(), []string{"acme"})
}

// TestRunLive: Run on the real clock with a short interval (for the fake
// only, which sets no rate limit here: the headers would stretch the
// interval) delivers new posts as they come and stops when ctx ends.
func TestRunLive(t *testing.T) {
	e := newEnv(t, xfake.Config{Now: time.Now, SearchRateLimit: -1})
	s, err := x.New(nil, x.Config{BaseURL: e.url, Query: "acme", Token: e.tok.Access, PollInterval: 20 * time.Millisecond},
		x.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	c := &collector{}
	go func() { done <- s.Run(ctx, "", c) }()
	var want []string
	for i := range 3 {
		want = append(want, "acme live "+strconv.Itoa(i))
		e.post(e.fan, want[i], 0)
		deadline := time.Now().Add(10 * time.Second)
		for len(c.texts()) < i+1 {
			if time.Now().After(deadline) {
				t.Fatalf("timed out; got %q", c.texts())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	once(t, c.texts(), want)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.names {
		if n != s.Name() {
			t.Fatalf("batch of %q", n)
		}
	}
}

var _ source.Sink = (*collector)(nil)
