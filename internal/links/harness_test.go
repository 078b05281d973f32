package links

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
)

const (
	testBase = "https://herald.example"
	chromeUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)

// testClock is a clock the test sets.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// countingStore counts some store calls and fails clicks on demand.
type countingStore struct {
	herald.Store
	puts, settingsReads, lookups, salts, clickWrites atomic.Int32
	failClicks                                       atomic.Bool
}

func (c *countingStore) PutLinks(ctx context.Context, ls []herald.Link) ([]herald.Link, error) {
	c.puts.Add(1)
	return c.Store.PutLinks(ctx, ls)
}

func (c *countingStore) GetAnalyticsSettings(ctx context.Context, ws int64) (herald.AnalyticsSettings, error) {
	c.settingsReads.Add(1)
	return c.Store.GetAnalyticsSettings(ctx, ws)
}

func (c *countingStore) LinkByCode(ctx context.Context, code string) (herald.Link, error) {
	c.lookups.Add(1)
	return c.Store.LinkByCode(ctx, code)
}

func (c *countingStore) ClickSalt(ctx context.Context, day int64, salt []byte) ([]byte, error) {
	c.salts.Add(1)
	return c.Store.ClickSalt(ctx, day, salt)
}

func (c *countingStore) RecordClicks(ctx context.Context, clicks []herald.Click) error {
	c.clickWrites.Add(1)
	if c.failClicks.Load() {
		return errors.New("disk I/O error")
	}
	return c.Store.RecordClicks(ctx, clicks)
}

// world is a workspace with a member of each role, an account, a
// campaign and a post with one target, and a links service over a
// counting store (not started: tests flush the recorder themselves).
type world struct {
	st       *countingStore
	clock    *testClock
	keys     *keyring.Keyring
	svc      *Service
	ws       herald.Workspace
	other    herald.Workspace
	actors   map[herald.Role]herald.Actor
	outsider herald.Actor
	acct     herald.Account
	camp     herald.Campaign
	post     herald.Post
	target   herald.Target
}

func newWorld(t *testing.T, st herald.Store, opts ...func(*Options)) *world {
	t.Helper()
	ctx := t.Context()
	w := &world{st: &countingStore{Store: st}, keys: mustKeys(t), actors: map[herald.Role]herald.Actor{},
		clock: &testClock{now: time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)}}
	now := w.clock.Now()
	w.ws = herald.Workspace{Name: "Acme Bakery", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateWorkspace(ctx, &w.ws))
	w.other = herald.Workspace{Name: "Other Shop", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateWorkspace(ctx, &w.other))
	for i, r := range herald.Roles {
		w.actors[r] = w.member(t, w.ws, r, i)
	}
	w.outsider = w.member(t, w.other, herald.RoleOwner, 99)
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformMastodon, RemoteID: "1", Handle: "@acme",
		Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)},
		CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateAccount(ctx, &w.acct))
	w.camp = herald.Campaign{WorkspaceID: w.ws.ID, Name: "Spring Sale 2026", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateCampaign(ctx, &w.camp))
	w.post = w.newPost(t, &w.camp.ID, nil)
	w.target = w.post.Targets[0]
	o := Options{BaseURL: testBase + "/", Sealer: w.keys, Clock: w.clock, FlushEvery: time.Hour,
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))}
	for _, f := range opts {
		f(&o)
	}
	svc, err := New(w.st, o)
	must(t, err)
	w.svc = svc
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	return w
}

func (w *world) member(t *testing.T, ws herald.Workspace, r herald.Role, i int) herald.Actor {
	t.Helper()
	now := w.clock.Now()
	u := herald.User{Email: string(r) + strconv.Itoa(i) + "@example.com", Name: string(r), PasswordHash: "x",
		CreatedAt: now, UpdatedAt: now}
	must(t, w.st.CreateUser(t.Context(), &u))
	must(t, w.st.AddMember(t.Context(), &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: r, CreatedAt: now}))
	return herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: r}
}

// newPost stores a draft post with one target on the account.
func (w *world) newPost(t *testing.T, campaign *int64, lt *herald.LinkTracking) herald.Post {
	t.Helper()
	now := w.clock.Now()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.actors[herald.RoleOwner].UserID, Title: "Bread", Text: "Bread",
		CampaignID: campaign, Links: lt, CreatedAt: now, UpdatedAt: now,
		Targets: []herald.Target{{AccountID: w.acct.ID, State: herald.StateDraft, CreatedAt: now, UpdatedAt: now}}}
	must(t, w.st.CreatePost(t.Context(), &p))
	return p
}

// rewrite rewrites texts for the world's target.
func (w *world) rewrite(t *testing.T, texts ...string) []string {
	t.Helper()
	out, err := w.svc.Rewrite(t.Context(), RewriteInput{WorkspaceID: w.ws.ID, TargetID: w.target.ID, PostID: w.post.ID,
		CampaignID: w.camp.ID, CampaignName: w.camp.Name, Platform: herald.PlatformMastodon, Texts: texts})
	must(t, err)
	return out
}

// link makes the target's link to u and returns its code.
func (w *world) link(t *testing.T, u string) string {
	t.Helper()
	out := w.rewrite(t, u)
	code, ok := codeIn(out[0])
	if !ok {
		t.Fatalf("%q was not rewritten: %q", u, out[0])
	}
	return code
}

// codeIn returns the code of the short link s is.
func codeIn(s string) (string, bool) {
	p := testBase + "/l/"
	if len(s) != len(p)+CodeLength || s[:len(p)] != p {
		return "", false
	}
	return s[len(p):], true
}

// follow requests a short link through the service's handler.
func (w *world) follow(t *testing.T, method, code, ua string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), method, "/l/"+code, nil)
	r.RemoteAddr = "198.51.100.23:50312"
	if ua != "" {
		r.Header.Set("User-Agent", ua)
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.svc.Handler().ServeHTTP(rec, r)
	return rec
}

// visit follows code as a person and returns the click id, written.
func (w *world) visit(t *testing.T, code string) string {
	t.Helper()
	rec := w.follow(t, http.MethodGet, code, chromeUA)
	if rec.Code != http.StatusFound {
		t.Fatalf("GET /l/%s = %d %s", code, rec.Code, rec.Body)
	}
	loc, err := url.Parse(rec.Header().Get("Location"))
	must(t, err)
	id := loc.Query().Get(herald.ClickIDParam)
	if !validClickID(id) {
		t.Fatalf("Location %s has no click id", loc)
	}
	must(t, w.svc.Recorder().Flush(t.Context()))
	return id
}

// counts returns the counts of the target's link to u.
func (w *world) counts(t *testing.T, u string) herald.LinkCounts {
	t.Helper()
	ls, err := w.svc.TargetLinks(t.Context(), w.actors[herald.RoleAnalyst], w.ws.ID, w.target.ID)
	must(t, err)
	for _, l := range ls {
		if l.URL == u {
			return l.LinkCounts
		}
	}
	t.Fatalf("the target has no link to %s", u)
	return herald.LinkCounts{}
}

// convert posts a conversion body signed with sig ("" for none).
func (w *world) convert(t *testing.T, body, sig string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/api/v1/conversions", bytes.NewBufferString(body))
	r.Header.Set("Content-Type", "application/json")
	if sig != "" {
		r.Header.Set(SignatureHeader, sig)
	}
	rec := httptest.NewRecorder()
	w.svc.Handler().ServeHTTP(rec, r)
	return rec
}

// fakeStore is a store for tests that never reach it.
type fakeStore struct{ herald.Store }

func mustKeys(t testing.TB) *keyring.Keyring {
	t.Helper()
	line, err := keyring.GenerateLine()
	must(t, err)
	k, err := keyring.New([]byte(line + "\n"))
	must(t, err)
	return k
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
