package web

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// entryHTML is the markup of post id's entry on a calendar page.
func entryHTML(t *testing.T, body string, id int64) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<article[^>]*id="entry-` + itoa(id) + `-\d+".*?</article>`).FindString(body)
	if m == "" {
		t.Fatalf("no entry for post %d in:\n%s", id, body)
	}
	return m
}

func TestCalendarEntryMenu(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.member(w, "cy@example.com", herald.RoleContributor)
	e.member(w, "di@example.com", herald.RoleAnalyst)
	paris, _ := time.LoadLocation("Europe/Paris")
	at := nextWeekday(time.Now(), paris, time.Wednesday, 10, 15)
	sched := e.scheduled(owner, w, acct, "Scheduled one", at)
	pub := e.scheduled(owner, w, acct, "Published one", at.Add(time.Hour))
	e.move(w, pub.Targets[0].ID, "", herald.StatePublishing, herald.StatePublished)
	page := calPath(w, "view=month&date="+at.Format(time.DateOnly))
	post := postURL(w.ID, sched.ID)

	ana := e.browser()
	ana.signIn("ana@example.com")
	a := ana.get(page)
	want(t, a, 200)
	got := entryHTML(t, a.Body, sched.ID)
	back := calendarURL(w.ID, url.Values{"color": {"account"}, "date": {at.Format(time.DateOnly)}, "view": {"month"}})
	for _, s := range []string{`class="cal-menu"`, "Actions for Scheduled one at 10:15",
		`class="cal-menu-open" href="` + post + `"`, `class="cal-menu-edit" href="` + post + `/edit"`,
		"Move…", `class="cal-menu-unschedule" href="` + strings.ReplaceAll(post+"/unschedule?"+url.Values{"back": {back}}.Encode(), "&", "&amp;") + `"`,
		`action="` + post + `/duplicate"`, `class="picon picon-fake" title="Test platform"`, `class="cal-tip"`, "Wed " + at.Format("2 Jan") + ", 10:15"} {
		if !strings.Contains(got, s) {
			t.Errorf("the owner's entry lacks %q:\n%s", s, got)
		}
	}
	// The confirmation page opened from the menu comes back to this month.
	want(t, ana.get(post+"/unschedule?"+url.Values{"back": {back}}.Encode()), 200,
		`name="back" value="`+strings.ReplaceAll(back, "&", "&amp;")+`"`)
	// A published post (shown when it was published: now) opens and
	// duplicates; nothing else.
	got = entryHTML(t, ana.get(calPath(w, "view=month&date="+time.Now().In(paris).Format(time.DateOnly))).Body, pub.ID)
	for _, s := range []string{"cal-menu-edit", "cal-menu-unschedule", "Move…"} {
		if strings.Contains(got, s) {
			t.Errorf("the published entry offers %q", s)
		}
	}
	if !strings.Contains(got, "cal-menu-duplicate") || !strings.Contains(got, "published at") {
		t.Errorf("the published entry lacks duplicate or its published time:\n%s", got)
	}

	// A contributor: open and duplicate someone else's scheduled post.
	cy := e.browser()
	cy.signIn("cy@example.com")
	got = entryHTML(t, cy.get(page).Body, sched.ID)
	if !strings.Contains(got, "cal-menu-open") || !strings.Contains(got, "cal-menu-duplicate") ||
		strings.Contains(got, "cal-menu-edit") || strings.Contains(got, "cal-menu-unschedule") {
		t.Errorf("the contributor's menu:\n%s", got)
	}
	// An analyst: open only.
	di := e.browser()
	di.signIn("di@example.com")
	got = entryHTML(t, di.get(page).Body, sched.ID)
	if !strings.Contains(got, "cal-menu-open") || strings.Contains(got, "cal-menu-duplicate") || strings.Contains(got, "cal-menu-edit") {
		t.Errorf("the analyst's menu:\n%s", got)
	}

	// Week and list show the accounts and states inline, without the tip.
	a = ana.get(calPath(w, "view=list&date="+at.Format(time.DateOnly)))
	want(t, a, 200, "@acme on Test platform", `class="cal-menu"`, "open its menu (⋯) and choose “Move…”")
	wantNot(t, a, `class="cal-tip"`, "cal-pager", "data-drop=", "Drag a post")
	a = ana.get(calPath(w, "view=week&date="+at.Format(time.DateOnly)))
	want(t, a, 200, "@acme on Test platform", "Drag a post to another day and hour")
	wantNot(t, a, `class="cal-tip"`)
}

func TestCalendarWeekOpensAtTheWorkingDay(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	paris, _ := time.LoadLocation("Europe/Paris")
	at := nextWeekday(time.Now(), paris, time.Wednesday, 10, 0)
	b := e.browser()
	b.signIn("ana@example.com")
	week := calPath(w, "view=week&date="+at.Format(time.DateOnly))
	want(t, b.get(week), 200, `data-scroll-hour="08:00"`)
	e.scheduled(owner, w, acct, "Late morning", at)
	want(t, b.get(week), 200, `data-scroll-hour="08:00"`)
	e.scheduled(owner, w, acct, "Early bird", at.Add(-4*time.Hour+15*time.Minute))
	want(t, b.get(week), 200, `data-scroll-hour="06:00"`)
	// In another zone the hour is the viewer's.
	b.withZone("Europe/London")
	want(t, b.get(week), 200, `data-scroll-hour="05:00"`)
	if got := scrollHour(nil); got != workdayHour {
		t.Fatalf("an empty week opens at %d", got)
	}
}
