package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// calPath is the calendar of w with query q.
func calPath(w herald.Workspace, q string) string {
	p := fmt.Sprintf("/w/%d/calendar", w.ID)
	if q != "" {
		p += "?" + q
	}
	return p
}

// withZone sets the browser's herald_tz cookie on b, as calendar.js does.
func (b *browser) withZone(zone string) {
	b.t.Helper()
	u, err := url.Parse(b.e.srv.URL)
	if err != nil {
		b.t.Fatal(err)
	}
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: tzCookie, Value: url.QueryEscape(zone), Path: "/"}})
}

// nextWeekday is the first day after now (in loc) that is wd, at hh:mm.
func nextWeekday(now time.Time, loc *time.Location, wd time.Weekday, hh, mm int) time.Time {
	n := now.In(loc)
	for i := 1; i <= 7; i++ {
		d := time.Date(n.Year(), n.Month(), n.Day()+i, hh, mm, 0, 0, loc)
		if d.Weekday() == wd {
			return d
		}
	}
	panic("unreachable")
}

func TestCalendarViewsAndFilters(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	a1 := e.account(owner, w, "@acme")
	a2 := e.account(owner, w, "@acme_eu")
	ownerActor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	lbl, err := e.labels.Create(context.Background(), ownerActor, herald.Label{Name: "Launch", Color: "#ff8800"})
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	at := nextWeekday(time.Now(), paris, time.Wednesday, 10, 15)
	first := e.scheduled(owner, w, a1, "Spring collection is here", at)
	e.scheduled(owner, w, a2, "Bonjour l'Europe", at.Add(2*time.Hour))
	labelled := first
	labelled.LabelIDs = []int64{lbl.ID}
	if _, err := e.posts.Update(context.Background(), ownerActor, labelled, 0, false); err != nil {
		t.Fatal(err)
	}
	date := at.Format(time.DateOnly)
	b := e.browser()
	b.signIn("ana@example.com")

	t.Run("month", func(t *testing.T) {
		a := b.get(calPath(w, "view=month&date="+date))
		want(t, a, 200, "Spring collection is here", "Bonjour l&#39;Europe", "10:15", "12:15", at.Format("January 2006"),
			fmt.Sprintf(`href="/w/%d/posts/%d"`, w.ID, first.ID), "@acme on Test platform", `data-drop="day"`, "Move…",
			"Times in Europe/Paris, the workspace's zone.", `view=month" aria-current="page"`)
	})
	t.Run("week", func(t *testing.T) {
		a := b.get(calPath(w, "view=week&date="+date))
		want(t, a, 200, "Spring collection is here", `data-drop="hour"`, `data-hour="10:00"`, `view=week" aria-current="page"`)
	})
	t.Run("list, remembered", func(t *testing.T) {
		want(t, b.get(calPath(w, "view=list&date="+date)), 200, "Spring collection is here", at.Format("Monday 2 January"))
		a := b.get(calPath(w, "date="+date))
		want(t, a, 200, `view=list" aria-current="page"`, "Spring collection is here", `id="cal-next"`)
		want(t, b.get(calPath(w, "view=month&date="+date)), 200)
	})
	t.Run("navigation", func(t *testing.T) {
		a := b.get(calPath(w, "view=week&date="+date))
		monday := at.AddDate(0, 0, -2)
		want(t, a, 200, "date="+monday.AddDate(0, 0, -7).Format(time.DateOnly), "date="+monday.AddDate(0, 0, 7).Format(time.DateOnly),
			"date="+time.Now().In(paris).Format(time.DateOnly))
		a = b.get(calPath(w, "view=week&date="+monday.AddDate(0, 0, 7).Format(time.DateOnly)))
		want(t, a, 200)
		wantNot(t, a, "Spring collection is here")
	})
	t.Run("filter by account", func(t *testing.T) {
		a := b.get(calPath(w, fmt.Sprintf("view=month&date=%s&account=%d", date, a2.ID)))
		want(t, a, 200, "Bonjour l&#39;Europe", fmt.Sprintf(`<option value="%d" selected>`, a2.ID))
		wantNot(t, a, "Spring collection is here")
	})
	t.Run("filter by label, coloured by label", func(t *testing.T) {
		a := b.get(calPath(w, fmt.Sprintf("view=month&date=%s&label=%d&color=label", date, lbl.ID)))
		want(t, a, 200, "Spring collection is here", "label-c"+itoa(lbl.ID), "calendar/labels.css")
		wantNot(t, a, "Bonjour l&#39;Europe")
		css := b.get(fmt.Sprintf("/w/%d/calendar/labels.css", w.ID))
		want(t, css, 200, ".label-c"+itoa(lbl.ID)+"{--entry-color:#ff8800}")
		if ct := css.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Fatalf("labels.css is %q", ct)
		}
		a = b.get(calPath(w, "view=month&date="+date+"&color=account"))
		want(t, a, 200, accountColor(a1.ID), accountColor(a2.ID))
	})
	t.Run("filter by state", func(t *testing.T) {
		a := b.get(calPath(w, "view=month&date="+date+"&state=published"))
		want(t, a, 200, `value="published" checked`)
		wantNot(t, a, "Spring collection is here", "Bonjour l&#39;Europe")
		a = b.get(calPath(w, "view=month&date="+date+"&state=scheduled"))
		want(t, a, 200, "Spring collection is here", "Bonjour l&#39;Europe")
	})
	t.Run("bad address", func(t *testing.T) {
		want(t, b.get(calPath(w, "date=2026-13-40")), 422, "is not a date such as 2026-03-31")
		want(t, b.get(calPath(w, "view=year")), 422, "is not a view")
		want(t, b.get(calPath(w, "state=lost")), 422, "is not a state")
	})
	t.Run("outsiders", func(t *testing.T) {
		e.owner("zoe@example.com", "Other")
		z := e.browser()
		z.signIn("zoe@example.com")
		want(t, z.get(calPath(w, "")), 404)
		anon := e.browser()
		if a := anon.get(calPath(w, "")); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/signin") {
			t.Fatalf("anonymous: %d %s", a.Status, a.Location)
		}
	})
}

func TestCalendarZones(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	paris, _ := time.LoadLocation("Europe/Paris")
	at := nextWeekday(time.Now(), paris, time.Thursday, 15, 0)
	e.scheduled(owner, w, acct, "Afternoon in Paris", at)
	b := e.browser()
	b.signIn("ana@example.com")
	date := at.Format(time.DateOnly)

	t.Run("the viewer's zone", func(t *testing.T) {
		b.withZone("America/New_York")
		ny, _ := time.LoadLocation("America/New_York")
		a := b.get(calPath(w, "view=week&date="+date))
		want(t, a, 200, "Times in America/New_York; the workspace is in Europe/Paris.",
			">"+at.In(ny).Format("15:04")+"<", at.In(paris).Format("15:04 MST"), `name="tz" value="America/New_York"`)
	})
	t.Run("an unknown zone falls back on the workspace's", func(t *testing.T) {
		b.withZone("Mars/Olympus_Mons")
		a := b.get(calPath(w, "view=week&date="+date))
		want(t, a, 200, "Times in Europe/Paris, the workspace's zone.", ">15:00<")
	})

	// Paris moves its clocks forward on Sunday 28 March 2027 (02:00 → 03:00).
	t.Run("a DST week", func(t *testing.T) {
		b.withZone("Europe/Paris")
		before := time.Date(2027, 3, 28, 0, 30, 0, 0, time.UTC) // 01:30 CET
		after := time.Date(2027, 3, 28, 1, 30, 0, 0, time.UTC)  // 03:30 CEST
		e.scheduled(owner, w, acct, "Before the change", before)
		e.scheduled(owner, w, acct, "After the change", after)
		a := b.get(calPath(w, "view=week&date=2027-03-25"))
		want(t, a, 200, "22 Mar – 28 Mar 2027", "Before the change", "After the change",
			`datetime="2027-03-28T01:30:00+01:00"`, `datetime="2027-03-28T03:30:00+02:00"`)
		// 02:00 does not exist that day: its hour is marked and takes no drop.
		i := strings.Index(a.Body, `data-date="2027-03-28" data-hour="02:00"`)
		if i < 0 || !strings.Contains(a.Body[max(i-200, 0):i], "gap") || strings.Contains(a.Body[i:i+120], "data-drop") {
			t.Fatalf("the skipped hour is not marked as a gap")
		}
		// Monday after the change: a move at 09:00 local is 07:00 UTC.
		p := e.scheduled(owner, w, acct, "Move me across", time.Date(2027, 3, 26, 8, 0, 0, 0, time.UTC))
		res := b.post(fmt.Sprintf("/w/%d/calendar/move", w.ID), url.Values{"post": {itoa(p.ID)}, "version": {itoa(p.Version)},
			"target": {itoa(p.Targets[0].ID)}, "date": {"2027-03-29"}, "time": {"09:00"}, "tz": {"Europe/Paris"},
			"back": {"view=week&date=2027-03-29"}})
		want(t, res, http.StatusSeeOther)
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(time.Date(2027, 3, 29, 7, 0, 0, 0, time.UTC)) {
			t.Fatalf("moved to %v, want 07:00 UTC", got)
		}
		// A time the clocks skip is refused next to the field.
		res = b.post(fmt.Sprintf("/w/%d/calendar/move", w.ID), url.Values{"post": {itoa(p.ID)}, "version": {itoa(p.Version + 1)},
			"target": {itoa(p.Targets[0].ID)}, "date": {"2027-03-28"}, "time": {"02:30"}, "tz": {"Europe/Paris"},
			"back": {"view=week&date=2027-03-29"}})
		want(t, res, 422, "02:30 does not exist on 2027-03-28 in Europe/Paris", `class="field-error"`)
	})
}

// scheduledAt is the first target's time of post id.
func scheduledAt(t *testing.T, e *env, w herald.Workspace, id int64) time.Time {
	t.Helper()
	p, err := e.store.GetPost(context.Background(), w.ID, id)
	if err != nil || len(p.Targets) == 0 || p.Targets[0].ScheduledAt == nil {
		t.Fatalf("get post %d: %v", id, err)
	}
	return p.Targets[0].ScheduledAt.UTC()
}

func TestCalendarMove(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "bo@example.com", herald.RoleEditor)
	e.member(w, "cy@example.com", herald.RoleContributor)
	e.member(w, "di@example.com", herald.RoleAnalyst)
	acct := e.account(owner, w, "@acme")
	paris, _ := time.LoadLocation("Europe/Paris")
	at := nextWeekday(time.Now(), paris, time.Tuesday, 9, 30)
	movePath := fmt.Sprintf("/w/%d/calendar/move", w.ID)
	form := func(p herald.Post, version int64, date, clock string) url.Values {
		return url.Values{"post": {itoa(p.ID)}, "version": {itoa(version)}, "target": {itoa(p.Targets[0].ID)},
			"date": {date}, "time": {clock}, "tz": {"Europe/Paris"}, "back": {"view=month&date=" + at.Format(time.DateOnly)}}
	}
	ana := e.browser()
	ana.signIn("ana@example.com")
	bo := e.browser()
	bo.signIn("bo@example.com")
	next := at.AddDate(0, 0, 1)

	t.Run("the form moves the post and comes back", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Form move", at)
		res := ana.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "11:45"))
		want(t, res, http.StatusSeeOther)
		if !strings.Contains(res.Location, "view=month") {
			t.Fatalf("back to %q", res.Location)
		}
		wantAt := time.Date(next.Year(), next.Month(), next.Day(), 11, 45, 0, 0, paris)
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(wantAt) {
			t.Fatalf("moved to %v, want %v", got, wantAt)
		}
		want(t, ana.get(res.Location), 200, "Moved to "+fmtTime(wantAt, paris))
	})
	t.Run("a drop (JSON) moves the post", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Drop move", at)
		res := bo.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "09:30"), "Accept", "application/json")
		want(t, res, 200, `"ok":true`)
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(next.UTC()) {
			t.Fatalf("moved to %v, want %v", got, next.UTC())
		}
	})
	t.Run("a stale version moves nothing and says why", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Busy post", at)
		// Bo moves it first…
		want(t, bo.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "08:00"), "Accept", "application/json"), 200)
		moved := scheduledAt(t, e, w, p.ID)
		// …then Ana drops it with the calendar she loaded before.
		res := ana.post(movePath, form(p, p.Version, next.AddDate(0, 0, 1).Format(time.DateOnly), "08:00"), "Accept", "application/json")
		want(t, res, http.StatusConflict, "This post was changed by bo at", "since you loaded the calendar; reload to see the current version")
		var ans moveAnswer
		if err := json.Unmarshal([]byte(res.Body), &ans); err != nil || ans.OK {
			t.Fatalf("answer %q: %v", res.Body, err)
		}
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(moved) {
			t.Fatalf("the stale move moved the post to %v", got)
		}
		// The same with the form: the calendar again, the problem on top.
		res = ana.post(movePath, form(p, p.Version, next.AddDate(0, 0, 1).Format(time.DateOnly), "08:00"))
		want(t, res, http.StatusConflict, "This post was changed by bo at", `id="move-problem"`, "Busy post")
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(moved) {
			t.Fatalf("the stale move moved the post to %v", got)
		}
	})
	t.Run("the past is refused", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Not backwards", at)
		yesterday := time.Now().In(paris).AddDate(0, 0, -1)
		res := ana.post(movePath, form(p, p.Version, yesterday.Format(time.DateOnly), "10:00"), "Accept", "application/json")
		want(t, res, 422, "cannot be moved into the past")
		res = ana.post(movePath, form(p, p.Version, yesterday.Format(time.DateOnly), "10:00"))
		want(t, res, 422, "cannot be moved into the past", `aria-invalid="true"`, "is in the past: pick a day and time after")
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(at.UTC()) {
			t.Fatalf("a move into the past moved the post to %v", got)
		}
	})
	t.Run("bad input is shown next to the field", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Typo", at)
		res := ana.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "25:99"))
		want(t, res, 422, "is not a time of day: type one such as 09:30", fmt.Sprintf(`id="entry-%d-`, p.ID))
	})
	t.Run("roles", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Failed once", at)
		e.move(w, p.Targets[0].ID, "boom", herald.StatePublishing, herald.StateFailed)
		cy := e.browser()
		cy.signIn("cy@example.com")
		res := cy.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "10:00"), "Accept", "application/json")
		want(t, res, http.StatusForbidden, "cannot reschedule target")
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(at.UTC()) {
			t.Fatalf("a forbidden move moved the post to %v", got)
		}
		// The contributor's calendar offers no move for it.
		page := cy.get(calPath(w, "view=month&date="+at.Format(time.DateOnly)))
		want(t, page, 200, "Failed once")
		if strings.Contains(page.Body, fmt.Sprintf(`data-post="%d"`, p.ID)) {
			t.Fatal("the contributor may drag a failed post")
		}
		di := e.browser()
		di.signIn("di@example.com")
		want(t, di.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "10:00"), "Accept", "application/json"), http.StatusForbidden)
		page = di.get(calPath(w, "view=month&date="+at.Format(time.DateOnly)))
		want(t, page, 200, "Failed once")
		wantNot(t, page, "Move…", `draggable="true"`, `data-drop=`)
		// An editor may.
		want(t, bo.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "10:00"), "Accept", "application/json"), 200)
		if got := targetState(t, e, w.ID, p.ID); got != herald.StateScheduled {
			t.Fatalf("a moved failed target is %s, want scheduled", got)
		}
	})
	t.Run("a contributor cannot move a scheduled post", func(t *testing.T) {
		p := e.scheduled(owner, w, acct, "Embargoed launch", at)
		cy := e.browser()
		cy.signIn("cy@example.com")
		res := cy.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "10:00"), "Accept", "application/json")
		want(t, res, http.StatusForbidden, "cannot reschedule target")
		if got := scheduledAt(t, e, w, p.ID); !got.Equal(at.UTC()) {
			t.Fatalf("a contributor moved the owner's post to %v", got)
		}
		page := cy.get(calPath(w, "view=month&date="+at.Format(time.DateOnly)))
		want(t, page, 200, "Embargoed launch")
		if strings.Contains(page.Body, fmt.Sprintf(`data-post="%d"`, p.ID)) {
			t.Fatal("the contributor may drag the owner's scheduled post")
		}
	})
	t.Run("another workspace's post", func(t *testing.T) {
		zoe, other := e.owner("zoe@example.com", "Other")
		oacct := e.account(zoe, other, "@other")
		p := e.scheduled(zoe, other, oacct, "Not yours", at)
		want(t, ana.post(movePath, form(p, p.Version, next.Format(time.DateOnly), "10:00"), "Accept", "application/json"), 404)
	})
}

func TestCalendarQueueSlots(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	ownerActor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.accounts.SetSchedule(context.Background(), ownerActor, acct.ID, herald.PostingSchedule{Slots: []herald.PostingSlot{
		{Day: "monday", Time: "09:00"}, {Day: "wednesday", Time: "09:00"}, {Day: "wednesday", Time: "17:30"}}}); err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	wed := nextWeekday(time.Now(), paris, time.Wednesday, 9, 0)
	e.scheduled(owner, w, acct, "Takes the morning slot", wed)
	evening := time.Date(wed.Year(), wed.Month(), wed.Day(), 17, 30, 0, 0, paris)
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(calPath(w, "view=week&date="+wed.Format(time.DateOnly)))
	free := fmt.Sprintf("/w/%d/compose?account=%d&amp;at=%s", w.ID, acct.ID, url.QueryEscape(evening.UTC().Format(time.RFC3339)))
	want(t, a, 200, "Takes the morning slot", "Free slot", free)
	taken := fmt.Sprintf("at=%s", url.QueryEscape(wed.UTC().Format(time.RFC3339)))
	if strings.Contains(a.Body, taken) {
		t.Fatal("a taken slot is offered as free")
	}
	// A filter that hides posts hides the slots, which such posts may take.
	a = b.get(calPath(w, "view=week&state=draft&date="+wed.Format(time.DateOnly)))
	want(t, a, 200, "Free queue slots are not shown")
	wantNot(t, a, free)
}

func TestCalendarPeriod(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	cases := []struct {
		view, date        string
		first, last       string
		days              int
		prev, next, title string
	}{
		{viewMonth, "2026-03-15", "2026-02-23", "2026-04-05", 42, "2026-02-01", "2026-04-01", "March 2026"},
		{viewMonth, "2027-02-01", "2027-02-01", "2027-02-28", 28, "2027-01-01", "2027-03-01", "February 2027"},
		{viewWeek, "2026-03-29", "2026-03-23", "2026-03-29", 7, "2026-03-16", "2026-03-30", "23 Mar – 29 Mar 2026"},
		{viewWeek, "2026-12-30", "2026-12-28", "2027-01-03", 7, "2026-12-21", "2027-01-04", "28 Dec 2026 – 3 Jan 2027"},
		{viewList, "2026-10-20", "2026-10-20", "2026-11-02", listDays, "2026-10-06", "2026-11-03", "20 Oct – 2 Nov 2026"},
	}
	for _, c := range cases {
		t.Run(c.view+" "+c.date, func(t *testing.T) {
			d, err := time.ParseInLocation(time.DateOnly, c.date, paris)
			if err != nil {
				t.Fatal(err)
			}
			days, prev, next, title := period(c.view, d, paris)
			got := []string{days[0].Format(time.DateOnly), days[len(days)-1].Format(time.DateOnly), prev.Format(time.DateOnly), next.Format(time.DateOnly), title}
			wantV := []string{c.first, c.last, c.prev, c.next, c.title}
			if len(days) != c.days || strings.Join(got, "|") != strings.Join(wantV, "|") {
				t.Fatalf("%d days %v, want %d days %v", len(days), got, c.days, wantV)
			}
			for i, day := range days {
				if day.Hour() != 0 || day.Location() != paris || (i > 0 && calendarDaysBetween(days[i-1], day) != 1) {
					t.Fatalf("day %d is %v", i, day)
				}
			}
		})
	}
}
