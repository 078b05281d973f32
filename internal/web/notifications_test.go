package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestNotificationFeed(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	ed := e.member(w, "ed@example.com", herald.RoleEditor)

	b := e.browser()
	b.signIn("ed@example.com")
	home := wsURL(w.ID)
	a := b.get(home)
	want(t, a, http.StatusOK, `id="nav-notifications"`, `hx-get="`+notificationsURL(w.ID)+`/bell"`)
	wantNot(t, a, `id="nav-notifications-count"`)
	want(t, b.get(notificationsURL(w.ID)), http.StatusOK, `id="feed-empty"`, "No notifications yet")

	// Ana gives Ed two tasks: his bell counts them.
	o := e.browser()
	o.signIn("ana@example.com")
	for _, title := range []string{"Brief the designer", "Book the venue"} {
		form := url.Values{"title": {title}, "assignee": {itoa(ed.ID)}, "state": {"todo"}}
		want(t, o.post(tasksURL(w.ID), form), http.StatusSeeOther)
	}
	want(t, b.get(notificationsURL(w.ID)+"/bell"), http.StatusOK, `id="nav-notifications-count"`, `aria-label="2 unread"`)
	feed := b.get(notificationsURL(w.ID))
	want(t, feed, http.StatusOK, "Task assigned to you: Book the venue", "Task assigned to you: Brief the designer",
		`id="feed-read-all"`, "Unread (2)")
	wantNot(t, o.get(notificationsURL(w.ID)), "Task assigned to you") // Ana's own feed has none

	p, err := e.notes.List(t.Context(), herald.Actor{WorkspaceID: w.ID, UserID: ed.ID, Role: herald.RoleEditor}, herald.NotificationFilter{})
	if err != nil || len(p.Items) != 2 {
		t.Fatalf("Ed's feed = %+v, %v", p, err)
	}
	newest, older := p.Items[0], p.Items[1]
	if !strings.HasPrefix(newest.Link, fmt.Sprintf("/w/%d/tasks/", w.ID)) {
		t.Fatalf("link %q, want the task's page", newest.Link)
	}
	// One kind at a time.
	want(t, b.get(notificationsURL(w.ID)+"?kind=assigned"), http.StatusOK, "Book the venue", `<option value="assigned" selected`)
	want(t, b.get(notificationsURL(w.ID)+"?kind=mentioned&show=unread"), http.StatusOK, "No unread notifications of this kind.")

	// Opening goes to the task and marks it read; another site is never
	// a destination.
	a = b.post(notificationURL(w.ID, newest.ID)+"/open", url.Values{"to": {newest.Link}})
	if a.Status != http.StatusSeeOther || a.Location != newest.Link {
		t.Fatalf("open = %d to %q, want the task %q", a.Status, a.Location, newest.Link)
	}
	want(t, b.get(notificationsURL(w.ID)+"/bell"), http.StatusOK, `aria-label="1 unread"`)
	a = b.post(notificationURL(w.ID, older.ID)+"/open", url.Values{"to": {"//evil.example/x"}})
	if a.Status != http.StatusSeeOther || a.Location != notificationsURL(w.ID) {
		t.Fatalf("open with another site = %d to %q, want the feed", a.Status, a.Location)
	}
	// Unread again, then all read.
	want(t, b.post(notificationURL(w.ID, newest.ID)+"/unread", url.Values{"back": {notificationsURL(w.ID)}}), http.StatusSeeOther)
	want(t, b.get(notificationsURL(w.ID)+"?show=unread"), http.StatusOK, "Book the venue", "Unread (1)")
	wantNot(t, b.get(notificationsURL(w.ID)+"?show=unread"), "Brief the designer")
	a = b.post(notificationsURL(w.ID)+"/read-all", url.Values{"back": {notificationsURL(w.ID)}})
	want(t, a, http.StatusSeeOther)
	want(t, b.get(notificationsURL(w.ID)), http.StatusOK, "Marked 1 notifications read.", "Unread (0)")
	wantNot(t, b.get(home), `id="nav-notifications-count"`)

	// The bell answers only members, and says where it is.
	e.owner("olga@example.com", "Other")
	x := e.browser()
	x.signIn("olga@example.com")
	want(t, x.get(notificationsURL(w.ID)+"/bell"), http.StatusNotFound)
	want(t, e.browser().get(notificationsURL(w.ID)+"/bell"), http.StatusSeeOther)
	want(t, b.do(http.MethodGet, notificationsURL(w.ID)+"/bell", nil, "HX-Request", "true",
		"HX-Current-URL", e.srv.URL+notificationsURL(w.ID)+"?show=unread"), http.StatusOK, `aria-current="page"`)

	// Ana cannot mark Ed's notifications; the count is his alone.
	want(t, o.post(notificationURL(w.ID, newest.ID)+"/unread", nil), http.StatusSeeOther)
	want(t, b.get(notificationsURL(w.ID)), http.StatusOK, "Unread (0)")
}
