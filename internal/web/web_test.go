package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestFirstRun(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	for _, path := range []string{"/", "/w/1/", "/signin", "/nowhere"} {
		if a := b.get(path); a.Status != http.StatusSeeOther || a.Location != "/setup" {
			t.Fatalf("GET %s before setup = %d → %q, want /setup", path, a.Status, a.Location)
		}
	}
	a := b.get("/setup")
	want(t, a, http.StatusOK, "Welcome to Herald", `<option value="Europe/Paris"`, `<option value="UTC" selected`,
		`data-guess-zone`, `<label for="email">`)

	cases := []struct {
		name    string
		form    url.Values
		status  int
		wantOut []string
	}{
		{"everything missing", url.Values{}, http.StatusUnprocessableEntity,
			[]string{"workspace_name: is required", "email: is required", "name: is required", "password: is 0 characters"}},
		{"bad zone", url.Values{"name": {"Ana"}, "email": {"ana@example.com"}, "password": {testPassword},
			"workspace": {"Acme"}, "time_zone": {"Mars/Olympus"}}, http.StatusUnprocessableEntity,
			[]string{"unknown time zone", `aria-invalid="true"`}},
		{"short password", url.Values{"name": {"Ana"}, "email": {"ana@example.com"}, "password": {"short"},
			"workspace": {"Acme"}, "time_zone": {"Europe/Paris"}}, http.StatusUnprocessableEntity,
			[]string{"password: is 5 characters"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want(t, b.post("/setup", c.form), c.status, c.wantOut...)
		})
	}
	a = b.post("/setup", url.Values{"name": {"Ana"}, "email": {"ana@example.com"}, "password": {testPassword},
		"workspace": {"Acme"}, "time_zone": {"America/New_York"}})
	if a.Status != http.StatusSeeOther || !regexp.MustCompile(`^/w/\d+/$`).MatchString(a.Location) {
		t.Fatalf("setup = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	home := b.get(a.Location)
	want(t, home, http.StatusOK, "<h1>Acme</h1>", "Welcome, Ana", "America/New_York", "Nothing needs you right now", "Sign out",
		`id="welcome"`, fmt.Sprintf(`<a href="/w/%s/accounts" id="welcome-accounts">Connect one on the Accounts page</a>`,
			strings.TrimSuffix(strings.TrimPrefix(a.Location, "/w/"), "/")))
	wantNot(t, home, "through the API")

	// Setup is over: the form goes away and a second owner cannot be made.
	if a := b.get("/setup"); a.Status != http.StatusSeeOther || a.Location != "/signin" {
		t.Fatalf("GET /setup after setup = %d → %q", a.Status, a.Location)
	}
	want(t, e.browser().post("/setup", url.Values{"name": {"Eve"}, "email": {"eve@example.com"}, "password": {testPassword},
		"workspace": {"Evil"}, "time_zone": {"UTC"}}), http.StatusConflict, "already set up")
}

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	home := fmt.Sprintf("/w/%d/", w.ID)
	if a := b.get(home); a.Status != http.StatusSeeOther || a.Location != "/signin?next="+url.QueryEscape(home) {
		t.Fatalf("anonymous home = %d → %q", a.Status, a.Location)
	}
	want(t, b.get("/signin?next="+url.QueryEscape(home)), http.StatusOK, `name="next" value="`+home+`"`)
	a := b.post("/signin", url.Values{"email": {"ana@example.com"}, "password": {"wrong password!"}, "next": {home}})
	want(t, a, http.StatusUnauthorized, "wrong e-mail or password", `value="ana@example.com"`)
	a = b.post("/signin", url.Values{"email": {"ana@example.com"}, "password": {testPassword}, "next": {"https://evil.example/"}})
	if a.Status != http.StatusSeeOther || a.Location != "/" {
		t.Fatalf("sign in with a foreign next = %d → %q, want /", a.Status, a.Location)
	}
	if a := b.get("/"); a.Status != http.StatusSeeOther || a.Location != home {
		t.Fatalf("root = %d → %q, want %s", a.Status, a.Location, home)
	}
	want(t, b.get(home), http.StatusOK, "Acme")
	a = b.post("/signout", nil)
	if a.Status != http.StatusSeeOther || a.Location != "/signin?signed_out" {
		t.Fatalf("sign out = %d → %q", a.Status, a.Location)
	}
	want(t, b.get("/signin?signed_out"), http.StatusOK, "You are signed out")
	if a := b.get(home); a.Status != http.StatusSeeOther {
		t.Fatalf("home after sign out = %d", a.Status)
	}
}

func TestHome(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	soon := time.Now().Add(2 * time.Hour)
	later := e.scheduled(owner, w, acct, "Launch day is coming", soon)
	failed := e.scheduled(owner, w, acct, "This one broke", time.Now().Add(time.Hour))
	e.move(w, failed.Targets[0].ID, "Text too long: 600 of 500 characters", herald.StatePublishing, herald.StateFailed)
	far := e.scheduled(owner, w, acct, "Far in the future", time.Now().AddDate(0, 1, 0))

	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(fmt.Sprintf("/w/%d/", w.ID))
	want(t, a, http.StatusOK, "Today and the next 7 days", "Launch day is coming", "This one broke",
		"Failed: read the platform", fmt.Sprintf(`href="/w/%d/posts/%d"`, w.ID, later.ID),
		fmt.Sprintf(`href="/w/%d/posts/%d"`, w.ID, failed.ID), "@acme on Test platform", "Crisis switch")
	wantNot(t, a, "Far in the future")
	_ = far
	if n := len(regexp.MustCompile(`class="day( today)?"`).FindAllString(a.Body, -1)); n != glanceDays {
		t.Errorf("%d days shown, want %d", n, glanceDays)
	}
	// Another workspace's home is not found.
	_, other := e.owner("bo@example.com", "Other")
	want(t, b.get(fmt.Sprintf("/w/%d/", other.ID)), http.StatusNotFound, "workspace not found")
}

func TestPostDetail(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	p := e.scheduled(owner, w, acct, "Hello world", time.Now().Add(time.Hour))
	tid := p.Targets[0].ID
	e.move(w, tid, "Status is over the character limit", herald.StatePublishing, herald.StateFailed)
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	otherOwner, other := e.owner("bo@example.com", "Other")
	otherAcct := e.account(otherOwner, other, "@other")
	otherPost := e.scheduled(otherOwner, other, otherAcct, "Not yours", time.Now().Add(time.Hour))
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, p.ID)

	owners := e.browser()
	owners.signIn("ana@example.com")
	a := owners.get(detail)
	want(t, a, http.StatusOK, "Hello world", "The platform said:", "Status is over the character limit",
		`data-state="failed"`, "Retry now", "Cancel post", "History (3)", "scheduled → publishing")

	analyst := e.browser()
	analyst.signIn("ann@example.com")
	a = analyst.get(detail)
	want(t, a, http.StatusOK, "Hello world", "Status is over the character limit")
	wantNot(t, a, "Retry now", "Cancel post", "Crisis switch", "Approve")
	want(t, analyst.post(detail+fmt.Sprintf("/targets/%d/retry", tid), nil), http.StatusForbidden, "analyst role cannot")

	for _, path := range []string{
		fmt.Sprintf("/w/%d/posts/%d", w.ID, otherPost.ID),     // another workspace's post, through mine
		fmt.Sprintf("/w/%d/posts/%d", other.ID, otherPost.ID), // another workspace
		fmt.Sprintf("/w/%d/posts/999999", w.ID),               // nothing
		fmt.Sprintf("/w/%d/posts/abc", w.ID),                  // not an id
	} {
		if a := owners.get(path); a.Status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, a.Status)
		}
	}
	want(t, owners.post(fmt.Sprintf("/w/%d/posts/%d/targets/%d/retry", w.ID, p.ID, otherPost.Targets[0].ID), nil),
		http.StatusNotFound)

	// Retry with htmx: the card comes back, scheduled, with the message
	// out of band.
	a = owners.post(detail+fmt.Sprintf("/targets/%d/retry", tid), nil, "HX-Request", "true")
	want(t, a, http.StatusOK, fmt.Sprintf(`id="target-%d"`, tid), `data-state="scheduled"`, `hx-swap-oob="true"`, "Sent again")
	if strings.Contains(a.Body, "<html") {
		t.Error("an htmx answer is a whole page")
	}
	// Retrying again is a conflict, shown in the messages.
	a = owners.post(detail+fmt.Sprintf("/targets/%d/retry", tid), nil, "HX-Request", "true")
	want(t, a, http.StatusOK, "only a failed target can be retried", `role="alert"`)
	if a.Header.Get("HX-Retarget") != "#messages" {
		t.Errorf("HX-Retarget = %q", a.Header.Get("HX-Retarget"))
	}
	// Without htmx: a redirect and a flash.
	a = owners.post(detail+"/cancel", nil)
	if a.Status != http.StatusSeeOther || a.Location != detail {
		t.Fatalf("cancel = %d → %q", a.Status, a.Location)
	}
	want(t, owners.get(detail), http.StatusOK, "Cancelled: nothing", `data-state="cancelled"`)
}

func TestResolveUnconfirmedAndApprove(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	p := e.scheduled(owner, w, acct, "Maybe out there", time.Now().Add(time.Hour))
	tid := p.Targets[0].ID
	e.move(w, tid, "timeout after 30s", herald.StatePublishing, herald.StateUnconfirmed)
	b := e.browser()
	b.signIn("ana@example.com")
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, p.ID)
	want(t, b.get(detail), http.StatusOK, "It was published", "It was not published", "Herald cannot tell")
	a := b.post(detail+fmt.Sprintf("/targets/%d/resolve", tid), url.Values{"outcome": {"published"}, "remote_url": {"ftp://x"}}, "HX-Request", "true")
	want(t, a, http.StatusOK, "remote_url", "is not an http(s) address")
	a = b.post(detail+fmt.Sprintf("/targets/%d/resolve", tid),
		url.Values{"outcome": {"published"}, "remote_url": {"https://fake.example/@acme/1"}}, "HX-Request", "true")
	want(t, a, http.StatusOK, `data-state="published"`, `href="https://fake.example/@acme/1"`, "Marked published")

	// A post awaiting approval: a manager approves it.
	contributor := e.member(w, "cy@example.com", herald.RoleContributor)
	e.member(w, "max@example.com", herald.RoleManager)
	at := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	review, err := e.posts.Create(t.Context(), herald.Actor{UserID: contributor.ID, WorkspaceID: w.ID, Role: herald.RoleContributor},
		herald.Post{Text: "Please check", Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, "submit")
	if err != nil {
		t.Fatal(err)
	}
	cb := e.browser()
	cb.signIn("cy@example.com")
	wantNot(t, cb.get(fmt.Sprintf("/w/%d/posts/%d", w.ID, review.ID)), `id="post-approve"`)
	mb := e.browser()
	mb.signIn("max@example.com")
	want(t, mb.get(fmt.Sprintf("/w/%d/", w.ID)), http.StatusOK, "Awaiting approval", "Please check")
	a = mb.post(fmt.Sprintf("/w/%d/posts/%d/approve", w.ID, review.ID), nil, "HX-Request", "true")
	want(t, a, http.StatusOK, `id="post-body"`, `data-state="approved"`, "Approved.")
}

func TestCrisisSwitch(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	p := e.scheduled(owner, w, acct, "Scheduled thing", time.Now().Add(time.Hour))
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	home := fmt.Sprintf("/w/%d/", w.ID)

	analyst := e.browser()
	analyst.signIn("ann@example.com")
	want(t, analyst.get(home+"crisis"), http.StatusForbidden)
	want(t, analyst.post(home+"crisis/hold", url.Values{"reason": {"no"}}), http.StatusForbidden)

	b := e.browser()
	b.signIn("ana@example.com")
	want(t, b.get(home+"crisis"), http.StatusOK, "Hold 1 post target now", "Nothing is held", `<label for="reason">`)
	want(t, b.post(home+"crisis/hold", url.Values{"reason": {"  "}}), http.StatusUnprocessableEntity, "reason")
	a := b.post(home+"crisis/hold", url.Values{"reason": {"Outage at the airline"}})
	if a.Status != http.StatusSeeOther || a.Location != home {
		t.Fatalf("hold = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	a = b.get(home)
	want(t, a, http.StatusOK, "Publishing is held.", "Outage at the airline", "1 post target held", "Resume all", "Held 1 post target")
	wantNot(t, a, `id="crisis-switch"`)
	want(t, analyst.get(home), http.StatusOK, "Publishing is held.")
	wantNot(t, analyst.get(home), "Resume all")

	// Resume one target from its card, then hold again and resume all.
	detail := fmt.Sprintf("/w/%d/posts/%d", w.ID, p.ID)
	a = b.post(detail+fmt.Sprintf("/targets/%d/resume", p.Targets[0].ID), nil, "HX-Request", "true")
	want(t, a, http.StatusOK, `data-state="scheduled"`, `<div id="crisis-banner" hx-swap-oob="true"></div>`)
	if a := b.post(home+"crisis/hold", url.Values{"reason": {"Again"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("hold again = %d", a.Status)
	}
	a = b.post(home+"crisis/resume", url.Values{"back": {detail}})
	if a.Status != http.StatusSeeOther || a.Location != detail {
		t.Fatalf("resume = %d → %q", a.Status, a.Location)
	}
	a = b.get(detail)
	want(t, a, http.StatusOK, "Resumed 1 post target", `data-state="scheduled"`)
	wantNot(t, a, "Publishing is held.")
}

func TestStaticAssets(t *testing.T) {
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	b := e.browser()
	page := b.get("/signin")
	want(t, page, http.StatusOK)
	refs := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(page.Body, -1)
	if want := 5 + 2*len(areaAssets); len(refs) != want {
		t.Fatalf("%d static references, want %d (app and section css and js, the no-script css, htmx, alpine): %v", len(refs), want, refs)
	}
	for _, m := range refs {
		a := b.get(m[1])
		if a.Status != http.StatusOK || len(a.Body) == 0 {
			t.Errorf("GET %s = %d (%d bytes)", m[1], a.Status, len(a.Body))
		}
		if cc := a.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s Cache-Control = %q", m[1], cc)
		}
	}
	stale := regexp.MustCompile(`/static/[0-9a-f]+/`).ReplaceAllString(refs[0][1], "/static/0000/")
	if a := b.get(stale); a.Status != http.StatusOK || a.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash = %d %q", a.Status, a.Header.Get("Cache-Control"))
	}
	want(t, b.get("/static/x/nothing.js"), http.StatusNotFound)
	want(t, b.get("/no/such/page"), http.StatusNotFound, "there is no page at /no/such/page")
	if a := b.get("/healthz"); a.Status != http.StatusOK {
		t.Errorf("healthz = %d", a.Status)
	}
}

func TestLocalPath(t *testing.T) {
	cases := map[string]string{
		"":                      "/",
		"/w/1/":                 "/w/1/",
		"/w/1/posts/2?x=1":      "/w/1/posts/2?x=1",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"https://evil.example/": "/",
		"w/1":                   "/",
	}
	for in, out := range cases {
		if got := localPath(in); got != out {
			t.Errorf("localPath(%q) = %q, want %q", in, got, out)
		}
	}
}
