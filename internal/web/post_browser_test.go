package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// signInChrome signs the browser in as email and waits for the workspace.
func signInChrome(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	run(t, ctx, "sign in as "+email,
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#nav-calendar")),
	)
}

// fitsWidth is a script: whether the page has no horizontal scrolling.
const fitsWidth = `document.documentElement.scrollWidth <= window.innerWidth`

// TestBrowserPostPage shows a 3-part thread with its first comment and
// media on a desktop and a phone, unschedules it after a confirmation,
// then edits a published post on its platform.
func TestBrowserPostPage(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e, platformURL := newConnectEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	p, _, _ := e.threadPost(owner, w, acct, time.Now().Add(3*time.Hour))
	base := e.srv.URL
	page := base + postURL(w.ID, p.ID)
	card := "#target-" + itoa(p.Targets[0].ID)
	signInChrome(t, ctx, base, "ana@example.com")

	// The parts, in order, on both widths; every image loads.
	partsJS := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.querySelector(".text").textContent).join("|")`, card+" .part")
	imagesJS := fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).every(i => i.complete && i.naturalWidth > 0) && document.querySelectorAll(%q).length`,
		card+" .part-thumb img", card+" .part-thumb img")
	wantParts := "Part one: the news|Part two: the details|Part three: the team|Sources in the first comment"
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		var parts string
		var images int
		var fits bool
		run(t, ctx, fmt.Sprintf("the thread at %dpx", size[0]),
			chromedp.EmulateViewport(size[0], size[1]),
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS(card+"-first-comment")),
			waitFor(imagesJS+" === 2"),
			into(&parts, chromedp.Evaluate[string](partsJS)),
			into(&images, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, card+" .part-thumb img"))),
			into(&fits, chromedp.Evaluate[bool](fitsWidth)),
		)
		if parts != wantParts || images != 2 || !fits {
			t.Fatalf("at %dpx: parts %q, %d images, fits the width: %v", size[0], parts, images, fits)
		}
	}
	var alt, label string
	run(t, ctx, "alt text and labels",
		into(&alt, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).alt`, card+"-part-1 img"))),
		into(&label, chromedp.Text(chromedp.CSS(card+"-part-2 .part-label"))),
	)
	if alt != "A bar chart of sales by month" || label != "Part 2 of 3" {
		t.Fatalf("alt %q, label %q", alt, label)
	}

	// Unschedule asks first, then moves the post back to draft in place.
	var msg, edit string
	run(t, ctx, "unschedule",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS("#post-unschedule-open")),
		waitFor(`!document.querySelector("#post-unschedule").checkVisibility()`),
		chromedp.Click(chromedp.CSS("#post-unschedule-open")),
		chromedp.WaitVisible(chromedp.CSS("#post-unschedule")),
		chromedp.SendKeys(chromedp.CSS("#comment-unschedule"), "Not this week"),
		chromedp.Click(chromedp.CSS("#post-unschedule")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&msg, chromedp.Text(chromedp.CSS("#messages .notice"))),
		waitFor(`document.querySelector("#post-edit").textContent === "Edit draft"`),
		into(&edit, chromedp.Evaluate[string](`document.querySelector("#post-edit").getAttribute("href")`)),
	)
	if !strings.Contains(msg, "Unscheduled") || edit != postURL(w.ID, p.ID)+"/edit" {
		t.Fatalf("after unschedule: %q, edit link %q", msg, edit)
	}
	if got := targetState(t, e, w.ID, p.ID); got != herald.StateDraft {
		t.Fatalf("after unschedule the target is %s", got)
	}

	// Edit on the platform, from a phone.
	pub, _ := e.publishedOnPlatform(owner, w, platformURL, "Typo in the launch post")
	tid := pub.Targets[0].ID
	var text string
	var fits bool
	run(t, ctx, "edit on the platform",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+postURL(w.ID, pub.ID)),
		chromedp.WaitVisible(chromedp.CSS("#edit-remote-"+itoa(tid))),
		chromedp.Click(chromedp.CSS("#edit-remote-"+itoa(tid))),
		chromedp.WaitVisible(chromedp.CSS("#edit-remote-text")),
		into(&fits, chromedp.Evaluate[bool](fitsWidth)),
		into(&text, chromedp.Evaluate[string](`(t => { const old = t.value; t.value = ""; return old; })(document.querySelector("#edit-remote-text"))`)),
		chromedp.Click(chromedp.CSS("#edit-remote-save")),
		// The browser asks for the text first: nothing is sent.
		waitFor(`document.querySelector("#edit-remote-text").matches(":invalid")`),
	)
	if text != "Typo in the launch post" {
		t.Fatalf("the form starts from %q", text)
	}
	run(t, ctx, "the new text is sent",
		chromedp.SendKeys(chromedp.CSS("#edit-remote-text"), "The launch post, fixed"),
		chromedp.Click(chromedp.CSS("#edit-remote-save")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&msg, chromedp.Text(chromedp.CSS("#messages .notice"))),
		into(&text, chromedp.Text(chromedp.CSS("#target-"+itoa(tid)+"-part-1"))),
	)
	if !fits || !strings.Contains(msg, "Edited on Test platform") || !strings.Contains(text, "The launch post, fixed") {
		t.Fatalf("edit on the platform: fits %v, message %q, text %q", fits, msg, text)
	}
}
