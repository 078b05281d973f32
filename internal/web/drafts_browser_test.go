package web

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserComposerGuards drives the composer at a desktop width: when
// to publish sits above the post, an empty Schedule and a passed time are
// refused at the field in words (the preview warns too), the action bar
// never covers what is tabbed to, a file dropped on the drop zone is
// attached, and every counter is coloured alike. Then the drafts list
// finds the draft and opens a scheduled post for editing; at a phone's
// width neither page scrolls sideways.
func TestBrowserComposerGuards(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	scheduled := e.scheduled(owner, w, acct, "Kites at dawn", time.Now().Add(48*time.Hour))
	base := e.srv.URL
	loc := mustZone(t, "Europe/Paris")
	past := time.Now().In(loc).Add(-26 * time.Hour).Truncate(time.Minute)
	words := past.Format("Mon 2 Jan 15:04") + " (Europe/Paris) has passed — pick a later time."
	png := base64.StdEncoding.EncodeToString(tinyPNG(t))
	var text, loc2 string
	var ok bool

	run(t, ctx, "sign in",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
	run(t, ctx, "an empty Schedule saves nothing",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		waitFor(`(document.querySelector("fieldset.schedule").compareDocumentPosition(document.getElementById("parts")) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0`),
		chromedp.Click(chromedp.CSS("#schedule")),
		chromedp.WaitVisible(chromedp.CSS("#at-problems .field-error")),
		into(&text, chromedp.Text(chromedp.CSS("#at-problems"))),
	)
	if !strings.Contains(text, "Pick a date and time") {
		t.Fatalf("the time field says %q", text)
	}
	if n := postCount(t, e, w.ID); n != 1 {
		t.Fatalf("an empty Schedule left %d posts, want the 1 scheduled before", n)
	}
	run(t, ctx, "a passed time is said in words, live and on Schedule",
		chromedp.SendKeys(chromedp.CSS("#text-0"), "Too late for this"),
		waitFor(`(document.getElementById("at").value = "`+past.Format("2006-01-02T15:04")+`") !== "" && document.getElementById("at").dispatchEvent(new Event("change", {bubbles: true}))`),
		waitFor(`!!document.getElementById("preview-passed") && document.getElementById("preview-passed").textContent.includes("has passed")`),
		waitFor(`document.getElementById("at-check").textContent.includes("has passed")`),
		waitFor(`(document.body.dataset.before = "1") === "1"`),
		chromedp.Click(chromedp.CSS("#schedule")),
		chromedp.WaitVisible(chromedp.CSS(`body:not([data-before]) #at-problems .field-error`)),
		into(&text, chromedp.Text(chromedp.CSS("#at-problems"))),
		into(&loc2, chromedp.Value(chromedp.CSS("#at"))),
	)
	if strings.TrimSpace(text) != words || loc2 != past.Format("2006-01-02T15:04") {
		t.Fatalf("after Schedule: the field says %q (want %q) and holds %q", text, words, loc2)
	}
	run(t, ctx, "the action bar covers nothing tabbed to",
		waitFor(`(() => {
			const bar = document.querySelector(".compose-actions").getBoundingClientRect();
			for (const el of document.querySelectorAll("#composer legend, #composer h2, #composer textarea, #composer input[type=text]")) {
				if (el.closest("[hidden]") || el.closest("details:not([open])") || el.closest("template")) continue;
				el.scrollIntoView({block: "end"});
				const r = el.getBoundingClientRect();
				const b = document.querySelector(".compose-actions").getBoundingClientRect();
				if (r.bottom > b.top + 1 && r.top < b.bottom) return false;
			}
			return bar.height > 0;
		})()`),
	)
	run(t, ctx, "a file dropped on the drop zone is attached",
		waitFor(`getComputedStyle(document.querySelector("#parts .file-label")).borderStyle === "dashed"`),
		waitFor(`(() => { const f = document.getElementById("file-0"); f.focus(); return document.activeElement === f; })()`),
		waitFor(`(() => {
			const bin = atob("`+png+`"), bytes = new Uint8Array(bin.length);
			for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
			const dt = new DataTransfer();
			dt.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
			const zone = document.querySelector("#parts [data-dropzone] .file-label");
			zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
			zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
			return true;
		})()`),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item`)),
	)
	run(t, ctx, "every counter is coloured alike",
		waitFor(`(document.getElementById("at").value = "") === ""`),
		waitFor(`(document.getElementById("text-0").value = "x".repeat(120)) !== "" && document.getElementById("text-0").dispatchEvent(new Event("input", {bubbles: true}))`),
		waitFor(`!!(document.querySelector("#part-check-0 .counter.over") && document.querySelector("#checks .pv-counts .counter.over"))`),
		into(&ok, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector("#part-check-0 .counter.over .counter-num")).color ===
			getComputedStyle(document.querySelector("#checks .pv-counts .counter.over .counter-num")).color &&
			getComputedStyle(document.querySelector("#checks .pv-counts .counter.over .counter-num")).color !== getComputedStyle(document.querySelector("#checks .pv-platform")).color`)),
	)
	if !ok {
		t.Fatal("the preview's over-limit counter is not coloured as the part's")
	}
	run(t, ctx, "the drafts list finds the draft",
		waitFor(`document.getElementById("autosave-status").textContent.startsWith("Saved ")`),
		chromedp.Click(chromedp.CSS("#nav-drafts")),
		chromedp.WaitVisible(chromedp.CSS("#drafts-q")),
		chromedp.SendKeys(chromedp.CSS("#drafts-q"), "xxxx"),
		chromedp.Click(chromedp.CSS("#drafts-search")),
		// The list before the search has drafts too: wait for the
		// searched page, not a node of the one it replaces.
		acrossNavigation(`location.search.includes("q=xxxx") && document.readyState === "complete" && !!document.querySelector("#drafts-undated .draft")`),
		into(&text, chromedp.Evaluate[string](`document.querySelector("main").innerText`)),
	)
	if !strings.Contains(text, "xxxx") || strings.Contains(text, "Kites at dawn") {
		t.Fatalf("the drafts search shows %q", text)
	}
	if n := postCount(t, e, w.ID); n != 2 {
		t.Fatalf("the composer session made %d posts besides the scheduled one, want 1", n-1)
	}
	editPath := fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, scheduled.ID)
	run(t, ctx, "edit the scheduled post",
		chromedp.Navigate(base+editPath),
		chromedp.WaitVisible(chromedp.CSS("#edit-note")),
		waitFor(`(document.getElementById("text-0").value = "Kites at noon") !== ""`),
		chromedp.Click(chromedp.CSS("#save-draft")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	got, err := e.store.GetPost(context.Background(), w.ID, scheduled.ID)
	if err != nil || got.Text != "Kites at noon" || got.Targets[0].State != herald.StateScheduled || !strings.Contains(text, "Changes saved") {
		t.Fatalf("after editing the scheduled post (%q): %+v %v", text, got, err)
	}
	for _, path := range []string{fmt.Sprintf("/w/%d/compose", w.ID), fmt.Sprintf("/w/%d/drafts", w.ID), editPath} {
		run(t, ctx, "at a phone's width "+path,
			chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(base+path),
			chromedp.WaitVisible(chromedp.CSS("main h1")),
			waitFor(`document.documentElement.scrollWidth <= window.innerWidth`),
		)
	}
	run(t, ctx, "the drop zone fits a phone",
		waitFor(`document.querySelector("#parts .file-label").getBoundingClientRect().right <= window.innerWidth`),
		waitFor(`document.querySelector("fieldset.schedule").getBoundingClientRect().top < document.getElementById("parts").getBoundingClientRect().top`),
	)
}

// acrossNavigation waits until expr is true on the page, asking again
// when the page is between two documents (a form just submitted), where
// waitFor would stop at the navigation.
func acrossNavigation(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, tg)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				if err == nil {
					err = ctx.Err()
				}
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, err)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}
