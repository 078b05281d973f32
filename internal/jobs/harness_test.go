package jobs_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/jobs"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// liveness is how long a test waits for something River does in the
// background before it gives up: generous, as the machine may be busy.
const liveness = 90 * time.Second

// driver opens a fresh, migrated store for a test.
type driver struct {
	name string
	open func(t *testing.T) herald.Store
}

// drivers are both stores; PostgreSQL skips when HERALD_TEST_POSTGRES_URL
// is not set.
func drivers() []driver {
	return []driver{
		{"sqlite", func(t *testing.T) herald.Store { return mustSQLite(t) }},
		{"postgres", func(t *testing.T) herald.Store { return pgtest.Open(t) }},
	}
}

func mustSQLite(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("sqlite migrate: %v", err)
	}
	return db
}

func mustKeys(t *testing.T) *keyring.Keyring {
	t.Helper()
	line, err := keyring.GenerateLine()
	if err != nil {
		t.Fatalf("GenerateLine: %v", err)
	}
	k, err := keyring.New([]byte(line + "\n"))
	if err != nil {
		t.Fatalf("keyring.New: %v", err)
	}
	return k
}

// deps are the usual dependencies: the fake platform's connector, a fresh
// keyring and a recording notifier.
func deps(t *testing.T, st herald.Store) (jobs.Deps, *notes) {
	t.Helper()
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformFake, fake.New(nil))
	n := &notes{}
	return jobs.Deps{Store: st, Connectors: reg, Keys: mustKeys(t), Notifier: n, Logger: testLogger(t)}, n
}

// mustStart makes and starts a runner, stopped when the test ends.
func mustStart(t *testing.T, cfg jobs.Config, d jobs.Deps) *jobs.Runner {
	t.Helper()
	r, err := jobs.New(cfg, d)
	if err != nil {
		t.Fatalf("jobs.New: %v", err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { mustStop(t, r) })
	return r
}

func mustStop(t *testing.T, r *jobs.Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after liveness.
func waitFor(t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// note is one notification.
type note struct {
	kind        herald.NotificationKind
	workspaceID int64
	message     string
}

// notes records notifications.
type notes struct {
	mu   sync.Mutex
	list []note
}

func (n *notes) Notify(_ context.Context, x herald.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.list = append(n.list, note{x.Kind, x.WorkspaceID, x.Message})
}

func (n *notes) all() []note {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.list)
}

// dbOf returns the store's pool or write connection, to look at River's
// tables.
func dbOf(t *testing.T, st herald.Store) (pool *pgxpool.Pool, db *sql.DB) {
	t.Helper()
	switch s := st.(type) {
	case interface{ Pool() *pgxpool.Pool }:
		return s.Pool(), nil
	case interface{ WriteDB() *sql.DB }:
		return nil, s.WriteDB()
	}
	t.Fatalf("store %T has neither Pool nor WriteDB", st)
	return nil, nil
}

// countJobs counts River's jobs of kind in state.
func countJobs(t *testing.T, st herald.Store, kind, state string) (int, error) {
	t.Helper()
	pool, db := dbOf(t, st)
	var n int
	var err error
	if pool != nil {
		err = pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1 AND state = $2`, kind, state).Scan(&n)
	} else {
		err = db.QueryRowContext(context.Background(), `SELECT count(*) FROM river_job WHERE kind = ? AND state = ?`, kind, state).Scan(&n)
	}
	return n, err
}

func mustWorkspace(t *testing.T, st herald.Store) herald.Workspace {
	t.Helper()
	w := herald.Workspace{Name: "Brand", TimeZone: "UTC"}
	if err := st.CreateWorkspace(t.Context(), &w); err != nil {
		t.Fatalf("CreateWorkspace: %v", err)
	}
	return w
}
