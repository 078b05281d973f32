package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserCalendar drives the calendar in a real browser in New York
// (the workspace is in Paris): the zone note, a drag to the next day in
// the week view, then the Move… form in the list view, each checked after
// a reload and in the store.
func TestBrowserCalendar(t *testing.T) {
	ctx := chrome(t, "America/New_York")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// The first day from tomorrow that is not a Sunday, so that the next
	// day is in the same week.
	day := time.Now().In(ny).AddDate(0, 0, 1)
	if day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	at := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, ny)
	p := e.scheduled(owner, w, acct, "Drag me to tomorrow", at)
	iso := func(d time.Time) string { return d.Format(time.DateOnly) }
	next := at.AddDate(0, 0, 1)
	base := e.srv.URL
	cal := fmt.Sprintf("%s/w/%d/calendar", base, w.ID)
	entry := fmt.Sprintf(`.cal-entry[data-post="%d"]`, p.ID)
	var text, flash string

	run(t, ctx, "sign in",
		chromedp.EmulateViewport(1280, 1000),
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#nav-calendar")),
	)
	run(t, ctx, "week in the viewer's zone",
		chromedp.Navigate(cal+"?view=week&date="+iso(at)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`(document.querySelector("#cal-zone")||{}).textContent.includes("Times in America/New_York")`)(ctx, tg)
			return err
		}),
		chromedp.WaitVisible(chromedp.CSS(entry)),
		into(&text, chromedp.Text(chromedp.CSS("#cal-zone"))),
	)
	if !strings.Contains(text, "the workspace is in Europe/Paris") {
		t.Fatalf("zone note = %q", text)
	}

	var dropped string
	run(t, ctx, "drag to the next day at 14:00",
		into(&dropped, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			const e = document.querySelector(%q);
			const z = document.querySelector('.cal-hour[data-date="%s"][data-hour="14:00"]');
			if (!e || !z) return "missing";
			window.heraldBeforeDrop = true; // gone once the page has reloaded itself
			const dt = new DataTransfer();
			const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
			fire(e, "dragstart");
			fire(z, "dragenter");
			fire(z, "dragover");
			fire(z, "drop");
			fire(e, "dragend");
			return "ok";
		})()`, entry, iso(next)))),
	)
	if dropped != "ok" {
		t.Fatalf("drag: %s", dropped)
	}
	want := time.Date(next.Year(), next.Month(), next.Day(), 14, 0, 0, 0, ny)
	// The page reloads itself once the move is done; wait for the store.
	for i := 0; i < 100 && !scheduledAt(t, e, w, p.ID).Equal(want); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	// Navigating while the page's own reload is under way would abort one
	// of them: wait until the reloaded page is there.
	// Evaluating while the page navigates fails; that is part of waiting.
	reloaded := false
	for i := 0; i < 100 && !reloaded; i++ {
		var done bool
		if err := chromedp.Do(ctx, into(&done, chromedp.Evaluate[bool](
			`window.heraldBeforeDrop === undefined && document.readyState === "complete"`))); err == nil && done {
			reloaded = true
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !reloaded {
		t.Fatal("the calendar did not reload itself after the move")
	}
	run(t, ctx, "the post is on the next day",
		chromedp.Navigate(cal+"?view=week&date="+iso(at)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cal-wday[data-date="%s"] .cal-hour[data-hour="14:00"] %s`, iso(next), entry))),
		into(&text, chromedp.Text(chromedp.CSS(entry+" time"))),
	)
	if got := scheduledAt(t, e, w, p.ID); !got.Equal(want) || text != "14:00" {
		t.Fatalf("after the drag: stored %v (want %v), shown %q", got, want.UTC(), text)
	}

	var focused string
	run(t, ctx, "arrow keys move between days",
		chromedp.Navigate(cal+"?view=month&date="+iso(at)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cal-day[data-date="%s"] .cal-date a`, iso(at)))),
		chromedp.Focus(chromedp.CSS(fmt.Sprintf(`.cal-day[data-date="%s"] .cal-date a`, iso(at)))),
		chromedp.KeyEvent(kb.ArrowRight),
		into(&focused, chromedp.Evaluate[string](`document.activeElement.closest("[data-date]").dataset.date`)),
	)
	if focused != iso(next) {
		t.Fatalf("after ArrowRight the focus is on %q, want %s", focused, iso(next))
	}

	later := at.AddDate(0, 0, 3)
	run(t, ctx, "move with the form",
		chromedp.Navigate(cal+"?view=list&date="+iso(at)),
		chromedp.WaitVisible(chromedp.CSS(entry+" .cal-menu summary")),
		chromedp.Click(chromedp.CSS(entry+" .cal-menu summary")),
		chromedp.WaitVisible(chromedp.CSS(entry+" .cal-move summary")),
		chromedp.Click(chromedp.CSS(entry+" .cal-move summary")),
		chromedp.WaitVisible(chromedp.CSS(entry+` input[name="date"]`)),
		chromedp.SetValue(chromedp.CSS(entry+` input[name="date"]`), iso(later)),
		chromedp.SetValue(chromedp.CSS(entry+` input[name="time"]`), "16:30"),
		chromedp.Click(chromedp.CSS(entry+" .cal-move-submit")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&flash, chromedp.Text(chromedp.CSS("#messages .notice"))),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`.cal-lday[data-date="%s"] %s`, iso(later), entry))),
		into(&text, chromedp.Text(chromedp.CSS(entry+" time"))),
	)
	want = time.Date(later.Year(), later.Month(), later.Day(), 16, 30, 0, 0, ny)
	if !strings.Contains(flash, "Moved to") {
		t.Fatalf("after the form, the message is %q", flash)
	}
	if got := scheduledAt(t, e, w, p.ID); !got.Equal(want) || text != "16:30" {
		t.Fatalf("after the form: stored %v (want %v), shown %q", got, want.UTC(), text)
	}
	if got := targetState(t, e, w.ID, p.ID); got != herald.StateScheduled {
		t.Fatalf("the moved target is %s", got)
	}
}
