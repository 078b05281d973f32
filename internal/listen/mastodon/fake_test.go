package mastodon_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/listen/mastodon"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// contract is parsed once for the whole package: it takes seconds.
var contract = sync.OnceValues(func() (*mastodonfake.Contract, error) {
	p, ok := mastodonfake.FindSpec(".")
	if !ok {
		return nil, nil
	}
	return mastodonfake.LoadContract(p)
})

// instance is a fake instance checked against the OpenAPI document (where
// ../shared is present), with one local account.
type instance struct {
	srv   *mastodonfake.Server
	url   string
	me    mastodonfake.Account
	token string
}

func newInstance(t *testing.T, cfg mastodonfake.Config) *instance {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatalf("load the Mastodon OpenAPI document: %v", err)
	}
	var opts []mastodonfake.Option
	if c != nil {
		opts = append(opts, mastodonfake.WithContract(c))
	} else {
		t.Log("../shared/specs/mastodon.openapi.json is absent: requests and answers are not checked against it")
	}
	srv := mastodonfake.New(cfg, opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		for _, v := range srv.Violations() {
			t.Errorf("OpenAPI contract: %s", v)
		}
	})
	me, tok := srv.AddAccount("herald", "Herald Test")
	return &instance{srv: srv, url: ts.URL, me: me, token: tok}
}

// source returns a Source for #acme on the instance, adjusted by edit.
func (in *instance) source(t *testing.T, edit func(*mastodon.Config), opts ...mastodon.Option) *mastodon.Source {
	t.Helper()
	cfg := mastodon.Config{Instance: in.url, Token: in.token, Tag: "acme"}
	if edit != nil {
		edit(&cfg)
	}
	s, err := mastodon.New(&http.Client{Timeout: 10 * time.Second}, cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// collector is a sink that keeps every post it accepted.
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

// texts returns the accepted posts' texts, in order.
func (c *collector) texts() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, p := range c.posts {
		out = append(out, p.Text)
	}
	return out
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// exactlyOnce fails unless got holds each of want once (any order).
func exactlyOnce(t *testing.T, got, want []string) {
	t.Helper()
	count := map[string]int{}
	for _, g := range got {
		count[g]++
	}
	for _, w := range want {
		if count[w] != 1 {
			t.Errorf("%q delivered %d times, want once", w, count[w])
		}
	}
	for g := range count {
		if !slices.Contains(want, g) {
			t.Errorf("%q delivered, not expected", g)
		}
	}
}

// texts returns the posts' texts, in order.
func texts(ps []source.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text)
	}
	return out
}
