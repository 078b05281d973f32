package faulttest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/publish"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// site is a database prepared before Herald starts: migrated, with a
// workspace, its author, accounts on the fake platform with credentials
// sealed by the key file Herald will use, and scheduled posts.
type site struct {
	store herald.Store
	keys  *keyring.Keyring
	// env is what `herald serve` needs to use this database and key file.
	env  []string
	user herald.User
}

// newSQLiteSite prepares a SQLite database and key file in a data folder
// of the test's own.
func newSQLiteSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secret.key")
	keys, err := keyring.Load(keyFile) // creates the key file serve will read
	if err != nil {
		t.Fatalf("create the key file: %v", err)
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatalf("open SQLite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate SQLite: %v", err)
	}
	s := &site{store: db, keys: keys, env: []string{"HERALD_DATA_DIR=" + dir}}
	s.addUser(t)
	return s
}

// pgSite is a site in a PostgreSQL schema of its own.
type pgSite struct {
	*site
	schema string
	// appName is the application_name of Herald's connections (not of the
	// test's own), so they can be told apart in pg_stat_activity.
	appName string
	// adminURL reaches the database without the schema, for the test's own
	// administration.
	adminURL string
}

// newPostgresSite prepares a fresh schema in the HERALD_TEST_POSTGRES_URL
// database (skipping the test when it is not set), dropped at the end.
func newPostgresSite(t *testing.T) *pgSite {
	t.Helper()
	base := pgtest.URL(t)
	ctx := context.Background()
	suffix := randomHex(t)
	schema := "herald_fault_" + suffix
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to %s: %v", pgtest.EnvURL, err)
	}
	_, err = admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize())
	admin.Close(ctx)
	if err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	// Registered first, so it runs last: after every process is gone.
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("connect to drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	cfg, err := pgxpool.ParseConfig(base)
	if err != nil {
		t.Fatalf("parse %s: %v", pgtest.EnvURL, err)
	}
	cfg.MaxConns = 4
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.ConnConfig.RuntimeParams["application_name"] = "herald_faulttest_setup"
	db, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("open PostgreSQL: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate schema %s: %v", schema, err)
	}

	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", pgtest.EnvURL, err)
	}
	appName := "herald_fault_" + suffix
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", appName)
	u.RawQuery = q.Encode()

	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secret.key")
	keys, err := keyring.Load(keyFile)
	if err != nil {
		t.Fatalf("create the key file: %v", err)
	}
	s := &site{store: db, keys: keys, env: []string{"HERALD_DATA_DIR=" + dir, "HERALD_DATABASE_URL=" + u.String()}}
	s.addUser(t)
	return &pgSite{site: s, schema: schema, appName: appName, adminURL: base}
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random name: %v", err)
	}
	return hex.EncodeToString(b)
}

func (s *site) addUser(t *testing.T) {
	t.Helper()
	now := time.Now().UTC()
	s.user = herald.User{Email: "author@example.com", Name: "Author",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA", CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(t.Context(), &s.user); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
}

// workspace creates a workspace in zone with n accounts on the fake
// platform at fakeURL, named <prefix>0 … (the fake treats the access
// token as the account).
func (s *site) workspace(t *testing.T, zone string, n int, fakeURL, prefix string) (herald.Workspace, []herald.Account) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	ws := herald.Workspace{Name: "Faults " + zone, TimeZone: zone, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	accts := make([]herald.Account, n)
	for i := range accts {
		remote := fmt.Sprintf("%s%d", prefix, i)
		a := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: remote,
			Handle: "@" + remote, DisplayName: remote, InstanceURL: fakeURL, Status: herald.AccountConnected,
			CreatedAt: now, UpdatedAt: now}
		sealed, err := s.keys.Seal(fake.MarshalCredentials(fake.Credentials{AccessToken: remote}), a.CredentialsAAD())
		if err != nil {
			t.Fatalf("seal credentials: %v", err)
		}
		a.Credentials = sealed
		if err := s.store.CreateAccount(ctx, &a); err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		accts[i] = a
	}
	return ws, accts
}

// planned is one post to schedule: its account and UTC instant.
type planned struct {
	acct herald.Account
	at   time.Time
	text string
}

// schedule creates one single-target post per plan, scheduled, in one
// transaction, and returns the targets in plan order.
func (s *site) schedule(t *testing.T, plans []planned) []herald.Target {
	t.Helper()
	now := time.Now().UTC()
	out := make([]herald.Target, len(plans))
	err := s.store.InTx(t.Context(), func(tx herald.Tx) error {
		for i, pl := range plans {
			at := pl.at.UTC().Truncate(time.Microsecond)
			p := herald.Post{WorkspaceID: pl.acct.WorkspaceID, AuthorID: s.user.ID, Text: pl.text, CreatedAt: now, UpdatedAt: now,
				Targets: []herald.Target{{AccountID: pl.acct.ID, State: herald.StateScheduled, ScheduledAt: &at,
					CreatedAt: now, UpdatedAt: now}}}
			if err := tx.CreatePost(t.Context(), &p); err != nil {
				return fmt.Errorf("post %d: %w", i, err)
			}
			out[i] = p.Targets[0]
		}
		return nil
	})
	if err != nil {
		t.Fatalf("schedule posts: %v", err)
	}
	return out
}

// burst plans n posts over accts, round robin, due evenly from start over
// spread.
func burst(accts []herald.Account, n int, start time.Time, spread time.Duration) []planned {
	plans := make([]planned, n)
	for i := range plans {
		off := time.Duration(0)
		if n > 1 {
			off = spread * time.Duration(i) / time.Duration(n-1)
		}
		plans[i] = planned{acct: accts[i%len(accts)], at: start.Add(off), text: fmt.Sprintf("fault test post %d", i)}
	}
	return plans
}

// targets reads the targets again.
func (s *site) targets(t *testing.T, ts []herald.Target) []herald.Target {
	t.Helper()
	out := make([]herald.Target, len(ts))
	for i, tg := range ts {
		got, err := s.store.GetTarget(t.Context(), tg.WorkspaceID, tg.ID)
		if err != nil {
			t.Fatalf("GetTarget(%d): %v", tg.ID, err)
		}
		out[i] = got
	}
	return out
}

// countStates counts targets by state.
func countStates(ts []herald.Target) map[herald.TargetState]int {
	m := map[herald.TargetState]int{}
	for _, tg := range ts {
		m[tg.State]++
	}
	return m
}

// waitSettled waits until no target is scheduled, publishing or retrying,
// and returns them.
func (s *site) waitSettled(t *testing.T, ts []herald.Target, limit time.Duration) []herald.Target {
	t.Helper()
	var got []herald.Target
	pollUntil(t, t.Context(), limit, 50*time.Millisecond, "every target to settle", func() bool {
		got = s.targets(t, ts)
		for _, tg := range got {
			if tg.State == herald.StateScheduled || tg.State == herald.StatePublishing || tg.State == herald.StateRetrying {
				return false
			}
		}
		return true
	})
	return got
}

// key is the Herald key of a single-part target of the site.
func (s *site) key(t *testing.T, tg herald.Target) string {
	t.Helper()
	inst, err := s.store.InstallationID(t.Context())
	if err != nil {
		t.Fatalf("read the installation id: %v", err)
	}
	return publish.PartKey(inst, tg.ID, 0, false)
}

// checkExactlyOnce fails unless the platform received every target's post
// exactly once and nothing else, and every target is published with the
// remote post the platform has.
func checkExactlyOnce(t *testing.T, f *fakePlatform, s *site, ts []herald.Target) {
	t.Helper()
	l := f.ledger(t, true)
	if len(l.Duplicates) > 0 {
		t.Errorf("posted more than once: %v", l.Duplicates)
	}
	var missing []string
	for _, tg := range ts {
		if _, ok := l.Received[s.key(t, tg)]; !ok {
			missing = append(missing, s.key(t, tg))
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d posts never reached the platform: %s", len(missing), strings.Join(missing[:min(len(missing), 20)], ", "))
	}
	if l.Count != len(ts) {
		t.Errorf("the platform has %d posts, want %d", l.Count, len(ts))
	}
	got := s.targets(t, ts)
	var bad []string
	for _, tg := range got {
		if tg.State != herald.StatePublished || tg.RemoteID == "" {
			bad = append(bad, fmt.Sprintf("%d is %s (%q)", tg.ID, tg.State, tg.LastError))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d targets are not published (states %v): %s", len(bad), countStates(got), strings.Join(bad[:min(len(bad), 20)], "; "))
	}
}

// retaken counts the targets that took more than one attempt (a claim of a
// killed instance taken over, or a retry), for the test's log.
func (s *site) retaken(t *testing.T, ts []herald.Target) int {
	t.Helper()
	n := 0
	for _, tg := range ts {
		as, err := s.store.ListAttempts(t.Context(), tg.WorkspaceID, tg.ID)
		if err != nil {
			t.Fatalf("ListAttempts(%d): %v", tg.ID, err)
		}
		if len(as) > 1 {
			n++
		}
	}
	return n
}

// lastReceived returns the latest first-receive time among the targets'
// keys.
func (s *site) lastReceived(t *testing.T, l map[string]int64, ts []herald.Target) time.Time {
	t.Helper()
	var last int64
	for _, tg := range ts {
		last = max(last, l[s.key(t, tg)])
	}
	return time.Unix(0, last)
}

// sortedKeys returns m's keys in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
