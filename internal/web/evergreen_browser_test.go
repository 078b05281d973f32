package web

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserEvergreen marks a published post evergreen with a variant on
// a phone, then subscribes to the calendar and copies the address.
func TestBrowserEvergreen(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	pub := e.publishedPost(owner, w, acct, "Our best guide")
	base := e.srv.URL
	signInSized(t, ctx, base, "ana@example.com", 390, 844)

	var status, variant, problems string
	run(t, ctx, "mark the post evergreen",
		chromedp.Navigate(base+postURL(w.ID, pub.ID)),
		chromedp.WaitVisible(chromedp.CSS("#evergreen-mark")),
		chromedp.SendKeys(chromedp.CSS("#evergreen-variant-0"), "The guide, once more"),
		chromedp.Click(chromedp.CSS("#evergreen-mark")),
		chromedp.WaitVisible(chromedp.CSS("#evergreen-save")),
		into(&status, chromedp.Text(chromedp.CSS("#evergreen-status"))),
		into(&variant, chromedp.Value(chromedp.CSS("#evergreen-variant-0"))),
		into(&problems, chromedp.Evaluate[string](`JSON.stringify(`+layoutProblems+`)`)),
	)
	if variant != "The guide, once more" || status == "" || problems != "[]" {
		t.Fatalf("after marking: status %q, variant %q, layout problems %s", status, variant, problems)
	}
	var listed string
	run(t, ctx, "the evergreen page lists it",
		chromedp.Navigate(base+calendarURL(w.ID, nil)),
		chromedp.WaitVisible(chromedp.CSS("#cal-evergreen")),
		chromedp.Click(chromedp.CSS("#cal-evergreen")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#evergreen-%d", pub.ID))),
		into(&listed, chromedp.Text(chromedp.CSS(fmt.Sprintf("#evergreen-%d", pub.ID)))),
	)
	if listed == "" {
		t.Fatal("the evergreen page does not list the post")
	}
	var addr string
	run(t, ctx, "subscribe in a calendar app",
		chromedp.Navigate(base+calendarURL(w.ID, nil)),
		chromedp.WaitVisible(chromedp.CSS("#cal-subscribe")),
		chromedp.Click(chromedp.CSS("#cal-subscribe")),
		chromedp.WaitVisible(chromedp.CSS("#feed-create")),
		chromedp.Click(chromedp.CSS("#feed-create")),
		chromedp.WaitVisible(chromedp.CSS("#feed-url")),
		waitFor(`!document.querySelector("button[data-copy=feed-url]").hidden`),
		into(&addr, chromedp.Value(chromedp.CSS("#feed-url"))),
	)
	if want := base + "/ical/hcal_"; len(addr) < len(want) || addr[:len(want)] != want {
		t.Fatalf("the address %q is not this site's feed address", addr)
	}
}
