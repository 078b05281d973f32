package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserSavedReplyPicker types / and part of a saved reply's name in
// the reply box, picks it with Enter and finds it filled in for the item;
// then leaves a note that mentions a member.
func TestBrowserSavedReplyPicker(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "sam@example.com", herald.RoleEditor)
	acct := e.account(owner, w, "alice")
	it := e.arrive(acct, "where is my parcel?")[0]
	owner0 := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	for _, s := range [][2]string{{"Thanks", "Thank you {{author.handle}}!"}, {"Parcel late", "Sorry {{author.handle}}, we are checking with the courier. {{me.name}}"}} {
		if _, err := e.inbox.CreateSavedReply(t.Context(), owner0, savedReplyInputOf(s[0], s[1])); err != nil {
			t.Fatal(err)
		}
	}
	base := e.srv.URL
	var text, picker string

	run(t, ctx, "sign in and open the item",
		chromedp.Navigate(base+inboxItemURL(w.ID, it.ID)),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#reply-text")),
	)
	run(t, ctx, "type / and part of a name",
		chromedp.SendKeys(chromedp.CSS("#reply-text"), "Hello! /parc"),
		chromedp.WaitVisible(chromedp.CSS("#saved-picker")),
		into(&picker, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#saved-picker li")).filter(function (o) { return !o.hidden; }).map(function (o) { return o.dataset.name; }).join(",")`)),
	)
	if picker != "Parcel late" {
		t.Fatalf("the picker shows %q, want only Parcel late", picker)
	}
	run(t, ctx, "Enter inserts it, filled in",
		chromedp.SendKeys(chromedp.CSS("#reply-text"), kb.Enter),
		waitFor(`document.querySelector("#saved-picker").hidden`),
		into(&text, chromedp.Value(chromedp.CSS("#reply-text"))),
	)
	if text != "Hello! Sorry @bob, we are checking with the courier. ana" {
		t.Fatalf("reply box holds %q", text)
	}
	run(t, ctx, "leave a note for sam",
		chromedp.SendKeys(chromedp.CSS("#note-text"), "@sam the courier says tomorrow"),
		chromedp.Click(chromedp.CSS("#note-submit")),
		acrossNavigation(`!!document.querySelector("#inbox-notes") && document.readyState === "complete"`),
		into(&text, chromedp.Text(chromedp.CSS("#inbox-notes .mention"))),
	)
	if strings.TrimSpace(text) != "@sam" {
		t.Fatalf("mention shows %q", text)
	}
}
