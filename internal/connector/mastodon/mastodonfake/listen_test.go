package mastodonfake

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// sharedContract is parsed once for the tests below: it takes seconds.
var sharedContract = sync.OnceValues(func() (*Contract, error) {
	p, ok := FindSpec(".")
	if !ok {
		return nil, nil
	}
	return LoadContract(p)
})

// listenFake is a fake checked against the OpenAPI document where
// ../shared/specs is present, with one local account and its token.
func listenFake(t *testing.T, cfg Config) (*Server, string, Account, string) {
	t.Helper()
	var opts []Option
	c, err := sharedContract()
	if err != nil {
		t.Fatal(err)
	}
	if c != nil {
		opts = append(opts, WithContract(c))
	} else {
		t.Log("../shared/specs/mastodon.openapi.json is absent: answers are not checked against it")
	}
	srv := New(cfg, opts...)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		for _, v := range srv.Violations() {
			t.Errorf("OpenAPI contract: %s", v)
		}
	})
	me, tok := srv.AddAccount("me", "Me")
	return srv, ts.URL, me, tok
}

func getJSON(t *testing.T, u, tok string, v any) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return res.Header
}

type idOnly struct {
	ID string `json:"id"`
}

func TestTagTimeline(t *testing.T) {
	srv, base, me, tok := listenFake(t, DefaultConfig())
	far := srv.AddRemoteAccount("far", "far.example", "Far")
	var ids []string
	for i := range 5 {
		ids = append(ids, srv.Post(me.ID, "hello #Acme "+string(rune('a'+i)), ""))
	}
	remote := srv.PostWith(far.ID, "from afar #acme #cats", PostOptions{Language: "de"})
	srv.PostWith(me.ID, "quiet #acme", PostOptions{Visibility: "unlisted"})
	srv.Post(me.ID, "no tag here", "")

	var page []idOnly
	h := getJSON(t, base+"/api/v1/timelines/tag/acme?limit=2", tok, &page)
	if len(page) != 2 || page[0].ID != remote || page[1].ID != ids[4] {
		t.Fatalf("newest page %v", page)
	}
	if l := h.Get("Link"); !strings.Contains(l, "max_id="+ids[4]) || !strings.Contains(l, "min_id="+remote) || !strings.Contains(l, "limit=2") {
		t.Fatalf("Link %q", l)
	}
	getJSON(t, base+"/api/v1/timelines/tag/acme?limit=2&min_id="+ids[0], "", &page) // anonymous: a public preview
	if len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[1] {
		t.Fatalf("page above min_id %v", page)
	}
	getJSON(t, base+"/api/v1/timelines/tag/acme?local=true&none[]=nothing", tok, &page)
	if len(page) != 5 {
		t.Fatalf("local: %d statuses, want 5", len(page))
	}
	getJSON(t, base+"/api/v1/timelines/tag/acme?remote=1&all[]=cats", tok, &page)
	if len(page) != 1 || page[0].ID != remote {
		t.Fatalf("remote with all[]=cats: %v", page)
	}
	var full []map[string]any
	getJSON(t, base+"/api/v1/timelines/tag/cats", tok, &full)
	if len(full) != 1 || full[0]["uri"] != "https://far.example/users/far/statuses/"+remote || full[0]["language"] != "de" {
		t.Fatalf("remote status %v", full)
	}
}

func TestHashtagStream(t *testing.T) {
	cfg := DefaultConfig()
	cfg.StreamMaxAge = 700 * time.Millisecond
	srv, base, me, tok := listenFake(t, cfg)
	srv.Post(me.ID, "before #acme", "")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/streaming/hashtag?tag=acme", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream answered %s %q", res.Status, res.Header.Get("Content-Type"))
	}
	after := srv.Post(me.ID, "after #acme", "")
	srv.Post(me.ID, "other #else", "")
	sc := bufio.NewScanner(res.Body)
	var events []string
	for sc.Scan() { // ends when the server closes the stream (StreamMaxAge)
		events = append(events, sc.Text())
	}
	joined := strings.Join(events, "\n")
	if strings.Count(joined, "event: update") != 1 || !strings.Contains(joined, `"id":"`+after+`"`) {
		t.Fatalf("events:\n%s", joined)
	}
	// Without a token (Mastodon 4.2+), and on a server without streaming.
	for _, c := range []struct {
		tok  string
		cfg  func(*Config)
		want int
	}{{"", nil, http.StatusUnauthorized}, {tok, func(c *Config) { c.NoStreaming = true }, http.StatusNotFound},
		{tok, func(c *Config) { c.Dialect = GoToSocial }, http.StatusNotFound}} {
		if c.cfg != nil {
			nc := DefaultConfig()
			c.cfg(&nc)
			srv.Configure(nc)
		}
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/streaming/hashtag/local?tag=acme", nil)
		if c.tok != "" {
			req.Header.Set("Authorization", "Bearer "+c.tok)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("stream answered %d, want %d", res.StatusCode, c.want)
		}
	}
}

func TestStatusSearch(t *testing.T) {
	srv, base, me, tok := listenFake(t, DefaultConfig())
	other, _ := srv.AddAccount("other", "Other")
	a := srv.Post(other.ID, "Acme rockets are great", "")
	b := srv.Post(other.ID, "acme ROCKETS again", "")
	srv.PostWith(other.ID, "acme rockets, followers only", PostOptions{Visibility: "private"})
	mine := srv.PostWith(me.ID, "my acme rockets, unlisted", PostOptions{Visibility: "unlisted"})
	var res struct {
		Statuses []idOnly `json:"statuses"`
	}
	getJSON(t, base+"/api/v2/search?q=acme+rockets&type=statuses&limit=5", tok, &res)
	if len(res.Statuses) != 3 || res.Statuses[0].ID != mine || res.Statuses[1].ID != b || res.Statuses[2].ID != a {
		t.Fatalf("search %v", res.Statuses)
	}
	getJSON(t, base+"/api/v2/search?q=acme+rockets&type=statuses&limit=1&offset=1", tok, &res)
	if len(res.Statuses) != 1 || res.Statuses[0].ID != b {
		t.Fatalf("offset 1: %v", res.Statuses)
	}
	getJSON(t, base+"/api/v2/search?q=acme+rockets&type=statuses&max_id="+b, tok, &res)
	if len(res.Statuses) != 1 || res.Statuses[0].ID != a {
		t.Fatalf("max_id: %v", res.Statuses)
	}
	cfg := DefaultConfig()
	cfg.NoStatusSearch = true
	srv.Configure(cfg)
	getJSON(t, base+"/api/v2/search?q=acme&type=statuses", tok, &res)
	if len(res.Statuses) != 0 {
		t.Fatalf("without full-text search: %v", res.Statuses)
	}
}
