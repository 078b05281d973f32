package x_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/listen/source"
	"github.com/heraldsocial/herald/internal/listen/x"
)

// contract is parsed once for the package.
var contract = sync.OnceValues(func() (*xfake.Contract, error) {
	p, ok := xfake.FindSpec(".")
	if !ok {
		return nil, nil
	}
	return xfake.LoadContract(p)
})

// clock is a fake clock that sleeping moves on at once, recording each
// wait; onSleep (if set) sees every wait.
type clock struct {
	mu      sync.Mutex
	t       time.Time
	waits   []time.Duration
	onSleep func(d time.Duration)
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *clock) sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.waits = append(c.waits, d)
	on := c.onSleep
	c.mu.Unlock()
	if on != nil {
		on(d)
	}
	return ctx.Err()
}

func (c *clock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.waits)
}

// env is a fake X (checked against the OpenAPI document where
// ../shared is present) with the connected account and two other people.
type env struct {
	srv        *xfake.Server
	url        string
	me         xfake.User
	tok        xfake.Token
	fan, other xfake.User
	clock      *clock
}

func newEnv(t *testing.T, cfg xfake.Config) *env {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatalf("load the X OpenAPI document: %v", err)
	}
	var opts []xfake.Option
	if c != nil {
		opts = append(opts, xfake.WithContract(c))
	} else {
		t.Log("../shared/specs/x-api-v2.openapi.json is absent: requests and answers are not checked against it")
	}
	cl := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if cfg.Now == nil {
		cfg.Now = cl.Now
	}
	cfg.ClientID = "herald"
	srv := xfake.New(cfg, opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		for _, v := range srv.ContractErrors() {
			t.Errorf("OpenAPI contract: %s", v)
		}
	})
	me := srv.AddUser("herald", "Herald")
	e := &env{srv: srv, url: ts.URL, me: me, tok: srv.IssueToken(me.ID), clock: cl}
	e.fan = srv.AddUser("fan", "A Fan")
	e.other = srv.AddUser("other", "Someone Else")
	return e
}

// source returns a Source searching for "acme -is:retweet" on the fake
// with the fake clock, adjusted by edit.
func (e *env) source(t *testing.T, edit func(*x.Config), opts ...x.Option) *x.Source {
	t.Helper()
	cfg := x.Config{BaseURL: e.url, Query: "acme -is:retweet", Token: e.tok.Access}
	if edit != nil {
		edit(&cfg)
	}
	opts = append([]x.Option{x.WithClock(e.clock.Now), x.WithSleep(e.clock.sleep), x.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	s, err := x.New(&http.Client{Timeout: 10 * time.Second}, cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// post publishes text as u, dated age ago.
func (e *env) post(u xfake.User, text string, age time.Duration) xfake.Tweet {
	return e.srv.PostPublic(u.ID, text, xfake.PublicPost{Lang: "en", Age: age})
}

// collector is a sink that keeps what it accepted.
type collector struct {
	mu      sync.Mutex
	posts   []source.Post
	cursors []string
	names   []string
}

func (c *collector) Accept(_ context.Context, b source.Batch) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.posts = append(c.posts, b.Posts...)
	c.cursors = append(c.cursors, b.Cursor)
	c.names = append(c.names, b.Source)
	return nil
}

func (c *collector) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return texts(c.posts)
}

func texts(ps []source.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text)
	}
	return out
}

// once fails unless got holds each of want exactly once, in want's order.
func once(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("delivered %q,\nwant %q", got, want)
	}
}
