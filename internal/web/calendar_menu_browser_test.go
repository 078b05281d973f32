package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	cdpinput "github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserCalendarItems drives the calendar's items: compact month
// entries with their details on hover and on keyboard focus, the item menu
// by keyboard (open, Escape) and its Unschedule, the week opening at the
// working day, and the list's single pager, on a desktop and a phone.
func TestBrowserCalendarItems(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	paris, _ := time.LoadLocation("Europe/Paris")
	at := nextWeekday(time.Now(), paris, time.Wednesday, 10, 0)
	p := e.scheduled(owner, w, acct, "A long post about the spring collection that does not fit one line of a month cell", at)
	e.scheduled(owner, w, acct, "Second post of the day", at.Add(2*time.Hour))
	date := at.Format(time.DateOnly)
	base := e.srv.URL
	cal := fmt.Sprintf("%s/w/%d/calendar", base, w.ID)
	entry := fmt.Sprintf(`.cal-entry[data-post="%d"]`, p.ID)
	signInChrome(t, ctx, base, "ana@example.com")

	// One line each (platform icon, time, text), on a desktop and on a phone.
	lineJS := fmt.Sprintf(`(() => { const e = document.querySelector(%q), l = e.querySelector(".cal-link");
		return l.getBoundingClientRect().height < 1.8 * parseFloat(getComputedStyle(l).lineHeight || "16") + 4 &&
			e.getBoundingClientRect().right <= e.closest(".cal-day").getBoundingClientRect().right + 1; })()`, entry)
	tipShown := fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display !== "none"`, entry+" .cal-tip")
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		var oneLine, fits bool
		var plat string
		run(t, ctx, fmt.Sprintf("month at %dpx", size[0]),
			chromedp.EmulateViewport(size[0], size[1]),
			chromedp.Navigate(cal+"?view=month&date="+date),
			chromedp.WaitVisible(chromedp.CSS(entry)),
			into(&oneLine, chromedp.Evaluate[bool](lineJS)),
			into(&fits, chromedp.Evaluate[bool](fitsWidth)),
			into(&plat, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).title`, entry+" .cal-plat .picon"))),
		)
		if !oneLine || !fits || plat != "Test platform" {
			t.Fatalf("at %dpx: one line %v, fits %v, platform %q", size[0], oneLine, fits, plat)
		}
	}

	// Details on keyboard focus and on hover, hidden otherwise.
	var before, focused, hovered bool
	var x, y float64
	var tip string
	run(t, ctx, "details on focus and hover",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(cal+"?view=month&date="+date),
		chromedp.WaitVisible(chromedp.CSS(entry)),
		into(&before, chromedp.Evaluate[bool](tipShown)),
		chromedp.Focus(chromedp.CSS(entry+" .cal-date a, .cal-day[data-date=\""+date+"\"] .cal-date a")),
		chromedp.KeyEvent(kb.Tab),
		waitFor(`document.activeElement.matches(".cal-link")`),
		into(&focused, chromedp.Evaluate[bool](tipShown)),
		into(&tip, chromedp.Text(chromedp.CSS(entry+" .cal-tip"))),
		chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`),
		into(&x, chromedp.Evaluate[float64](fmt.Sprintf(`(r => r.left + 20)(document.querySelector(%q).getBoundingClientRect())`, entry+" .cal-link"))),
		into(&y, chromedp.Evaluate[float64](fmt.Sprintf(`(r => r.top + r.height / 2)(document.querySelector(%q).getBoundingClientRect())`, entry+" .cal-link"))),
	)
	run(t, ctx, "hover",
		chromedp.MouseEvent(cdpinput.DispatchMouseEventTypeMouseMoved, x, y),
		waitFor(tipShown),
		into(&hovered, chromedp.Evaluate[bool](tipShown)),
		chromedp.MouseEvent(cdpinput.DispatchMouseEventTypeMouseMoved, 1, 1),
		waitFor("!("+tipShown+")"),
	)
	if before || !focused || !hovered || !strings.Contains(tip, "A long post about the spring collection that does not fit one line of a month cell") ||
		!strings.Contains(tip, "@acme on Test platform") || !strings.Contains(tip, "scheduled") {
		t.Fatalf("details: before %v, on focus %v, on hover %v; %q", before, focused, hovered, tip)
	}

	// The menu by keyboard: Enter opens it, Escape closes it and gives
	// the focus back; its Unschedule asks, then comes back here.
	panel := entry + " .cal-menu-panel"
	var items, back string
	run(t, ctx, "menu by keyboard",
		chromedp.Focus(chromedp.CSS(entry+" .cal-menu summary")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(panel)),
		into(&items, chromedp.Evaluate[string](fmt.Sprintf(`Array.from(document.querySelectorAll(%q)).map(e => e.firstChild.textContent.trim()).join("|")`,
			panel+" li > a, "+panel+" li > form button, "+panel+" .cal-move > summary"))),
		waitFor(fmt.Sprintf(`(r => r.left >= 0 && r.right <= window.innerWidth)(document.querySelector(%q).getBoundingClientRect())`, panel)),
		chromedp.KeyEvent(kb.Escape),
		waitFor(fmt.Sprintf(`!document.querySelector(%q).open`, entry+" .cal-menu")),
		waitFor(`document.activeElement.matches(".cal-menu-button")`),
	)
	if items != "Open|Edit|Move…|Unschedule…|Duplicate" {
		t.Fatalf("menu items %q", items)
	}
	run(t, ctx, "unschedule from the menu",
		chromedp.Click(chromedp.CSS(entry+" .cal-menu summary")),
		chromedp.WaitVisible(chromedp.CSS(entry+" .cal-menu-unschedule")),
		chromedp.Click(chromedp.CSS(entry+" .cal-menu-unschedule")),
		chromedp.WaitVisible(chromedp.CSS("#post-unschedule")),
		chromedp.Click(chromedp.CSS("#post-unschedule")),
		chromedp.WaitVisible(chromedp.CSS("#calendar")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&back, chromedp.Evaluate[string](`location.search`)),
	)
	if !strings.Contains(back, "view=month") || !strings.Contains(back, "date="+date) {
		t.Fatalf("after unschedule the calendar is at %q", back)
	}
	if got := targetState(t, e, w.ID, p.ID); got != herald.StateDraft {
		t.Fatalf("after unschedule from the menu the target is %s", got)
	}

	// The week opens at 08:00: no post is earlier.
	var top float64
	run(t, ctx, "week opens at the working day",
		chromedp.Navigate(cal+"?view=week&date="+date),
		chromedp.WaitVisible(chromedp.CSS(".cal-week")),
		waitFor(`document.querySelector(".cal-week").scrollTop > 0`),
		into(&top, chromedp.Evaluate[float64](`(() => { const w = document.querySelector(".cal-week");
			const row = w.querySelector('.cal-wday .cal-hour[data-hour="08:00"]'), head = w.querySelector(".cal-wday .cal-date");
			return row.getBoundingClientRect().top - w.getBoundingClientRect().top - head.offsetHeight; })()`)),
	)
	if top < -2 || top > 2 {
		t.Fatalf("the 08:00 row is %.1fpx from the top of the week", top)
	}

	// The list: one pager (the header's), no drag hint, no drop zones.
	var pagers, drops int
	var help string
	run(t, ctx, "list",
		chromedp.Navigate(cal+"?view=list&date="+date),
		chromedp.WaitVisible(chromedp.CSS(".cal-list")),
		into(&pagers, chromedp.Evaluate[int](`document.querySelectorAll("nav.cal-nav").length`)),
		into(&drops, chromedp.Evaluate[int](`document.querySelectorAll(".cal-list [data-drop]").length`)),
		into(&help, chromedp.Text(chromedp.CSS("#cal-help"))),
	)
	if pagers != 1 || drops != 0 || strings.Contains(help, "Drag") {
		t.Fatalf("list: %d pagers, %d drop zones, help %q", pagers, drops, help)
	}
}
