package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/mail"
	"github.com/heraldsocial/herald/internal/report"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/links"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/review"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/webhook"
	"github.com/heraldsocial/herald/internal/workspace"
)

// harness is a whole API over a real store, served on loopback.
type harness struct {
	t        testing.TB
	store    herald.Store
	keys     *keyring.Keyring
	auth     *auth.Service
	svc      api.Deps
	api      *api.API
	srv      *httptest.Server
	mediaDir string
}

// forEachStore runs fn against SQLite, and against PostgreSQL when
// HERALD_TEST_POSTGRES_URL is set.
func forEachStore(t *testing.T, fn func(t *testing.T, h *harness)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, newHarness(t, openSQLite(t)))
	})
	if os.Getenv("HERALD_TEST_POSTGRES_URL") != "" {
		t.Run("postgres", func(t *testing.T) {
			fn(t, newHarness(t, pgtest.Open(t)))
		})
	}
}

func openSQLite(t testing.TB) herald.Store {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

func newHarness(t testing.TB, store herald.Store) *harness {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	dir := t.TempDir()
	keys, err := keyring.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	authSvc := auth.New(store, clock, logger)
	sm := auth.NewSessionManager(store, false)
	storage, err := media.NewDiskStorage(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := webhook.New(webhook.Config{BaseURL: "https://herald.example.com", AllowPrivate: true},
		webhook.Deps{Store: store, Keys: keys, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	notes := notify.NewService(notify.ServiceDeps{Store: store, Channels: hooks, Clock: clock, Logger: logger})
	tasks := task.New(store, clock, notes, logger)
	posts := post.New(store, clock, logger, post.WithChangesHook(tasks))
	d := api.Deps{
		Auth:       authSvc,
		Sessions:   sm,
		Workspaces: workspace.New(store, clock, logger),
		Labels:     label.New(store, clock, logger),
		Campaigns:  campaign.New(store, clock, logger),
		Posts:      posts,
		Accounts:   account.New(store, keys, clock, logger),
		Media:      media.New(store, storage, 5<<20, clock, logger),
		Evergreen:  evergreen.New(store, clock, logger),
		Calendar:   ical.New(store, clock, logger),
		BaseURL:    "https://herald.example.com",
		Feeds:      feeds.New(store, posts, feeds.NewClient(true), clock, logger, feeds.Config{}),
		Tasks:      tasks,
		Inbox:      inbox.New(store, clock, logger),
		Logger:     logger,
		Version:    "test",
	}
	d.Imports = importsFor(d)
	d.Templates = template.New(store, clock, d.Posts, logger)
	d.Webhooks, d.Notifications = hooks, notes
	d.Reviews = review.New(store, d.Posts, clock, logger)
	d.Analytics = analytics.New(store, clock)
	sender, err := mail.New(mail.Config{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	d.Reports = report.NewService(store, d.Analytics, sender, clock, logger)
	d.Links, err = links.New(store, links.Options{BaseURL: "https://herald.example.com", Sealer: keys, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	d.Listen = listen.New(store, clock, logger, nil)
	d.Crisis = crisis.New(store, d.Posts, d.Notifications, clock, logger)
	a := api.New(d)
	app := sm.LoadAndSave(authSvc.Middleware(sm)(a))
	short := d.Links.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// As the server routes them: short links and signed conversions
		// outside the session and authentication middleware.
		if strings.HasPrefix(r.URL.Path, "/l/") || r.URL.Path == "/api/v1/conversions" {
			short.ServeHTTP(w, r)
			return
		}
		app.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &harness{t: t, store: store, keys: keys, auth: authSvc, svc: d, api: a, srv: srv, mediaDir: filepath.Join(dir, "media")}
}

// newUser creates a user with a known password.
func (h *harness) newUser(email string) herald.User {
	h.t.Helper()
	u, err := h.auth.CreateUser(context.Background(), email, strings.Split(email, "@")[0], "correct horse battery")
	if err != nil {
		h.t.Fatal(err)
	}
	return u
}

// newWorkspace creates a workspace owned by owner.
func (h *harness) newWorkspace(owner herald.User, name string) herald.Workspace {
	h.t.Helper()
	w, err := h.svc.Workspaces.Create(context.Background(), owner.ID, herald.Workspace{Name: name, TimeZone: "Europe/Paris"})
	if err != nil {
		h.t.Fatal(err)
	}
	return w
}

// member adds a new user with role to ws and returns an API token for them
// with that role.
func (h *harness) member(ws herald.Workspace, email string, role herald.Role) (herald.User, string) {
	h.t.Helper()
	ctx := context.Background()
	u := h.newUser(email)
	if err := h.store.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: role}); err != nil {
		h.t.Fatal(err)
	}
	return u, h.tokenFor(u, ws, role)
}

// tokenFor creates an API token for u in ws with role.
func (h *harness) tokenFor(u herald.User, ws herald.Workspace, role herald.Role) string {
	h.t.Helper()
	actor := herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: role}
	secret, _, err := h.auth.CreateToken(context.Background(), actor, "test "+string(role), role, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return secret
}

// response is a decoded API answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r response) JSON(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// ErrorCode returns error.code of an error body ("" if none).
func (r response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// do sends a request with a bearer token (if not empty). body may be nil,
// a string (sent as is) or a value (sent as JSON). hdr adds headers as
// name, value pairs.
func (h *harness) do(method, path, token string, body any, hdr ...string) response {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{Status: res.StatusCode, Header: res.Header, Body: b}
}

// mustStatus fails unless r has the wanted status.
func mustStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body %s", r.Status, want, r.Body)
	}
}

// withConnectors rebuilds h's API with the fake platform's connector
// registered, so accounts can be connected, drafts checked and inbox
// items answered; the connect callback is h's own server. It returns the
// fake platform (open: any token names its own account) and its address.
func (h *harness) withConnectors() (*fakeserver.Server, string) {
	h.t.Helper()
	platform := fakeserver.New(fakeserver.Config{})
	base, err := platform.Start("127.0.0.1:0")
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = platform.Close() })
	h.withRegistry(nil)
	return platform, base
}

// withRegistry rebuilds h's API with the test platform's connector and
// those register adds, the connect callback on h's own server; it returns
// the registry.
func (h *harness) withRegistry(register func(*connector.Registry)) *connector.Registry {
	h.t.Helper()
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformFake, fake.New(nil))
	if register != nil {
		register(reg)
	}
	srv := httptest.NewUnstartedServer(nil)
	callback := "http://" + srv.Listener.Addr().String() + "/api/v1/connect/callback"
	logger := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	d := h.svc
	d.Accounts = account.New(h.store, h.keys, clock, logger, account.WithConnectors(reg, callback, h.auth))
	d.Posts = post.New(h.store, clock, logger, post.WithConnectors(reg, h.keys))
	d.Inbox = inbox.New(h.store, clock, logger, inbox.WithDMPlatforms(reg))
	d.Imports = importsFor(d)
	d.Crisis = crisis.New(h.store, d.Posts, d.Notifications, clock, logger)
	a := api.New(d)
	srv.Config.Handler = d.Sessions.LoadAndSave(h.auth.Middleware(d.Sessions)(a))
	srv.Start()
	h.t.Cleanup(srv.Close)
	h.svc, h.api, h.srv = d, a, srv
	return reg
}
