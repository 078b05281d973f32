package mastodon_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
)

// contract is parsed once for the whole package: it takes seconds.
var contract = sync.OnceValues(func() (*mastodonfake.Contract, error) {
	p, ok := mastodonfake.FindSpec(".")
	if !ok {
		return nil, nil
	}
	return mastodonfake.LoadContract(p)
})

// fakeInstance is a fake instance checked against the OpenAPI document
// (where ../shared is present), with one local account.
type fakeInstance struct {
	srv   *mastodonfake.Server
	url   string
	me    mastodonfake.Account
	token string
}

func newFake(t *testing.T, cfg mastodonfake.Config) *fakeInstance {
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
	return &fakeInstance{srv: srv, url: ts.URL, me: me, token: tok}
}

func (f *fakeInstance) account() connector.Account {
	return connector.Account{
		Account:     herald.Account{Platform: herald.PlatformMastodon, RemoteID: f.me.ID, Handle: "@herald", InstanceURL: f.url},
		Credentials: mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: f.token}),
	}
}

func newConnector(opts ...mastodon.Option) *mastodon.Connector {
	return mastodon.New(&http.Client{Timeout: 10 * time.Second},
		append([]mastodon.Option{mastodon.WithPollInterval(time.Millisecond, 50)}, opts...)...)
}

func media(name, ctype, alt string, data []byte) connector.Media {
	return connector.Media{
		Asset: herald.MediaAsset{ID: 1, Filename: name, ContentType: ctype, Size: int64(len(data)), AltText: alt},
		Open: func(context.Context) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		},
	}
}

func classOf(t *testing.T, err error) connector.Class {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	return connector.ClassOf(err)
}

func TestConnect(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	apps := mastodon.NewMemoryAppStore()
	c := newConnector(mastodon.WithAppStore(apps), mastodon.WithApp("Herald", "https://herald.example"))
	ctx := context.Background()
	start := connector.AuthStart{WorkspaceID: 1, Instance: f.url, RedirectURL: "https://herald.example/callback", State: "s1"}
	red, err := c.Begin(ctx, start)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Begin(ctx, connector.AuthStart{Instance: f.url, RedirectURL: start.RedirectURL, State: "s2"}); err != nil {
		t.Fatal(err)
	}
	if n := f.srv.Apps(); n != 1 {
		t.Errorf("%d apps registered for two connections; want 1 per instance", n)
	}
	u, _ := url.Parse(red.URL)
	q := u.Query()
	if u.Path != "/oauth/authorize" || q.Get("response_type") != "code" || q.Get("state") != "s1" || q.Get("scope") != "read write" ||
		q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != start.RedirectURL {
		t.Errorf("authorize URL %s", red.URL)
	}
	// The person approves; the instance redirects to Herald's callback.
	nofollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := nofollow.Get(red.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, _ := url.Parse(res.Header.Get("Location"))
	if back.Query().Get("state") != "s1" || back.Query().Get("code") == "" {
		t.Fatalf("redirect %s", back)
	}
	conn, err := c.Exchange(ctx, start, red.Secret, back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	a := conn.Account
	host := strings.TrimPrefix(f.url, "http://")
	if a.Platform != herald.PlatformMastodon || a.RemoteID != f.me.ID || a.Handle != "@herald@"+host || a.DisplayName != "Herald Test" ||
		a.InstanceURL != f.url || a.Status != herald.AccountConnected {
		t.Errorf("connected account %+v", a)
	}
	// The code is single-use.
	if _, err := c.Exchange(ctx, start, red.Secret, back.Query().Get("code")); err == nil {
		t.Error("a used code was accepted twice")
	}
	// The credentials work, and posts say they came from Herald.
	acct := connector.Account{Account: a, Credentials: conn.Credentials}
	ref, err := c.Publish(ctx, acct, connector.Part{Text: "connected", Key: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	sts := f.srv.Statuses()
	if len(sts) != 1 || sts[0].ID != ref.ID || sts[0].App != "Herald" {
		t.Errorf("statuses %+v", sts)
	}
	// Bad input is a clear error naming the field.
	_, err = c.Begin(ctx, connector.AuthStart{Instance: "not a server", RedirectURL: start.RedirectURL, State: "x"})
	var he *herald.Error
	if !errors.As(err, &he) || he.Details[0].Field != "instance" {
		t.Errorf("bad instance: %v", err)
	}
	_, err = c.Begin(ctx, connector.AuthStart{Instance: f.url, RedirectURL: "/callback"})
	if !errors.As(err, &he) || len(he.Details) != 2 {
		t.Errorf("bad redirect and state: %v", err)
	}
}

func TestPublishThreadWithMedia(t *testing.T) {
	cfg := mastodonfake.DefaultConfig()
	cfg.ProcessingPolls = 2
	f := newFake(t, cfg)
	c := newConnector()
	ctx := context.Background()
	acct := f.account()
	opts := map[string]string{"spoiler_text": "spoilers", "sensitive": "true", "visibility": "unlisted", "language": "fr"}
	p0 := connector.Part{Index: 0, Text: "Bonjour https://example.com/page #herald", Options: opts, Key: "herald-1-0",
		Media: []connector.Media{media("a.png", "image/png", "a red square", []byte("png-bytes")), media("b.jpg", "image/jpeg", "", []byte("jpg"))}}
	r0, err := c.Publish(ctx, acct, p0)
	if err != nil {
		t.Fatal(err)
	}
	if r0.ID == "" || !strings.HasPrefix(r0.URL, f.url+"/@herald/") || r0.Meta["uri"] == "" {
		t.Errorf("ref %+v", r0)
	}
	p1 := connector.Part{Index: 1, Text: "part two", Options: opts, Key: "herald-1-1", ReplyTo: &r0, Root: &r0}
	r1, err := c.Publish(ctx, acct, p1)
	if err != nil {
		t.Fatal(err)
	}
	pc := connector.Part{Comment: true, Text: "first comment", Key: "herald-1-c", Root: &r0}
	rc, err := c.Publish(ctx, acct, pc)
	if err != nil {
		t.Fatal(err)
	}
	sts := f.srv.Statuses()
	if len(sts) != 3 {
		t.Fatalf("%d statuses, want 3", len(sts))
	}
	s0, s1, sc := sts[0], sts[1], sts[2]
	if s0.ID != r0.ID || s0.SpoilerText != "spoilers" || !s0.Sensitive || s0.Visibility != "unlisted" || s0.Language != "fr" ||
		len(s0.MediaIDs) != 2 || s0.IdempotencyKey != "herald-1-0" {
		t.Errorf("part 0 %+v", s0)
	}
	if alt, ct := f.srv.MediaDescription(s0.MediaIDs[0]); alt != "a red square" || ct != "image/png" {
		t.Errorf("media 0: alt %q type %q", alt, ct)
	}
	if s1.ID != r1.ID || s1.InReplyToID != r0.ID {
		t.Errorf("part 1 %+v", s1)
	}
	if sc.ID != rc.ID || sc.InReplyToID != r0.ID {
		t.Errorf("first comment %+v", sc)
	}
}

func TestIdempotency(t *testing.T) {
	t.Run("honoured", func(t *testing.T) {
		f := newFake(t, mastodonfake.DefaultConfig())
		c := newConnector()
		if !c.Idempotent(context.Background(), f.account()) {
			t.Error("Idempotent() is false for a Mastodon instance")
		}
		p := connector.Part{Text: "once", Key: "herald-7-0"}
		r1, err1 := c.Publish(context.Background(), f.account(), p)
		r2, err2 := c.Publish(context.Background(), f.account(), p)
		if err1 != nil || err2 != nil || r1.ID != r2.ID || len(f.srv.Statuses()) != 1 {
			t.Errorf("a repeated key made %d statuses (%v, %v)", len(f.srv.Statuses()), err1, err2)
		}
	})
	t.Run("ignored", func(t *testing.T) {
		cfg := mastodonfake.DefaultConfig()
		cfg.Idempotency = false
		f := newFake(t, cfg)
		c := newConnector(mastodon.WithIdempotency(false))
		if c.Idempotent(context.Background(), f.account()) {
			t.Error("Idempotent() is true with WithIdempotency(false)")
		}
		if _, err := c.Publish(context.Background(), f.account(), connector.Part{Text: "x", Key: "herald-8-0"}); err != nil {
			t.Fatal(err)
		}
		// Sending the key is harmless; what matters is Idempotent's answer.
		if k := f.srv.Statuses()[0].IdempotencyKey; k != "herald-8-0" {
			t.Errorf("the key sent is %q", k)
		}
	})
}

func TestFindAfterAmbiguousPublish(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	f.srv.AddRemoteAccount("bob", "other.example", "Bob")
	// Without Idempotency-Key: Go's client would itself resend a POST that
	// carries one when the connection drops, and the instance would answer
	// the first status (TestDroppedAnswerWithKey).
	c := newConnector(mastodon.WithIdempotency(false))
	ctx := context.Background()
	acct := f.account()
	root, err := c.Publish(ctx, acct, connector.Part{Text: "root", Key: "herald-2-0"})
	if err != nil {
		t.Fatal(err)
	}
	text := "Hi @bob@other.example & <friends>,\n\nread https://example.com/a/very/long/path?x=1 #news"
	p := connector.Part{Index: 1, Text: text, Key: "herald-2-1", ReplyTo: &root, Root: &root}
	f.srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/statuses", After: true, Drop: true})
	_, err = c.Publish(ctx, acct, p)
	if cl := classOf(t, err); cl != connector.Ambiguous {
		t.Fatalf("a dropped answer is %s, want ambiguous: %v", cl, err)
	}
	ref, found, err := c.Find(ctx, acct, p)
	if err != nil || !found {
		t.Fatalf("Find = %v, %v", found, err)
	}
	sts := f.srv.Statuses()
	if ref.ID != sts[len(sts)-1].ID {
		t.Errorf("found %s, want %s", ref.ID, sts[len(sts)-1].ID)
	}
	// Not the same shape: another reply target, other text, more media.
	for name, q := range map[string]connector.Part{
		"not a reply":  {Index: 1, Text: text, Key: "herald-2-1"},
		"other text":   {Index: 1, Text: "something else", Key: "herald-2-1", ReplyTo: &root},
		"with a media": {Index: 1, Text: text, Key: "herald-2-1", ReplyTo: &root, Media: []connector.Media{media("a.png", "image/png", "", nil)}},
	} {
		if _, found, err := c.Find(ctx, acct, q); err != nil || found {
			t.Errorf("%s: Find = %v, %v; want not found", name, found, err)
		}
	}
	// A fresh process (no memory of the send) still finds it in its window.
	if _, found, err := newConnector(mastodon.WithIdempotency(false)).Find(ctx, acct, p); err != nil || !found {
		t.Errorf("after a restart: Find = %v, %v", found, err)
	}
}

func TestLimitsAndValidate(t *testing.T) {
	for _, v1 := range []bool{false, true} {
		cfg := mastodonfake.DefaultConfig()
		cfg.MaxChars, cfg.URLChars, cfg.MaxMedia, cfg.NoV2Instance = 30, 10, 2, v1
		f := newFake(t, cfg)
		c := newConnector()
		ctx := context.Background()
		l, err := c.Limits(ctx, f.account())
		if err != nil {
			t.Fatal(err)
		}
		if l.MaxChars != 30 || l.CharsReservedURL != 10 || l.MaxMedia != 2 || l.MaxImageBytes != 16<<20 || l.MaxThreadParts == 0 || !l.FirstComment {
			t.Errorf("v1 only %v: limits %+v", v1, l)
		}
		n, ps, err := c.Validate(ctx, f.account(), connector.Part{Text: "see https://example.com/" + strings.Repeat("x", 100) + " " + strings.Repeat("a", 15)})
		if err != nil || n != 4+10+1+15 || len(ps) != 0 {
			t.Errorf("v1 only %v: Validate = %d, %v, %v", v1, n, ps, err)
		}
		n, ps, _ = c.Validate(ctx, f.account(), connector.Part{Text: strings.Repeat("a", 31)})
		if n != 31 || len(ps) != 1 || ps[0].Field != "text" || ps[0].Measured != 31 || ps[0].Limit != 30 {
			t.Errorf("v1 only %v: over the limit: %d %+v", v1, n, ps)
		}
		before := len(f.srv.Requests())
		if _, err := c.Limits(ctx, f.account()); err != nil {
			t.Fatal(err)
		}
		if after := len(f.srv.Requests()); after != before {
			t.Errorf("v1 only %v: the instance's limits were read again instead of cached", v1)
		}
	}
}

func TestEditDeleteMetricsLike(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector(mastodon.WithConcurrency(2))
	ctx := context.Background()
	acct := f.account()
	var refs []herald.RemoteRef
	for i := range 3 {
		r, err := c.Publish(ctx, acct, connector.Part{Text: "post " + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r)
	}
	if _, err := c.Edit(ctx, acct, refs[0], connector.Part{Text: "edited", Options: map[string]string{"spoiler_text": "cw"}}); err != nil {
		t.Fatal(err)
	}
	if st := f.srv.Statuses()[0]; st.Text != "edited" || st.SpoilerText != "cw" || st.EditedAt == nil {
		t.Errorf("after edit %+v", st)
	}
	f.srv.Engage(refs[1].ID, 3, 2)
	f.srv.Post(f.me.ID, "a reply", refs[1].ID)
	if err := c.Like(ctx, acct, refs[1]); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, acct, refs[2]); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, acct, refs[2]); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	m, err := c.Metrics(ctx, acct, refs)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m[refs[2].ID]; ok || len(m) != 2 {
		t.Errorf("metrics for a deleted status, or missing ones: %+v", m)
	}
	got := m[refs[1].ID]
	if got.Likes != 4 || got.Reposts != 2 || got.Replies != 1 || got.Impressions != -1 || got.Quotes != 0 || got.At.IsZero() {
		t.Errorf("metrics %+v", got)
	}
}

func TestMentionsReplyLike(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	bob := f.srv.AddRemoteAccount("bob", "other.example", "Bob")
	carol, _ := f.srv.AddAccount("carol", "Carol")
	c := newConnector()
	ctx := context.Background()
	acct := f.account()
	mine, err := c.Publish(ctx, acct, connector.Part{Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Post(bob.ID, "@herald nice post", mine.ID)
	f.srv.Post(carol.ID, "not a mention", "")
	f.srv.Post(carol.ID, "hey @herald look", "")
	ms, cursor, err := c.Mentions(ctx, acct, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || cursor == "" {
		t.Fatalf("mentions %+v, cursor %q", ms, cursor)
	}
	m0 := ms[0]
	if m0.AuthorHandle != "@bob@other.example" || m0.AuthorName != "Bob" || m0.Text != "@herald nice post" || m0.ReplyTo != mine.ID || m0.CreatedAt.IsZero() {
		t.Errorf("first mention %+v", m0)
	}
	host := strings.TrimPrefix(f.url, "http://")
	if ms[1].AuthorHandle != "@carol@"+host {
		t.Errorf("local author handle %q", ms[1].AuthorHandle)
	}
	ms, next, err := c.Mentions(ctx, acct, cursor)
	if err != nil || len(ms) != 0 || next != "" {
		t.Errorf("nothing new: %v, %q, %v", ms, next, err)
	}
	// Many new mentions are read across pages, oldest first.
	for i := range 100 {
		f.srv.Post(bob.ID, "@herald number "+string(rune('0'+i%10)), "")
	}
	ms, next, err = c.Mentions(ctx, acct, cursor)
	if err != nil || len(ms) != 100 || next == "" {
		t.Fatalf("100 new mentions: got %d, %q, %v", len(ms), next, err)
	}
	for i := 1; i < len(ms); i++ {
		if len(ms[i].RemoteID) == len(ms[i-1].RemoteID) && ms[i].RemoteID < ms[i-1].RemoteID {
			t.Fatal("mentions are not oldest first")
		}
	}
	// Reply to a mention: the author is named so they are notified.
	to := herald.RemoteRef{ID: m0.RemoteID, Meta: m0.Meta}
	if _, err := c.Reply(ctx, acct, to, connector.Part{Text: "thanks!"}); err != nil {
		t.Fatal(err)
	}
	sts := f.srv.Statuses()
	last := sts[len(sts)-1]
	if last.Text != "@bob@other.example thanks!" || last.InReplyToID != m0.RemoteID {
		t.Errorf("reply %+v", last)
	}
	if err := c.Like(ctx, acct, to); err != nil {
		t.Fatal(err)
	}
}

func TestRateLimitAndRevokedToken(t *testing.T) {
	cfg := mastodonfake.DefaultConfig()
	cfg.RateLimit = 3 // the first post reads the account's default visibility too
	f := newFake(t, cfg)
	c := newConnector()
	ctx := context.Background()
	for range 2 {
		if _, err := c.Publish(ctx, f.account(), connector.Part{Text: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Publish(ctx, f.account(), connector.Part{Text: "x"})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.RateLimited || ce.RetryAfter <= 0 || ce.Message != "Too many requests" {
		t.Errorf("third call: %v", err)
	}
	f.srv.RevokeToken(f.token)
	_, err = c.Publish(ctx, f.account(), connector.Part{Text: "x"})
	if !errors.As(err, &ce) || ce.Class != connector.AuthRevoked || ce.Message != "The access token is invalid" {
		t.Errorf("revoked token: %v", err)
	}
}

func TestInvalidContentKeepsMessage(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	_, err := c.Publish(context.Background(), f.account(), connector.Part{Text: strings.Repeat("a", 501)})
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Class != connector.Invalid || ce.Message != "Validation failed: Text character limit of 500 exceeded" {
		t.Errorf("too long: %v", err)
	}
	_, err = c.Publish(context.Background(), f.account(), connector.Part{Text: "x",
		Media: []connector.Media{media("a.tiff", "image/tiff", "", []byte("x"))}})
	if !errors.As(err, &ce) || ce.Class != connector.Invalid || !strings.Contains(ce.Message, "content type") {
		t.Errorf("bad media: %v", err)
	}
}

func TestDroppedAnswerWithKey(t *testing.T) {
	f := newFake(t, mastodonfake.DefaultConfig())
	c := newConnector()
	f.srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/statuses", After: true, Drop: true})
	p := connector.Part{Text: "exactly once", Key: "herald-3-0"}
	ref, err := c.Publish(context.Background(), f.account(), p)
	if err != nil && connector.ClassOf(err) != connector.Ambiguous {
		t.Fatalf("a dropped answer is %v; want success (resent with the key) or ambiguous", err)
	}
	if err != nil {
		if ref, err = c.Publish(context.Background(), f.account(), p); err != nil {
			t.Fatal(err)
		}
	}
	if sts := f.srv.Statuses(); len(sts) != 1 || sts[0].ID != ref.ID {
		t.Errorf("statuses %+v, want one with id %s", sts, ref.ID)
	}
}
