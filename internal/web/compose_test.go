package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/account"
	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/config"
	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/fake"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	xconn "github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/server"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/task"
	"github.com/heraldsocial/herald/internal/template"
	"github.com/heraldsocial/herald/internal/workspace"
)

// composeEnv is env with the platforms' connectors registered, so drafts
// are checked as the platforms count them: the test platform (served by
// a local fake platform at platform), Bluesky and X (which check without
// the network).
type composeEnv struct {
	*env
	platform string
}

func newComposeEnv(t *testing.T) *composeEnv {
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
	keys, err := keyring.Load(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	storage, err := media.NewDiskStorage(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	fp := fakeserver.New(fakeserver.Config{MaxChars: 100})
	base, err := fp.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fp.Close() })
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformFake, fake.New(nil))
	reg.Register(herald.PlatformBluesky, bluesky.New(nil))
	reg.Register(herald.PlatformX, xconn.New(nil))

	logger := slog.New(slog.DiscardHandler)
	clock := herald.SystemClock{}
	e := &env{t: t, store: st}
	e.auth = auth.New(st, clock, logger)
	sm := auth.NewSessionManager(st, false)
	e.ws = workspace.New(st, clock, logger)
	e.posts = post.New(st, clock, logger, post.WithConnectors(reg, keys))
	e.accounts = account.New(st, keys, clock, logger)
	e.labels = label.New(st, clock, logger)
	e.campaigns = campaign.New(st, clock, logger)
	e.media = media.New(st, storage, 5<<20, clock, logger)
	e.templates = template.New(st, clock, e.posts, logger)
	imports := importsFor(e)
	a := api.New(api.Deps{
		Auth: e.auth, Sessions: sm, Workspaces: e.ws, Posts: e.posts, Accounts: e.accounts,
		Labels: e.labels, Campaigns: e.campaigns, Media: e.media, Templates: e.templates, Imports: imports, Logger: logger, Version: "test",
	})
	w, err := New(Deps{Auth: e.auth, Sessions: sm, Workspaces: e.ws, Posts: e.posts, Accounts: e.accounts,
		Media: e.media, Labels: e.labels, Campaigns: e.campaigns, Templates: e.templates, Imports: imports, Tasks: task.New(st, clock, nil, logger), Users: st, Clock: clock, Logger: logger, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewUnstartedServer(nil)
	routes := []string{}
	for _, r := range a.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	s := server.New(config.Config{BaseURL: "http://" + e.srv.Listener.Addr().String(), ShutdownTimeout: 5 * time.Second}, server.Deps{
		Store: st, Auth: e.auth, Sessions: sm, API: a, APIRoutes: routes, Web: w, Version: "test", Clock: clock,
	}, logger)
	e.srv.Config.Handler = s.Handler()
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return &composeEnv{env: e, platform: base}
}

// connect connects an account of platform pl to w; test-platform accounts
// talk to the local fake platform.
func (e *composeEnv) connect(owner herald.User, w herald.Workspace, pl herald.Platform, handle string) herald.Account {
	e.t.Helper()
	a := herald.Account{Platform: pl, RemoteID: handle, Handle: handle, DisplayName: "Acme " + handle,
		Status: herald.AccountConnected}
	if pl == herald.PlatformFake {
		a.InstanceURL = e.platform
	}
	a, err := e.accounts.Connect(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner},
		a, []byte(`{"access_token":"t-`+handle+`"}`))
	if err != nil {
		e.t.Fatal(err)
	}
	return a
}

// composeForm is a filled composer form.
func composeValues(text string, accounts ...herald.Account) url.Values {
	v := url.Values{"text": {text}, "media": {""}}
	for _, a := range accounts {
		v.Add("account", strconv.FormatInt(a.ID, 10))
	}
	return v
}

var editPath = regexp.MustCompile(`^/w/\d+/posts/(\d+)/edit$`)
var postPath = regexp.MustCompile(`^/w/\d+/posts/(\d+)$`)

// idFrom reads the post id from a redirect.
func idFrom(t *testing.T, a answer, re *regexp.Regexp) int64 {
	t.Helper()
	m := re.FindStringSubmatch(a.Location)
	if a.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("answer %d → %q, want a redirect matching %s; body:\n%s", a.Status, a.Location, re, a.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestComposeDraftAndEdit(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)

	page := b.get(base)
	want(t, page, http.StatusOK, "New post", `name="account"`, `value="`+strconv.FormatInt(acct.ID, 10)+`"`,
		"Acme acme", "Times are in the workspace's zone, Europe/Paris", `id="schedule"`, `id="add-queue"`, `id="publish-now"`,
		"Save draft", `hx-post="`+base+`/check"`)
	wantNot(t, page, `id="submit-approval"`)

	form := composeValues("Hello from the composer", acct)
	form.Set("title", "Launch")
	form.Add("text", "And a second part")
	form.Add("media", "")
	form.Set("action", "draft")
	a := b.post(base, form)
	id := idFrom(t, a, editPath)
	p, err := e.posts.Get(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != "Hello from the composer" || p.Title != "Launch" || len(p.Targets) != 1 ||
		p.Targets[0].State != herald.StateDraft || len(p.Targets[0].Variant.Thread) != 1 ||
		p.Targets[0].Variant.Thread[0].Text != "And a second part" {
		t.Fatalf("saved post = %+v", p)
	}
	edit := b.get(a.Location)
	want(t, edit, http.StatusOK, "Draft saved at", "Edit post", ">Hello from the composer</textarea>",
		">And a second part</textarea>", `name="version" id="post-version" value="`+strconv.FormatInt(p.Version, 10)+`"`)

	// Editing with the version read saves; a stale version is refused and
	// the typed text is shown again, not lost.
	form = composeValues("Hello again", acct)
	form.Set("post_id", strconv.FormatInt(id, 10))
	form.Set("version", strconv.FormatInt(p.Version, 10))
	if got := idFrom(t, b.post(base, form), editPath); got != id {
		t.Fatalf("edit saved post %d, want %d", got, id)
	}
	a = b.post(base, form)
	want(t, a, http.StatusPreconditionFailed, "someone changed this post after you opened it", ">Hello again</textarea>", `id="open-current"`)

	// A published post is not edited here.
	other := e.scheduled(owner, w, acct, "Done", time.Now().Add(time.Hour))
	e.move(w, other.Targets[0].ID, "", herald.StatePublishing, herald.StatePublished)
	want(t, b.get(fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, other.ID)), http.StatusConflict, "can no longer be edited")

	// Other workspaces' posts are not found.
	_, w2 := e.owner("bo@example.com", "Other")
	b2 := e.browser()
	b2.signIn("bo@example.com")
	want(t, b2.get(fmt.Sprintf("/w/%d/posts/%d/edit", w2.ID, id)), http.StatusNotFound)
}

func TestComposeAutosave(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	path := fmt.Sprintf("/w/%d/compose/autosave", w.ID)
	type saved struct {
		ID       int64  `json:"id"`
		Version  int64  `json:"version"`
		Saved    string `json:"saved"`
		EditURL  string `json:"edit_url"`
		Skipped  bool   `json:"skipped"`
		Error    string `json:"error"`
		Conflict bool   `json:"conflict"`
	}
	decode := func(a answer) saved {
		t.Helper()
		var s saved
		if err := json.Unmarshal([]byte(a.Body), &s); err != nil {
			t.Fatalf("autosave answer %d %q: %v", a.Status, a.Body, err)
		}
		return s
	}

	// Nothing typed yet: nothing is created.
	if s := decode(b.post(path, composeValues("  ", acct))); !s.Skipped {
		t.Fatalf("empty autosave = %+v, want skipped", s)
	}
	first := decode(b.post(path, composeValues("Draft one", acct)))
	if first.ID == 0 || first.Version == 0 || !strings.HasPrefix(first.Saved, "Saved ") ||
		first.EditURL != fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, first.ID) {
		t.Fatalf("first autosave = %+v", first)
	}
	form := composeValues("Draft two", acct)
	form.Set("post_id", strconv.FormatInt(first.ID, 10))
	form.Set("version", strconv.FormatInt(first.Version, 10))
	second := decode(b.post(path, form))
	if second.ID != first.ID || second.Version <= first.Version {
		t.Fatalf("second autosave = %+v after %+v", second, first)
	}
	// Another tab still at the first version is refused, and the post keeps
	// the newer text.
	form.Set("text", "Stale tab")
	a := b.post(path, form)
	stale := decode(a)
	if a.Status != http.StatusPreconditionFailed || !stale.Conflict || !strings.Contains(stale.Error, "changed elsewhere") {
		t.Fatalf("stale autosave = %d %+v", a.Status, stale)
	}
	p, err := e.store.GetPost(context.Background(), w.ID, first.ID)
	if err != nil || p.Text != "Draft two" {
		t.Fatalf("post after a stale autosave: %q, %v", p.Text, err)
	}
	// No second post was made.
	posts, _, err := e.posts.List(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}, herald.PostFilter{})
	if err != nil || len(posts) != 1 {
		t.Fatalf("posts = %d, %v", len(posts), err)
	}
}

func TestComposeCheckCountsPerPlatform(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	bs := e.connect(owner, w, herald.PlatformBluesky, "acme.bsky.social")
	xa := e.connect(owner, w, herald.PlatformX, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	path := fmt.Sprintf("/w/%d/compose/check", w.ID)

	text := strings.Repeat("a", 290)
	a := b.post(path, composeValues(text, bs, xa), "HX-Request", "true")
	want(t, a, http.StatusOK, `id="part-check-0" hx-swap-oob="true"`, "290/300", "290/280",
		"X: the text is 290 characters as X counts them", "at most 280 are allowed")
	wantNot(t, a, "Bluesky allows")
	// The problem is next to the post's text, on the X line only.
	slot := a.Body[strings.Index(a.Body, `id="part-check-0"`):]
	if !strings.Contains(slot, "X: the text is 290") {
		t.Fatalf("part-check-0 lacks the X problem:\n%s", slot)
	}

	// Too long for Bluesky too, in a thread part.
	form := composeValues("Short start", bs)
	form.Add("text", strings.Repeat("é", 301))
	form.Add("media", "")
	a = b.post(path, form, "HX-Request", "true")
	want(t, a, http.StatusOK, "11/300", "301/300", "Bluesky: the text is 301 characters long; Bluesky allows 300")
	part := a.Body[strings.Index(a.Body, `id="part-check-1"`):]
	if !strings.Contains(part, "Bluesky allows 300") {
		t.Fatalf("part-check-1 lacks the Bluesky problem:\n%s", part)
	}

	// A variant counts on its own.
	form = composeValues("Base", xa)
	form.Set("v_text_"+strconv.FormatInt(xa.ID, 10), strings.Repeat("b", 281))
	a = b.post(path, form, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="variant-check-`+strconv.FormatInt(xa.ID, 10)+`"`, "281/280")
}

func TestComposePreviewHighlights(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	bs := e.connect(owner, w, herald.PlatformBluesky, "acme.bsky.social")
	fk := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.post(fmt.Sprintf("/w/%d/compose/check", w.ID),
		composeValues("Read https://www.example.com/launch/notes-for-everyone, thanks @alice.bsky.social! #launch #2026", bs, fk),
		"HX-Request", "true")
	want(t, a, http.StatusOK,
		`<span class="pv-link" title="https://www.example.com/launch/notes-for-everyone">example.com/launch/notes...</span>`,
		`<span class="pv-mention" title="https://bsky.app/profile/alice.bsky.social">@alice.bsky.social</span>`,
		`<span class="pv-tag" title="https://bsky.app/hashtag/launch">#launch</span>`,
		`<span class="pv-card-domain">example.com</span>`,
		`class="preview pv-bluesky"`, `class="preview pv-fake"`, "Acme acme.bsky.social", "@acme.bsky.social")
	wantNot(t, a, `>#2026</span>`)
}

func TestComposeActionsByRole(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	e.member(w, "cleo@example.com", herald.RoleContributor)
	e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "an@example.com", herald.RoleAnalyst)
	ownerActor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.accounts.SetSchedule(context.Background(), ownerActor, acct.ID, herald.PostingSchedule{Slots: []herald.PostingSlot{
		{Day: "monday", Time: "09:00"}, {Day: "tuesday", Time: "09:00"}, {Day: "wednesday", Time: "09:00"},
		{Day: "thursday", Time: "09:00"}, {Day: "friday", Time: "09:00"}, {Day: "saturday", Time: "09:00"}, {Day: "sunday", Time: "09:00"}}}); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	loc, _ := time.LoadLocation("Europe/Paris")
	at := time.Now().In(loc).Add(48 * time.Hour).Truncate(time.Minute)
	state := func(id int64) herald.Target {
		t.Helper()
		p, err := e.store.GetPost(context.Background(), w.ID, id)
		if err != nil || len(p.Targets) != 1 {
			t.Fatalf("post %d: %+v %v", id, p, err)
		}
		return p.Targets[0]
	}

	owner1 := e.browser()
	owner1.signIn("ana@example.com")
	// Schedule without a time: the time field says what to do, the draft is kept.
	form := composeValues("Scheduled post", acct)
	form.Set("action", "schedule")
	a := owner1.post(base, form)
	want(t, a, http.StatusUnprocessableEntity, "Pick a date and time to schedule the post", `aria-invalid="true"`, ">Scheduled post</textarea>")
	form.Set("at", at.Format("2006-01-02T15:04"))
	form.Set("post_id", regexp.MustCompile(`id="post-id" value="(\d+)"`).FindStringSubmatch(a.Body)[1])
	form.Set("version", regexp.MustCompile(`id="post-version" value="(\d+)"`).FindStringSubmatch(a.Body)[1])
	id := idFrom(t, owner1.post(base, form), postPath)
	if tg := state(id); tg.State != herald.StateScheduled || tg.ScheduledAt == nil || !tg.ScheduledAt.Equal(at) {
		t.Fatalf("scheduled target = %s at %v, want scheduled at %v", tg.State, tg.ScheduledAt, at)
	}
	want(t, owner1.get(fmt.Sprintf("/w/%d/posts/%d", w.ID, id)), http.StatusOK, "Scheduled for ")

	form = composeValues("Queued post", acct)
	form.Set("action", "queue")
	id = idFrom(t, owner1.post(base, form), postPath)
	if tg := state(id); tg.State != herald.StateScheduled || tg.ScheduledAt == nil {
		t.Fatalf("queued target = %+v", tg)
	}
	form = composeValues("Now post", acct)
	form.Set("action", "publish_now")
	id = idFrom(t, owner1.post(base, form), postPath)
	if tg := state(id); tg.State != herald.StateScheduled || tg.ScheduledAt == nil || time.Until(*tg.ScheduledAt) > time.Minute {
		t.Fatalf("published-now target = %+v", tg)
	}

	// A contributor submits for approval and cannot schedule.
	cleo := e.browser()
	cleo.signIn("cleo@example.com")
	page := cleo.get(base)
	want(t, page, http.StatusOK, `id="submit-approval"`, "Your role needs approval")
	wantNot(t, page, `id="schedule"`, `id="publish-now"`, `id="add-queue"`)
	form = composeValues("Contributor post", acct)
	form.Set("at", at.Format("2006-01-02T15:04"))
	form.Set("action", "schedule")
	want(t, cleo.post(base, form), http.StatusForbidden, "your role needs approval", ">Contributor post</textarea>")
	form = composeValues("Contributor post", acct)
	form.Set("action", "submit")
	id = idFrom(t, cleo.post(base, form), postPath)
	if tg := state(id); tg.State != herald.StateInReview {
		t.Fatalf("submitted target is %s", tg.State)
	}

	// When the workspace requires approval, editors submit too.
	if _, err := e.ws.Update(context.Background(), ownerActor, workspace.Patch{BrandRules: &herald.BrandRules{RequireApproval: true}}); err != nil {
		t.Fatal(err)
	}
	ed := e.browser()
	ed.signIn("ed@example.com")
	page = ed.get(base)
	want(t, page, http.StatusOK, `id="submit-approval"`, "This workspace requires approval")
	wantNot(t, page, `id="schedule"`)
	form = composeValues("Editor post", acct)
	form.Set("at", at.Format("2006-01-02T15:04"))
	form.Set("action", "publish_now")
	want(t, ed.post(base, form), http.StatusForbidden, "submit the post for review")

	// Analysts do not write posts.
	an := e.browser()
	an.signIn("an@example.com")
	want(t, an.get(base), http.StatusForbidden)
}

func TestComposePrefillAndRecurrence(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	a1 := e.connect(owner, w, herald.PlatformFake, "one")
	a2 := e.connect(owner, w, herald.PlatformFake, "two")
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Hour)
	page := b.get(base + "?at=" + url.QueryEscape(at.Format(time.RFC3339)) + "&account=" + strconv.FormatInt(a2.ID, 10))
	local := at.In(mustZone(t, "Europe/Paris")).Format("2006-01-02T15:04")
	want(t, page, http.StatusOK, `name="at" value="`+local+`"`,
		`id="account-`+strconv.FormatInt(a2.ID, 10)+`" value="`+strconv.FormatInt(a2.ID, 10)+`" checked`)
	wantNot(t, page, `id="account-`+strconv.FormatInt(a1.ID, 10)+`" value="`+strconv.FormatInt(a1.ID, 10)+`" checked`)

	// The recurrence builder says what it means and fills the rule.
	form := composeValues("Weekly tips", a1)
	form.Set("at", local)
	form.Set("repeat", "weekly")
	form.Set("interval", "2")
	form["byday"] = []string{"MO", "TH"}
	form.Set("ends", "count")
	form.Set("count", "4")
	a := b.post(base+"/check", form, "HX-Request", "true")
	want(t, a, http.StatusOK, "Every 2 weeks on Monday and Thursday at "+local[11:]+", 4 times.")

	// Autosaved first, then scheduled with the rule: the rule is kept.
	first := b.post(base+"/autosave", composeValues("Weekly tips", a1))
	var s struct{ ID, Version int64 }
	if err := json.Unmarshal([]byte(first.Body), &s); err != nil || s.ID == 0 {
		t.Fatalf("autosave: %s", first.Body)
	}
	form.Set("post_id", strconv.FormatInt(s.ID, 10))
	form.Set("version", strconv.FormatInt(s.Version, 10))
	form.Set("action", "schedule")
	idFrom(t, b.post(base, form), postPath)
	p, err := e.store.GetPost(context.Background(), w.ID, s.ID)
	if err != nil || p.Recurrence != "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=4" {
		t.Fatalf("recurrence = %q, %v", p.Recurrence, err)
	}
	edit := b.get(fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, s.ID))
	want(t, edit, http.StatusOK, `<option value="weekly" selected`, `id="byday-TH" name="byday" value="TH" checked`)

	bad := composeValues("x", a1)
	bad.Set("repeat", "weekly")
	bad.Set("ends", "until")
	want(t, b.post(base, bad), http.StatusUnprocessableEntity, "pick the last day the series repeats")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestComposeThreadEditingWithoutJS(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	form := composeValues("First half. Second half.", acct)
	form.Set("op", "split:0")
	form.Set("split_0", "11")
	a := b.post(base, form)
	want(t, a, http.StatusOK, ">First half.</textarea>", ">Second half.</textarea>", "Thread part 2")

	form = composeValues("One", acct)
	form.Add("text", "Two")
	form.Add("media", "")
	form.Set("op", "up:1")
	a = b.post(base, form)
	want(t, a, http.StatusOK)
	if strings.Index(a.Body, ">Two</textarea>") > strings.Index(a.Body, ">One</textarea>") {
		t.Fatal("moving part 2 up did not put it first")
	}
	form.Set("op", "remove:1")
	a = b.post(base, form)
	want(t, a, http.StatusOK, ">One</textarea>")
	if strings.Contains(a.Body, ">Two</textarea>") {
		t.Fatal("the removed part is still there")
	}
}

func TestComposeMedia(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	m, err := e.media.Upload(context.Background(), actor, "cat.png", strings.NewReader(string(tinyPNG(t))), "")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("/w/%d/compose", w.ID)

	// The library offers it; its item warns about the missing alt text.
	want(t, b.get(base), http.StatusOK, `name="add_media"`, "cat.png", "no alt text")
	item := b.get(fmt.Sprintf("%s/media/%d?part=1", base, m.ID))
	want(t, item, http.StatusOK, `name="alt_`+strconv.FormatInt(m.ID, 10)+`"`, "No alt text: describe the image", `value="unmedia:1:`)

	// Picked without JavaScript and described: saved with the post, alt text on the asset.
	form := composeValues("With a cat", acct)
	form.Set("add_media", strconv.FormatInt(m.ID, 10))
	form.Set("alt_"+strconv.FormatInt(m.ID, 10), "A grey cat asleep")
	id := idFrom(t, b.post(base, form), editPath)
	p, err := e.store.GetPost(context.Background(), w.ID, id)
	if err != nil || len(p.Targets) != 1 || len(p.Targets[0].Variant.MediaIDs) != 1 || p.Targets[0].Variant.MediaIDs[0] != m.ID {
		t.Fatalf("post media = %+v, %v", p.Targets, err)
	}
	got, err := e.media.Get(context.Background(), actor, m.ID)
	if err != nil || got.AltText != "A grey cat asleep" {
		t.Fatalf("alt text = %q, %v", got.AltText, err)
	}
	// The preview shows the image with its alt text.
	form = composeValues("With a cat", acct)
	form.Set("media", strconv.FormatInt(m.ID, 10))
	a := b.post(base+"/check", form, "HX-Request", "true")
	want(t, a, http.StatusOK, `alt="A grey cat asleep"`, `class="pv-media pv-media-1"`, ">ALT</figcaption>")
}

// tinyPNG is a small real PNG image.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = 0x80
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload sends one file to the composer's upload endpoint as the page's
// script does.
func upload(t *testing.T, b *browser, path, filename string, data []byte) answer {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.e.srv.URL)
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{Status: res.StatusCode, Body: string(raw)}
}

func TestComposeUpload(t *testing.T) {
	e := newComposeEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	path := fmt.Sprintf("/w/%d/compose/media?part=2", w.ID)
	a := upload(t, b, path, "photo.png", tinyPNG(t))
	want(t, a, http.StatusOK, `class="media-item"`, `value="unmedia:2:`, "No alt text", `src="/w/`+fmt.Sprint(w.ID)+`/media/`)
	a = upload(t, b, path, "notes.txt", []byte("just some text, not an image"))
	want(t, a, http.StatusUnprocessableEntity, "notes.txt: ")
	wantNot(t, a, "media-item")
	a = upload(t, b, path, "big.png", bytes.Repeat([]byte{1}, 6<<20))
	want(t, a, http.StatusUnprocessableEntity, "too large")
}
