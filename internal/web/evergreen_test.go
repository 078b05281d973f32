package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// publishedPost stores a post published on acct two days ago.
func (e *env) publishedPost(owner herald.User, w herald.Workspace, acct herald.Account, text string) herald.Post {
	e.t.Helper()
	at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	p := herald.Post{WorkspaceID: w.ID, AuthorID: owner.ID, Text: text,
		Targets: []herald.Target{{AccountID: acct.ID, State: herald.StatePublished, ScheduledAt: &at, PublishedAt: &at,
			RemoteID: "r1"}}}
	if err := e.store.CreatePost(context.Background(), &p); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func TestEvergreenPages(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ali@example.com", herald.RoleAnalyst)
	acct := e.account(owner, w, "@acme")
	pub := e.publishedPost(owner, w, acct, "Our best guide")
	draft := e.scheduled(owner, w, acct, "Coming soon", time.Now().Add(48*time.Hour))
	b := e.browser()
	b.signIn("ana@example.com")

	page := postURL(w.ID, pub.ID)
	want(t, b.get(page), http.StatusOK, `id="evergreen-mark"`, "X refuses exact repeats:", "Mastodon accepts a repeated text")
	want(t, b.get(postURL(w.ID, draft.ID)), http.StatusOK, `id="evergreen-unpublished"`)

	// A text with a NUL is refused, and what was typed stays in the form.
	bad := b.post(page+"/evergreen", url.Values{"variant": {"Keep me", "bad\x00text"}})
	want(t, bad, http.StatusUnprocessableEntity, "Keep me", `id="evergreen-variant-1-problem"`)
	if _, marked, err := e.evergreen.Find(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}, pub.ID); err != nil || marked {
		t.Fatalf("after a refused save: marked %v, %v", marked, err)
	}
	a := b.post(page+"/evergreen", url.Values{"variant": {"The guide, again", ""}})
	if a.Status != http.StatusSeeOther || a.Location != page+"#evergreen" {
		t.Fatalf("mark: %d %q %s", a.Status, a.Location, a.Body)
	}
	want(t, b.get(page), http.StatusOK, `id="evergreen-save"`, "The guide, again", `id="evergreen-unmark"`, "Recycling is off for this workspace")
	want(t, b.get(evergreenURL(w.ID)), http.StatusOK, "Our best guide", `id="evergreen-`+itoa(pub.ID)+`"`, "never")

	// Settings: a bad number is explained, a good form is saved.
	settings := settingsURL(w.ID, "evergreen")
	want(t, b.get(settings), http.StatusOK, `id="tab-evergreen"`, `value="30"`, `value="25"`, "@acme")
	want(t, b.post(settings, url.Values{"enabled": {"on"}, "cooldown_days": {"soon"}, "max_share_percent": {"20"}}),
		http.StatusUnprocessableEntity, `id="evergreen-cooldown-problem"`, `value="20"`)
	a = b.post(settings, url.Values{"enabled": {"on"}, "cooldown_days": {"14"}, "max_share_percent": {"20"},
		"account": {itoa(acct.ID)}})
	if a.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", a.Status, a.Body)
	}
	got := b.get(settings)
	want(t, got, http.StatusOK, `value="14"`, `value="20"`)
	if !regexp.MustCompile(`id="evergreen-enabled"[^>]*checked`).MatchString(got.Body) ||
		!regexp.MustCompile(`id="evergreen-account-`+itoa(acct.ID)+`"[^>]*checked`).MatchString(got.Body) {
		t.Fatalf("the saved settings are not ticked:\n%s", got.Body)
	}
	wantNot(t, b.get(page), "Recycling is off for this workspace")

	// An analyst reads but cannot change.
	ali := e.browser()
	ali.signIn("ali@example.com")
	aliPost := ali.get(page)
	want(t, aliPost, http.StatusOK, "The guide, again")
	wantNot(t, aliPost, `id="evergreen-form"`)
	want(t, ali.post(settings, url.Values{"cooldown_days": {"1"}, "max_share_percent": {"1"}}), http.StatusForbidden)
	want(t, ali.post(page+"/evergreen/remove", nil), http.StatusForbidden)

	a = b.post(page+"/evergreen/remove", nil)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("unmark: %d %s", a.Status, a.Body)
	}
	want(t, b.get(page), http.StatusOK, `id="evergreen-mark"`)
}

var calendarAddress = regexp.MustCompile(`value="(http://[^"]+/ical/(hcal_[A-Za-z0-9_-]+)\.ics)"`)

func TestCalendarSubscribePage(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.scheduled(owner, w, acct, "Launch; day", time.Now().Add(48*time.Hour))
	b := e.browser()
	b.signIn("ana@example.com")

	want(t, b.get(calendarURL(w.ID, nil)), http.StatusOK, `id="cal-subscribe"`, `id="cal-evergreen"`)
	sub := subscribeURL(w.ID)
	want(t, b.get(sub), http.StatusOK, `id="feed-none"`)
	a := b.post(sub, nil)
	want(t, a, http.StatusCreated, `id="feed-url"`, "shown only once")
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page with the address may be cached: %q", a.Header.Get("Cache-Control"))
	}
	m := calendarAddress.FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("no feed address on the page:\n%s", a.Body)
	}
	path := strings.TrimPrefix(m[1], e.srv.URL)
	later := b.get(sub)
	want(t, later, http.StatusOK, `id="feed-active"`)
	wantNot(t, later, m[2])

	// A calendar app needs no session.
	app := e.browser()
	feed := app.get(path)
	want(t, feed, http.StatusOK, "BEGIN:VCALENDAR", `Launch\; day`, "TZID=")
	if ct := feed.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	want(t, app.get("/ical/hcal_nothing.ics"), http.StatusNotFound)
	want(t, app.get(strings.TrimSuffix(path, ".ics")), http.StatusNotFound)

	a = b.post(sub+"/revoke", nil)
	if a.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d %s", a.Status, a.Body)
	}
	want(t, app.get(path), http.StatusNotFound)
	want(t, b.get(sub), http.StatusOK, `id="feed-none"`)
}
