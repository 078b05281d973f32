package feeds_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/teststore"
)

// forEachStore runs fn on a fresh SQLite store, and on PostgreSQL when
// HERALD_TEST_POSTGRES_URL is set.
func forEachStore(t *testing.T, fn func(t *testing.T, st herald.Store)) { teststore.Each(t, fn) }

// clock is a clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// world is a workspace with an editor, an account with a posting slot
// every hour of the week, and a feed service over a loopback-allowed
// outbound client.
type world struct {
	st     herald.Store
	clock  *clock
	posts  *post.Service
	svc    *feeds.Service
	ws     herald.Workspace
	editor herald.Actor
	acct   herald.Account
}

func newWorld(t *testing.T, st herald.Store) *world {
	t.Helper()
	ctx := context.Background()
	c := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
	w := &world{st: st, clock: c}
	now := c.Now()
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateWorkspace(ctx, &w.ws))
	u := herald.User{Email: "ed@example.com", Name: "Ed", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateUser(ctx, &u))
	must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: herald.RoleEditor, CreatedAt: now}))
	w.editor = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: herald.RoleEditor}
	var slots []herald.PostingSlot
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		for h := range 24 {
			slots = append(slots, herald.PostingSlot{Day: d, Time: fmt.Sprintf("%02d:00", h)})
		}
	}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "r1", Handle: "@acme",
		Status: herald.AccountConnected, PostingSchedule: herald.PostingSchedule{Slots: slots[:herald.MaxPostingSlots]},
		CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateAccount(ctx, &w.acct))
	w.posts = post.New(st, c, nil)
	w.svc = w.service(feeds.NewClient(true))
	return w
}

// service is another poller (another instance) over the same database.
func (w *world) service(client *http.Client) *feeds.Service {
	return feeds.New(w.st, w.posts, client, w.clock, nil, feeds.Config{})
}

// addFeed adds a queue-mode feed of url.
func (w *world) addFeed(t *testing.T, url string, mode herald.FeedMode) herald.Feed {
	t.Helper()
	f, err := w.svc.Create(context.Background(), w.editor, herald.Feed{URL: url, Name: "News", Mode: mode,
		AccountIDs: []int64{w.acct.ID}, Template: "New: {{title}} {{url}}"})
	if err != nil {
		t.Fatalf("Create feed: %v", err)
	}
	return f
}

// posts returns every post of the workspace.
func (w *world) allPosts(t *testing.T) []herald.Post {
	t.Helper()
	ps, _, err := w.st.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Limit: 200}})
	must(t, err)
	return ps
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rssItem is one item of a generated feed.
type rssItem struct {
	guid, title, link string
	date              time.Time
}

// rss builds an RSS 2.0 document, newest item first as feeds do.
func rss(items ...rssItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link>`)
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		fmt.Fprintf(&b, `<item><guid>%s</guid><title>%s</title><link>%s</link><pubDate>%s</pubDate><description><![CDATA[<p>About %s</p>]]></description></item>`,
			it.guid, html.EscapeString(it.title), it.link, it.date.Format(time.RFC1123Z), it.title)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// feedServer serves body (changeable) with an ETag, answering 304 to a
// matching If-None-Match, and counts requests.
type feedServer struct {
	*httptest.Server
	mu       sync.Mutex
	body     string
	etag     string
	requests int
	lastINM  string
}

func newFeedServer(t *testing.T, body string) *feedServer {
	t.Helper()
	fs := &feedServer{body: body, etag: `"v1"`}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		defer fs.mu.Unlock()
		fs.requests++
		fs.lastINM = r.Header.Get("If-None-Match")
		if fs.lastINM == fs.etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("ETag", fs.etag)
		rw.Header().Set("Last-Modified", "Sun, 01 Mar 2026 09:00:00 GMT")
		rw.Header().Set("Content-Type", "application/rss+xml")
		_, _ = rw.Write([]byte(fs.body))
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) set(body, etag string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.body, fs.etag = body, etag
}

// newWorldSQLite is a world on a fresh SQLite store, for checks that do
// not depend on the store.
func newWorldSQLite(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	must(t, err)
	t.Cleanup(func() { st.Close() })
	must(t, st.Migrate(ctx))
	return newWorld(t, st)
}

// standIn lets the loopback server srv through client's guard, standing
// for a public server; every other address (a redirect's target) still
// goes through the guard.
func standIn(srv *httptest.Server, client *http.Client) *http.Client {
	self := srv.Listener.Addr().String()
	direct := &http.Transport{}
	return &http.Client{CheckRedirect: client.CheckRedirect, Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if r.URL.Host == self {
			return direct.RoundTrip(r)
		}
		return client.Transport.RoundTrip(r)
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
