package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestTaskPages(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	_, other := e.owner("olga@example.com", "Other")
	ed := e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "anna@example.com", herald.RoleAnalyst)
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}

	b := e.browser()
	b.signIn("ed@example.com")
	want(t, b.get(tasksURL(w.ID)), http.StatusOK, `id="nav-tasks"`, `id="nav-my-work"`, `id="column-todo"`, "New task")
	form := url.Values{"title": {"Brief"}, "assignee": {"999999"}, "state": {"todo"}, "due": {"tomorrow"}}
	want(t, b.post(tasksURL(w.ID), form), http.StatusUnprocessableEntity, "is not a date and time like", `value="Brief"`)
	form.Set("due", "2026-03-01T17:00")
	want(t, b.post(tasksURL(w.ID), form), http.StatusUnprocessableEntity, "is not a member of this workspace", `value="Brief"`)
	form.Set("assignee", itoa(ed.ID))
	form.Set("checklist", "[x] Goal\nAudience")
	want(t, b.post(tasksURL(w.ID), form), http.StatusSeeOther)
	list, err := e.tasks.List(context.Background(), actor, herald.TaskFilter{})
	if err != nil || len(list) != 1 || list[0].AssigneeID != ed.ID || !list[0].Checklist[0].Done || list[0].Checklist[1].Done {
		t.Fatalf("tasks: %+v, %v", list, err)
	}
	tk := list[0]
	want(t, b.get(taskURL(w.ID, tk.ID)), http.StatusOK, "Created the task “Brief”", "Checklist (1/2)", `value="2026-03-01T17:00"`)
	want(t, b.post(taskURL(w.ID, tk.ID)+"/comments", url.Values{"body": {"@ana please look"}}), http.StatusSeeOther)
	want(t, b.get(taskURL(w.ID, tk.ID)), http.StatusOK, `<strong class="mention">@ana</strong> please look`)
	want(t, b.post(taskURL(w.ID, tk.ID)+"/check", url.Values{"index": {"1"}, "done": {"true"}, "version": {itoa(tk.Version)}}), http.StatusSeeOther)
	want(t, b.get(taskURL(w.ID, tk.ID)), http.StatusOK, "Checklist (2/2)")
	want(t, b.post(taskMoveURL(w.ID, tk.ID), url.Values{"state": {"done"}, "version": {itoa(tk.Version)}}), http.StatusConflict,
		"changed by someone else")
	want(t, b.get(myWorkURL(w.ID)), http.StatusOK, "Brief", "(overdue)")

	// Another workspace's owner finds nothing, and an analyst only reads.
	o := e.browser()
	o.signIn("olga@example.com")
	want(t, o.get(taskURL(other.ID, tk.ID)), http.StatusNotFound)
	want(t, o.post(taskMoveURL(other.ID, tk.ID), url.Values{"state": {"done"}, "version": {"3"}}), http.StatusNotFound)
	a := e.browser()
	a.signIn("anna@example.com")
	wantNot(t, a.get(tasksURL(w.ID)), "New task", "move-menu")
	want(t, a.post(taskURL(w.ID, tk.ID)+"/delete", nil), http.StatusForbidden)
}
