package jobs_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
)

// startPlatform starts the fake platform knowing tokens.
func startPlatform(t *testing.T, tokens ...fakeserver.Token) (*fakeserver.Server, string) {
	t.Helper()
	srv := fakeserver.New(fakeserver.Config{Tokens: tokens})
	base, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start the fake platform: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, base
}

// mustAccount creates an account whose sealed credentials are creds.
func mustAccount(t *testing.T, st herald.Store, keys jobs.Keys, a herald.Account, creds []byte) herald.Account {
	t.Helper()
	if a.Handle == "" {
		a.Handle = "@" + a.RemoteID
	}
	sealed, err := keys.Seal(creds, a.CredentialsAAD())
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	a.Credentials = sealed
	if err := st.CreateAccount(t.Context(), &a); err != nil {
		t.Fatalf("CreateAccount %s: %v", a.RemoteID, err)
	}
	return a
}

func TestRefreshTokens(t *testing.T) {
	for _, drv := range drivers() {
		t.Run(drv.name, func(t *testing.T) {
			st := drv.open(t)
			d, notes := deps(t, st)
			ctx := t.Context()
			now := time.Now().UTC().Truncate(time.Microsecond)
			soon, far, past := now.Add(30*time.Minute), now.Add(3*time.Hour), now.Add(-10*time.Minute)
			srv, base := startPlatform(t,
				fakeserver.Token{Account: "good", AccessToken: "good-old", RefreshToken: "good-refresh", ExpiresAt: soon},
				fakeserver.Token{Account: "far", AccessToken: "far-old", RefreshToken: "far-refresh", ExpiresAt: far})
			creds := func(access, refresh string, exp time.Time) []byte {
				return fake.MarshalCredentials(fake.Credentials{BaseURL: base, AccessToken: access, RefreshToken: refresh, ExpiresAt: &exp})
			}
			w := mustWorkspace(t, st)
			other := mustWorkspace(t, st)
			acct := func(ws int64, platform herald.Platform, remote string, status herald.AccountStatus, exp time.Time, c []byte) herald.Account {
				return mustAccount(t, st, d.Keys, herald.Account{WorkspaceID: ws, Platform: platform, RemoteID: remote,
					Status: status, TokenExpiresAt: &exp}, c)
			}
			good := acct(w.ID, herald.PlatformFake, "good", herald.AccountConnected, soon, creds("good-old", "good-refresh", soon))
			refused := acct(w.ID, herald.PlatformFake, "refused", herald.AccountConnected, soon, creds("refused-old", "unknown", soon))
			gone := acct(other.ID, herald.PlatformFake, "gone", herald.AccountExpiring, past, creds("gone-old", "unknown", past))
			noConnector := acct(w.ID, herald.PlatformMastodon, "masto", herald.AccountConnected, soon, []byte(`{"token":"x"}`))
			later := acct(w.ID, herald.PlatformFake, "far", herald.AccountConnected, far, creds("far-old", "far-refresh", far))

			// Only the refresh under test: the inbox sync would (rightly)
			// mark accounts whose tokens the platform does not know.
			mustStart(t, jobs.Config{MetricsEvery: -1, InboxEvery: -1, AudienceEvery: -1}, d)

			get := func(a herald.Account) herald.Account {
				t.Helper()
				got, err := st.GetAccount(ctx, a.WorkspaceID, a.ID)
				if err != nil {
					t.Fatalf("GetAccount %s: %v", a.RemoteID, err)
				}
				return got
			}
			waitFor(t, "refresh_tokens to run", func() (bool, error) {
				n, err := countJobs(t, st, jobs.RefreshTokensArgs{}.Kind(), "completed")
				return n == 1, err
			})

			// The good account has new credentials, sealed for it, that the
			// platform accepts.
			g := get(good)
			if g.Status != herald.AccountConnected || g.StatusReason != "" {
				t.Fatalf("good account: status %s (%q), want connected", g.Status, g.StatusReason)
			}
			if bytes.Equal(g.Credentials.Ciphertext, good.Credentials.Ciphertext) {
				t.Fatal("good account: credentials unchanged after a refresh")
			}
			plain, err := d.Keys.Open(g.Credentials, g.CredentialsAAD())
			if err != nil {
				t.Fatalf("open the refreshed credentials: %v", err)
			}
			var c fake.Credentials
			if err := json.Unmarshal(plain, &c); err != nil {
				t.Fatalf("refreshed credentials %s: %v", plain, err)
			}
			if c.AccessToken == "" || c.AccessToken == "good-old" || c.RefreshToken != "good-refresh" || c.BaseURL != base {
				t.Fatalf("refreshed credentials = %+v, want a new access token, the same refresh token and base URL", c)
			}
			if !slices.ContainsFunc(srv.Config().Tokens, func(tok fakeserver.Token) bool {
				return tok.AccessToken == c.AccessToken && tok.Account == "good"
			}) {
				t.Fatal("the platform does not know the refreshed access token")
			}
			if g.TokenExpiresAt == nil || !g.TokenExpiresAt.After(now.Add(time.Hour)) || c.ExpiresAt == nil ||
				!g.TokenExpiresAt.Equal(c.ExpiresAt.Truncate(time.Microsecond)) {
				t.Fatalf("good account: token expires at %v (credentials say %v), want the new expiry, past the window", g.TokenExpiresAt, c.ExpiresAt)
			}

			// Failures mark the account and keep its credentials.
			for _, tc := range []struct {
				before herald.Account
				status herald.AccountStatus
				reason string
			}{
				{refused, herald.AccountExpiring, "refused the refresh token"},
				{gone, herald.AccountExpired, "reconnect the account"},
				{noConnector, herald.AccountExpiring, "no connector for mastodon"},
			} {
				got := get(tc.before)
				if got.Status != tc.status || !strings.Contains(got.StatusReason, tc.reason) {
					t.Errorf("%s: status %s (%q), want %s mentioning %q", tc.before.RemoteID, got.Status, got.StatusReason, tc.status, tc.reason)
				}
				if got.Credentials.KeyID != tc.before.Credentials.KeyID || !bytes.Equal(got.Credentials.Ciphertext, tc.before.Credentials.Ciphertext) {
					t.Errorf("%s: stored credentials changed after a failed refresh", tc.before.RemoteID)
				}
				if !got.TokenExpiresAt.Equal(*tc.before.TokenExpiresAt) {
					t.Errorf("%s: token expiry changed to %v after a failed refresh", tc.before.RemoteID, got.TokenExpiresAt)
				}
			}

			// A token outside the window is left alone.
			if l := get(later); l.Status != herald.AccountConnected || !bytes.Equal(l.Credentials.Ciphertext, later.Credentials.Ciphertext) {
				t.Errorf("far account: status %s, credentials changed %v; want it untouched", l.Status,
					!bytes.Equal(l.Credentials.Ciphertext, later.Credentials.Ciphertext))
			}

			// One notification per account whose status changed.
			got := notes.all()
			want := map[string]herald.NotificationKind{"refused": herald.NotifyAccountExpiring,
				"gone": herald.NotifyAccountExpired, "masto": herald.NotifyAccountExpiring}
			if len(got) != len(want) {
				t.Fatalf("notifications = %+v, want %d", got, len(want))
			}
			for _, n := range got {
				matched := false
				for handle, kind := range want {
					if strings.Contains(n.message, "@"+handle) && n.kind == kind {
						matched = true
						wantWS := w.ID
						if handle == "gone" {
							wantWS = other.ID
						}
						if n.workspaceID != wantWS {
							t.Errorf("notification %q: workspace %d, want %d", n.message, n.workspaceID, wantWS)
						}
					}
				}
				if !matched {
					t.Errorf("unexpected notification %+v", n)
				}
			}
		})
	}
}
