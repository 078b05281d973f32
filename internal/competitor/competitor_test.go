package competitor_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskyfake"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/connector/x/xfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// world is a workspace with connected accounts on fake Mastodon, Bluesky
// and X servers, each holding a rival account, and the service.
type world struct {
	store  herald.Store
	svc    *competitor.Service
	clock  *clock
	ws     herald.Workspace
	actor  herald.Actor
	masto  *mastodonfake.Server
	bsky   *blueskyfake.Server
	xsrv   *xfake.Server
	rivals struct {
		masto mastodonfake.Account
		bsky  blueskyfake.Account
		x     xfake.User
	}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{store: db, clock: &clock{now: time.Now().UTC()}}
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &w.ws); err != nil {
		t.Fatal(err)
	}
	w.actor = herald.Actor{UserID: 1, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
	client := &http.Client{Timeout: 10 * time.Second}
	store := func(a herald.Account, plain []byte) {
		t.Helper()
		a.WorkspaceID, a.Status = w.ws.ID, herald.AccountConnected
		if a.Credentials, err = keys.Seal(plain, a.CredentialsAAD()); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateAccount(ctx, &a); err != nil {
			t.Fatal(err)
		}
	}
	reg := connector.NewRegistry()

	// Mastodon: the rival is a remote account the instance knows.
	w.masto = mastodonfake.New(mastodonfake.DefaultConfig())
	mts := httptest.NewServer(w.masto)
	t.Cleanup(mts.Close)
	me, tok := w.masto.AddAccount("acme", "Acme")
	store(herald.Account{Platform: herald.PlatformMastodon, RemoteID: me.ID, Handle: "@acme", InstanceURL: mts.URL},
		mastodon.MarshalCredentials(mastodon.Credentials{AccessToken: tok}))
	reg.Register(herald.PlatformMastodon, mastodon.New(client))
	w.rivals.masto = w.masto.AddRemoteAccount("rival", "rival.example", "Rival")
	w.masto.SetFollowCounts(w.rivals.masto.ID, 300, 3)

	// Bluesky.
	w.bsky = blueskyfake.New(blueskyfake.Config{})
	bu, err := w.bsky.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.bsky.Close() })
	bc := bluesky.New(client, bluesky.WithPLCURL(bu), bluesky.WithHandleResolver(bu), bluesky.WithLogger(slog.New(slog.DiscardHandler)))
	own := w.bsky.CreateAccount("acme.test", "Acme")
	got, err := bc.ConnectWithPassword(ctx, own.Handle, own.AppPassword)
	if err != nil {
		t.Fatal(err)
	}
	store(got.Account, got.Credentials)
	reg.Register(herald.PlatformBluesky, bc)
	w.rivals.bsky = w.bsky.CreateAccount("rival.test", "Rival")
	w.bsky.SetFollowCounts(w.rivals.bsky.DID, 800, 8)

	// X.
	w.xsrv = xfake.New(xfake.Config{ClientID: "herald", ClientSecret: "secret"})
	xts := httptest.NewServer(w.xsrv)
	t.Cleanup(xts.Close)
	xu := w.xsrv.AddUser("acme", "Acme")
	xt := w.xsrv.IssueToken(xu.ID)
	exp := xt.ExpiresAt
	store(herald.Account{Platform: herald.PlatformX, RemoteID: xu.ID, Handle: "@acme"},
		x.MarshalCredentials(x.Credentials{AccessToken: xt.Access, RefreshToken: xt.Refresh, ExpiresAt: &exp, UserID: xu.ID, Username: "acme"}))
	reg.Register(herald.PlatformX, x.New(client, x.WithClient("herald", "secret"), x.WithBaseURL(xts.URL)))
	w.rivals.x = w.xsrv.AddUser("rival", "Rival")
	w.xsrv.SetFollowers(w.rivals.x.ID, 5000, 50)

	w.svc = competitor.New(db, reg, keys.Open, w.clock, slog.New(slog.DiscardHandler))
	return w
}

func (w *world) rivalInput() competitor.Input {
	return competitor.Input{Name: "Rival", Accounts: []competitor.AccountInput{
		{Platform: herald.PlatformMastodon, Handle: "@rival@rival.example"},
		{Platform: herald.PlatformBluesky, Handle: "rival.test"},
		{Platform: herald.PlatformX, Handle: "Rival"},
	}}
}

// dayOf returns the account's row of day.
func (w *world) dayOf(t *testing.T, accountID int64, day time.Time) (herald.CompetitorDay, bool) {
	t.Helper()
	ds, err := w.store.ListCompetitorDays(context.Background(), w.ws.ID, 0, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.AccountID == accountID {
			return d, true
		}
	}
	return herald.CompetitorDay{}, false
}

func TestCreateReadsEveryPlatform(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	now := w.clock.Now()
	w.masto.PostWith(w.rivals.masto.ID, "toot", mastodonfake.PostOptions{CreatedAt: now.Add(-time.Second)})
	bp := w.bsky.Post(w.rivals.bsky.DID, "skeet", "", now.Add(-time.Second))
	fan := w.bsky.CreateAccount("fan.test", "Fan")
	w.bsky.Like(fan.DID, bp)
	xp := w.xsrv.PostAs(w.rivals.x.ID, "post", "")
	w.xsrv.SetMetrics(xp.ID, 7, 1, 0, 0, 100)

	c, err := w.svc.Create(ctx, w.actor, w.rivalInput())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if len(c.Accounts) != 3 {
		t.Fatalf("accounts %+v", c.Accounts)
	}
	want := map[herald.Platform]struct {
		remote    string
		followers int64
		eng       int64
	}{
		herald.PlatformMastodon: {w.rivals.masto.ID, 300, 0},
		herald.PlatformBluesky:  {w.rivals.bsky.DID, 800, 1},
		herald.PlatformX:        {w.rivals.x.ID, 5000, 8},
	}
	day := herald.ListenDay(now)
	for _, a := range c.Accounts {
		wa := want[a.Platform]
		if a.RemoteID != wa.remote || a.CollectedAt == nil || a.LastError != "" {
			t.Errorf("%s account %+v", a.Platform, a)
		}
		d, ok := w.dayOf(t, a.ID, day)
		if !ok {
			t.Fatalf("%s: no reading today", a.Platform)
		}
		if d.Followers != wa.followers || d.PostsDay != 1 || d.Engagements != wa.eng || len(d.TopPosts) != 1 {
			t.Errorf("%s day %+v, want %d followers, 1 post, %d engagements", a.Platform, d, wa.followers, wa.eng)
		}
	}

	// An update names a new account's problem by its place in the whole
	// list, and keeps the accounts it still lists with their history.
	in := w.rivalInput()
	in.Accounts[2].Handle = "nobody_here"
	_, err = w.svc.Update(ctx, w.actor, c.ID, in)
	var he *herald.Error
	if !errors.As(err, &he) || len(he.Details) != 1 || he.Details[0].Field != "accounts[2].handle" {
		t.Fatalf("an update with an unknown handle: %v", err)
	}
	in.Accounts = in.Accounts[:2]
	in.Name = "Rival Inc"
	u, err := w.svc.Update(ctx, w.actor, c.ID, in)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if u.Name != "Rival Inc" || len(u.Accounts) != 2 || u.Accounts[0].ID != c.Accounts[0].ID || u.Accounts[1].ID != c.Accounts[1].ID {
		t.Fatalf("updated %+v", u)
	}
	for _, a := range c.Accounts {
		_, ok := w.dayOf(t, a.ID, day)
		if ok != (a.Platform != herald.PlatformX) {
			t.Errorf("%s: reading kept %v after the update", a.Platform, ok)
		}
	}
}

func TestCollectDueIsDailyIdempotentAndIsolatesFailures(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	start := herald.ListenDay(w.clock.Now()).Add(12 * time.Hour)
	w.clock.set(start)
	c, err := w.svc.Create(ctx, w.actor, w.rivalInput())
	if err != nil {
		t.Fatal(err)
	}
	// Read already today: nothing is due.
	if n, err := w.svc.CollectDue(ctx); err != nil || n != 0 {
		t.Fatalf("CollectDue the same day = %d, %v", n, err)
	}
	// A post of the day is published after the first reading; the next
	// day's reading settles it into the first day's row.
	bp := w.bsky.Post(w.rivals.bsky.DID, "late news", "", start.Add(time.Hour))
	fan := w.bsky.CreateAccount("fan.test", "Fan")
	w.bsky.Like(fan.DID, bp)
	w.bsky.SetFollowCounts(w.rivals.bsky.DID, 850, 8)

	next := start.Add(24 * time.Hour)
	w.clock.set(next)
	w.masto.Inject(mastodonfake.Fault{Path: "/api/v1/accounts/lookup", Status: http.StatusServiceUnavailable,
		Body: `{"error":"Service Unavailable"}`, ContentType: "application/json", Times: 1})
	n, err := w.svc.CollectDue(ctx)
	if err != nil {
		t.Fatalf("CollectDue: %v", err)
	}
	if n != 2 {
		t.Fatalf("CollectDue read %d accounts, want 2 (Mastodon fails)", n)
	}
	got, err := w.svc.Get(ctx, w.actor, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got.Accounts {
		switch a.Platform {
		case herald.PlatformMastodon:
			if a.LastError == "" || a.CollectedAt == nil || !a.CollectedAt.Before(herald.ListenDay(next)) {
				t.Errorf("the failed account %+v: want its error and its old reading", a)
			}
		case herald.PlatformBluesky:
			today, ok := w.dayOf(t, a.ID, herald.ListenDay(next))
			if !ok || today.Followers != 850 || a.LastError != "" {
				t.Errorf("bluesky today %+v (%v), account %+v", today, ok, a)
			}
			first, _ := w.dayOf(t, a.ID, herald.ListenDay(start))
			if first.Followers != 800 || first.PostsDay != 1 || first.Engagements != 1 || len(first.TopPosts) != 1 ||
				first.TopPosts[0].Excerpt != "late news" {
				t.Errorf("bluesky first day settled %+v", first)
			}
		}
	}
	// Within the retry wait the failed account is not tried again; after
	// it, it is, and a second reading of the day replaces the first.
	if n, _ := w.svc.CollectDue(ctx); n != 0 {
		t.Errorf("CollectDue within the retry wait read %d", n)
	}
	w.clock.set(next.Add(competitor.RetryAfter))
	w.masto.SetFollowCounts(w.rivals.masto.ID, 310, 3)
	if n, err := w.svc.CollectDue(ctx); n != 1 || err != nil {
		t.Fatalf("CollectDue after the wait = %d, %v", n, err)
	}
	for _, a := range got.Accounts {
		if a.Platform != herald.PlatformMastodon {
			continue
		}
		if err := w.svc.Collect(ctx, a); err != nil {
			t.Fatalf("Collect again: %v", err)
		}
		ds, _ := w.store.ListCompetitorDays(ctx, w.ws.ID, c.ID, herald.ListenDay(next), herald.ListenDay(next).Add(24*time.Hour))
		rows := 0
		for _, d := range ds {
			if d.AccountID == a.ID {
				rows++
				if d.Followers != 310 {
					t.Errorf("mastodon today %+v", d)
				}
			}
		}
		if rows != 1 {
			t.Errorf("%d rows for one account and day", rows)
		}
		fresh, _ := w.store.GetCompetitorAccount(ctx, w.ws.ID, a.ID)
		if fresh.LastError != "" {
			t.Errorf("error kept after a good reading: %q", fresh.LastError)
		}
	}
}

func TestValidation(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	field := func(err error) string {
		t.Helper()
		var he *herald.Error
		if !errors.As(err, &he) || len(he.Details) == 0 {
			t.Fatalf("error %v names no field", err)
		}
		return he.Details[0].Field
	}
	for _, tc := range []struct {
		name  string
		in    competitor.Input
		field string
	}{
		{"no name", competitor.Input{Name: " "}, "name"},
		{"an unknown platform", competitor.Input{Name: "A", Accounts: []competitor.AccountInput{{Platform: "friendster", Handle: "a"}}}, "accounts[0].platform"},
		{"an empty handle", competitor.Input{Name: "A", Accounts: []competitor.AccountInput{{Platform: herald.PlatformX, Handle: "@"}}}, "accounts[0].handle"},
		{"a handle not on the platform", competitor.Input{Name: "A", Accounts: []competitor.AccountInput{
			{Platform: herald.PlatformX, Handle: "rival"}, {Platform: herald.PlatformX, Handle: "nobody"}}}, "accounts[1].handle"},
		{"the same account twice", competitor.Input{Name: "A", Accounts: []competitor.AccountInput{
			{Platform: herald.PlatformX, Handle: "rival"}, {Platform: herald.PlatformX, Handle: "@RIVAL"}}}, "accounts[1].handle"},
		{"a topic of nowhere", competitor.Input{Name: "A", TopicID: 999}, "topic_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.Create(ctx, w.actor, tc.in)
			if got := field(err); got != tc.field {
				t.Fatalf("field %q, want %q (%v)", got, tc.field, err)
			}
		})
	}
	if _, err := w.svc.Create(ctx, w.actor, competitor.Input{Name: "Rival"}); err != nil {
		t.Fatal(err)
	}
	_, err := w.svc.Create(ctx, w.actor, competitor.Input{Name: "rival"})
	if !errors.Is(err, herald.ErrConflict) || field(err) != "name" {
		t.Fatalf("a duplicate name: %v", err)
	}
	for i := 1; i < competitor.MaxCompetitors; i++ {
		if _, err := w.svc.Create(ctx, w.actor, competitor.Input{Name: "C" + string(rune('a'+i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.svc.Create(ctx, w.actor, competitor.Input{Name: "Too many"}); !errors.Is(err, herald.ErrInvalid) {
		t.Fatalf("one competitor too many: %v", err)
	}
	analyst := herald.Actor{UserID: 2, WorkspaceID: w.ws.ID, Role: herald.RoleAnalyst}
	if _, err := w.svc.Create(ctx, analyst, competitor.Input{Name: "Mine"}); !errors.Is(err, herald.ErrForbidden) {
		t.Fatalf("an analyst creating: %v", err)
	}
	if _, err := w.svc.List(ctx, analyst); err != nil {
		t.Fatalf("an analyst listing: %v", err)
	}
}

func TestNoConnectedAccount(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	other := herald.Workspace{Name: "Other", TimeZone: "UTC"}
	if err := w.store.CreateWorkspace(ctx, &other); err != nil {
		t.Fatal(err)
	}
	actor := herald.Actor{UserID: 1, WorkspaceID: other.ID, Role: herald.RoleOwner}
	_, err := w.svc.Create(ctx, actor, competitor.Input{Name: "Rival", Accounts: []competitor.AccountInput{{Platform: herald.PlatformX, Handle: "rival"}}})
	var he *herald.Error
	if !errors.As(err, &he) || len(he.Details) != 1 || he.Details[0].Field != "accounts[0].platform" {
		t.Fatalf("no connected X account: %v", err)
	}
}

func TestCompareOwnBrand(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	accts, err := w.store.ListAccounts(ctx, w.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	day := herald.ListenDay(w.clock.Now())
	for i, f := range []int64{100, 130} {
		s := herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: accts[0].ID, At: day.Add(time.Duration(i-1) * 24 * time.Hour),
			Followers: f, Following: 1, Posts: 1}
		if err := w.store.PutAccountSnapshot(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	c, err := w.svc.Compare(ctx, w.actor, day.Add(-24*time.Hour), day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Days != 2 || len(c.Brands) != 1 || !c.Brands[0].Own || c.Brands[0].Followers != 130 || c.Brands[0].Growth != 30 ||
		c.Brands[0].AvgEngagements != -1 || c.Brands[0].Accounts != 3 {
		t.Fatalf("comparison %+v", c)
	}
	if _, err := w.svc.Compare(ctx, w.actor, day, day); !errors.Is(err, herald.ErrInvalid) {
		t.Fatalf("an empty period: %v", err)
	}
	v, err := w.svc.ShareOfVoice(ctx, w.actor, day, day.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Brands) != 0 || len(v.Days) != 1 || !v.Days[0].NoMentions {
		t.Fatalf("share of voice without topics %+v", v)
	}
}
