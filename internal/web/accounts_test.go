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
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/server"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/workspace"
)

// newConnectEnv is newEnv with the test platform enabled: a fake platform
// server on loopback (open: any token names its own account) and an
// account service that connects through it, with the connect callback on
// Herald's own server. It returns the platform's address too.
func newConnectEnv(t *testing.T) (*env, string) {
	t.Helper()
	return newConnectEnvWith(t, nil)
}

// newConnectEnvWith is newConnectEnv with more connectors registered.
func newConnectEnvWith(t *testing.T, register func(*connector.Registry)) (*env, string) {
	t.Helper()
	platform := fakeserver.New(fakeserver.Config{})
	platformURL, err := platform.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = platform.Close() })

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
	e := &env{t: t, store: st, keys: keys, storage: storage}
	e.srv = httptest.NewUnstartedServer(nil)
	base := "http://" + e.srv.Listener.Addr().String()
	reg := connector.NewRegistry()
	e.registry = reg
	reg.Register(herald.PlatformFake, fake.New(nil))
	if register != nil {
		register(reg)
	}
	e.auth = auth.New(st, clock, logger)
	sm := auth.NewSessionManager(st, false)
	e.ws = workspace.New(st, clock, logger)
	e.notes = notify.NewService(notify.ServiceDeps{Store: st, Clock: clock, Logger: logger})
	e.posts = post.New(st, clock, logger, post.WithConnectors(reg, keys), post.WithNotifier(e.notes))
	e.accounts = account.New(st, keys, clock, logger, account.WithConnectors(reg, base+"/api/v1/connect/callback", e.auth))
	e.labels = label.New(st, clock, logger)
	e.campaigns = campaign.New(st, clock, logger)
	e.media = media.New(st, storage, 5<<20, clock, logger)
	e.templates = template.New(st, clock, e.posts, logger)
	e.inbox = inbox.New(st, clock, logger, inbox.WithDMPlatforms(reg), inbox.WithNotifier(e.notes))
	a := api.New(api.Deps{Inbox: e.inbox,
		Auth: e.auth, Sessions: sm, Workspaces: e.ws, Posts: e.posts, Accounts: e.accounts,
		Labels: e.labels, Campaigns: e.campaigns, Media: e.media, Templates: e.templates, Logger: logger, Version: "test",
	})
	w, err := New(Deps{Inbox: e.inbox, Auth: e.auth, Sessions: sm, Workspaces: e.ws, Posts: e.posts, Accounts: e.accounts,
		Media: e.media, Labels: e.labels, Campaigns: e.campaigns, Templates: e.templates, Tasks: task.New(st, clock, e.notes, logger), Notifications: e.notes, Users: st, Clock: clock, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, r := range a.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	s := server.New(config.Config{BaseURL: base, ShutdownTimeout: 5 * time.Second}, server.Deps{
		Store: st, Auth: e.auth, Sessions: sm, API: a, APIRoutes: routes, Web: w, Version: "test", Clock: clock,
	}, logger)
	e.srv.Config.Handler = s.Handler()
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e, platformURL
}

// ownerActor is the owner's actor in w.
func ownerActor(u herald.User, w herald.Workspace) herald.Actor {
	return herald.Actor{UserID: u.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
}

// getAccount reads an account from the store.
func (e *env) getAccount(w herald.Workspace, id int64) herald.Account {
	e.t.Helper()
	a, err := e.store.GetAccount(context.Background(), w.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

func TestAccountsListShowsStatusAndExpiry(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	ctx := context.Background()
	soon := time.Now().Add(3*24*time.Hour + time.Hour)
	later := time.Now().Add(40*24*time.Hour + time.Hour)
	fine, err := e.accounts.Connect(ctx, ownerActor(owner, w), herald.Account{Platform: herald.PlatformMastodon, RemoteID: "1",
		Handle: "@acme@mastodon.social", DisplayName: "Acme on Mastodon", InstanceURL: "https://mastodon.social",
		AvatarURL: "https://files.mastodon.social/acme.png", TokenExpiresAt: &later}, []byte("t"))
	if err != nil {
		t.Fatal(err)
	}
	expiring, err := e.accounts.Connect(ctx, ownerActor(owner, w), herald.Account{Platform: herald.PlatformX, RemoteID: "2",
		Handle: "@acmehq", Status: herald.AccountExpiring, TokenExpiresAt: &soon}, []byte("t"))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := e.accounts.Connect(ctx, ownerActor(owner, w), herald.Account{Platform: herald.PlatformBluesky, RemoteID: "3",
		Handle: "@acme.bsky.social", Status: herald.AccountRevoked, StatusReason: "the app password was revoked"}, []byte("t"))
	if err != nil {
		t.Fatal(err)
	}
	otherOwner, other := e.owner("bo@example.com", "Other")
	e.account(otherOwner, other, "@not-yours")

	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(fmt.Sprintf("/w/%d/accounts", w.ID))
	want(t, a, http.StatusOK, "Acme on Mastodon", "@acme@mastodon.social", "(mastodon.social)", `src="https://files.mastodon.social/acme.png"`,
		fmt.Sprintf(`id="account-%d" data-status="connected"`, fine.ID), "Connected", "Herald can publish here.",
		"Access expires in 40 days",
		fmt.Sprintf(`id="account-%d" data-status="expiring"`, expiring.ID), "Expiring soon", "Access expires in 3 days",
		`class="acct-warn"`, "reconnect it before then",
		fmt.Sprintf(`id="account-%d" data-status="revoked"`, gone.ID), "Disconnected", "the app password was revoked.",
		"its scheduled posts wait until you reconnect it",
		"No posting slots yet", "Pause publishing", "Disconnect…",
		// This server has no connectors: it says so instead of forms.
		"cannot connect accounts yet")
	wantNot(t, a, "@not-yours", `id="connect-oauth-`)
	if strings.Count(a.Body, `class="acct-warn"`) != 1 {
		t.Errorf("only the expiring account's access should warn:\n%s", a.Body)
	}
	// The navigation marks the section.
	want(t, a, http.StatusOK, `id="nav-accounts" aria-current="page"`)
}

func TestAccountsPauseResumeAndDisconnect(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.scheduled(owner, w, acct, "Soon", time.Now().Add(2*time.Hour))
	e.scheduled(owner, w, acct, "Later", time.Now().Add(26*time.Hour))
	list := fmt.Sprintf("/w/%d/accounts", w.ID)
	b := e.browser()
	b.signIn("ana@example.com")

	a := b.post(fmt.Sprintf("%s/%d/pause", list, acct.ID), nil)
	if a.Status != http.StatusSeeOther || a.Location != list {
		t.Fatalf("pause = %d → %q", a.Status, a.Location)
	}
	if e.getAccount(w, acct.ID).PausedAt == nil {
		t.Fatal("the account is not paused")
	}
	a = b.get(list)
	want(t, a, http.StatusOK, "Publishing to @acme on Test platform is paused", "Paused", "Resume publishing")
	wantNot(t, a, "Pause publishing")

	a = b.post(fmt.Sprintf("%s/%d/resume", list, acct.ID), nil)
	if a.Status != http.StatusSeeOther || e.getAccount(w, acct.ID).PausedAt != nil {
		t.Fatalf("resume = %d, paused at %v", a.Status, e.getAccount(w, acct.ID).PausedAt)
	}
	want(t, b.get(list), http.StatusOK, "Publishing to @acme on Test platform resumed", "Pause publishing")

	// Disconnecting asks first, saying what happens to the waiting posts.
	confirm := fmt.Sprintf("%s/%d/disconnect", list, acct.ID)
	a = b.get(confirm)
	want(t, a, http.StatusOK, "Disconnect @acme?", "2 posts are", "waiting to be published to it",
		"nothing is published to this account until you reconnect it", `id="disconnect-confirm"`, "Keep it connected")
	if got := e.getAccount(w, acct.ID); got.Status != herald.AccountConnected {
		t.Fatalf("asking disconnected the account: %s", got.Status)
	}
	a = b.post(confirm, nil)
	if a.Status != http.StatusSeeOther || a.Location != list {
		t.Fatalf("disconnect = %d → %q", a.Status, a.Location)
	}
	got := e.getAccount(w, acct.ID)
	if got.Status != herald.AccountRevoked || !got.Credentials.Empty() {
		t.Fatalf("after disconnecting: %s, credentials kept: %v", got.Status, !got.Credentials.Empty())
	}
	a = b.get(list)
	want(t, a, http.StatusOK, "Disconnected @acme on Test platform. Its scheduled posts wait", `data-status="revoked"`,
		"disconnected by ana.")
	wantNot(t, a, "Disconnect…") // nothing left to disconnect

	// Another workspace's account is not found through this one.
	otherOwner, other := e.owner("bo@example.com", "Other")
	theirs := e.account(otherOwner, other, "@theirs")
	for _, path := range []string{fmt.Sprintf("%s/%d/pause", list, theirs.ID), fmt.Sprintf("%s/%d/disconnect", list, theirs.ID)} {
		want(t, b.post(path, nil), http.StatusNotFound)
	}
	want(t, b.get(fmt.Sprintf("%s/%d/disconnect", list, theirs.ID)), http.StatusNotFound)
	if e.getAccount(other, theirs.ID).PausedAt != nil {
		t.Fatal("another workspace's account was paused")
	}
}

func TestAccountsRoles(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	e.member(w, "max@example.com", herald.RoleManager)
	list := fmt.Sprintf("/w/%d/accounts", w.ID)
	schedule := fmt.Sprintf("%s/%d/schedule", list, acct.ID)

	analyst := e.browser()
	analyst.signIn("ann@example.com")
	a := analyst.get(list)
	want(t, a, http.StatusOK, "@acme", "Connected")
	wantNot(t, a, "Pause publishing", "Disconnect…", "Connect an account", "Reconnect")
	want(t, analyst.post(list+fmt.Sprintf("/%d/pause", acct.ID), nil), http.StatusForbidden, "analyst role cannot")
	want(t, analyst.get(list+fmt.Sprintf("/%d/disconnect", acct.ID)), http.StatusForbidden)
	want(t, analyst.post(list+fmt.Sprintf("/%d/disconnect", acct.ID), nil), http.StatusForbidden)
	want(t, analyst.post(list+"/connect-password", url.Values{"platform": {"fake"}, "identifier": {"x"}, "password": {"y"}}), http.StatusForbidden)
	a = analyst.get(schedule)
	want(t, a, http.StatusOK, "Posting schedule of @acme", "Only owners, admins and managers change posting schedules")
	wantNot(t, a, `id="schedule-save"`)
	want(t, analyst.post(schedule, url.Values{"monday": {"09:00"}}), http.StatusForbidden)
	if got := e.getAccount(w, acct.ID); got.PausedAt != nil || got.Status != herald.AccountConnected || len(got.PostingSchedule.Slots) != 0 {
		t.Fatalf("an analyst changed the account: %+v", got)
	}

	manager := e.browser()
	manager.signIn("max@example.com")
	want(t, manager.get(list), http.StatusOK, "Pause publishing", "Disconnect…")
	want(t, manager.get(schedule), http.StatusOK, `id="schedule-save"`)

	// Signed out: sign in first, and come back.
	a = e.browser().get(list)
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/signin?next=") {
		t.Fatalf("signed out: %d → %q", a.Status, a.Location)
	}
}

func TestAccountsScheduleEditor(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	schedule := fmt.Sprintf("/w/%d/accounts/%d/schedule", w.ID, acct.ID)
	b := e.browser()
	b.signIn("ana@example.com")

	a := b.get(schedule)
	want(t, a, http.StatusOK, "Posting schedule of @acme", "Europe/Paris", "No slot in the next 8 weeks", `id="add-time"`, `id="add-day-sunday"`)
	wantNot(t, a, `id="monday-new"`, `id="monday-add"`) // one add form, not one a day

	// Add two slots (one typed without a leading zero; the empty new-time
	// fields are ignored).
	a = b.post(schedule, url.Values{"op": {"save"}, "monday": {"9:00", ""}, "wednesday": {"", "17:30"}})
	if a.Status != http.StatusSeeOther || a.Location != schedule {
		t.Fatalf("save = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	slots := e.getAccount(w, acct.ID).PostingSchedule.Slots
	if fmt.Sprint(slots) != "[{monday 09:00} {wednesday 17:30}]" {
		t.Fatalf("saved slots %v", slots)
	}
	a = b.get(schedule)
	want(t, a, http.StatusOK, "Posting schedule saved: 2 slots a week, times in Europe/Paris.",
		`name="monday" value="09:00"`, `name="wednesday" value="17:30"`, "Next queue slots", "free")
	if n := strings.Count(a.Body, "<time datetime="); n != nextSlotCount {
		t.Errorf("%d coming slots shown, want %d", n, nextSlotCount)
	}

	// A post already in the next slot: it shows as taken.
	loc, _ := time.LoadLocation("Europe/Paris")
	at, ok := post.NextSlot(herald.PostingSchedule{Slots: slots}, loc, time.Now(), nil, post.QueueLookahead)
	if !ok {
		t.Fatal("no next slot")
	}
	e.scheduled(owner, w, acct, "In the slot", at)
	want(t, b.get(schedule), http.StatusOK, "taken by a post")

	// Copy Monday's times to Tuesday and Friday.
	a = b.post(schedule, url.Values{"op": {"copy"}, "monday": {"09:00", ""}, "wednesday": {"17:30", ""},
		"copy_from": {"monday"}, "copy_to": {"tuesday", "friday"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("copy = %d: %s", a.Status, a.Body)
	}
	if got := fmt.Sprint(e.getAccount(w, acct.ID).PostingSchedule.Slots); got != "[{monday 09:00} {tuesday 09:00} {wednesday 17:30} {friday 09:00}]" {
		t.Fatalf("after copying: %s", got)
	}
	want(t, b.get(schedule), http.StatusOK, "Copied Monday&#39;s times to Tuesday, Friday: 4 slots a week")

	// Remove Wednesday's first slot (the row's index in the day).
	a = b.post(schedule, url.Values{"remove": {"wednesday:0"}, "monday": {"09:00", ""}, "tuesday": {"09:00", ""},
		"wednesday": {"17:30", ""}, "friday": {"09:00", ""}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("remove = %d: %s", a.Status, a.Body)
	}
	if got := fmt.Sprint(e.getAccount(w, acct.ID).PostingSchedule.Slots); got != "[{monday 09:00} {tuesday 09:00} {friday 09:00}]" {
		t.Fatalf("after removing: %s", got)
	}

	// Errors are shown by the day, with what was typed, and nothing is saved.
	a = b.post(schedule, url.Values{"monday": {"09:00", "9am"}})
	want(t, a, http.StatusUnprocessableEntity, `&#34;9am&#34; is not a time of day: type it like 09:30`, `value="9am"`, `aria-invalid="true"`)
	a = b.post(schedule, url.Values{"op": {"copy"}, "monday": {"09:00"}, "copy_from": {"monday"}})
	want(t, a, http.StatusUnprocessableEntity, "Tick the days that should get Monday&#39;s times.")
	if got := len(e.getAccount(w, acct.ID).PostingSchedule.Slots); got != 3 {
		t.Fatalf("a refused change saved the schedule: %d slots", got)
	}

	// With htmx the editor comes back in place, saying it saved.
	a = b.post(schedule, url.Values{"op": {"save"}, "sunday": {"11:15"}}, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="schedule-editor"`, "Posting schedule saved: 1 slot a week", `name="sunday" value="11:15"`)
	a = b.post(schedule, url.Values{"sunday": {"25:00"}}, "HX-Request", "true")
	want(t, a, http.StatusOK, "is not a time of day")

	want(t, b.get(fmt.Sprintf("/w/%d/accounts/999999/schedule", w.ID)), http.StatusNotFound)
}

// TestScheduleAddForm adds one time to several days with the one add
// form, and checks its refusals keep what was typed and ticked.
func TestScheduleAddForm(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	schedule := fmt.Sprintf("/w/%d/accounts/%d/schedule", w.ID, acct.ID)
	b := e.browser()
	b.signIn("ana@example.com")

	a := b.post(schedule, url.Values{"op": {"add"}, "add_time": {"9:30"}, "add_day": {"monday", "wednesday", "friday"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("add = %d: %s", a.Status, a.Body)
	}
	if got := fmt.Sprint(e.getAccount(w, acct.ID).PostingSchedule.Slots); got != "[{monday 09:30} {wednesday 09:30} {friday 09:30}]" {
		t.Fatalf("after adding: %s", got)
	}
	want(t, b.get(schedule), http.StatusOK, "Added 09:30 on Monday, Wednesday, Friday: 3 slots a week")

	// Adding keeps the slots already there and skips a time a day has;
	// Enter in the time field (a save) adds too.
	a = b.post(schedule, url.Values{"op": {"save"}, "monday": {"09:30"}, "wednesday": {"09:30"}, "friday": {"09:30"},
		"add_time": {"08:00"}, "add_day": {"monday", "sunday"}}, "HX-Request", "true")
	want(t, a, http.StatusOK, "Added 08:00 on Monday, Sunday: 5 slots a week", `name="monday" value="08:00"`)
	a = b.post(schedule, url.Values{"op": {"add"}, "monday": {"08:00", "09:30"}, "add_time": {"09:30"}, "add_day": {"monday"}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("add again = %d: %s", a.Status, a.Body)
	}
	if got := fmt.Sprint(e.getAccount(w, acct.ID).PostingSchedule.Slots); got != "[{monday 08:00} {monday 09:30}]" {
		t.Fatalf("after adding a time Monday has (the other days were not sent): %s", got)
	}

	// Refusals: at the add form, with what was typed and ticked; nothing saved.
	for _, tc := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"op": {"add"}, "add_day": {"tuesday"}}, "Type the time to add, like 09:30."},
		{url.Values{"op": {"add"}, "add_time": {"noon"}, "add_day": {"tuesday"}}, "&#34;noon&#34; is not a time of day"},
		{url.Values{"op": {"add"}, "add_time": {"12:00"}}, "Tick the days that should get 12:00."},
	} {
		a := b.post(schedule, tc.form)
		want(t, a, http.StatusUnprocessableEntity, `id="add-time-problem"`, tc.says)
		if tc.form.Get("add_time") != "" {
			want(t, a, http.StatusUnprocessableEntity, `value="`+tc.form.Get("add_time")+`"`)
		}
		if len(tc.form["add_day"]) > 0 {
			want(t, a, http.StatusUnprocessableEntity, `id="add-day-tuesday" checked`)
		}
	}
	if got := len(e.getAccount(w, acct.ID).PostingSchedule.Slots); got != 2 {
		t.Fatalf("a refused add changed the schedule: %d slots", got)
	}
}

func TestAccountsConnectWithPassword(t *testing.T) {
	e, platform := newConnectEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	list := fmt.Sprintf("/w/%d/accounts", w.ID)
	b := e.browser()
	b.signIn("ana@example.com")

	a := b.get(list)
	want(t, a, http.StatusOK, "Connect an account", `id="connect-oauth-fake"`, `id="connect-password-fake"`, "Access token")

	a = b.post(list+"/connect-password", url.Values{"platform": {"fake"}, "form": {"password-fake"}, "identifier": {platform}, "password": {"carol"}})
	if a.Status != http.StatusSeeOther || a.Location != list {
		t.Fatalf("connect = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	a = b.get(list)
	want(t, a, http.StatusOK, "Connected @carol on Test platform.", `data-status="connected"`)

	// Errors stay by the form, with what was typed (never the password).
	a = b.post(list+"/connect-password", url.Values{"platform": {"fake"}, "form": {"password-fake"}, "identifier": {"not a server"}, "password": {"secret-token"}})
	want(t, a, http.StatusUnprocessableEntity, "is not the address of a fake platform", "Check the address and the token.",
		`value="not a server"`, `id="password-fake-password-problem"`)
	wantNot(t, a, "secret-token")
	a = b.post(list+"/connect-password", url.Values{"platform": {"fake"}, "form": {"password-fake"}, "identifier": {platform}})
	want(t, a, http.StatusUnprocessableEntity, "The connection details are not complete.", `id="password-fake-password-problem">is required`)
	a = b.post(list+"/connect-password", url.Values{"platform": {"fake"}, "form": {"password-fake"}, "identifier": {"http://127.0.0.1:1"}, "password": {"x"}})
	want(t, a, http.StatusServiceUnavailable, "could not be reached; try again in a moment")
	a = b.post(list+"/connect-password", url.Values{"platform": {"bluesky"}, "identifier": {"a"}, "password": {"x"}})
	want(t, a, http.StatusUnprocessableEntity, `id="connect-error"`, "Herald cannot connect bluesky accounts; it connects: fake")
}

func TestAccountsConnectThroughSignInPage(t *testing.T) {
	e, platform := newConnectEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	list := fmt.Sprintf("/w/%d/accounts", w.ID)
	b := e.browser()
	b.signIn("ana@example.com")

	// begin starts connecting as login and returns the platform's page.
	begin := func(form url.Values) string {
		t.Helper()
		a := b.post(list+"/connect", form)
		want(t, a, http.StatusOK, "Continue to Test platform", `data-acct-continue`)
		i := strings.Index(a.Body, `href="`+platform+"/oauth/authorize?")
		if i < 0 {
			t.Fatalf("no link to the platform's sign-in page:\n%s", a.Body)
		}
		raw := a.Body[i+len(`href="`):]
		return strings.ReplaceAll(raw[:strings.Index(raw, `"`)], "&amp;", "&")
	}
	// approve follows the platform's page to Herald's callback.
	approve := func(authorize string) string {
		t.Helper()
		res, err := b.c.Get(authorize)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		cb := res.Header.Get("Location")
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(cb, e.srv.URL+"/api/v1/connect/callback?") {
			t.Fatalf("the platform answered %d to %q", res.StatusCode, cb)
		}
		return strings.TrimPrefix(cb, e.srv.URL)
	}
	html := []string{"Accept", "text/html,application/xhtml+xml"}

	cb := approve(begin(url.Values{"platform": {"fake"}, "form": {"oauth-fake"}, "instance": {platform + "#bob"}}))
	a := b.do(http.MethodGet, cb, nil, html...)
	list0 := e.accountsOf(w)
	if len(list0) != 1 || list0[0].Handle != "@bob" {
		t.Fatalf("accounts after connecting: %+v", list0)
	}
	bob := list0[0]
	if a.Status != http.StatusFound || a.Location != fmt.Sprintf("%s?connected=%d", list, bob.ID) {
		t.Fatalf("callback = %d → %q", a.Status, a.Location)
	}
	a = b.get(a.Location)
	if a.Status != http.StatusSeeOther || a.Location != list {
		t.Fatalf("landing = %d → %q", a.Status, a.Location)
	}
	want(t, b.get(list), http.StatusOK, "Connected @bob on Test platform.", fmt.Sprintf(`id="reconnect-%d"`, bob.ID))

	// Reconnecting goes through the platform again and keeps the account.
	a = b.post(list+"/connect", url.Values{"platform": {"fake"}, "instance": {platform + "#bob"}, "form": {fmt.Sprintf("reconnect-%d", bob.ID)}})
	want(t, a, http.StatusOK, "Continue to Test platform")

	// The person refuses on the platform: back on the accounts page with why.
	cb = approve(begin(url.Values{"platform": {"fake"}, "instance": {platform + "#eve"}}))
	u, err := url.Parse(cb)
	if err != nil {
		t.Fatal(err)
	}
	refused := "/api/v1/connect/callback?" + url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"},
		"error_description": {"The user refused"}}.Encode()
	a = b.do(http.MethodGet, refused, nil, html...)
	if a.Status != http.StatusFound || !strings.HasPrefix(a.Location, list+"?connect_error=") {
		t.Fatalf("refused callback = %d → %q", a.Status, a.Location)
	}
	want(t, b.get(a.Location), http.StatusOK, `id="connect-error"`, "The account was not connected.", "The user refused")

	// A link used twice: the workspace is not known, the last one used is.
	a = b.do(http.MethodGet, cb, nil, html...)
	if a.Status != http.StatusFound || !strings.HasPrefix(a.Location, "/accounts?connect_error=") {
		t.Fatalf("reused callback = %d → %q", a.Status, a.Location)
	}
	a = b.get(a.Location)
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, list+"?connect_error=") {
		t.Fatalf("/accounts = %d → %q", a.Status, a.Location)
	}
	want(t, b.get(a.Location), http.StatusOK, "already used or is unknown")
	// A crafted link cannot put words on the page: only the callback can.
	wantNot(t, b.get(list+"?connect_error=Send+your+password+to+evil.example"), "evil.example")
	if n := len(e.accountsOf(w)); n != 1 {
		t.Fatalf("%d accounts after the failures, want 1", n)
	}

	// A bad address stays by the form.
	a = b.post(list+"/connect", url.Values{"platform": {"fake"}, "form": {"oauth-fake"}, "instance": {"not a server"}})
	want(t, a, http.StatusUnprocessableEntity, "is not the address of a fake platform", `id="oauth-fake-instance-problem"`,
		`value="not a server"`)
}

// accountsOf lists w's accounts from the store.
func (e *env) accountsOf(w herald.Workspace) []herald.Account {
	e.t.Helper()
	as, err := e.store.ListAccounts(context.Background(), w.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return as
}

func TestAccountsShowInstanceSoftware(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	ctx := context.Background()
	for i, inst := range []string{"https://gts.example", "https://mastodon.example"} {
		if _, err := e.accounts.Connect(ctx, ownerActor(owner, w), herald.Account{Platform: herald.PlatformMastodon, RemoteID: fmt.Sprint(i + 1),
			Handle: fmt.Sprintf("@acme%d@x", i), InstanceURL: inst}, []byte("t")); err != nil {
			t.Fatal(err)
		}
	}
	for _, sw := range []herald.InstanceSoftware{
		{Platform: herald.PlatformMastodon, Instance: "https://gts.example", Name: "gotosocial", Version: "0.17.3"},
		{Platform: herald.PlatformMastodon, Instance: "https://mastodon.example", Name: "mastodon", Version: "4.3.0", Deduplicates: true},
	} {
		if err := e.store.SaveInstanceSoftware(ctx, &sw); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(fmt.Sprintf("/w/%d/accounts", w.ID))
	want(t, a, http.StatusOK, "GoToSocial 0.17.3 · does not deduplicate retries: Herald checks before sending again",
		"Mastodon 4.3.0 · deduplicates retries")
}
