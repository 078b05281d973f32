package publish_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/publish"
)

// The tests here run the real dispatcher against each platform's fake
// told to carry every post out and never answer, and to fail every lookup:
// each part must end on the platform exactly once, and the target
// unconfirmed, never published twice.

// storeAccount stores a connected account of platform with plain
// credentials, sealed.
func (h *harness) storeAccount(t *testing.T, a herald.Account, plain []byte) herald.Account {
	t.Helper()
	now := time.Now().UTC()
	a.ID, a.WorkspaceID, a.Status, a.CreatedAt, a.UpdatedAt = 0, h.ws.ID, herald.AccountConnected, now, now
	sealed, err := h.kr.Seal(plain, a.CredentialsAAD())
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	a.Credentials = sealed
	if err := h.store.CreateAccount(t.Context(), &a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a
}

// register returns a registry with conn for platform.
func register(p herald.Platform, conn connector.Publisher) *connector.Registry {
	r := connector.NewRegistry()
	r.Register(p, conn)
	return r
}

// neverAnswers is the dispatcher configuration for these tests: three
// quick attempts.
func neverAnswers() publish.Config {
	c := reconcileConfig()
	c.CallTimeout = 5 * time.Second
	return c
}

func TestTestPlatformThatNeverAnswers(t *testing.T) {
	// Stores and closes the connection without answering, ignores
	// Idempotency-Key, cannot list posts.
	h := newHarness(t, sqliteStore(t), fakeserver.Config{TimeoutRate: 1})
	acct := h.account(t, "alice", "", "")
	tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "one", Thread: []herald.ThreadPart{{Text: "two"}}})
	h.start(t, neverAnswers(), h.registry(fake.New(connector.NewHTTPClient())))
	h.waitState(t, tg.ID, herald.StateUnconfirmed)
	if n := h.srv.Ledger().Count(); n != 1 {
		t.Errorf("the platform has %d posts, want exactly 1 (the first part)", n)
	}
	h.noDuplicates(t)
}

func TestXThatNeverAnswers(t *testing.T) {
	h := newHarness(t, sqliteStore(t), fakeserver.Config{})
	srv := xfake.New(xfake.Config{ClientID: "herald", ClientSecret: "secret"})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	user := srv.AddUser("herald", "Herald")
	tok := srv.IssueToken(user.ID, "tweet.read", "tweet.write", "users.read", "offline.access", "media.write")
	srv.Inject(xfake.Fault{Route: "POST /2/tweets", Drop: true, Times: 1000})
	srv.Inject(xfake.Fault{Route: "GET /2/users/{id}/tweets", Status: http.StatusServiceUnavailable,
		ContentType: "application/problem+json", Body: `{"title":"Service Unavailable","detail":"try later","type":"about:blank"}`, Times: 1000})
	exp := tok.ExpiresAt
	acct := h.storeAccount(t, herald.Account{Platform: herald.PlatformX, RemoteID: user.ID, Handle: "@herald", DisplayName: "Herald"},
		x.MarshalCredentials(x.Credentials{AccessToken: tok.Access, RefreshToken: tok.Refresh, ExpiresAt: &exp, UserID: user.ID, Username: user.Username}))
	tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello from Herald"})
	conn := x.New(connector.NewHTTPClient(), x.WithClient("herald", "secret"), x.WithBaseURL(ts.URL), x.WithLogger(slog.New(slog.DiscardHandler)))
	h.start(t, neverAnswers(), register(herald.PlatformX, conn))
	h.waitState(t, tg.ID, herald.StateUnconfirmed)
	if n := len(srv.Tweets()); n != 1 {
		t.Errorf("X has %d posts, want exactly 1", n)
	}
	if n := srv.Requests("POST /2/tweets"); n != 1 {
		t.Errorf("POST /2/tweets was sent %d times, want once", n)
	}
}

func TestBlueskyThatNeverAnswers(t *testing.T) {
	h := newHarness(t, sqliteStore(t), fakeserver.Config{})
	bs := blueskyfake.New(blueskyfake.Config{})
	u, err := bs.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bs.Close() })
	info := bs.CreateAccount("alice.test", "Alice")
	conn := bluesky.New(connector.NewHTTPClient(), bluesky.WithPLCURL(u), bluesky.WithHandleResolver(u),
		bluesky.WithLogger(slog.New(slog.DiscardHandler)))
	got, err := conn.ConnectWithPassword(context.Background(), info.Handle, info.AppPassword)
	if err != nil {
		t.Fatal(err)
	}
	acct := h.storeAccount(t, got.Account, got.Credentials)
	drops := make([]blueskyfake.Fault, 1000)
	down := make([]blueskyfake.Fault, 1000)
	for i := range drops {
		drops[i] = blueskyfake.Fault{Drop: true}
		down[i] = blueskyfake.Fault{Status: http.StatusServiceUnavailable, Body: `{"error":"InternalServerError","message":"down"}`,
			Header: http.Header{"Content-Type": {"application/json"}}}
	}
	bs.Fail("com.atproto.repo.putRecord", drops...)
	bs.Fail("com.atproto.repo.createRecord", drops...)
	bs.Fail("com.atproto.repo.getRecord", down...)
	tg := h.schedule(t, acct, time.Now(), herald.Variant{Text: "hello from Herald"})
	h.start(t, neverAnswers(), register(herald.PlatformBluesky, conn))
	h.waitState(t, tg.ID, herald.StateUnconfirmed)
	if recs := bs.Records(info.DID, "app.bsky.feed.post"); len(recs) != 1 {
		t.Errorf("Bluesky has %d posts, want exactly 1: %v", len(recs), recs)
	}
}
