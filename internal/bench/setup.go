package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/publish"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// benchStore is a whole store, as both implementations provide.
type benchStore interface {
	herald.Store
	publish.Store
}

// database is a fresh, migrated store and how to remove it.
type database struct {
	store  benchStore
	insert bulkInserter
	close  func() error
	// another opens one more store on the same database, as a second
	// instance of Herald would (nil for SQLite: one process owns it).
	another func(ctx context.Context) (benchStore, func() error, error)
}

// openDB creates a fresh database: SQLite in a temporary folder (opened as
// production opens it, same pragmas), or PostgreSQL in a new schema.
func openDB(ctx context.Context, cfg Config) (database, error) {
	if cfg.DB == DBPostgres {
		return openPostgres(ctx, cfg.DatabaseURL)
	}
	dir, err := os.MkdirTemp("", "herald-bench-")
	if err != nil {
		return database{}, fmt.Errorf("bench: temporary folder for SQLite: %w", err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "herald.db"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return database{}, fmt.Errorf("bench: open SQLite: %w", err)
	}
	insert, closeBulk, err := sqliteBulk(filepath.Join(dir, "herald.db"))
	if err != nil {
		return database{}, errors.Join(err, db.Close(), os.RemoveAll(dir))
	}
	closeAll := func() error {
		return errors.Join(closeBulk(), db.Close(), os.RemoveAll(dir))
	}
	if err := db.Migrate(ctx); err != nil {
		return database{}, errors.Join(fmt.Errorf("bench: migrate SQLite: %w", err), closeAll())
	}
	return database{store: db, insert: insert, close: closeAll}, nil
}

// openPostgres creates a schema herald_bench_<random> in the database at
// url, opens a pool confined to it and migrates it; close drops it.
func openPostgres(ctx context.Context, url string) (database, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return database{}, &herald.Error{Code: herald.CodeInvalid,
			Message: "the PostgreSQL URL is not valid; use the form postgres://user:password@host:5432/dbname",
			Details: []herald.FieldProblem{{Field: "database_url", Problem: "cannot be parsed"}}}
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = postgres.DefaultMaxConns
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	schema := "herald_bench_" + hex.EncodeToString(b)
	ident := pgx.Identifier{schema}.Sanitize()
	admin := func(sql string) error {
		conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
		if err != nil {
			return fmt.Errorf("bench: connect to PostgreSQL: %w", err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("bench: %s: %w", sql, err)
		}
		return nil
	}
	if err := admin("CREATE SCHEMA " + ident); err != nil {
		return database{}, err
	}
	drop := func() error { return admin("DROP SCHEMA " + ident + " CASCADE") }
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	db, err := postgres.OpenConfig(ctx, cfg)
	if err != nil {
		return database{}, errors.Join(fmt.Errorf("bench: open PostgreSQL: %w", err), drop())
	}
	closeAll := func() error { return errors.Join(db.Close(), drop()) }
	if err := db.Migrate(ctx); err != nil {
		return database{}, errors.Join(fmt.Errorf("bench: migrate schema %s: %w", schema, err), closeAll())
	}
	another := func(ctx context.Context) (benchStore, func() error, error) {
		other, err := postgres.OpenConfig(ctx, cfg.Copy())
		if err != nil {
			return nil, nil, fmt.Errorf("bench: open another PostgreSQL pool: %w", err)
		}
		return other, other.Close, nil
	}
	return database{store: db, insert: postgresBulk(db.Pool()), close: closeAll, another: another}, nil
}

// fixture is the workspace, author and accounts the posts belong to, and
// the throwaway keyring their credentials are sealed with.
type fixture struct {
	keys         *keyring.Keyring
	installation string // the store's installation id, in every part key
	ws           herald.Workspace
	user         herald.User
	accounts     []herald.Account
	// venues, for a mixed run, are the platforms the accounts are on.
	venues []*venue
}

// accountMaker makes the i-th account (without its workspace) and its
// credentials in the connector's encoding.
type accountMaker func(ctx context.Context, i int) (herald.Account, []byte, error)

// fakeAccounts makes accounts on the fake platform at platformURL: an open
// fake platform takes any token as the account it names.
func fakeAccounts(platformURL string) accountMaker {
	return func(_ context.Context, i int) (herald.Account, []byte, error) {
		remote := "bench" + strconv.Itoa(i)
		return herald.Account{Platform: herald.PlatformFake, RemoteID: remote, Handle: "@" + remote, DisplayName: remote,
			InstanceURL: platformURL}, fake.MarshalCredentials(fake.Credentials{AccessToken: remote}), nil
	}
}

// venueAccounts spreads accounts over the venues, round-robin.
func venueAccounts(venues []*venue) accountMaker {
	return func(ctx context.Context, i int) (herald.Account, []byte, error) {
		return venues[i%len(venues)].account(ctx, i)
	}
}

func newFixture(ctx context.Context, st benchStore, makeAccount accountMaker, accounts int) (*fixture, error) {
	line, err := keyring.GenerateLine()
	if err != nil {
		return nil, fmt.Errorf("bench: generate a keyring: %w", err)
	}
	keys, err := keyring.New([]byte(line))
	if err != nil {
		return nil, fmt.Errorf("bench: keyring: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	inst, err := st.InstallationID(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: read the installation id: %w", err)
	}
	fx := &fixture{keys: keys, installation: inst}
	fx.ws = herald.Workspace{Name: "Benchmark", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, &fx.ws); err != nil {
		return nil, fmt.Errorf("bench: create the workspace: %w", err)
	}
	fx.user = herald.User{Email: "bench@example.com", Name: "Benchmark",
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$YmVuY2g$YmVuY2g", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, &fx.user); err != nil {
		return nil, fmt.Errorf("bench: create the author: %w", err)
	}
	for i := range accounts {
		a, creds, err := makeAccount(ctx, i)
		if err != nil {
			return nil, err
		}
		a.WorkspaceID, a.Status, a.CreatedAt, a.UpdatedAt = fx.ws.ID, herald.AccountConnected, now, now
		sealed, err := keys.Seal(creds, a.CredentialsAAD())
		if err != nil {
			return nil, fmt.Errorf("bench: seal credentials: %w", err)
		}
		a.Credentials = sealed
		if err := st.CreateAccount(ctx, &a); err != nil {
			return nil, fmt.Errorf("bench: create account %s: %w", a.Handle, err)
		}
		fx.accounts = append(fx.accounts, a)
	}
	return fx, nil
}

// registry returns the connectors: the fake platform's over client, or
// in a mixed run each venue's.
func (fx *fixture) registry(client *http.Client) *connector.Registry {
	r := connector.NewRegistry()
	if len(fx.venues) > 0 {
		for _, v := range fx.venues {
			r.Register(v.platform, v.conn)
		}
		return r
	}
	r.Register(herald.PlatformFake, fake.New(client))
	return r
}

// insertBatch is how many posts go in one transaction.
const insertBatch = 5_000

// schedule is the stored targets and their due times.
type schedule struct {
	installation string
	ids          []int64
	dues         []time.Time
}

// due returns the due time of the i-th target.
func (s schedule) due(i int) time.Time { return s.dues[i] }

// lastDue returns the latest due time.
func (s schedule) lastDue() time.Time {
	var last time.Time
	for _, d := range s.dues {
		if d.After(last) {
			last = d
		}
	}
	return last
}

// dueAt returns the due time of the i-th of n posts spread evenly over
// window: the first at first, the last at first + window.
func dueAt(first time.Time, window time.Duration, i, n int) time.Time {
	if n < 2 {
		return first
	}
	return first.Add(time.Duration(int64(window) * int64(i) / int64(n-1))).Truncate(time.Microsecond)
}

// schedule stores n posts of one scheduled target each, round-robin over
// the accounts, in transactions of insertBatch posts.
func (fx *fixture) schedule(ctx context.Context, insert bulkInserter, n int, first time.Time, window time.Duration) (schedule, error) {
	s := schedule{installation: fx.installation, ids: make([]int64, 0, n), dues: make([]time.Time, 0, n)}
	now := time.Now().UTC().Truncate(time.Microsecond)
	batch := make([]newPost, 0, insertBatch)
	for start := 0; start < n; start += insertBatch {
		end := min(start+insertBatch, n)
		batch = batch[:0]
		for i := start; i < end; i++ {
			batch = append(batch, newPost{accountID: fx.accounts[i%len(fx.accounts)].ID,
				text: postText + " " + strconv.Itoa(i), due: dueAt(first, window, i, n)})
		}
		out, err := insert(ctx, fx.ws.ID, fx.user.ID, now, batch)
		if err != nil {
			return schedule{}, fmt.Errorf("bench: store posts %d–%d: %w", start, end-1, err)
		}
		for _, t := range out {
			s.ids = append(s.ids, t.id)
			s.dues = append(s.dues, t.due)
		}
	}
	return s, nil
}

// partKey is the X-Herald-Key of a single post's target.
func partKey(installation string, targetID int64) string {
	return publish.PartKey(installation, targetID, 0, false)
}
