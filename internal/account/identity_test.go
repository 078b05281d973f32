package account_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// owners resolves every principal as the workspace's owner.
type owners struct{}

func (owners) Actor(_ context.Context, p herald.Principal, workspaceID int64) (herald.Actor, error) {
	return herald.Actor{UserID: p.UserID, WorkspaceID: workspaceID, Role: herald.RoleOwner}, nil
}

// instance is a fake Mastodon server with one local account, the brand.
type instance struct {
	srv *mastodonfake.Server
	url string
	me  mastodonfake.Account
}

func newInstance(t *testing.T) instance {
	t.Helper()
	srv := mastodonfake.New(mastodonfake.DefaultConfig())
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	me, _ := srv.AddAccount("brand", "Brand")
	return instance{srv: srv, url: ts.URL, me: me}
}

// connect runs the OAuth flow against inst, as the person's browser would.
func connect(t *testing.T, svc *account.Service, actor herald.Actor, inst instance) herald.Account {
	t.Helper()
	ctx := t.Context()
	authURL, err := svc.BeginConnect(ctx, actor, herald.PlatformMastodon, inst.url)
	if err != nil {
		t.Fatalf("BeginConnect(%s): %v", inst.url, err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(authURL)
	if err != nil {
		t.Fatalf("authorize on %s: %v", inst.url, err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("authorize on %s answered %d to %q", inst.url, res.StatusCode, res.Header.Get("Location"))
	}
	a, err := svc.FinishConnect(ctx, herald.Principal{UserID: actor.UserID}, back.Query().Get("state"), back.Query().Get("code"))
	if err != nil {
		t.Fatalf("FinishConnect(%s): %v", inst.url, err)
	}
	return a
}

// TestConnectSameIDOnTwoServers connects @brand@one and @brand@two, whose
// servers gave them the same id: they stay two accounts, each with its own
// credentials and scheduled posts, and reconnecting one updates it.
func TestConnectSameIDOnTwoServers(t *testing.T) {
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	w := herald.Workspace{Name: "Brand", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := store.CreateWorkspace(ctx, &w); err != nil {
		t.Fatal(err)
	}
	u := herald.User{Email: "owner@example.com", Name: "Owner", CreatedAt: now, UpdatedAt: now}
	if err := store.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	actor := herald.Actor{UserID: u.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformMastodon, mastodon.New(&http.Client{Timeout: 10 * time.Second},
		mastodon.WithAppStore(mastodon.NewMemoryAppStore())))
	svc := account.New(store, keys, herald.SystemClock{}, nil,
		account.WithConnectors(reg, "https://herald.example/api/v1/connect/callback", owners{}))

	one, two := newInstance(t), newInstance(t)
	if one.me.ID != two.me.ID {
		t.Fatalf("the fake servers gave ids %s and %s; the test needs equal ids", one.me.ID, two.me.ID)
	}
	a1 := connect(t, svc, actor, one)
	schedule := func(a herald.Account, text string) herald.Post {
		t.Helper()
		when := now.Add(time.Hour)
		p := herald.Post{WorkspaceID: w.ID, AuthorID: u.ID, Text: text, CreatedAt: now, UpdatedAt: now,
			Targets: []herald.Target{{AccountID: a.ID, State: herald.StateScheduled, ScheduledAt: &when, CreatedAt: now, UpdatedAt: now}}}
		if err := store.CreatePost(ctx, &p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p1 := schedule(a1, "for one")
	a2 := connect(t, svc, actor, two)
	if a2.ID == a1.ID {
		t.Fatalf("connecting @brand on %s took over account %d of %s", two.url, a1.ID, one.url)
	}
	p2 := schedule(a2, "for two")

	// Reconnecting @brand on the first server updates its account.
	again := connect(t, svc, actor, one)
	if again.ID != a1.ID {
		t.Fatalf("reconnecting %s gave account %d, want %d", one.url, again.ID, a1.ID)
	}
	list, err := svc.List(ctx, actor)
	if err != nil || len(list) != 2 {
		t.Fatalf("List = %d accounts, %v; want 2", len(list), err)
	}
	for _, c := range []struct {
		id   int64
		inst instance
		post herald.Post
	}{{a1.ID, one, p1}, {a2.ID, two, p2}} {
		got, err := svc.Get(ctx, actor, c.id)
		if err != nil || got.InstanceURL != c.inst.url || got.RemoteID != c.inst.me.ID {
			t.Fatalf("account %d = %+v, %v; want %s on %s", c.id, got, err, c.inst.me.ID, c.inst.url)
		}
		plain, err := svc.Credentials(ctx, w.ID, c.id)
		if err != nil {
			t.Fatalf("Credentials(%d): %v", c.id, err)
		}
		var cr mastodon.Credentials
		if err := json.Unmarshal(plain, &cr); err != nil || cr.Instance != c.inst.url || cr.AccessToken == "" {
			t.Fatalf("account %d credentials are for %q (%v), want %s", c.id, cr.Instance, err, c.inst.url)
		}
		posts, _, err := store.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ID, AccountID: c.id})
		if err != nil || len(posts) != 1 || posts[0].ID != c.post.ID || posts[0].Targets[0].State != herald.StateScheduled {
			t.Fatalf("account %d posts = %+v, %v; want its scheduled post %d", c.id, posts, err, c.post.ID)
		}
	}
}
