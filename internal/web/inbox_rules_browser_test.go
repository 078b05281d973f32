package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserInboxRule makes a rule on the settings page, tests it against
// the items already there (nothing changes), saves it, and sees the next
// item that arrives tagged by it.
func TestBrowserInboxRule(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "alice")
	e.arrive(acct, "my parcel is late, where is it?", "great launch")
	base := e.srv.URL
	var text string

	run(t, ctx, "sign in and open the rules",
		chromedp.Navigate(base+inboxRulesURL(w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#rule-form")),
	)
	run(t, ctx, "write the rule and test it",
		chromedp.SendKeys(chromedp.CSS("#rule-name"), "Late parcels"),
		chromedp.SendKeys(chromedp.CSS("#rule-terms"), "late, lost"),
		chromedp.SendKeys(chromedp.CSS("#rule-tags"), "delivery"),
		chromedp.Click(chromedp.CSS("#test-rule")),
		acrossNavigation(`!!document.querySelector("#rule-matches") && document.readyState === "complete"`),
		into(&text, chromedp.Text(chromedp.CSS("#rule-test"))),
	)
	if !strings.Contains(text, "1 of the latest 500") || !strings.Contains(text, "parcel is late") {
		t.Fatalf("test shows %q", text)
	}
	run(t, ctx, "save it",
		chromedp.Click(chromedp.CSS("#save-rule")),
		acrossNavigation(`!!document.querySelector("#inbox-rules") && document.readyState === "complete"`),
		into(&text, chromedp.Text(chromedp.CSS("#inbox-rules"))),
	)
	if !strings.Contains(text, "Late parcels") || !strings.Contains(text, "tag delivery") {
		t.Fatalf("rules list %q", text)
	}
	item := e.arrive(acct, "second parcel lost too")[0]
	run(t, ctx, "the new item is tagged by the rule",
		chromedp.Navigate(base+inboxURL(w.ID)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#inbox-%d", item.ID))),
		into(&text, chromedp.Text(chromedp.CSS(fmt.Sprintf("#inbox-%d", item.ID)))),
	)
	if !strings.Contains(text, "#delivery") {
		t.Fatalf("inbox row %q lacks the tag", text)
	}
	run(t, ctx, "its page names the rule",
		chromedp.Navigate(base+inboxItemURL(w.ID, item.ID)),
		chromedp.WaitVisible(chromedp.CSS("#item-rule-hits")),
		into(&text, chromedp.Text(chromedp.CSS("#item-work"))),
	)
	if !strings.Contains(text, "Late parcels") || !strings.Contains(text, "#delivery") {
		t.Fatalf("item page %q", text)
	}
}
