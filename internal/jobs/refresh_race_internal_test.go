package jobs

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// racingStore runs during, in another goroutine, the first time a
// transaction re-reads an account: a person disconnects it between the
// job's check and its write. It waits for during at most a moment, as a
// lock may keep it waiting until the transaction ends.
type racingStore struct {
	herald.Store
	once   sync.Once
	during func()
	wg     sync.WaitGroup
}

func (s *racingStore) InTx(ctx context.Context, fn func(tx herald.Tx) error) error {
	return s.Store.InTx(ctx, func(tx herald.Tx) error { return fn(racingTx{Tx: tx, s: s}) })
}

func (s *racingStore) meddle() {
	s.once.Do(func() {
		done := make(chan struct{})
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer close(done)
			s.during()
		}()
		select {
		case <-done:
		case <-time.After(300 * time.Millisecond):
		}
	})
}

type racingTx struct {
	herald.Tx
	s *racingStore
}

func (t racingTx) GetAccount(ctx context.Context, workspaceID, id int64) (herald.Account, error) {
	a, err := t.Tx.GetAccount(ctx, workspaceID, id)
	t.s.meddle()
	return a, err
}

func (t racingTx) LockAccount(ctx context.Context, workspaceID, id int64) (herald.Account, error) {
	a, err := t.Tx.LockAccount(ctx, workspaceID, id)
	t.s.meddle()
	return a, err
}

// TestRefreshRacesDisconnect checks, on both stores, that a disconnect
// committed while the job stores refreshed credentials wins: the account
// ends revoked without credentials, never connected again.
func TestRefreshRacesDisconnect(t *testing.T) {
	stores := map[string]func(t *testing.T) herald.Store{"sqlite": func(t *testing.T) herald.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		if err := db.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		return db
	}}
	if os.Getenv("HERALD_TEST_POSTGRES_URL") != "" {
		stores["postgres"] = func(t *testing.T) herald.Store { return pgtest.Open(t) }
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			db := open(t)
			line, err := keyring.GenerateLine()
			if err != nil {
				t.Fatal(err)
			}
			keys, err := keyring.New([]byte(line))
			if err != nil {
				t.Fatal(err)
			}
			w := herald.Workspace{Name: "Brand", TimeZone: "UTC"}
			if err := db.CreateWorkspace(ctx, &w); err != nil {
				t.Fatal(err)
			}
			exp := time.Now().UTC().Add(10 * time.Minute).Truncate(time.Microsecond)
			a := herald.Account{WorkspaceID: w.ID, Platform: herald.PlatformFake, RemoteID: "r1", Handle: "@r1",
				Status: herald.AccountConnected, TokenExpiresAt: &exp}
			if a.Credentials, err = keys.Seal([]byte(`{"access_token":"old"}`), a.CredentialsAAD()); err != nil {
				t.Fatal(err)
			}
			if err := db.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			rs := &racingStore{Store: db, during: func() {
				err := db.InTx(context.Background(), func(tx herald.Tx) error {
					cur, err := tx.GetAccount(context.Background(), a.WorkspaceID, a.ID)
					if err != nil {
						return err
					}
					cur.Credentials, cur.Status, cur.StatusReason, cur.TokenExpiresAt = herald.Sealed{}, herald.AccountRevoked, "disconnected", nil
					return tx.UpdateAccount(context.Background(), &cur)
				})
				if err != nil {
					t.Errorf("disconnect: %v", err)
				}
			}}
			reg := connector.NewRegistry()
			reg.Register(herald.PlatformFake, meddler{change: func() {}})
			wk := &refreshTokensWorker{cfg: Config{}.withDefaults(), store: rs, connectors: reg, keys: keys,
				notifier: NotifierFunc(func(context.Context, herald.Notification) {}),
				clock:    herald.SystemClock{}, log: slog.New(slog.DiscardHandler)}
			if err := wk.Work(ctx, &river.Job[RefreshTokensArgs]{}); err != nil {
				t.Fatalf("Work: %v", err)
			}
			rs.wg.Wait()
			got, err := db.GetAccount(ctx, a.WorkspaceID, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != herald.AccountRevoked || !got.Credentials.Empty() {
				t.Fatalf("after the race the account is %s with %d bytes of credentials; want revoked without any",
					got.Status, len(got.Credentials.Ciphertext))
			}
		})
	}
}
