package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func accountTests() []test {
	return []test{
		{"RoundTripCredentials", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			secret := make([]byte, 256)
			for i := range secret {
				secret[i] = byte(i)
			}
			paris, err := time.LoadLocation("Europe/Paris")
			noErr(t, err, "LoadLocation")
			a := herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformBluesky, RemoteID: "did:plc:abc",
				Handle: "herald.bsky.social", DisplayName: "Herald", AvatarURL: "https://cdn.example/a.png",
				InstanceURL: "https://bsky.social", Credentials: herald.Sealed{KeyID: "key-2026-03", Ciphertext: secret},
				Status: herald.AccountExpiring, StatusReason: "refresh token expires soon",
				TokenExpiresAt: ptr(time.Date(2026, 4, 1, 12, 30, 0, 654321000, paris)), CreatedAt: at(0), UpdatedAt: at(time.Minute)}
			noErr(t, s.CreateAccount(ctx, &a), "CreateAccount")
			got, err := s.GetAccount(ctx, w.ID, a.ID)
			noErr(t, err, "GetAccount")
			want := a
			want.TokenExpiresAt = ptr(a.TokenExpiresAt.UTC())
			same(t, "account", got, want)
			if got.Credentials.KeyID != "key-2026-03" || !bytes.Equal(got.Credentials.Ciphertext, secret) {
				t.Fatalf("credentials = %q %x, want %q %x", got.Credentials.KeyID, got.Credentials.Ciphertext, "key-2026-03", secret)
			}
			wantTime(t, "TokenExpiresAt", *got.TokenExpiresAt, *a.TokenExpiresAt)
			if got.PausedAt != nil {
				t.Fatalf("PausedAt = %v, want nil", got.PausedAt)
			}
		}},
		{"Duplicate", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			a := mustAccount(t, s, w.ID)
			dup := a
			dup.ID = 0
			dup.Handle = "@other"
			wantConflict(t, s.CreateAccount(ctx, &dup), "CreateAccount(same workspace, platform, remote id)")
			onX := a
			onX.ID, onX.Platform = 0, herald.PlatformX
			noErr(t, s.CreateAccount(ctx, &onX), "CreateAccount(same remote id, other platform)")
			elsewhere := a
			elsewhere.ID, elsewhere.WorkspaceID = 0, other.ID
			noErr(t, s.CreateAccount(ctx, &elsewhere), "CreateAccount(same remote id, other workspace)")
			list, err := s.ListAccounts(ctx, w.ID)
			noErr(t, err, "ListAccounts")
			if len(list) != 2 {
				t.Fatalf("ListAccounts = %d accounts, want 2", len(list))
			}
		}},
		{"ListByPlatformThenHandle", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			other := mustWorkspace(t, s)
			mustAccount(t, s, other.ID)
			in := []struct {
				platform herald.Platform
				handle   string
			}{{herald.PlatformMastodon, "zeta"}, {herald.PlatformBluesky, "beta"}, {herald.PlatformMastodon, "alpha"}, {herald.PlatformBluesky, "alpha"}}
			for _, x := range in {
				a := herald.Account{WorkspaceID: w.ID, Platform: x.platform, RemoteID: unique(), Handle: x.handle,
					Status: herald.AccountConnected, CreatedAt: at(0), UpdatedAt: at(0)}
				noErr(t, s.CreateAccount(ctx, &a), "CreateAccount")
			}
			list, err := s.ListAccounts(ctx, w.ID)
			noErr(t, err, "ListAccounts")
			want := []string{"bluesky/alpha", "bluesky/beta", "mastodon/alpha", "mastodon/zeta"}
			if len(list) != len(want) {
				t.Fatalf("ListAccounts = %d accounts, want %d", len(list), len(want))
			}
			for i, a := range list {
				if got := string(a.Platform) + "/" + a.Handle; got != want[i] {
					t.Fatalf("account %d = %s, want %s", i, got, want[i])
				}
			}
		}},
		{"Update", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorkspace(t, s)
			a := mustAccount(t, s, w.ID)
			a.Handle = "@renamed@example.social"
			a.DisplayName = "Renamed"
			a.AvatarURL = "https://cdn.example/b.png"
			a.InstanceURL = "https://other.example"
			a.Credentials = herald.Sealed{KeyID: "k2", Ciphertext: []byte("new ciphertext")}
			a.Status = herald.AccountRevoked
			a.StatusReason = "access withdrawn"
			a.TokenExpiresAt = ptr(at(time.Hour))
			a.PausedAt = ptr(at(2 * time.Hour))
			a.UpdatedAt = at(3 * time.Hour)
			noErr(t, s.UpdateAccount(ctx, &a), "UpdateAccount")
			got, err := s.GetAccount(ctx, w.ID, a.ID)
			noErr(t, err, "GetAccount")
			same(t, "updated account", got, a)
			if got.Credentials.KeyID != "k2" || string(got.Credentials.Ciphertext) != "new ciphertext" {
				t.Fatalf("credentials not updated: %+v", got.Credentials)
			}
			a.PausedAt = nil
			a.TokenExpiresAt = nil
			noErr(t, s.UpdateAccount(ctx, &a), "UpdateAccount(clear times)")
			got, err = s.GetAccount(ctx, w.ID, a.ID)
			noErr(t, err, "GetAccount")
			if got.PausedAt != nil || got.TokenExpiresAt != nil {
				t.Fatalf("cleared times came back: %v %v", got.PausedAt, got.TokenExpiresAt)
			}
		}},
		{"MissingAndOtherWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			a := mustWorld(t, s)
			b := mustWorkspace(t, s)
			_, err := s.GetAccount(ctx, b.ID, a.account.ID)
			wantNotFound(t, err, "GetAccount(other workspace)")
			_, err = s.GetAccount(ctx, a.ws.ID, 987654)
			wantNotFound(t, err, "GetAccount(missing)")
			moved := a.account
			moved.WorkspaceID = b.ID
			moved.Handle = "hijacked"
			wantNotFound(t, s.UpdateAccount(ctx, &moved), "UpdateAccount(other workspace)")
			missing := a.account
			missing.ID = 987654
			wantNotFound(t, s.UpdateAccount(ctx, &missing), "UpdateAccount(missing)")
			list, err := s.ListAccounts(ctx, b.ID)
			noErr(t, err, "ListAccounts")
			if len(list) != 0 {
				t.Fatalf("workspace b lists %d accounts of a", len(list))
			}
			got, err := s.GetAccount(ctx, a.ws.ID, a.account.ID)
			noErr(t, err, "GetAccount")
			if got.Handle != a.account.Handle {
				t.Fatal("account changed through another workspace")
			}
		}},
	}
}
