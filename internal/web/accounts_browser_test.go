package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAccounts connects a test-platform account in a real browser
// through the platform's sign-in page (past the page that leads there,
// the platform and Herald's callback), sees it listed, and gives it a
// posting schedule of two slots with the editor.
func TestBrowserAccounts(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e, platform := newConnectEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	base := e.srv.URL
	var text, loc string

	run(t, ctx, "sign in",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/accounts", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#connect-oauth-fake")),
		into(&text, chromedp.Text(chromedp.CSS("#accounts"))),
	)
	if !strings.Contains(text, "No account is connected yet") {
		t.Fatalf("accounts before connecting: %q", text)
	}

	run(t, ctx, "connect through the platform",
		chromedp.SendKeys(chromedp.CSS("#oauth-fake-instance"), platform+"#dora"),
		chromedp.Click(chromedp.CSS("#oauth-fake-submit")),
		chromedp.WaitVisible(chromedp.CSS(".acct-card")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if want := fmt.Sprintf("%s/w/%d/accounts", base, w.ID); loc != want {
		t.Fatalf("landed on %s, want %s", loc, want)
	}
	if !strings.Contains(text, "Connected @dora on Test platform.") || !strings.Contains(text, "Connected") {
		t.Fatalf("after connecting: %q", text)
	}
	accts := e.accountsOf(w)
	if len(accts) != 1 || accts[0].Handle != "@dora" {
		t.Fatalf("accounts after connecting: %+v", accts)
	}
	id := accts[0].ID

	run(t, ctx, "open the schedule",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#schedule-%d", id))),
		chromedp.WaitVisible(chromedp.CSS("#add-time")),
		into(&text, chromedp.Text(chromedp.CSS("#schedule-zone"))),
	)
	if text != "Europe/Paris" {
		t.Fatalf("the schedule shows the zone %q", text)
	}

	// Two slots: one time added to two days with the add form (htmx
	// swaps the editor), then one changed in place and saved.
	run(t, ctx, "add a time to two days",
		chromedp.Click(chromedp.CSS(`label[for="add-day-monday"]`)),
		chromedp.Click(chromedp.CSS(`label[for="add-day-thursday"]`)),
		chromedp.SetValue(chromedp.CSS("#add-time"), "09:00"),
		chromedp.Click(chromedp.CSS("#add-submit")),
		chromedp.WaitVisible(chromedp.CSS("#thursday-0")),
		chromedp.WaitVisible(chromedp.CSS("#schedule-editor .notice")),
		into(&text, chromedp.Text(chromedp.CSS("#schedule-editor .notice"))),
	)
	if !strings.Contains(text, "Added 09:00 on Monday, Thursday: 2 slots a week") {
		t.Fatalf("after adding: %q", text)
	}
	run(t, ctx, "change one in place",
		chromedp.SetValue(chromedp.CSS("#thursday-0"), "17:30"),
		chromedp.Click(chromedp.CSS("#schedule-save")),
		waitFor(`(document.querySelector("#schedule-editor .notice")||{}).textContent.includes("Posting schedule saved")`),
		into(&text, chromedp.Text(chromedp.CSS("#schedule-editor"))),
	)
	if !strings.Contains(text, "Posting schedule saved: 2 slots a week") || !strings.Contains(text, "Next queue slots") {
		t.Fatalf("after saving: %q", text)
	}
	slots := e.getAccount(w, id).PostingSchedule.Slots
	if fmt.Sprint(slots) != "[{monday 09:00} {thursday 17:30}]" {
		t.Fatalf("saved slots %v", slots)
	}
	var next int
	run(t, ctx, "next slots", into(&next, chromedp.Evaluate[int](`document.querySelectorAll("#next-slots time").length`)))
	if next != nextSlotCount {
		t.Fatalf("%d coming slots shown, want %d", next, nextSlotCount)
	}
}
