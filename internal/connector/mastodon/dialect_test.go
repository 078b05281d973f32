package mastodon_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// dialects are the servers the connector must work with.
var dialects = map[string]func() mastodonfake.Config{
	"Mastodon": mastodonfake.DefaultConfig, "GoToSocial": mastodonfake.GoToSocialConfig, "Pleroma": mastodonfake.PleromaConfig,
}

func TestConnectEveryDialect(t *testing.T) {
	for name, cfg := range dialects {
		t.Run(name, func(t *testing.T) {
			f := newFake(t, cfg())
			c := newConnector()
			_, err := c.Begin(context.Background(), connector.AuthStart{Instance: f.url, RedirectURL: "https://herald.example/cb", State: "s"})
			if err != nil {
				t.Fatalf("Begin on %s: %v", name, err)
			}
			if f.srv.Apps() != 1 {
				t.Errorf("%d apps registered", f.srv.Apps())
			}
		})
	}
}

func TestFakeGoToSocialRefusesArrayRedirectURIs(t *testing.T) {
	f := newFake(t, mastodonfake.GoToSocialConfig())
	res, err := http.Post(f.url+"/api/v1/apps", "application/json",
		strings.NewReader(`{"client_name":"x","redirect_uris":["https://h.example/cb"],"scopes":"read"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "cannot unmarshal array into Go struct field ApplicationCreateRequest.redirect_uris of type string") {
		t.Errorf("array redirect_uris: %d %s", res.StatusCode, b)
	}
}

func TestIdempotentIsLearned(t *testing.T) {
	tests := []struct {
		name     string
		cfg      func() mastodonfake.Config
		noNode   bool
		want     bool
		software string
	}{
		{"Mastodon", mastodonfake.DefaultConfig, false, true, "mastodon"},
		{"GoToSocial", mastodonfake.GoToSocialConfig, false, false, "gotosocial"},
		{"Pleroma", mastodonfake.PleromaConfig, false, true, "pleroma"},
		{"Pleroma without nodeinfo, from its version", mastodonfake.PleromaConfig, true, true, "pleroma"},
		{"a bare version without nodeinfo is unknown", mastodonfake.DefaultConfig, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg()
			cfg.NoNodeinfo = tt.noNode
			f := newFake(t, cfg)
			apps := mastodon.NewMemoryAppStore()
			c := newConnector(mastodon.WithAppStore(apps))
			if got := c.Idempotent(context.Background(), f.account()); got != tt.want {
				t.Errorf("Idempotent = %v, want %v", got, tt.want)
			}
			sw, ok, err := apps.GetSoftware(context.Background(), f.url)
			if err != nil || !ok || sw.Name != tt.software || sw.Deduplicates != tt.want {
				t.Errorf("recorded software %+v (%v, %v)", sw, ok, err)
			}
			// A new process reads what was recorded when the instance
			// cannot be reached.
			down := mastodon.New(&http.Client{Transport: refuse{}}, mastodon.WithAppStore(apps))
			if got := down.Idempotent(context.Background(), f.account()); got != tt.want {
				t.Errorf("from the store: Idempotent = %v, want %v", got, tt.want)
			}
		})
	}
}

// refuse is a transport that reaches nothing.
type refuse struct{}

func (refuse) RoundTrip(*http.Request) (*http.Response, error) { return nil, errors.New("unreachable") }

func TestDeduplicatesAndVersions(t *testing.T) {
	for _, tt := range []struct {
		name, version string
		want          bool
	}{
		{"mastodon", "4.3.0", true}, {"mastodon", "4.3.0+glitch", true}, {"Mastodon", "1.6.1", false},
		{"pleroma", "2.5.0", true}, {"akkoma", "3.10.2", true}, {"gotosocial", "0.17.3", false},
		{"misskey", "2024.1.0", false}, {"mastodon", "", false}, {"", "4.3.0", false},
	} {
		if got := mastodon.Deduplicates(tt.name, tt.version); got != tt.want {
			t.Errorf("Deduplicates(%q, %q) = %v", tt.name, tt.version, got)
		}
	}
	if n, v, ok := mastodon.SoftwareFromVersion("2.7.2 (compatible; Pleroma 2.5.0)"); !ok || n != "pleroma" || v != "2.5.0" {
		t.Errorf("Pleroma version string: %q %q %v", n, v, ok)
	}
	if _, _, ok := mastodon.SoftwareFromVersion("4.3.0"); ok {
		t.Error("a bare version names no software")
	}
}

func TestGoToSocialCounting(t *testing.T) {
	cfg := mastodonfake.GoToSocialConfig()
	cfg.MaxChars = 100
	f := newFake(t, cfg)
	c := newConnector()
	ctx := context.Background()
	// 60 + 1 + 61 code points with the link in full; as Mastodon counts
	// (the link as 23) only 84.
	text := strings.Repeat("é", 60) + " https://example.com/" + strings.Repeat("p", 41)
	p := connector.Part{Text: text, Key: "herald-40-0", Options: map[string]string{"spoiler_text": "cw"}}
	n, probs, err := c.Validate(ctx, f.account(), p)
	if err != nil {
		t.Fatal(err)
	}
	if n != 124 || len(probs) != 1 || probs[0].Field != "text" || !strings.Contains(probs[0].Problem, "GoToSocial") {
		t.Errorf("Validate = %d, %+v; want 124 characters refused as GoToSocial counts them", n, probs)
	}
	_, err = c.Publish(ctx, f.account(), p)
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.Invalid || !strings.Contains(ce.Message, "text with spoiler exceed max chars (100)") {
		t.Errorf("the GoToSocial fake accepted what it refuses: %v", err)
	}
	if l, err := c.Limits(ctx, f.account()); err != nil || l.CharsReservedURL != 0 {
		t.Errorf("Limits = %+v, %v; links count in full on GoToSocial", l, err)
	}
}

func TestDefaultVisibilityIsSent(t *testing.T) {
	cfg := mastodonfake.GoToSocialConfig()
	cfg.DefaultPrivacy = "public"
	f := newFake(t, cfg)
	c := newConnector()
	ctx := context.Background()
	if _, err := c.Publish(ctx, f.account(), connector.Part{Text: "default", Key: "herald-41-0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(ctx, f.account(), connector.Part{Text: "chosen", Key: "herald-42-0", Options: map[string]string{"visibility": "private"}}); err != nil {
		t.Fatal(err)
	}
	sts := f.srv.Statuses()
	if sts[0].Visibility != "public" || sts[1].Visibility != "private" {
		t.Errorf("visibilities %q, %q; want the account's default public, then the chosen private", sts[0].Visibility, sts[1].Visibility)
	}
	n := 0
	for _, r := range f.srv.Requests() {
		if r == "GET /api/v1/accounts/verify_credentials" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the default visibility was read %d times; want once (cached)", n)
	}
}

func TestFindSaysWhenItCannotTell(t *testing.T) {
	part := connector.Part{Text: "never posted", Key: "herald-50-0"}
	t.Run("page repeats", func(t *testing.T) {
		cfg := mastodonfake.DefaultConfig()
		cfg.IgnoreMaxID = true
		f := newFake(t, cfg)
		for range 45 {
			f.srv.Post(f.me.ID, "other", "")
		}
		_, found, err := newConnector().Find(context.Background(), f.account(), part)
		if found || connector.ClassOf(err) != connector.Invalid || !strings.Contains(err.Error(), "max_id") {
			t.Errorf("Find = %v, %v; want invalid: the server ignores max_id", found, err)
		}
	})
	t.Run("history past its reach", func(t *testing.T) {
		f := newFake(t, mastodonfake.DefaultConfig())
		for range 210 {
			f.srv.Post(f.me.ID, "other", "")
		}
		_, found, err := newConnector().Find(context.Background(), f.account(), part)
		if found || connector.ClassOf(err) != connector.Invalid || !strings.Contains(err.Error(), "posted more") {
			t.Errorf("Find = %v, %v; want invalid: the pages run out", found, err)
		}
	})
	t.Run("short history is an answer", func(t *testing.T) {
		f := newFake(t, mastodonfake.DefaultConfig())
		for range 45 {
			f.srv.Post(f.me.ID, "other", "")
		}
		if _, found, err := newConnector().Find(context.Background(), f.account(), part); found || err != nil {
			t.Errorf("Find = %v, %v; want not found", found, err)
		}
	})
	t.Run("cannot list", func(t *testing.T) {
		cfg := mastodonfake.DefaultConfig()
		cfg.NoAccountStatuses = true
		f := newFake(t, cfg)
		if _, _, err := newConnector().Find(context.Background(), f.account(), part); connector.ClassOf(err) != connector.Invalid {
			t.Errorf("Find = %v; want invalid", err)
		}
	})
}

func TestAnswerForAnotherPostIsNotPublication(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	ctx := context.Background()
	old, err := newConnector().Publish(ctx, f.account(), connector.Part{Text: "from an earlier installation", Key: "herald-60-0"})
	if err != nil {
		t.Fatal(err)
	}
	// A new installation reuses the key for another post; the server
	// answers with the status it remembers.
	_, err = newConnector().Publish(ctx, f.account(), connector.Part{Text: "a new post", Key: "herald-60-0"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.Invalid || !strings.Contains(ce.Message, old.ID) {
		t.Errorf("Publish = %v; want invalid naming status %s", err, old.ID)
	}
	// A thread part answered with a status that replies elsewhere.
	c := newConnector()
	root, err := c.Publish(ctx, f.account(), connector.Part{Text: "root", Key: "herald-61-0"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(ctx, f.account(), connector.Part{Index: 1, Text: "root", Key: "herald-61-0", ReplyTo: &root, Root: &root})
	if connector.ClassOf(err) != connector.Invalid {
		t.Errorf("a reply answered by a status that is no reply: %v", err)
	}
}

func TestRegistrationLockIsPerInstance(t *testing.T) {
	hanging := newFake(t, mastodonfake.DefaultConfig())
	hanging.srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/apps", Hang: true, Always: true})
	other := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	hctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Begin(hctx, connector.AuthStart{Instance: hanging.url, RedirectURL: "https://h.example/cb", State: "a"})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // the hanging registration holds its instance's lock
	start := time.Now()
	if _, err := c.Begin(context.Background(), connector.AuthStart{Instance: other.url, RedirectURL: "https://h.example/cb", State: "b"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("another instance waited %v for the hanging one", d)
	}
	// A second connection to the hanging instance waits for its lock, and
	// gives up with its context.
	wctx, wcancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer wcancel()
	_, err := c.Begin(wctx, connector.AuthStart{Instance: hanging.url, RedirectURL: "https://h.example/cb", State: "c"})
	if err == nil || !strings.Contains(err.Error(), "still registering") {
		t.Errorf("second connection to the hanging instance: %v", err)
	}
	if err := <-done; err == nil {
		t.Error("the hanging registration succeeded")
	}
}

func TestCallsHaveADeadline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accepts connections and never answers
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	c := mastodon.New(&http.Client{}, mastodon.WithCallTimeout(300*time.Millisecond))
	acct := connector.Account{Account: herald.Account{InstanceURL: "http://" + ln.Addr().String()},
		Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: "t"})}
	start := time.Now()
	_, err = c.Limits(context.Background(), acct)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Limits = %v; want a deadline error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the call took %v", d)
	}
}

func TestEditKeepsMedia(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	ctx := context.Background()
	ref, err := c.Publish(ctx, f.account(), connector.Part{Text: "with a picture", Key: "herald-70-0",
		Media: []connector.Media{media("a.png", "image/png", "alt", []byte("png"))}})
	if err != nil {
		t.Fatal(err)
	}
	before := f.srv.Statuses()[0].MediaIDs
	if _, err := c.Edit(ctx, f.account(), ref, connector.Part{Text: "with a picture, edited"}); err != nil {
		t.Fatal(err)
	}
	st := f.srv.Statuses()[0]
	if st.Text != "with a picture, edited" || len(st.MediaIDs) != 1 || st.MediaIDs[0] != before[0] {
		t.Errorf("after the edit: %q with media %v; want the new text and media %v kept", st.Text, st.MediaIDs, before)
	}
}

func TestReplyThatTimedOutIsNotSentBlindly(t *testing.T) {
	cfg := mastodonfake.GoToSocialConfig() // ignores keys
	cfg.NoAccountStatuses = true           // cannot be searched
	f := newFake(t, cfg)
	bob := f.srv.AddRemoteAccount("bob", "other.example", "Bob")
	mention := f.srv.Post(bob.ID, "@herald hello", "")
	c := newConnector()
	ctx := context.Background()
	to := herald.RemoteRef{ID: mention, Meta: map[string]string{"acct": "bob@other.example"}}
	p := connector.Part{Text: "thanks!", Key: "reply-1-1-abc"}
	f.srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/statuses", After: true, Hang: true})
	tctx, cancel := context.WithTimeout(ctx, time.Second)
	_, err := c.Reply(tctx, f.account(), to, p)
	cancel()
	if connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a reply without an answer is %v; want ambiguous", err)
	}
	_, err = c.Reply(ctx, f.account(), to, p)
	if connector.ClassOf(err) != connector.Invalid || !strings.Contains(err.Error(), "cannot check") {
		t.Errorf("the same reply again: %v; want a refusal saying Herald cannot check", err)
	}
	n := 0
	for _, st := range f.srv.Statuses() {
		if st.InReplyToID == mention {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d replies on the server; want 1", n)
	}
}
