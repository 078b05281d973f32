package postcsv_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/outbound"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/postcsv"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
	"github.com/heraldsocial/herald/internal/teststore"
)

// forEachStore runs fn on a fresh SQLite store, and on PostgreSQL when
// HERALD_TEST_POSTGRES_URL is set.
func forEachStore(tb testing.TB, fn func(tb testing.TB, st herald.Store)) {
	tb.Helper()
	run := func(name string, f func(testing.TB)) {
		switch x := tb.(type) {
		case *testing.T:
			x.Run(name, func(t *testing.T) { f(t) })
		case *testing.B:
			x.Run(name, func(b *testing.B) { f(b) })
		}
	}
	run("sqlite", func(tb testing.TB) { fn(tb, teststore.SQLite(tb)) })
	if teststore.HasPostgres() {
		run("postgres", func(tb testing.TB) { fn(tb, pgtest.Open(tb)) })
	}
}

// world is a workspace in Europe/Paris with two test-platform accounts
// (limit 100 characters), a label and a campaign, and the import service.
type world struct {
	st        herald.Store
	posts     *post.Service
	media     *media.Service
	labels    *label.Service
	campaigns *campaign.Service
	csv       *postcsv.Service
	ws        herald.Workspace
	owner     herald.Actor
	acme      herald.Account
	news      herald.Account
	launch    herald.Label
	spring    herald.Campaign
}

func newWorld(tb testing.TB, st herald.Store) *world {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	now := time.Now().UTC().Truncate(time.Microsecond)
	logger := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	w := &world{st: st}
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "Europe/Paris", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, &w.ws); err != nil {
		tb.Fatal(err)
	}
	u := herald.User{Email: "ana@example.com", Name: "Ana", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		tb.Fatal(err)
	}
	if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: herald.RoleOwner}); err != nil {
		tb.Fatal(err)
	}
	w.owner = herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
	keys, err := keyring.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		tb.Fatal(err)
	}
	storage, err := media.NewDiskStorage(filepath.Join(dir, "media"))
	if err != nil {
		tb.Fatal(err)
	}
	fp := fakeserver.New(fakeserver.Config{MaxChars: 100})
	base, err := fp.Start("127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = fp.Close() })
	client := outbound.NewClient(outbound.Options{AllowPrivate: true})
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformFake, fake.New(client))
	w.posts = post.New(st, clock, logger, post.WithConnectors(reg, keys))
	accounts := account.New(st, keys, clock, logger)
	w.labels = label.New(st, clock, logger)
	w.campaigns = campaign.New(st, clock, logger)
	w.media = media.New(st, storage, 1<<20, clock, logger)
	for _, h := range []string{"acme", "news"} {
		a, err := accounts.Connect(ctx, w.owner, herald.Account{Platform: herald.PlatformFake, RemoteID: h, Handle: h,
			DisplayName: "Acme " + h, Status: herald.AccountConnected, InstanceURL: base}, []byte(`{"access_token":"t-`+h+`"}`))
		if err != nil {
			tb.Fatal(err)
		}
		if h == "acme" {
			w.acme = a
		} else {
			w.news = a
		}
	}
	if w.launch, err = w.labels.Create(ctx, w.owner, herald.Label{Name: "Launch", Color: "#336699"}); err != nil {
		tb.Fatal(err)
	}
	if w.spring, err = w.campaigns.Create(ctx, w.owner, herald.Campaign{Name: "Spring sale"}); err != nil {
		tb.Fatal(err)
	}
	w.csv = w.service(client)
	return w
}

// service returns the import service fetching media with client.
func (w *world) service(client *http.Client) *postcsv.Service {
	return postcsv.New(postcsv.Deps{Posts: w.posts, Media: w.media, Accounts: account.New(w.st, nil, herald.SystemClock{}, nil),
		Labels: w.labels, Campaigns: w.campaigns, Client: client, Clock: herald.SystemClock{}})
}

// countPosts counts the workspace's posts.
func (w *world) countPosts(tb testing.TB) int {
	tb.Helper()
	n := 0
	f := herald.PostFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for {
		ps, next, err := w.st.ListPosts(context.Background(), f)
		if err != nil {
			tb.Fatal(err)
		}
		n += len(ps)
		if next == "" {
			return n
		}
		f.Cursor = next
	}
}
