package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/browsertest"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserInvitation drives the invitation flow in a real browser: the
// owner invites someone from the members page and copies the link; the
// invited person opens it in a browser of their own, creates an account
// and lands in the workspace; the owner then sees them among the members.
func TestBrowserInvitation(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	base := e.srv.URL
	var link, text string
	var copyShown bool

	run(t, ctx, "owner signs in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
	run(t, ctx, "owner invites",
		clickNav("#nav-settings"),
		chromedp.WaitVisible(chromedp.CSS("#tab-members")),
		chromedp.Click(chromedp.CSS("#tab-members")),
		chromedp.WaitVisible(chromedp.CSS("#invite-submit")),
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "bo@example.com"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "manager"),
		chromedp.Click(chromedp.CSS("#invite-submit")),
		chromedp.WaitVisible(chromedp.CSS("#invite-link")),
		into(&link, chromedp.Value(chromedp.CSS("#invite-link"))),
		into(&copyShown, chromedp.Evaluate[bool](`!document.querySelector('[data-copy="invite-link"]').hidden`)),
	)
	if !strings.HasPrefix(link, base+"/invite/hinv_") || !copyShown {
		t.Fatalf("invitation link %q (copy button shown: %v)", link, copyShown)
	}

	// The invited person has a browser of their own: no cookies shared.
	bctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	// The tab is made on this context, not a step's shorter-lived one.
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("open a second browser context: %v", err)
	}
	bctx = browsertest.WatchPages(t, bctx)
	run(t, bctx, "new person accepts",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#invite-accept")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "Join Acme") || !strings.Contains(text, "bo@example.com") {
		t.Fatalf("invitation page: %q", text)
	}
	run(t, bctx, "new person joins",
		chromedp.SendKeys(chromedp.CSS("#name"), "Bo Manager"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#invite-accept")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "Welcome to Acme, Bo Manager.") {
		t.Fatalf("after joining: %q", text)
	}
	ws, err := e.ws.List(context.Background(), herald.Principal{UserID: 2})
	if err != nil || len(ws) != 1 || ws[0].ID != w.ID || ws[0].Role != herald.RoleManager {
		t.Fatalf("the new person's workspaces = %+v, %v", ws, err)
	}

	run(t, ctx, "owner sees the member",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#members")),
		into(&text, chromedp.Text(chromedp.CSS("#members"))),
	)
	if !strings.Contains(text, "Bo Manager") || !strings.Contains(text, "manager") {
		t.Fatalf("members after joining: %q", text)
	}
}

// TestBrowserDeleteConfirm checks the workspace's delete button waits for
// its name, typed in full (a component of Alpine's CSP build).
func TestBrowserDeleteConfirm(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme Rockets")
	base := e.srv.URL
	const disabled = `document.getElementById("workspace-delete").disabled`

	run(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
	run(t, ctx, "open the settings",
		chromedp.Navigate(base+settingsURL(w.ID, "")),
		chromedp.WaitVisible(chromedp.CSS("#workspace-delete")),
		waitFor(disabled),
	)
	run(t, ctx, "type part of the name",
		chromedp.SendKeys(chromedp.CSS("#confirm_name"), "Acme"),
		chromedp.Sleep(100*time.Millisecond),
		waitFor(disabled),
	)
	run(t, ctx, "type all of it",
		chromedp.SendKeys(chromedp.CSS("#confirm_name"), " Rockets"),
		waitFor("!"+disabled),
	)
}
