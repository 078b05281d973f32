package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserTasks creates a task on a phone-sized screen, assigns it,
// moves it with the keyboard (its Move menu) and by dragging, and finds it
// first in My work because it is overdue.
func TestBrowserTasks(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, ws := e.owner("ana@example.com", "Acme")
	bea := e.member(ws, "bea@example.com", herald.RoleEditor)
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner}
	later := time.Now().Add(72 * time.Hour)
	if _, err := e.tasks.Create(context.Background(), actor, herald.Task{Title: "Plan the spring", AssigneeID: owner.ID, Due: &later}); err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("%s/w/%d/", e.srv.URL, ws.ID)
	var text string

	run(t, ctx, "sign in",
		chromedp.Navigate(base+"tasks/new"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#task-form")),
	)
	run(t, ctx, "create and assign",
		chromedp.SendKeys(chromedp.CSS("#task-title-input"), "Write the launch copy"),
		chromedp.SetValue(chromedp.CSS("#task-assignee"), fmt.Sprint(bea.ID)),
		chromedp.SetValue(chromedp.CSS("#task-due"), "2026-01-05T09:30"),
		chromedp.SendKeys(chromedp.CSS("#task-checklist"), "Headline\nBody"),
		chromedp.Click(chromedp.CSS("#task-submit")),
		chromedp.WaitVisible(chromedp.CSS("#task-title")),
		into(&text, chromedp.Text(chromedp.CSS("#task-summary"))),
	)
	if !strings.Contains(text, "09:30") || !strings.Contains(text, "(overdue)") {
		t.Fatalf("task summary = %q", text)
	}
	list, err := e.tasks.List(context.Background(), actor, herald.TaskFilter{AssigneeID: bea.ID})
	if err != nil || len(list) != 1 || len(list[0].Checklist) != 2 {
		t.Fatalf("stored: %+v, %v", list, err)
	}
	tk := list[0]
	paris, _ := time.LoadLocation("Europe/Paris")
	if want := time.Date(2026, 1, 5, 9, 30, 0, 0, paris); !tk.Due.Equal(want) {
		t.Fatalf("due = %v, want %v (the workspace's zone)", tk.Due, want)
	}
	card := fmt.Sprintf("#task-%d", tk.ID)

	run(t, ctx, "move with the keyboard",
		chromedp.Navigate(base+"tasks"),
		chromedp.WaitVisible(chromedp.CSS("#column-todo "+card)),
		chromedp.Focus(chromedp.CSS(card+" .move-menu summary")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#move-%d-doing", tk.ID))),
		chromedp.Focus(chromedp.CSS(fmt.Sprintf("#move-%d-doing", tk.ID))),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#column-doing "+card)),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	if !strings.Contains(text, "to Doing") {
		t.Fatalf("after the keyboard move: %q", text)
	}

	var dropped string
	run(t, ctx, "drag to In review",
		into(&dropped, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			const c = document.querySelector(%q);
			const z = document.querySelector("#column-in_review .board-cards");
			if (!c || !z) return "missing";
			const dt = new DataTransfer();
			const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
			fire(c, "dragstart");
			fire(z, "dragover");
			fire(z, "drop");
			return "ok";
		})()`, card))),
		chromedp.WaitVisible(chromedp.CSS("#column-in_review "+card)),
	)
	if dropped != "ok" {
		t.Fatalf("drag: %s", dropped)
	}
	got, err := e.tasks.Get(context.Background(), actor, tk.ID)
	if err != nil || got.State != herald.TaskInReview {
		t.Fatalf("after the drag: %+v, %v", got, err)
	}

	run(t, ctx, "a stale move is refused",
		chromedp.Navigate(base+"tasks"),
		chromedp.WaitVisible(chromedp.CSS("#column-in_review "+card)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#move-%d-done').form.version.value = "1"`, tk.ID)),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#move-%d-done').form.submit()`, tk.ID)),
		chromedp.WaitVisible(chromedp.CSS("#main .alert")),
		into(&text, chromedp.Text(chromedp.CSS("#main .alert"))),
	)
	if !strings.Contains(text, "changed by someone else") {
		t.Fatalf("stale move: %q", text)
	}

	// Bea's own page: the overdue task comes first.
	if _, err := e.tasks.Create(context.Background(), actor, herald.Task{Title: "Later work", AssigneeID: bea.ID, Due: &later}); err != nil {
		t.Fatal(err)
	}
	bctx := chrome(t, "Europe/Paris")
	run(t, bctx, "My work, overdue first",
		chromedp.Navigate(base+"my-work"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "bea@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#my-tasks")),
		into(&text, chromedp.Evaluate[string](`[...document.querySelectorAll("#my-tasks > li")].map(li => li.className + ":" + li.querySelector("a").textContent).join("|")`)),
	)
	if text != "overdue:Write the launch copy|:Later work" {
		t.Fatalf("My work = %q", text)
	}
}
