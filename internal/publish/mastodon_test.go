package publish_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/publish"
)

// TestMastodonServerThatIgnoresKeysNeverGetsTwo publishes 200 posts to a
// Mastodon-API server that ignores Idempotency-Key, cannot list an
// account's statuses and, for a quarter of the posts, stores the status
// but never answers. Every post ends published once, or unconfirmed; none
// is on the server twice.
func TestMastodonServerThatIgnoresKeysNeverGetsTwo(t *testing.T) {
	const posts, hanging = 200, 50
	eachStore(t, func(t *testing.T, open func(t *testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		cfg := mastodonfake.GoToSocialConfig() // ignores keys
		cfg.NoAccountStatuses = true           // cannot be searched
		srv := mastodonfake.New(cfg)
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		srv.Inject(mastodonfake.Fault{Method: http.MethodPost, Path: "/api/v1/statuses", After: true, Hang: true, Times: hanging})
		me, tok := srv.AddAccount("herald", "Herald")

		now := time.Now().UTC()
		a := herald.Account{WorkspaceID: h.ws.ID, Platform: herald.PlatformMastodon, RemoteID: me.ID, Handle: "@herald",
			InstanceURL: ts.URL, Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
		sealed, err := h.kr.Seal(mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: tok}), a.CredentialsAAD())
		if err != nil {
			t.Fatal(err)
		}
		a.Credentials = sealed
		if err := h.store.CreateAccount(t.Context(), &a); err != nil {
			t.Fatal(err)
		}
		reg := connector.NewRegistry()
		reg.Register(herald.PlatformMastodon, mastodon.New(ts.Client()))
		pc := testConfig("m1")
		pc.CallTimeout = time.Second // a hanging answer is given up on quickly
		targets := make([]herald.Target, posts)
		for i := range targets {
			targets[i] = h.schedule(t, a, time.Now().Add(100*time.Millisecond), herald.Variant{Text: fmt.Sprintf("post %d", i)})
		}
		h.start(t, pc, reg)

		byKey := map[string]int{}
		unconfirmed := 0
		for _, tg := range targets {
			got := h.waitState(t, tg.ID, herald.StatePublished, herald.StateUnconfirmed, herald.StateFailed)
			if got.State == herald.StateFailed {
				t.Errorf("target %d failed: %s", tg.ID, got.LastError)
			}
			if got.State == herald.StateUnconfirmed {
				unconfirmed++
			}
		}
		for _, st := range srv.Statuses() {
			byKey[st.IdempotencyKey]++
		}
		for _, tg := range targets {
			got := h.target(t, tg.ID)
			n := byKey[publish.PartKey(h.installation, tg.ID, 0, false)]
			switch {
			case n > 1:
				t.Errorf("target %d is on the server %d times", tg.ID, n)
			case got.State == herald.StatePublished && n != 1:
				t.Errorf("target %d is published but on the server %d times", tg.ID, n)
			}
		}
		// Each unanswered post is a distinct target that can only end
		// unconfirmed; on a loaded machine a slow answer may do the same.
		if unconfirmed < hanging {
			t.Errorf("%d unconfirmed; want at least the %d unanswered posts", unconfirmed, hanging)
		}
		if n := len(srv.Statuses()); n > posts || n < posts-unconfirmed {
			t.Errorf("%d statuses on the server for %d posts, %d unconfirmed", n, posts, unconfirmed)
		}
	})
}
