package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
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
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/server"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/workspace"
)

// benchPosts is how many posts the benchmark workspace holds.
const benchPosts = 10000

// benchSite is Herald as `herald serve` builds it (services, API, web
// interface, the server's middleware) over a store holding one busy
// workspace, with a signed-in owner.
type benchSite struct {
	handler http.Handler
	cookies []*http.Cookie
	ws      herald.Workspace
	postID  int64 // a post in the week shown
	account int64 // an account with a posting schedule
	store   herald.Store
	accts   []int64
}

// BenchmarkPages measures the server time of each page of a workspace with
// 10,000 posts (spread over 60 days either side of now on four accounts,
// with labels, posts in review, drafts sent back, published and failed
// ones), through the whole handler stack: server middleware, session,
// authentication and the page. It runs on SQLite, and on PostgreSQL too
// when HERALD_TEST_POSTGRES_URL is set.
func BenchmarkPages(b *testing.B) {
	stores := []struct {
		name string
		open func(b *testing.B) herald.Store
	}{
		{"sqlite", func(b *testing.B) herald.Store { return benchSQLite(b) }},
		{"postgres", func(b *testing.B) herald.Store { return pgtest.Open(b) }},
	}
	for _, s := range stores {
		b.Run(s.name, func(b *testing.B) {
			site := newBenchSite(b, s.open(b))
			ws := site.ws.ID
			today := time.Now().Format(time.DateOnly)
			pages := []benchPage{
				{"home", fmt.Sprintf("/w/%d/", ws), "Post number"},
				{"calendar-month", fmt.Sprintf("/w/%d/calendar?view=month&date=%s", ws, today), "Post number"},
				{"calendar-week", fmt.Sprintf("/w/%d/calendar?view=week&date=%s", ws, today), "Post number"},
				{"calendar-list", fmt.Sprintf("/w/%d/calendar?view=list&date=%s", ws, today), "Post number"},
				{"compose", fmt.Sprintf("/w/%d/compose", ws), "<form"},
				{"post", fmt.Sprintf("/w/%d/posts/%d", ws, site.postID), "Post number"},
				{"post-edit", fmt.Sprintf("/w/%d/posts/%d/edit", ws, site.postID), "Post number"},
				{"approvals", fmt.Sprintf("/w/%d/approvals", ws), "Post number"},
				{"media", fmt.Sprintf("/w/%d/media", ws), "photo-"},
				{"accounts", fmt.Sprintf("/w/%d/accounts", ws), "@brand0"},
				{"account-schedule", fmt.Sprintf("/w/%d/accounts/%d/schedule", ws, site.account), "@brand0"},
				{"account-disconnect", fmt.Sprintf("/w/%d/accounts/%d/disconnect", ws, site.account), "@brand0"},
				{"settings", fmt.Sprintf("/w/%d/settings", ws), "Busy"},
				{"settings-members", fmt.Sprintf("/w/%d/settings/members", ws), "ana@example.com"},
				{"settings-tokens", fmt.Sprintf("/w/%d/settings/tokens", ws), "<form"},
				{"settings-audit", fmt.Sprintf("/w/%d/settings/audit", ws), "audit-who"},
			}
			site.benchPages(b, pages)
		})
	}
}

// benchPage is a page a benchmark fetches, and a text it must hold.
type benchPage struct{ name, path, want string }

// benchPages measures fetching each page, signed in, as a sub-benchmark.
func (site *benchSite) benchPages(b *testing.B, pages []benchPage) {
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				req := httptest.NewRequest(http.MethodGet, pg.path, nil)
				for _, c := range site.cookies {
					req.AddCookie(c)
				}
				site.handler.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), pg.want) {
					b.Fatalf("%s: %d, want 200 with %q\n%.800s", pg.path, rec.Code, pg.want, rec.Body.String())
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
		})
	}
}

// benchSQLite is a migrated SQLite database in a temporary folder.
func benchSQLite(b *testing.B) herald.Store {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "herald.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return st
}

// newBenchSite serves Herald over st and fills a workspace with
// benchPosts posts, straight into the store.
func newBenchSite(b *testing.B, st herald.Store) *benchSite {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	keys, err := keyring.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		b.Fatal(err)
	}
	storage, err := media.NewDiskStorage(filepath.Join(dir, "media"))
	if err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	authSvc := auth.New(st, clock, logger)
	sm := auth.NewSessionManager(st, false)
	wsSvc := workspace.New(st, clock, logger)
	posts := post.New(st, clock, logger)
	accounts := account.New(st, keys, clock, logger)
	labels := label.New(st, clock, logger)
	campaigns := campaign.New(st, clock, logger)
	mediaSvc := media.New(st, storage, 5<<20, clock, logger)
	templates := template.New(st, clock, posts, logger)
	a := api.New(api.Deps{Auth: authSvc, Sessions: sm, Workspaces: wsSvc, Posts: posts, Accounts: accounts,
		Labels: labels, Campaigns: campaigns, Media: mediaSvc, Templates: templates, Logger: logger, Version: "bench"})
	web, err := New(Deps{Auth: authSvc, Sessions: sm, Workspaces: wsSvc, Posts: posts, Accounts: accounts,
		Media: mediaSvc, Labels: labels, Campaigns: campaigns, Templates: templates, Tasks: task.New(st, clock, nil, logger), Users: st, Clock: clock, Logger: logger, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	var routes []string
	for _, r := range a.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	const base = "http://herald.example"
	srv := server.New(config.Config{BaseURL: base, ShutdownTimeout: 5 * time.Second}, server.Deps{
		Store: st, Auth: authSvc, Sessions: sm, API: a, APIRoutes: routes, Web: web, Version: "bench", Clock: clock,
	}, logger)
	site := &benchSite{handler: srv.Handler(), store: st}

	u, err := authSvc.CreateUser(ctx, "ana@example.com", "Ana", testPassword)
	if err != nil {
		b.Fatal(err)
	}
	if site.ws, err = wsSvc.Create(ctx, u.ID, herald.Workspace{Name: "Busy", TimeZone: "Europe/Paris"}); err != nil {
		b.Fatal(err)
	}
	actor := herald.Actor{UserID: u.ID, WorkspaceID: site.ws.ID, Role: herald.RoleOwner}
	for i := range 3 {
		other, err := authSvc.CreateUser(ctx, fmt.Sprintf("editor%d@example.com", i), fmt.Sprint("Editor ", i), testPassword)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: site.ws.ID, UserID: other.ID, Role: herald.RoleEditor}); err != nil {
			b.Fatal(err)
		}
	}
	var accts []int64
	for i := range 4 {
		acct, err := accounts.Connect(ctx, actor, herald.Account{Platform: herald.PlatformFake, RemoteID: fmt.Sprint("a", i),
			Handle: fmt.Sprint("@brand", i), Status: herald.AccountConnected,
			PostingSchedule: herald.PostingSchedule{Slots: []herald.PostingSlot{{Day: "monday", Time: "09:00"},
				{Day: "wednesday", Time: "12:30"}, {Day: "friday", Time: "16:00"}}}},
			[]byte(`{"access_token":"t"}`))
		if err != nil {
			b.Fatal(err)
		}
		accts = append(accts, acct.ID)
	}
	site.account, site.accts = accts[0], accts
	var labelIDs []int64
	for _, name := range []string{"Launch", "Evergreen", "Events"} {
		l, err := labels.Create(ctx, actor, herald.Label{Name: name, Color: "#336699"})
		if err != nil {
			b.Fatal(err)
		}
		labelIDs = append(labelIDs, l.ID)
	}
	for i := range 300 {
		now := time.Now()
		m := herald.MediaAsset{WorkspaceID: site.ws.ID, UploaderID: u.ID, Filename: fmt.Sprintf("photo-%d.png", i),
			ContentType: "image/png", Size: 1024, Width: 100, Height: 100, Tags: []string{"bench"},
			SHA256: fmt.Sprintf("%064x", i), StorageKey: fmt.Sprintf("bench/%d.png", i), CreatedAt: now, UpdatedAt: now}
		if err := st.CreateMedia(ctx, &m); err != nil {
			b.Fatal(err)
		}
	}

	// The posts, straight into the store: one every 17 minutes 17 seconds
	// from 60 days ago to 60 days ahead. Past ones are published (one in
	// 25 failed), future ones scheduled, one in 20 in review, one in 30 a
	// draft; one in 5 goes to two accounts.
	now := time.Now().UTC().Truncate(time.Second)
	start := now.AddDate(0, 0, -60)
	step := 120 * 24 * time.Hour / benchPosts
	var sentBack []herald.Target
	err = st.InTx(ctx, func(tx herald.Tx) error {
		for i := range benchPosts {
			at := start.Add(time.Duration(i) * step)
			p := herald.Post{WorkspaceID: site.ws.ID, AuthorID: u.ID, Text: fmt.Sprintf("Post number %d with some text to show", i),
				CreatedAt: at.Add(-72 * time.Hour), UpdatedAt: at.Add(-72 * time.Hour), LabelIDs: []int64{labelIDs[i%3]}}
			if i%7 == 0 {
				p.LabelIDs = append(p.LabelIDs, labelIDs[(i+1)%3])
			}
			n := 1
			if i%5 == 0 {
				n = 2
			}
			for k := range n {
				t := herald.Target{AccountID: accts[(i+k)%len(accts)], ScheduledAt: &at,
					CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
				switch {
				case at.Before(now) && i%25 == 0:
					t.State, t.LastError = herald.StateFailed, "the platform said no"
				case at.Before(now):
					t.State, t.PublishedAt = herald.StatePublished, &at
					t.RemoteID, t.RemoteURL = fmt.Sprint("r", i, "-", k), fmt.Sprintf("https://fake.example/p/%d/%d", i, k)
				case i%20 == 0:
					t.State = herald.StateInReview
				case i%30 == 0:
					t.State = herald.StateDraft
				default:
					t.State, t.DueAt = herald.StateScheduled, &at
				}
				p.Targets = append(p.Targets, t)
			}
			if err := tx.CreatePost(ctx, &p); err != nil {
				return err
			}
			if p.Targets[0].State == herald.StateInReview && len(sentBack) < 20 {
				sentBack = append(sentBack, p.Targets[0])
			}
			if site.postID == 0 && !at.Before(now) {
				site.postID = p.ID
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// Some posts in review were sent back for changes.
	for _, t := range sentBack[:10] {
		tr, err := t.Transition(herald.StateDraft, &u.ID, "Changes requested: shorter, please", now)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.TransitionTarget(ctx, &t, tr); err != nil {
			b.Fatal(err)
		}
	}

	// Sign in as the owner, as a browser does.
	form := url.Values{"email": {u.Email}, "password": {testPassword}}
	req := httptest.NewRequest(http.MethodPost, base+"/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", base)
	rec := httptest.NewRecorder()
	site.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		b.Fatalf("sign in: %d\n%s", rec.Code, rec.Body.String())
	}
	site.cookies = rec.Result().Cookies()
	return site
}
