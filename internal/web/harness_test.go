package web

import (
	"context"
	"github.com/heraldsocial/herald/internal/analytics"
	"github.com/heraldsocial/herald/internal/mail"
	"github.com/heraldsocial/herald/internal/report"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/links"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/review"
	"github.com/heraldsocial/herald/internal/server"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/webhook"
	"github.com/heraldsocial/herald/internal/workspace"
)

// env is Herald served on loopback as `herald serve` builds it: the
// services, the API and the web interface behind the server's middleware.
type env struct {
	t         *testing.T
	store     herald.Store
	auth      *auth.Service
	ws        *workspace.Service
	posts     *post.Service
	accounts  *account.Service
	media     *media.Service
	labels    *label.Service
	campaigns *campaign.Service
	evergreen *evergreen.Service
	calendar  *ical.Service
	templates *template.Service
	feeds     *feeds.Service
	webhooks  *webhook.Service
	tasks     *task.Service
	reviews   *review.Service
	inbox     *inbox.Service
	links     *media.PublicLinks
	tracked   *links.Service
	notes     *notify.Service
	srv       *httptest.Server
	web       *Handler
	// Set by newConnectEnvWith, for tests that publish (startPublishing).
	keys     *keyring.Keyring
	storage  *media.DiskStorage
	registry *connector.Registry
}

const testPassword = "correct horse battery"

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, st)
}

// newEnvOn is newEnv on a migrated store st (PostgreSQL for tests of
// several instances).
func newEnvOn(t *testing.T, st herald.Store) *env {
	t.Helper()
	dir := t.TempDir()
	keys, err := keyring.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	storage, err := media.NewDiskStorage(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	e := &env{t: t, store: st}
	e.auth = auth.New(st, clock, logger)
	sm := auth.NewSessionManager(st, false)
	e.ws = workspace.New(st, clock, logger)
	e.webhooks, err = webhook.New(webhook.Config{BaseURL: "https://herald.example", AllowPrivate: true},
		webhook.Deps{Store: st, Keys: keys, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	e.notes = notify.NewService(notify.ServiceDeps{Store: st, Channels: e.webhooks, Clock: clock, Logger: logger})
	e.tasks = task.New(st, clock, e.notes, logger)
	e.posts = post.New(st, clock, logger, post.WithChangesHook(e.tasks), post.WithNotifier(e.notes))
	e.accounts = account.New(st, keys, clock, logger)
	e.labels = label.New(st, clock, logger)
	e.campaigns = campaign.New(st, clock, logger)
	e.media = media.New(st, storage, 5<<20, clock, logger)
	e.evergreen = evergreen.New(st, clock, logger)
	e.calendar = ical.New(st, clock, logger)
	e.templates = template.New(st, clock, e.posts, logger)
	e.feeds = feeds.New(st, e.posts, feeds.NewClient(true), clock, logger, feeds.Config{})
	e.reviews = review.New(st, e.posts, clock, logger)
	e.inbox = inbox.New(st, clock, logger, inbox.WithNotifier(e.notes))
	a := api.New(api.Deps{Inbox: e.inbox,
		Auth: e.auth, Sessions: sm, Workspaces: e.ws, Posts: e.posts, Accounts: e.accounts,
		Labels: e.labels, Campaigns: e.campaigns, Media: e.media, Templates: e.templates, Feeds: e.feeds, Tasks: e.tasks, Logger: logger, Version: "test",
	})
	e.srv = httptest.NewUnstartedServer(nil)
	base := "http://" + e.srv.Listener.Addr().String()
	e.links = media.NewPublicLinks(base, keys, st, storage, clock, logger)
	analyticsSvc := analytics.New(st, clock)
	e.tracked, err = links.New(st, links.Options{BaseURL: base, Sealer: keys, Clock: clock, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Deps{Links: e.tracked, Inbox: e.inbox, Auth: e.auth, Sessions: sm, Workspaces: e.ws, Posts: e.posts, Accounts: e.accounts,
		Media: e.media, Labels: e.labels, Campaigns: e.campaigns, Templates: e.templates, Evergreen: e.evergreen, Calendar: e.calendar,
		Feeds: e.feeds, Webhooks: e.webhooks, Tasks: e.tasks, Reviews: e.reviews, Notifications: e.notes,
		Analytics: analyticsSvc, Reports: report.NewService(st, analyticsSvc, noMail(t, logger), clock, logger), MediaLinks: e.links, Users: st, Clock: clock, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	routes := []string{}
	for _, r := range a.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	s := server.New(config.Config{BaseURL: base, ShutdownTimeout: 5 * time.Second}, server.Deps{
		Store: st, Auth: e.auth, Sessions: sm, API: a, APIRoutes: routes, Web: w, Links: e.tracked.Handler(), Version: "test", Clock: clock,
	}, logger)
	e.srv.Config.Handler = s.Handler()
	e.web = w
	e.srv.Start()
	t.Cleanup(func() {
		w.CloseStreams() // live inbox streams end, so Close need not wait for them
		e.srv.Close()
	})
	return e
}

// owner makes a user who owns a new workspace.
func (e *env) owner(email, wsName string) (herald.User, herald.Workspace) {
	e.t.Helper()
	u := e.user(email)
	w, err := e.ws.Create(context.Background(), u.ID, herald.Workspace{Name: wsName, TimeZone: "Europe/Paris"})
	if err != nil {
		e.t.Fatal(err)
	}
	return u, w
}

func (e *env) user(email string) herald.User {
	e.t.Helper()
	u, err := e.auth.CreateUser(context.Background(), email, strings.Split(email, "@")[0], testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// member adds a new user to w with role.
func (e *env) member(w herald.Workspace, email string, role herald.Role) herald.User {
	e.t.Helper()
	u := e.user(email)
	if err := e.store.AddMember(context.Background(), &herald.Membership{WorkspaceID: w.ID, UserID: u.ID, Role: role}); err != nil {
		e.t.Fatal(err)
	}
	return u
}

// account connects a test-platform account to w.
func (e *env) account(owner herald.User, w herald.Workspace, handle string) herald.Account {
	e.t.Helper()
	a, err := e.accounts.Connect(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner},
		herald.Account{Platform: herald.PlatformFake, RemoteID: handle, Handle: handle, DisplayName: handle,
			Status: herald.AccountConnected}, []byte(`{"access_token":"t"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// scheduled creates a post scheduled at at on acct.
func (e *env) scheduled(owner herald.User, w herald.Workspace, acct herald.Account, text string, at time.Time) herald.Post {
	e.t.Helper()
	at = at.UTC().Truncate(time.Second)
	p, err := e.posts.Create(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner},
		herald.Post{Text: text, Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSchedule)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// move walks target t of w through states as the dispatcher would,
// leaving lastError on it.
func (e *env) move(w herald.Workspace, targetID int64, lastError string, states ...herald.TargetState) herald.Target {
	e.t.Helper()
	ctx := context.Background()
	t, err := e.store.GetTarget(ctx, w.ID, targetID)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range states {
		tr, err := t.Transition(s, nil, "test", herald.SystemClock{}.Now())
		if err != nil {
			e.t.Fatal(err)
		}
		t.LastError = lastError
		if err := e.store.TransitionTarget(ctx, &t, tr); err != nil {
			e.t.Fatal(err)
		}
	}
	return t
}

// browser is an HTTP client with its own cookies, as one person's browser.
type browser struct {
	t *testing.T
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	e.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: e.t, e: e, c: c}
}

// page is one answer.
type answer struct {
	Status   int
	Location string
	Header   http.Header
	Body     string
}

func (b *browser) do(method, path string, form url.Values, hdr ...string) answer {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		// What a browser sends with a same-origin form.
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", b.e.srv.URL)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(raw)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

func (b *browser) post(path string, form url.Values, hdr ...string) answer {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return b.do(http.MethodPost, path, form, hdr...)
}

// signIn signs the browser in as email.
func (b *browser) signIn(email string) {
	b.t.Helper()
	a := b.post("/signin", url.Values{"email": {email}, "password": {testPassword}})
	if a.Status != http.StatusSeeOther {
		b.t.Fatalf("sign in as %s: %d %s", email, a.Status, a.Body)
	}
}

// want checks an answer's status and that its body has each of texts.
func want(t *testing.T, a answer, status int, texts ...string) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("status %d, want %d; location %q; body:\n%s", a.Status, status, a.Location, a.Body)
	}
	for _, s := range texts {
		if !strings.Contains(a.Body, s) {
			t.Errorf("body lacks %q:\n%s", s, a.Body)
		}
	}
}

// wantNot checks the body has none of texts.
func wantNot(t *testing.T, a answer, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(a.Body, s) {
			t.Errorf("body has %q but should not", s)
		}
	}
}

// noMail is a mail sender with e-mail off, as on a server without
// HERALD_SMTP_HOST.
func noMail(t testing.TB, logger *slog.Logger) *mail.Sender {
	t.Helper()
	s, err := mail.New(mail.Config{}, logger)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
