package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// meddler is a platform whose refresh runs change() first, as if a person
// or the dispatcher changed the account while the job was refreshing it.
type meddler struct {
	change func()
	err    error
}

func (m meddler) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "not used"}
}

func (m meddler) Refresh(context.Context, connector.Account) ([]byte, *time.Time, error) {
	m.change()
	if m.err != nil {
		return nil, nil, m.err
	}
	exp := time.Now().Add(2 * time.Hour)
	return []byte(`{"access_token":"new"}`), &exp, nil
}

// TestRefreshLeavesChangedAccountsAlone checks that an account changed
// while its refresh was under way keeps the change: the job neither
// overwrites it with the refreshed credentials nor marks it.
func TestRefreshLeavesChangedAccountsAlone(t *testing.T) {
	tests := []struct {
		name       string
		refreshErr error
		change     func(a *herald.Account)
	}{
		{"disconnected during a refresh", nil, func(a *herald.Account) {
			a.Credentials, a.Status, a.StatusReason, a.TokenExpiresAt = herald.Sealed{}, herald.AccountRevoked, "disconnected", nil
		}},
		{"reconnected during a failing refresh", &connector.Error{Class: connector.AuthRevoked, Message: "refused"},
			func(a *herald.Account) {
				a.Credentials = herald.Sealed{KeyID: a.Credentials.KeyID, Ciphertext: []byte("reconnected")}
			}},
		{"expired by the dispatcher during a refresh", nil, func(a *herald.Account) {
			a.Status, a.StatusReason = herald.AccountExpired, "expired while publishing"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { _ = db.Close() })
			if err := db.Migrate(ctx); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			line, err := keyring.GenerateLine()
			if err != nil {
				t.Fatalf("GenerateLine: %v", err)
			}
			keys, err := keyring.New([]byte(line))
			if err != nil {
				t.Fatalf("keyring.New: %v", err)
			}
			w := herald.Workspace{Name: "Brand", TimeZone: "UTC"}
			if err := db.CreateWorkspace(ctx, &w); err != nil {
				t.Fatalf("CreateWorkspace: %v", err)
			}
			exp := time.Now().UTC().Add(10 * time.Minute).Truncate(time.Microsecond)
			a := herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake, RemoteID: "r1", Handle: "@r1",
				Status: herald.AccountConnected, TokenExpiresAt: &exp}
			if a.Credentials, err = keys.Seal([]byte(`{"access_token":"old"}`), a.CredentialsAAD()); err != nil {
				t.Fatalf("Seal: %v", err)
			}
			if err := db.CreateAccount(ctx, &a); err != nil {
				t.Fatalf("CreateAccount: %v", err)
			}
			var changed herald.Account
			reg := connector.NewRegistry()
			reg.Register(herald.PlatformFake, meddler{err: tt.refreshErr, change: func() {
				cur, err := db.GetAccount(ctx, a.WorkspaceID, a.ID)
				if err != nil {
					t.Errorf("GetAccount: %v", err)
					return
				}
				tt.change(&cur)
				if err := db.UpdateAccount(ctx, &cur); err != nil {
					t.Errorf("UpdateAccount: %v", err)
				}
				changed = cur
			}})
			var notified []herald.NotificationKind
			w2 := &refreshTokensWorker{cfg: Config{}.withDefaults(), store: db, connectors: reg, keys: keys,
				notifier: NotifierFunc(func(_ context.Context, n herald.Notification) {
					notified = append(notified, n.Kind)
				}),
				clock: herald.SystemClock{}, log: slog.New(slog.DiscardHandler)}
			if err := w2.Work(ctx, &river.Job[RefreshTokensArgs]{}); err != nil {
				t.Fatalf("Work: %v", err)
			}
			got, err := db.GetAccount(ctx, a.WorkspaceID, a.ID)
			if err != nil {
				t.Fatalf("GetAccount: %v", err)
			}
			if got.Status != changed.Status || got.StatusReason != changed.StatusReason ||
				!bytes.Equal(got.Credentials.Ciphertext, changed.Credentials.Ciphertext) {
				t.Fatalf("account after the job = %s %q creds %q, want the concurrent change kept: %s %q creds %q",
					got.Status, got.StatusReason, got.Credentials.Ciphertext,
					changed.Status, changed.StatusReason, changed.Credentials.Ciphertext)
			}
			if len(notified) != 0 {
				t.Fatalf("notified %v about an account the job left alone", notified)
			}
		})
	}
}

func TestFailedStatus(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		expires *time.Time
		status  herald.AccountStatus
		says    string
	}{
		{"still valid", ptr(now.Add(time.Minute)), herald.AccountExpiring, "expires at 2026-03-01 12:01 UTC"},
		{"expires right now", ptr(now), herald.AccountExpired, "expired at 2026-03-01 12:00 UTC"},
		{"expired", ptr(now.Add(-time.Hour)), herald.AccountExpired, "expired at 2026-03-01 11:00 UTC"},
		{"no expiry known", nil, herald.AccountExpired, "its access token expired and"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reason := failedStatus(herald.Account{TokenExpiresAt: tt.expires}, "the platform is down", now)
			if status != tt.status || !bytes.Contains([]byte(reason), []byte(tt.says)) ||
				!bytes.Contains([]byte(reason), []byte("the platform is down")) {
				t.Fatalf("failedStatus = %s %q, want %s saying %q and why", status, reason, tt.status, tt.says)
			}
		})
	}
}

func TestAlignedInterval(t *testing.T) {
	tests := []struct {
		every time.Duration
		at    time.Time
		want  time.Time
	}{
		{5 * time.Minute, time.Date(2026, 3, 1, 12, 3, 10, 0, time.UTC), time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)},
		{5 * time.Minute, time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC), time.Date(2026, 3, 1, 12, 10, 0, 0, time.UTC)},
		{time.Hour, time.Date(2026, 3, 1, 13, 59, 59, 0, time.FixedZone("CET", 3600)), time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)},
		{24 * time.Hour, time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		if got := alignedInterval(tt.every).Next(tt.at); !got.Equal(tt.want) {
			t.Errorf("alignedInterval(%s).Next(%v) = %v, want %v", tt.every, tt.at, got, tt.want)
		}
	}
}

func ptr[T any](v T) *T { return &v }
