package blueskyfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
)

type client struct {
	t     *testing.T
	base  string
	token string
}

func (c client) do(method, nsid, query string, body any) (int, http.Header, map[string]any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	u := c.base + "/xrpc/" + nsid
	if query != "" {
		u += "?" + query
	}
	req, _ := http.NewRequest(method, u, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, res.Header, out
}

func start(t *testing.T, cfg blueskyfake.Config) (*blueskyfake.Server, string) {
	t.Helper()
	s := blueskyfake.New(cfg)
	u, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, u
}

func post(text string) map[string]any {
	return map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-01-02T03:04:05.000Z"}
}

func TestContract(t *testing.T) {
	s, u := start(t, blueskyfake.Config{WritePoints: 10})
	alice := s.CreateAccount("alice.test", "Alice")
	anon := client{t: t, base: u}

	tests := []struct {
		name   string
		status int
		errTag string
		call   func() (int, http.Header, map[string]any)
	}{
		{"unknown method", 501, "MethodNotImplemented", func() (int, http.Header, map[string]any) {
			return anon.do("GET", "app.bsky.nope", "", nil)
		}},
		{"wrong HTTP method", 400, "InvalidRequest", func() (int, http.Header, map[string]any) {
			return anon.do("GET", "com.atproto.server.createSession", "", nil)
		}},
		{"no auth", 401, "AuthMissing", func() (int, http.Header, map[string]any) {
			return anon.do("GET", "app.bsky.feed.getPosts", "uris=x", nil)
		}},
		{"bad token", 400, "InvalidToken", func() (int, http.Header, map[string]any) {
			return client{t: t, base: u, token: "nope"}.do("GET", "app.bsky.feed.getPosts", "uris=x", nil)
		}},
		{"bad password", 401, "AuthenticationRequired", func() (int, http.Header, map[string]any) {
			return anon.do("POST", "com.atproto.server.createSession", "", map[string]string{"identifier": "alice.test", "password": "x"})
		}},
		{"unknown handle", 400, "InvalidRequest", func() (int, http.Header, map[string]any) {
			return anon.do("GET", "com.atproto.identity.resolveHandle", "handle=nobody.test", nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, body := tt.call()
			if status != tt.status || body["error"] != tt.errTag || body["message"] == "" {
				t.Errorf("= %d %v; want %d %s with a message", status, body, tt.status, tt.errTag)
			}
		})
	}

	// Sign in, then write with putRecord and swapRecord null.
	status, hdr, sess := anon.do("POST", "com.atproto.server.createSession", "", map[string]string{"identifier": "alice.test", "password": alice.AppPassword})
	if status != 200 || sess["did"] != alice.DID || hdr.Get("RateLimit-Limit") != "30" || hdr.Get("RateLimit-Policy") != "30;w=300" {
		t.Fatalf("createSession = %d %v %v", status, sess, hdr)
	}
	me := client{t: t, base: u, token: sess["accessJwt"].(string)}
	put := func(rkey string, rec any, swap any) (int, http.Header, map[string]any) {
		return me.do("POST", "com.atproto.repo.putRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.feed.post",
			"rkey": rkey, "record": rec, "swapRecord": swap})
	}
	status, hdr, first := put("3kabcdefghij2", post("one"), nil)
	if status != 200 || first["cid"] == "" || hdr.Get("RateLimit-Remaining") != "7" {
		t.Fatalf("put = %d %v %v", status, first, hdr)
	}
	reset, _ := strconv.ParseInt(hdr.Get("RateLimit-Reset"), 10, 64)
	if d := time.Until(time.Unix(reset, 0)); d <= 0 || d > time.Hour+time.Minute {
		t.Errorf("RateLimit-Reset = %s; want a Unix time within the hour", hdr.Get("RateLimit-Reset"))
	}
	if status, _, again := put("3kabcdefghij2", post("one"), nil); status != 200 || again["cid"] != first["cid"] {
		t.Errorf("the same record again = %d %v; want a no-op with the same cid", status, again)
	}
	if status, _, body := put("3kabcdefghij2", post("two"), nil); status != 400 || body["error"] != "InvalidSwap" {
		t.Errorf("other content under swapRecord null = %d %v", status, body)
	}
	if status, _, body := put("3kabcdefghij2", post("two"), first["cid"]); status != 200 || body["cid"] == first["cid"] {
		t.Errorf("swap with the right cid = %d %v", status, body)
	}
	if status, _, body := put("not-a-tid", post("x"), nil); status != 400 || !strings.Contains(body["message"].(string), "TID") {
		t.Errorf("bad record key = %d %v", status, body)
	}
	if status, _, body := put("3kabcdefghij3", map[string]any{"$type": "app.bsky.feed.post", "text": strings.Repeat("🦋", 301), "createdAt": "2026-01-02T03:04:05Z"}, nil); status != 400 ||
		!strings.Contains(body["message"].(string), "300 graphemes") {
		t.Errorf("301 graphemes = %d %v", status, body)
	}
	status, _, body := me.do("POST", "com.atproto.repo.createRecord", "", map[string]any{"repo": alice.DID, "collection": "app.bsky.feed.post",
		"rkey": "3kabcdefghij2", "record": post("three")})
	if status != 500 {
		t.Errorf("createRecord on a taken key = %d %v; want 500 as the reference PDS answers", status, body)
	}
	// The hourly write budget: 3 + 2 spent, 3 more leaves 2, then 429.
	if status, _, _ := put("3kabcdefghij4", post("four"), nil); status != 200 {
		t.Fatalf("fourth write = %d", status)
	}
	status, hdr, body = put("3kabcdefghij5", post("five"), nil)
	if status != 429 || body["error"] != "RateLimitExceeded" || hdr.Get("RateLimit-Remaining") != "2" {
		t.Errorf("over budget = %d %v %v", status, body, hdr)
	}
	status, _, got := anon.do("GET", "com.atproto.repo.getRecord", "repo=alice.test&collection=app.bsky.feed.post&rkey=3kabcdefghij2", nil)
	if status != 200 || got["value"].(map[string]any)["text"] != "two" {
		t.Errorf("getRecord = %d %v", status, got)
	}
	status, _, got = anon.do("GET", "com.atproto.repo.getRecord", "repo=alice.test&collection=app.bsky.feed.post&rkey=3kabcdefghij9", nil)
	if status != 400 || got["error"] != "RecordNotFound" {
		t.Errorf("missing record = %d %v", status, got)
	}
	res, err := http.Get(u + "/" + alice.DID)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	_ = json.NewDecoder(res.Body).Decode(&doc)
	res.Body.Close()
	if doc["id"] != alice.DID || !strings.Contains(string(mustJSON(doc["service"])), u) {
		t.Errorf("DID document = %v", doc)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestRefreshTokensAreSingleUse(t *testing.T) {
	s, u := start(t, blueskyfake.Config{})
	a := s.CreateAccount("a.test", "A")
	anon := client{t: t, base: u}
	_, _, sess := anon.do("POST", "com.atproto.server.createSession", "", map[string]string{"identifier": a.DID, "password": a.Password})
	r := client{t: t, base: u, token: sess["refreshJwt"].(string)}
	if status, _, body := r.do("POST", "com.atproto.server.refreshSession", "", nil); status != 200 || body["accessJwt"] == "" {
		t.Fatalf("refresh = %d %v", status, body)
	}
	if status, _, body := r.do("POST", "com.atproto.server.refreshSession", "", nil); status != 400 || body["error"] != "InvalidToken" {
		t.Errorf("reused refresh token = %d %v", status, body)
	}
	acc := client{t: t, base: u, token: sess["accessJwt"].(string)}
	if status, _, body := acc.do("POST", "com.atproto.server.refreshSession", "", nil); status != 400 || body["error"] != "InvalidToken" {
		t.Errorf("access token as refresh token = %d %v", status, body)
	}
	s.ExpireAccessTokens(a.DID)
	if status, _, body := acc.do("GET", "com.atproto.server.getSession", "", nil); status != 400 || body["error"] != "ExpiredToken" {
		t.Errorf("expired access token = %d %v", status, body)
	}
}

func TestFaults(t *testing.T) {
	s, u := start(t, blueskyfake.Config{})
	anon := client{t: t, base: u}
	s.Fail("com.atproto.identity.resolveHandle", blueskyfake.Fault{Status: 502, Body: "<html>bad gateway</html>"})
	if status, _, _ := anon.do("GET", "com.atproto.identity.resolveHandle", "handle=a.test", nil); status != 502 {
		t.Errorf("injected fault = %d", status)
	}
	if status, _, _ := anon.do("GET", "com.atproto.identity.resolveHandle", "handle=a.test", nil); status != 400 {
		t.Errorf("after the fault = %d; want the real answer", status)
	}
	if n := s.Calls("com.atproto.identity.resolveHandle"); n != 2 {
		t.Errorf("Calls = %d", n)
	}
}
