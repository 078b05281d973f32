package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserInbox filters the inbox, opens an item with j and Enter,
// replies through the test platform after r, marks it done with e and no
// longer finds it among the open items.
func TestBrowserInbox(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e, platformURL := newConnectEnv(t)
	iw := newInboxWorld(t, e, platformURL)
	base := fmt.Sprintf("%s/w/%d/", e.srv.URL, iw.w.ID)
	row := fmt.Sprintf("#inbox-%d", iw.reply.ID)
	var text, focused, counted string

	run(t, ctx, "sign in and filter",
		chromedp.Navigate(base+"inbox"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#inbox-list")),
		into(&text, chromedp.Evaluate[string](`document.querySelector("#nav-inbox-count").textContent`)),
		chromedp.SendKeys(chromedp.CSS("#filter-q"), "love"),
		chromedp.Click(chromedp.CSS("#apply-filters")),
		acrossNavigation(`location.search.includes("q=love") && document.readyState === "complete" && document.querySelectorAll("#inbox-list .inbox-item").length === 1 && !!document.querySelector("`+row+`")`),
	)
	if text != "2" {
		t.Fatalf("the navigation counts %q open items, want 2", text)
	}
	run(t, ctx, "help, then open with j and Enter",
		chromedp.KeyEvent("?"),
		chromedp.WaitVisible(chromedp.CSS("#inbox-help")),
		chromedp.KeyEvent("?"),
		chromedp.WaitNotVisible(chromedp.CSS("#inbox-help")),
		chromedp.KeyEvent("j"),
		waitFor(`document.querySelector("`+row+`").classList.contains("current")`),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#reply-form")),
		into(&text, chromedp.Text(chromedp.CSS("#replied-post"))),
	)
	if !strings.Contains(text, "our post") {
		t.Fatalf("the conversation says %q about our post", text)
	}
	run(t, ctx, "r, then reply",
		chromedp.KeyEvent("r"),
		waitFor(`document.activeElement.id === "reply-text"`),
		into(&focused, chromedp.Evaluate[string](`document.activeElement.id`)),
		chromedp.SendKeys(chromedp.CSS("#reply-text"), "thanks Dan!"),
		into(&counted, chromedp.Evaluate[string](`document.querySelector("#reply-count").textContent + "|" + document.querySelector("#reply-text").value + "|" + document.querySelector("#reply-text").dataset.limit`)),
		chromedp.Click(chromedp.CSS("#reply-submit")),
		chromedp.WaitVisible(chromedp.CSS("#first-response")),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	if !strings.HasPrefix(counted, "11 / 500") {
		t.Fatalf("the reply counter says %q", counted)
	}
	if focused != "reply-text" || !strings.Contains(text, "Replied") {
		t.Fatalf("r focused %q; after replying the page says %q", focused, text)
	}
	it, err := e.store.GetInboxItem(context.Background(), iw.w.ID, iw.reply.ID)
	if err != nil || it.FirstResponseAt == nil {
		t.Fatalf("after the reply: %+v, %v", it, err)
	}
	run(t, ctx, "a goes to the assignee picker",
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		chromedp.KeyEvent("a"),
		waitFor(`document.activeElement.id === "assign-to"`),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
	)
	run(t, ctx, "e marks it done",
		chromedp.KeyEvent("e"),
		acrossNavigation(`document.readyState === "complete" && !!document.querySelector("#item-state") && document.querySelector("#item-state").textContent.trim() === "done"`),
		chromedp.Click(chromedp.CSS("#back-to-inbox")),
		acrossNavigation(`location.pathname.endsWith("/inbox") && document.readyState === "complete" && !document.querySelector("`+row+`")`),
		chromedp.Navigate(base+"inbox"),
		chromedp.WaitVisible(chromedp.CSS("#inbox-list")),
		into(&text, chromedp.Evaluate[string](`[...document.querySelectorAll("#inbox-list .inbox-item")].map(li => li.id).join(",")`)),
	)
	if text != fmt.Sprintf("inbox-%d", iw.mention.ID) {
		t.Fatalf("open items after done: %q, want only the mention", text)
	}
	run(t, ctx, "in the list, a ticks the item at hand and goes to the bulk assignee",
		chromedp.KeyEvent("j"),
		chromedp.KeyEvent("a"),
		waitFor(`document.activeElement.id === "bulk-assignee" && document.querySelectorAll("#inbox-list input[type=checkbox]:checked").length === 1`),
	)
}
