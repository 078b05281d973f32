package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserInboxLive keeps the inbox open while items arrive and change
// elsewhere: the new item appears without a reload (a ticked box stays
// ticked), and an open item's page shows its new state and assignee.
func TestBrowserInboxLive(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	first := addInbox(t, e.store, w.ID, acct.ID, "dan")
	base := fmt.Sprintf("%s/w/%d/", e.srv.URL, w.ID)
	var kept string

	run(t, ctx, "sign in, tick an item, wait for the live line",
		chromedp.Navigate(base+"inbox"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#inbox-list")),
		waitFor(`document.querySelector("#inbox-live").textContent.startsWith("Live")`),
		// Ticked once the page is live and laid out: a click aimed while the
		// header still moved could land beside the box on a loaded machine.
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector("#pick-%d").click()`, first)),
		waitFor(fmt.Sprintf(`document.querySelector("#pick-%d").checked`, first)),
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true; undefined`),
	)
	second := addInbox(t, e.store, w.ID, acct.ID, "eve")
	run(t, ctx, "the new item appears",
		waitFor(fmt.Sprintf(`!!document.querySelector("#inbox-%d")`, second)),
		into(&kept, chromedp.Evaluate[string](fmt.Sprintf(
			`String(window.stillHere === true) + "," + document.querySelector("#pick-%d").checked + "," + document.querySelector("#inbox-live").textContent`, first))),
	)
	if kept[:11] != "true,true,U" {
		t.Fatalf("after the live update: %q; want the same page, the box still ticked, Updated…", kept)
	}

	run(t, ctx, "an item's page follows its state and assignee",
		chromedp.Navigate(fmt.Sprintf("%sinbox/%d", base, second)),
		chromedp.WaitVisible(chromedp.CSS("#item-state")),
		waitFor(`document.querySelector("#inbox-live").textContent.startsWith("Live")`),
		chromedp.Evaluate[chromedp.Void](`window.stillHere = true; undefined`),
	)
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if err := e.posts.SetInboxState(context.Background(), actor, []int64{second}, herald.InboxPending); err != nil {
		t.Fatal(err)
	}
	if err := e.posts.AssignInbox(context.Background(), actor, []int64{second}, owner.ID); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "state and assignee change in place",
		waitFor(`document.querySelector("#item-state").textContent.trim() === "pending"`),
		waitFor(fmt.Sprintf(`document.querySelector("#assign-to").value === "%d"`, owner.ID)),
		waitFor(`window.stillHere === true`),
	)
}
