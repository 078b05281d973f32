package publish_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/publish"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// testStore is a whole store, as both implementations provide.
type testStore interface {
	herald.Store
	herald.PublishStore
}

var (
	_ testStore     = (*sqlite.DB)(nil)
	_ testStore     = (*postgres.DB)(nil)
	_ publish.Store = (*sqlite.DB)(nil)
	_ publish.Store = (*postgres.DB)(nil)
)

// liveness is the generous bound for anything to happen; tests never
// assert on speed, only that publishing happens at all.
const liveness = 60 * time.Second

// eachStore runs fn against SQLite, and against PostgreSQL when
// HERALD_TEST_POSTGRES_URL is set.
func eachStore(t *testing.T, fn func(t *testing.T, open func(t *testing.T) testStore)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, sqliteStore)
	})
	if os.Getenv(pgtest.EnvURL) != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, func(t *testing.T) testStore {
				t.Helper()
				return pgtest.Open(t)
			})
		})
	}
}

// syncBuffer collects logs from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// notes records notifications.
type notes struct {
	mu  sync.Mutex
	all []herald.Notification
}

func (n *notes) Notify(_ context.Context, nt herald.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.all = append(n.all, nt)
}

func (n *notes) of(kind herald.NotificationKind) []herald.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []herald.Notification
	for _, nt := range n.all {
		if nt.Kind == kind {
			out = append(out, nt)
		}
	}
	return out
}

// harness is a store, a fake platform on loopback, a keyring and a
// workspace with a user.
type harness struct {
	store    testStore
	srv      *fakeserver.Server
	url      string
	kr       *keyring.Keyring
	ws       herald.Workspace
	user     herald.User
	notes    *notes
	logs     *syncBuffer
	mediaDir string
	// installation is the store's installation id, in every part key.
	installation string
	// fit, when set, is the dispatcher's FitMedia.
	fit func(ctx context.Context, m connector.Media, lim connector.Limits) (connector.Media, error)
	// links, when set, is the dispatcher's LinkTracker.
	links publish.LinkTracker
}

func newHarness(t testing.TB, store testStore, cfg fakeserver.Config) *harness {
	t.Helper()
	ctx := t.Context()
	srv := fakeserver.New(cfg)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start the fake platform: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	line, err := keyring.GenerateLine()
	if err != nil {
		t.Fatalf("GenerateLine: %v", err)
	}
	kr, err := keyring.New([]byte(line))
	if err != nil {
		t.Fatalf("keyring.New: %v", err)
	}
	h := &harness{store: store, srv: srv, url: url, kr: kr, notes: &notes{}, logs: &syncBuffer{}, mediaDir: t.TempDir()}
	if h.installation, err = store.InstallationID(ctx); err != nil {
		t.Fatalf("InstallationID: %v", err)
	}
	now := time.Now().UTC()
	h.ws = herald.Workspace{Name: "Publishing " + t.Name(), TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := store.CreateWorkspace(ctx, &h.ws); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	h.user = herald.User{Email: fmt.Sprintf("u%d@example.com", h.ws.ID), Name: "Author",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", CreatedAt: now, UpdatedAt: now}
	if err := store.CreateUser(ctx, &h.user); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dispatcher logs:\n%s", h.logs.String())
		}
	})
	return h
}

// account connects an account to the fake platform. The fake's account
// name is remote; access and refresh are its tokens (access "" : remote,
// which an open platform accepts as the account itself).
func (h *harness) account(t testing.TB, remote, access, refresh string) herald.Account {
	t.Helper()
	if access == "" {
		access = remote
	}
	now := time.Now().UTC()
	a := herald.Account{WorkspaceID: h.ws.ID, Platform: herald.PlatformFake, RemoteID: remote,
		Handle: "@" + remote, DisplayName: remote, InstanceURL: h.url, Status: herald.AccountConnected,
		CreatedAt: now, UpdatedAt: now}
	sealed, err := h.kr.Seal(fake.MarshalCredentials(fake.Credentials{AccessToken: access, RefreshToken: refresh}), a.CredentialsAAD())
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	a.Credentials = sealed
	if err := h.store.CreateAccount(t.Context(), &a); err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return a
}

// schedule creates a post with one target on acct, scheduled at at.
func (h *harness) schedule(t testing.TB, acct herald.Account, at time.Time, v herald.Variant) herald.Target {
	t.Helper()
	return h.scheduleWith(t, acct, at, v, herald.Progress{})
}

func (h *harness) scheduleWith(t testing.TB, acct herald.Account, at time.Time, v herald.Variant, progress herald.Progress) herald.Target {
	t.Helper()
	now := time.Now().UTC()
	at = at.UTC().Truncate(time.Microsecond)
	p := herald.Post{WorkspaceID: h.ws.ID, AuthorID: h.user.ID, Text: "the post's base text", CreatedAt: now, UpdatedAt: now,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StateScheduled, ScheduledAt: &at,
			Variant: v, Progress: progress, CreatedAt: now, UpdatedAt: now}}}
	if err := h.store.CreatePost(t.Context(), &p); err != nil {
		t.Fatalf("CreatePost: %v", err)
	}
	return p.Targets[0]
}

// media stores a file and its record.
func (h *harness) media(t *testing.T, name string, data []byte) herald.MediaAsset {
	t.Helper()
	key := fmt.Sprintf("%d-%s", h.ws.ID, name)
	if err := os.WriteFile(filepath.Join(h.mediaDir, key), data, 0o600); err != nil {
		t.Fatalf("write media: %v", err)
	}
	now := time.Now().UTC()
	m := herald.MediaAsset{WorkspaceID: h.ws.ID, UploaderID: h.user.ID, Filename: name, ContentType: "image/png",
		Size: int64(len(data)), AltText: "alt " + name, SHA256: fmt.Sprintf("%064x", len(name)*7919+int(h.ws.ID)),
		StorageKey: key, CreatedAt: now, UpdatedAt: now}
	if err := h.store.CreateMedia(t.Context(), &m); err != nil {
		t.Fatalf("CreateMedia: %v", err)
	}
	return m
}

func (h *harness) openMedia(_ context.Context, key string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(h.mediaDir, filepath.Base(key)))
}

// registry returns a registry with conn (nil: the fake connector without
// idempotency) for the fake platform.
func (h *harness) registry(conn connector.Publisher) *connector.Registry {
	if conn == nil {
		conn = fake.New(h.srv.Client())
	}
	r := connector.NewRegistry()
	r.Register(herald.PlatformFake, conn)
	return r
}

// testConfig is a dispatcher configuration with short waits.
func testConfig(instance string) publish.Config {
	return publish.Config{
		Instance:     instance,
		Lookahead:    time.Minute,
		ReloadEvery:  time.Second,
		Lease:        30 * time.Second,
		CallTimeout:  10 * time.Second,
		ExpiredEvery: 200 * time.Millisecond,
		BackoffBase:  100 * time.Millisecond,
		BackoffCap:   time.Second,
		Grace:        10 * time.Second,
	}
}

// start runs a dispatcher until the test ends.
func (h *harness) start(t testing.TB, cfg publish.Config, reg *connector.Registry) *publish.Dispatcher {
	t.Helper()
	d := publish.New(cfg, publish.Deps{
		Store: h.store, Connectors: reg, Open: h.kr.Open, Seal: h.kr.Seal, OpenMedia: h.openMedia,
		FitMedia: h.fit, Links: h.links, Notifier: h.notes, Clock: herald.SystemClock{},
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err := d.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(d.Stop)
	return d
}

// target reads a target.
func (h *harness) target(t *testing.T, id int64) herald.Target {
	t.Helper()
	tg, err := h.store.GetTarget(t.Context(), h.ws.ID, id)
	if err != nil {
		t.Fatalf("GetTarget(%d): %v", id, err)
	}
	return tg
}

// waitState waits until the target is in one of states.
func (h *harness) waitState(t *testing.T, id int64, states ...herald.TargetState) herald.Target {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for {
		tg := h.target(t, id)
		if slices.Contains(states, tg.State) {
			return tg
		}
		if time.Now().After(deadline) {
			t.Fatalf("target %d is %s (last error %q), want one of %v", id, tg.State, tg.LastError, states)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor waits until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// attempts lists a target's attempts.
func (h *harness) attempts(t *testing.T, id int64) []herald.Attempt {
	t.Helper()
	as, err := h.store.ListAttempts(t.Context(), h.ws.ID, id)
	if err != nil {
		t.Fatalf("ListAttempts: %v", err)
	}
	return as
}

// posts returns the ledger's posts made with a Herald key of target id.
func (h *harness) posts(id int64) []fakeserver.Post {
	prefix := strings.TrimSuffix(publish.PartKey(h.installation, id, 0, false), "0")
	var out []fakeserver.Post
	for _, p := range h.srv.Ledger().Posts() {
		if strings.HasPrefix(p.HeraldKey, prefix) {
			out = append(out, p)
		}
	}
	return out
}

// noDuplicates fails when any part was posted twice.
func (h *harness) noDuplicates(t *testing.T) {
	t.Helper()
	if d := h.srv.Ledger().Duplicates(); len(d) > 0 {
		t.Errorf("posted more than once: %v", d)
	}
}
