package fake_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// platform runs a fake platform for one test.
func platform(tb testing.TB, cfg fakeserver.Config) (*fakeserver.Server, string) {
	tb.Helper()
	s := fakeserver.New(cfg)
	u, err := s.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s, u
}

// account builds a connector account for remoteID with the given credentials.
func account(remoteID string, cr fake.Credentials) connector.Account {
	return connector.Account{
		Account:     herald.Account{ID: 1, WorkspaceID: 1, Platform: herald.PlatformFake, RemoteID: remoteID, Handle: remoteID},
		Credentials: fake.MarshalCredentials(cr),
	}
}

func part(key, text string) connector.Part {
	return connector.Part{WorkspaceID: 1, TargetID: 1, Text: text, Key: key}
}

// mustClass checks that err is a connector error of class want.
func mustClass(tb testing.TB, err error, want connector.Class) *connector.Error {
	tb.Helper()
	var e *connector.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v (%T), want a *connector.Error of class %s", err, err, want)
	}
	if e.Class != want {
		tb.Fatalf("class %s (%v), want %s", e.Class, err, want)
	}
	if connector.ClassOf(err) != want {
		tb.Fatalf("ClassOf = %s, want %s", connector.ClassOf(err), want)
	}
	return e
}

func TestPublishErrorClasses(t *testing.T) {
	expired := time.Now().Add(-time.Hour)
	tokens := []fakeserver.Token{
		{Account: "ann", AccessToken: "ok"},
		{Account: "ann", AccessToken: "stale", ExpiresAt: expired},
		{Account: "ann", AccessToken: "withdrawn", Revoked: true},
	}
	tests := []struct {
		name     string
		cfg      fakeserver.Config
		token    string
		text     string
		timeout  time.Duration
		class    connector.Class
		message  string
		recorded int // posts the platform has afterwards
	}{
		{name: "server error", cfg: fakeserver.Config{ErrorRate: 1}, class: connector.Transient, message: "temporarily unavailable"},
		{name: "proxy HTML page", cfg: fakeserver.Config{ErrorRate: 1, ErrorHTML: true, ErrorStatus: 502}, class: connector.Transient, message: "HTML page"},
		{name: "rate limited", cfg: fakeserver.Config{RateLimit: 1, RateWindow: time.Hour}, class: connector.RateLimited, recorded: 1},
		{name: "token expired", token: "stale", class: connector.AuthExpired, message: "The access token expired"},
		{name: "token revoked", token: "withdrawn", class: connector.AuthRevoked, message: "The access token is invalid"},
		{name: "token unknown", token: "never-issued", class: connector.AuthRevoked, message: "The access token is invalid"},
		{name: "too long", text: strings.Repeat("x", 501), class: connector.Invalid, message: "Validation failed: Text character limit of 500 exceeded"},
		{name: "answer held back", cfg: fakeserver.Config{TimeoutRate: 1, TimeoutDelay: time.Hour}, timeout: 300 * time.Millisecond, class: connector.Ambiguous, recorded: 1},
		{name: "connection closed", cfg: fakeserver.Config{TimeoutRate: 1}, class: connector.Ambiguous, recorded: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Tokens = tokens
			s, base := platform(t, cfg)
			c := fake.New(s.Client())
			token := tt.token
			if token == "" {
				token = "ok"
			}
			acct := account("ann", fake.Credentials{BaseURL: base, AccessToken: token})
			if tt.class == connector.RateLimited {
				if _, err := c.Publish(t.Context(), acct, part("first", "first")); err != nil {
					t.Fatal(err)
				}
			}
			text := tt.text
			if text == "" {
				text = "hello"
			}
			ctx := t.Context()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := c.Publish(ctx, acct, part("k1", text))
			e := mustClass(t, err, tt.class)
			if !strings.Contains(e.Message, tt.message) {
				t.Errorf("message %q, want it to contain %q", e.Message, tt.message)
			}
			if tt.class == connector.RateLimited && (e.RetryAfter <= 0 || e.RetryAfter > time.Hour) {
				t.Errorf("RetryAfter %v", e.RetryAfter)
			}
			if got := s.Ledger().Count(); got != tt.recorded {
				t.Errorf("platform has %d posts, want %d", got, tt.recorded)
			}
		})
	}
}

func TestPublishUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	c := fake.New(&http.Client{})
	_, err = c.Publish(t.Context(), account("x", fake.Credentials{BaseURL: "http://" + addr, AccessToken: "t"}), part("k", "hi"))
	mustClass(t, err, connector.Transient)
}

// TestMalformedAnswers covers platforms (or proxies) that answer with
// something other than the API's JSON: never a panic, always a class.
func TestMalformedAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		ctype  string
		body   string
		class  connector.Class
	}{
		{"truncated JSON on 200", 200, "application/json", `{"id":"12`, connector.Ambiguous},
		{"HTML on 200", 200, "text/html", `<html><body>Welcome</body></html>`, connector.Ambiguous},
		{"empty 200", 200, "application/json", ``, connector.Ambiguous},
		{"200 without an id", 200, "application/json", `{"url":"x"}`, connector.Ambiguous},
		{"truncated JSON on 422", 422, "application/json", `{"error":"Valid`, connector.Transient},
		{"HTML on 403", 403, "text/html", `<!DOCTYPE html><html><h1>Forbidden</h1></html>`, connector.Transient},
		{"HTML on 502", 502, "text/html", `<html>Bad gateway</html>`, connector.Transient},
		{"plain text 400", 400, "text/plain", `bad things`, connector.Transient},
		{"empty 401", 401, "", ``, connector.AuthRevoked},
		{"JSON 404", 404, "application/json", `{"error":"Record not found"}`, connector.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.ctype != "" {
					w.Header().Set("Content-Type", tt.ctype)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c := fake.New(srv.Client())
			_, err := c.Publish(t.Context(), account("x", fake.Credentials{BaseURL: srv.URL, AccessToken: "t"}), part("k", "hi"))
			e := mustClass(t, err, tt.class)
			if e.Message == "" {
				t.Error("no message")
			}
		})
	}
}

func TestIdempotentRetryMakesOnePost(t *testing.T) {
	s, base := platform(t, fakeserver.Config{Idempotency: true, TimeoutRate: 1})
	c := fake.New(s.Client(), fake.WithIdempotency(true))
	if !c.Idempotent(context.Background(), connector.Account{}) {
		t.Fatal("Idempotent() = false")
	}
	acct := account("bea", fake.Credentials{BaseURL: base, AccessToken: "bea"})
	_, err := c.Publish(t.Context(), acct, part("target-7-0", "once only"))
	mustClass(t, err, connector.Ambiguous)

	cfg := s.Config()
	cfg.TimeoutRate = 0
	if err := s.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	ref, err := c.Publish(t.Context(), acct, part("target-7-0", "once only"))
	if err != nil {
		t.Fatal(err)
	}
	posts := s.Ledger().Posts()
	if len(posts) != 1 || posts[0].ID != ref.ID || len(s.Ledger().Duplicates()) != 0 {
		t.Errorf("ledger %+v, ref %+v, duplicates %v", posts, ref, s.Ledger().Duplicates())
	}
}

func TestBlindRetryIsCounted(t *testing.T) {
	// Without idempotency a repeat is a second post, and the ledger says so.
	s, base := platform(t, fakeserver.Config{})
	c := fake.New(s.Client())
	if c.Idempotent(context.Background(), connector.Account{}) {
		t.Fatal("Idempotent() = true without WithIdempotency")
	}
	acct := account("cy", fake.Credentials{BaseURL: base, AccessToken: "cy"})
	for range 2 {
		if _, err := c.Publish(t.Context(), acct, part("target-8-0", "twice")); err != nil {
			t.Fatal(err)
		}
	}
	if d := s.Ledger().Duplicates(); d["target-8-0"] != 2 {
		t.Errorf("duplicates %v", d)
	}
	if p := s.Ledger().Posts(); p[0].IdempotencyKey != "" {
		t.Error("Idempotency-Key sent to a platform that does not honour it")
	}
}

func TestFindAfterAcceptThenTimeout(t *testing.T) {
	s, base := platform(t, fakeserver.Config{Lookup: true, TimeoutRate: 1})
	c := fake.New(s.Client())
	for _, remoteID := range []string{"dee", ""} { // "" makes Find ask verify_credentials
		t.Run("remote id "+remoteID, func(t *testing.T) {
			acct := account(remoteID, fake.Credentials{BaseURL: base, AccessToken: "dee"})
			key := "target-9-0-" + remoteID
			_, err := c.Publish(t.Context(), acct, part(key, "did it go out?"))
			mustClass(t, err, connector.Ambiguous)
			ref, found, err := c.Find(t.Context(), acct, part(key, "did it go out?"))
			if err != nil || !found {
				t.Fatalf("Find = %v, %v, %v", ref, found, err)
			}
			p, ok := s.Ledger().Get(ref.ID)
			if !ok || p.HeraldKey != key || ref.URL == "" {
				t.Errorf("found %+v, ledger %+v", ref, p)
			}
			_, found, err = c.Find(t.Context(), acct, part("never-sent", "x"))
			if err != nil || found {
				t.Errorf("Find of an unsent part = %v, %v", found, err)
			}
		})
	}

	cfg := s.Config()
	cfg.Lookup = false
	_ = s.Configure(cfg)
	_, _, err := c.Find(t.Context(), account("dee", fake.Credentials{BaseURL: base, AccessToken: "dee"}), part("target-9-0-dee", "x"))
	mustClass(t, err, connector.Invalid)
}

func TestFindPagesBack(t *testing.T) {
	s, base := platform(t, fakeserver.Config{Lookup: true})
	c := fake.New(s.Client())
	acct := account("eve", fake.Credentials{BaseURL: base, AccessToken: "eve"})
	first, err := c.Publish(t.Context(), acct, part("old", "old"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := c.Publish(t.Context(), acct, part("new"+string(rune('a'+i%26))+string(rune('a'+i/26)), "newer")); err != nil {
			t.Fatal(err)
		}
	}
	ref, found, err := c.Find(t.Context(), acct, part("old", "old"))
	if err != nil || !found || ref.ID != first.ID {
		t.Errorf("Find = %+v, %v, %v; want %s", ref, found, err, first.ID)
	}
}

func TestRefresh(t *testing.T) {
	s, base := platform(t, fakeserver.Config{Tokens: []fakeserver.Token{
		{Account: "fay", AccessToken: "a1", RefreshToken: "r1", ExpiresAt: time.Now().Add(-time.Second)},
	}})
	c := fake.New(s.Client())
	acct := account("fay", fake.Credentials{BaseURL: base, AccessToken: "a1", RefreshToken: "r1"})
	_, err := c.Publish(t.Context(), acct, part("p", "hello"))
	mustClass(t, err, connector.AuthExpired)

	before := time.Now()
	creds, exp, err := c.Refresh(t.Context(), acct)
	if err != nil {
		t.Fatal(err)
	}
	var cr fake.Credentials
	if err := json.Unmarshal(creds, &cr); err != nil {
		t.Fatal(err)
	}
	if cr.AccessToken == "a1" || cr.AccessToken == "" || cr.RefreshToken != "r1" || cr.BaseURL != base {
		t.Errorf("new credentials %+v", cr)
	}
	if exp == nil || exp.Before(before.Add(fakeserver.DefaultTokenLifetime-time.Minute)) || cr.ExpiresAt == nil || !cr.ExpiresAt.Equal(*exp) {
		t.Errorf("expires %v, credentials say %v", exp, cr.ExpiresAt)
	}
	acct.Credentials = creds
	if _, err := c.Publish(t.Context(), acct, part("p", "hello")); err != nil {
		t.Errorf("publish after refresh: %v", err)
	}

	tests := []struct {
		name  string
		creds fake.Credentials
		class connector.Class
	}{
		{"refused refresh token", fake.Credentials{BaseURL: base, AccessToken: "a1", RefreshToken: "bogus"}, connector.AuthRevoked},
		{"no refresh token", fake.Credentials{BaseURL: base, AccessToken: "a1"}, connector.AuthRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := c.Refresh(t.Context(), account("fay", tt.creds))
			mustClass(t, err, tt.class)
		})
	}
	t.Run("platform down", func(t *testing.T) {
		cfg := s.Config()
		cfg.ErrorRate = 1
		_ = s.Configure(cfg)
		_, _, err := c.Refresh(t.Context(), account("fay", fake.Credentials{BaseURL: base, AccessToken: "a1", RefreshToken: "r1"}))
		mustClass(t, err, connector.Transient)
	})
}

func TestBadCredentials(t *testing.T) {
	c := fake.New(nil)
	tests := []struct {
		name  string
		creds []byte
	}{
		{"not JSON", []byte("{")},
		{"no address", []byte(`{"access_token":"x"}`)},
		{"no token", []byte(`{"base_url":"http://127.0.0.1:1"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := connector.Account{Account: herald.Account{RemoteID: "x"}, Credentials: tt.creds}
			_, err := c.Publish(t.Context(), acct, part("k", "x"))
			mustClass(t, err, connector.AuthRevoked)
		})
	}
}

func TestThread(t *testing.T) {
	s, base := platform(t, fakeserver.Config{})
	c := fake.New(s.Client())
	acct := account("gus", fake.Credentials{BaseURL: base, AccessToken: "gus"})
	var root, prev *herald.RemoteRef
	for i, text := range []string{"one", "two", "three"} {
		p := part("thread-"+text, text)
		p.Index, p.ReplyTo, p.Root = i, prev, root
		ref, err := c.Publish(t.Context(), acct, p)
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if root == nil {
			root = &ref
		}
		prev = &ref
	}
	comment := part("comment", "first comment")
	comment.Comment, comment.Root = true, root
	if _, err := c.Publish(t.Context(), acct, comment); err != nil {
		t.Fatal(err)
	}
	posts := s.Ledger().Posts()
	if len(posts) != 4 {
		t.Fatalf("%d posts", len(posts))
	}
	want := []string{"", posts[0].ID, posts[1].ID, posts[0].ID}
	for i, p := range posts {
		if p.InReplyToID != want[i] {
			t.Errorf("post %d (%s) replies to %q, want %q", i, p.Text, p.InReplyToID, want[i])
		}
	}
}

func TestMediaWithProcessing(t *testing.T) {
	s, base := platform(t, fakeserver.Config{ProcessingDelay: 150 * time.Millisecond})
	c := fake.New(s.Client(), fake.WithPollInterval(20*time.Millisecond))
	acct := account("hal", fake.Credentials{BaseURL: base, AccessToken: "hal"})
	file := func(body string) connector.Media {
		return connector.Media{
			Asset: herald.MediaAsset{ID: 3, Filename: "a.png", ContentType: "image/png", AltText: "a square"},
			Open: func(context.Context) (io.ReadCloser, error) {
				return io.NopCloser(strings.NewReader(body)), nil
			},
		}
	}
	p := part("media-post", "look")
	p.Media = []connector.Media{file("png-bytes"), file("more-png-bytes")}
	ref, err := c.Publish(t.Context(), acct, p)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Ledger().Get(ref.ID)
	if len(got.MediaIDs) != 2 {
		t.Errorf("post has media %v", got.MediaIDs)
	}

	t.Run("unreadable file", func(t *testing.T) {
		p := part("media-bad", "x")
		p.Media = []connector.Media{{Asset: herald.MediaAsset{ID: 4}, Open: func(context.Context) (io.ReadCloser, error) {
			return nil, errors.New("disk gone")
		}}}
		_, err := c.Publish(t.Context(), acct, p)
		mustClass(t, err, connector.Transient)
	})
	t.Run("empty file", func(t *testing.T) {
		p := part("media-empty", "x")
		p.Media = []connector.Media{file("")}
		_, err := c.Publish(t.Context(), acct, p)
		mustClass(t, err, connector.Invalid)
	})
	t.Run("upload times out", func(t *testing.T) {
		cfg := s.Config()
		cfg.Latency = time.Hour
		_ = s.Configure(cfg)
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		p := part("media-slow", "x")
		p.Media = []connector.Media{file("png")}
		_, err := c.Publish(ctx, acct, p)
		mustClass(t, err, connector.Transient) // nothing was published
	})
}

func TestDelete(t *testing.T) {
	s, base := platform(t, fakeserver.Config{})
	c := fake.New(s.Client())
	acct := account("ida", fake.Credentials{BaseURL: base, AccessToken: "ida"})
	ref, err := c.Publish(t.Context(), acct, part("d", "short-lived"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the second time it is already gone: still fine
		if err := c.Delete(t.Context(), acct, ref); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	if p, _ := s.Ledger().Get(ref.ID); p.DeletedAt == nil {
		t.Error("not deleted")
	}
}

func TestLimits(t *testing.T) {
	s, base := platform(t, fakeserver.Config{MaxChars: 280, MaxMedia: 2})
	c := fake.New(s.Client())
	acct := account("jo", fake.Credentials{BaseURL: base, AccessToken: "jo"})
	l, err := c.Limits(t.Context(), acct)
	if err != nil {
		t.Fatal(err)
	}
	want := connector.Limits{MaxChars: 280, MaxMedia: 2, MaxImageBytes: fakeserver.DefaultMaxMediaBytes,
		MaxVideoBytes: fakeserver.DefaultMaxMediaBytes, MaxThreadParts: fake.MaxThreadParts, FirstComment: true,
		AltTextMaxChars: fakeserver.MaxDescription}
	if l != want {
		t.Errorf("Limits = %+v, want %+v", l, want)
	}
}
