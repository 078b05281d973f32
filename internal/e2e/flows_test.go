package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// password is everyone's password in these tests.
const password = "correct horse battery staple 42"

// zone is the browser's time zone, which first run gives the workspace.
const zone = "Europe/Paris"

// flows is what the flows share: one server, one platform, the owner's
// browser and the workspace made at first run.
type flows struct {
	srv      *server
	platform *platform
	owner    context.Context // the owner's browser
	ws       int64
	loc      *time.Location
	approved int64 // the post approved in the second flow, scheduled
}

// TestFlows drives Herald end to end in a real browser against a real
// `herald serve` and the test platform in its own process. The subtests
// run in order on one installation, each starting where the one before
// left off.
func TestFlows(t *testing.T) {
	ctx := chrome(t, zone, 1280, 900)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	f := &flows{loc: loc, owner: ctx}
	// The platform allows 100 characters, so the composer's limit check
	// is easy to trip.
	f.platform = startPlatform(t, fakeserver.Config{MaxChars: 100})
	f.srv = newServer(t) // Herald's default timing
	f.srv.start(t)

	steps := []struct {
		name string
		fn   func(t *testing.T, f *flows)
	}{
		{"first run to published", firstRunToPublished},
		{"contributor and approval", contributorApproval},
		{"crisis switch", crisisSwitch},
		{"unconfirmed resolved by hand", unconfirmedByHand},
		{"inbox: live, assigned, answered once, done", inboxLive},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) { s.fn(t, f) }) {
			return // the next flows build on this one
		}
	}
}

// postIDIn reads the post id from a post page's address.
func postIDIn(t *testing.T, loc string) int64 {
	t.Helper()
	m := regexp.MustCompile(`/w/\d+/posts/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("%s is not a post's page", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// firstRunToPublished: the setup page, connecting an account through the
// platform's sign-in page, composing a thread with an image (a limit error
// and its fix), the calendar with a drag to the next day, then Publish now
// until the post page shows the platform's link.
func firstRunToPublished(t *testing.T, f *flows) {
	ctx := f.owner
	base := f.srv.url
	var loc, text string

	run(t, ctx, "first run",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#setup-submit")),
		poll(`document.querySelector("#time_zone").value === "`+zone+`"`),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ana Owner"),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.SendKeys(chromedp.CSS("#workspace"), "Acme Bakery"),
		chromedp.Click(chromedp.CSS("#setup-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("h1"))),
	)
	m := regexp.MustCompile(`/w/(\d+)/$`).FindStringSubmatch(loc)
	if m == nil || text != "Acme Bakery" {
		t.Fatalf("after setup: at %s, heading %q", loc, text)
	}
	f.ws, _ = strconv.ParseInt(m[1], 10, 64)
	wsURL := fmt.Sprintf("%s/w/%d", base, f.ws)

	run(t, ctx, "connect an account",
		chromedp.Click(chromedp.CSS("#nav-accounts")),
		chromedp.WaitVisible(chromedp.CSS("#oauth-fake-instance")),
		chromedp.SendKeys(chromedp.CSS("#oauth-fake-instance"), f.platform.url+"#dora"),
		chromedp.Click(chromedp.CSS("#oauth-fake-submit")),
		chromedp.WaitVisible(chromedp.CSS(".acct-card")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if loc != wsURL+"/accounts" || !strings.Contains(text, "Connected @dora on Test platform.") {
		t.Fatalf("after connecting: at %s: %q", loc, text)
	}

	img := photo(t, t.TempDir(), "croissants.png", 320, 200)
	run(t, ctx, "write with an image",
		chromedp.Click(chromedp.CSS("#nav-compose")),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		poll(`document.querySelector('input[name="account"]').checked`),
		chromedp.SendKeys(chromedp.CSS("#text-0"), "Fresh croissants from 7am! https://example.com/menu #bakery"),
		chromedp.SetUploadFiles(chromedp.CSS("#file-0"), []string{img}),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item`)),
		chromedp.SendKeys(chromedp.CSS(`fieldset.part[data-part="0"] .media-item textarea`), "A tray of croissants"),
	)
	run(t, ctx, "a thread with previews",
		chromedp.Click(chromedp.CSS("#add-part")),
		chromedp.WaitVisible(chromedp.CSS("#text-1")),
		chromedp.SendKeys(chromedp.CSS("#text-1"), "Pain au chocolat too"),
		poll(`document.querySelectorAll("#checks .pv-post").length === 2`),
		poll(`document.querySelector("#checks .pv-image img") !== null`),
		poll(`(document.querySelector("#part-check-1 [data-counter]") || {}).textContent === "20/100"`),
	)
	run(t, ctx, "past the limit",
		chromedp.SendKeys(chromedp.CSS("#text-1"), strings.Repeat(", and more", 10)),
		poll(`document.querySelector("#part-check-1 .field-error") !== null`),
		into(&text, chromedp.Text(chromedp.CSS("#part-check-1"))),
	)
	if !strings.Contains(text, "120/100") || !strings.Contains(text, "the platform allows 100") {
		t.Fatalf("the long part's check says %q", text)
	}

	at := time.Now().In(f.loc).Add(2 * time.Hour).Truncate(time.Minute)
	run(t, ctx, "fix it and schedule",
		setValue("#text-1", ""),
		chromedp.SendKeys(chromedp.CSS("#text-1"), "Pain au chocolat too, while they last"),
		poll(`document.querySelector("#part-check-1 .field-error") === null && document.querySelector("#part-check-1").textContent.includes("37/100")`),
		setValue("#at", at.Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.CSS("#schedule")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	if !strings.Contains(text, "Scheduled for") {
		t.Fatalf("after scheduling: %q", text)
	}
	id := postIDIn(t, loc)

	// To the next day on the calendar: dragged in the week view, or with
	// the Move… form when the next day starts another week.
	iso := func(d time.Time) string { return d.Format(time.DateOnly) }
	next := at.AddDate(0, 0, 1)
	entry := fmt.Sprintf(`.cal-entry[data-post="%d"]`, id)
	week := fmt.Sprintf("%s/calendar?view=week&date=%s", wsURL, iso(at))
	var dropped string
	run(t, ctx, "see it on the calendar",
		chromedp.Click(chromedp.CSS("#nav-calendar")),
		chromedp.WaitVisible(chromedp.CSS("#calendar")),
		chromedp.Navigate(week),
		chromedp.WaitVisible(chromedp.CSS(entry)),
		into(&text, chromedp.Text(chromedp.CSS(entry))),
		into(&dropped, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			const e = document.querySelector(%q);
			const z = document.querySelector('[data-drop="day"][data-date="%s"]') ||
				document.querySelector('[data-drop="hour"][data-date="%s"][data-hour^="%s"]');
			if (!e || !z) return "no drop zone";
			const dt = new DataTransfer();
			const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
			fire(e, "dragstart");
			fire(z, "dragenter");
			fire(z, "dragover");
			fire(z, "drop");
			fire(e, "dragend");
			return "dropped";
		})()`, entry, iso(next), iso(next), at.Format("15:")))),
	)
	if !strings.Contains(text, "Fresh croissants") {
		t.Fatalf("the calendar entry says %q", text)
	}
	if dropped != "dropped" {
		t.Logf("%s: using the Move… form", dropped)
		run(t, ctx, "move with the form",
			chromedp.Navigate(fmt.Sprintf("%s/calendar?view=list&date=%s", wsURL, iso(at))),
			// The Move… form is in the entry's menu.
			chromedp.WaitVisible(chromedp.CSS(entry+" .cal-menu summary")),
			chromedp.Click(chromedp.CSS(entry+" .cal-menu summary")),
			chromedp.WaitVisible(chromedp.CSS(entry+" .cal-move summary")),
			chromedp.Click(chromedp.CSS(entry+" .cal-move summary")),
			chromedp.WaitVisible(chromedp.CSS(entry+` input[name="date"]`)),
			chromedp.SetValue(chromedp.CSS(entry+` input[name="date"]`), iso(next)),
			chromedp.SetValue(chromedp.CSS(entry+` input[name="time"]`), at.Format("15:04")),
			chromedp.Click(chromedp.CSS(entry+" .cal-move-submit")),
			chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		)
	}
	run(t, ctx, "on the next day",
		until(fmt.Sprintf(`document.querySelector('%s[data-date="%s"]') !== null`, entry, iso(next)), 15*time.Second,
			chromedp.Navigate(fmt.Sprintf("%s/calendar?view=week&date=%s", wsURL, iso(next)))),
		into(&text, chromedp.Text(chromedp.CSS(entry+" time"))),
	)
	if text != at.Format("15:04") {
		t.Fatalf("after the move the entry shows %q, want %s", text, at.Format("15:04"))
	}

	var link string
	run(t, ctx, "publish now",
		chromedp.Click(chromedp.CSS(entry+" a")),
		chromedp.WaitVisible(chromedp.CSS("#post-publish-now")),
		into(&loc, chromedp.Location()),
		chromedp.Click(chromedp.CSS("#post-publish-now")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		until(`document.querySelector('#post-body [data-state="published"]') !== null`, 30*time.Second, chromedp.Reload()),
		into(&link, chromedp.Evaluate[string](`document.querySelector('#post-body .target a[target="_blank"]').href`)),
	)
	if postIDIn(t, loc) != id || !strings.HasPrefix(link, f.platform.url+"/@dora/") {
		t.Fatalf("post %s: the platform's link is %q", loc, link)
	}
	got := f.platform.posts(t)
	if len(got) != 2 || len(got[0].MediaIDs) != 1 || got[1].InReplyToID != got[0].ID || got[0].Account != "dora" ||
		!strings.HasPrefix(got[0].Text, "Fresh croissants") || got[1].Text != "Pain au chocolat too, while they last" ||
		!strings.HasSuffix(link, "/"+got[0].ID) {
		t.Fatalf("the platform received %+v (link %s)", got, link)
	}
}

// contributorApproval: the owner invites a contributor through Settings;
// the contributor joins in a browser of their own and submits a post; the
// owner approves it in Approvals and it is scheduled.
func contributorApproval(t *testing.T, f *flows) {
	ctx := f.owner
	wsURL := fmt.Sprintf("%s/w/%d", f.srv.url, f.ws)
	var link, text, loc string

	run(t, ctx, "invite a contributor",
		chromedp.Click(chromedp.CSS("#nav-settings")),
		chromedp.WaitVisible(chromedp.CSS("#tab-members")),
		chromedp.Click(chromedp.CSS("#tab-members")),
		chromedp.WaitVisible(chromedp.CSS("#invite-submit")),
		chromedp.SendKeys(chromedp.CSS("#invite-email"), "cy@example.com"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), "contributor"),
		chromedp.Click(chromedp.CSS("#invite-submit")),
		chromedp.WaitVisible(chromedp.CSS("#invite-link")),
		into(&link, chromedp.Value(chromedp.CSS("#invite-link"))),
	)
	if !strings.HasPrefix(link, f.srv.url+"/invite/") {
		t.Fatalf("invitation link %q", link)
	}

	cy := incognito(t, ctx)
	run(t, cy, "accept the invitation",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#invite-accept")),
		chromedp.SendKeys(chromedp.CSS("#name"), "Cy Contributor"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#invite-accept")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "Welcome to Acme Bakery, Cy Contributor.") {
		t.Fatalf("after joining: %q", text)
	}

	at := time.Now().In(f.loc).AddDate(0, 0, 2)
	at = time.Date(at.Year(), at.Month(), at.Day(), 9, 30, 0, 0, f.loc)
	run(t, cy, "submit for approval",
		chromedp.Navigate(wsURL+"/compose"),
		chromedp.WaitVisible(chromedp.CSS("#submit-approval")),
		poll(`document.querySelector("#schedule") === null`),
		poll(`document.querySelector('input[name="account"]').checked`),
		chromedp.SendKeys(chromedp.CSS("#text-0"), "Sourdough workshop this Saturday, two seats left"),
		setValue("#at", at.Format("2006-01-02T15:04")),
		chromedp.Click(chromedp.CSS("#submit-approval")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&loc, chromedp.Location()),
		chromedp.WaitVisible(chromedp.CSS(`#post-body [data-state="in_review"]`)),
	)
	id := postIDIn(t, loc)

	run(t, ctx, "the owner's bell tells of the post waiting",
		chromedp.Navigate(wsURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#nav-notifications-count")),
		chromedp.Click(chromedp.CSS("#nav-notifications")),
		chromedp.WaitVisible(chromedp.CSS("#notifications")),
		into(&text, chromedp.Text(chromedp.CSS("#notifications li.unread"))),
		chromedp.Click(chromedp.CSS("#notifications li.unread button.linklike")),
		chromedp.WaitVisible(chromedp.CSS(`#post-body [data-state="in_review"]`)),
		into(&loc, chromedp.Location()),
	)
	if !strings.Contains(text, "Waiting for your approval: Sourdough workshop") || postIDIn(t, loc) != id {
		t.Fatalf("the owner's notification says %q and opened %s", text, loc)
	}

	run(t, ctx, "approve it",
		chromedp.Click(chromedp.CSS("#nav-approvals")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#approve-%d", id))),
		into(&text, chromedp.Text(chromedp.CSS("#waiting"))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#approve-%d", id))),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
	)
	if !strings.Contains(text, "Sourdough workshop") || !strings.Contains(text, "Cy Contributor") {
		t.Fatalf("the approval queue shows %q", text)
	}
	run(t, ctx, "it is scheduled",
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Navigate(fmt.Sprintf("%s/posts/%d", wsURL, id)),
		chromedp.WaitVisible(chromedp.CSS(`#post-body [data-state="scheduled"]`)),
	)
	if !strings.Contains(text, "Approved and scheduled") {
		t.Fatalf("after approving: %q", text)
	}
	// The contributor's page, open since submitting, counts the approval
	// on its own (the bell asks every 30 seconds).
	bell := `document.querySelector("#nav-notifications-count") !== null`
	for deadline := time.Now().Add(45 * time.Second); ; time.Sleep(time.Second) {
		var ok bool
		sctx, cancel := context.WithTimeout(cy, 5*time.Second)
		err := chromedp.Do(sctx, into(&ok, chromedp.Evaluate[bool](bell)))
		cancel()
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			run(t, cy, "the contributor's bell counts the approval without a reload", poll(bell))
		}
	}
	run(t, cy, "the contributor sees it scheduled",
		chromedp.Click(chromedp.CSS("#nav-notifications")),
		chromedp.WaitVisible(chromedp.CSS("#notifications")),
		into(&text, chromedp.Text(chromedp.CSS("#notifications li.unread"))),
		chromedp.Navigate(fmt.Sprintf("%s/posts/%d", wsURL, id)),
		chromedp.WaitVisible(chromedp.CSS(`#post-body [data-state="scheduled"]`)),
	)
	if !strings.Contains(text, "Approved: Sourdough workshop") {
		t.Fatalf("the contributor's notification says %q", text)
	}
	f.approved = id
}

// crisisSwitch: the switch holds the scheduled post (the banner shows on
// every page, the post says held), and Resume all schedules it again.
func crisisSwitch(t *testing.T, f *flows) {
	ctx := f.owner
	wsURL := fmt.Sprintf("%s/w/%d", f.srv.url, f.ws)
	post := fmt.Sprintf("%s/posts/%d", wsURL, f.approved)
	var text string
	var banners int

	run(t, ctx, "hold everything",
		chromedp.Navigate(wsURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#crisis-switch")),
		chromedp.Click(chromedp.CSS("#crisis-switch")),
		chromedp.WaitVisible(chromedp.CSS("#reason")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Oven fire at the main shop"),
		chromedp.Click(chromedp.CSS("#crisis-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#crisis-banner .banner")),
		into(&text, chromedp.Text(chromedp.CSS("#crisis-banner"))),
	)
	if !strings.Contains(text, "Publishing is held.") || !strings.Contains(text, "Oven fire at the main shop") {
		t.Fatalf("the banner says %q", text)
	}
	run(t, ctx, "the post is held",
		chromedp.Navigate(post),
		chromedp.WaitVisible(chromedp.CSS(`#post-body [data-state="held"]`)),
		chromedp.WaitVisible(chromedp.CSS("#crisis-banner .banner")),
		into(&text, chromedp.Text(chromedp.CSS("#post-body .target"))),
	)
	if !strings.Contains(text, "Oven fire at the main shop") {
		t.Fatalf("the held target says %q", text)
	}
	run(t, ctx, "resume all",
		chromedp.Click(chromedp.CSS("#resume-all")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
		into(&banners, chromedp.Evaluate[int](`document.querySelectorAll("#crisis-banner .banner").length`)),
		chromedp.Navigate(post),
		chromedp.WaitVisible(chromedp.CSS(`#post-body [data-state="scheduled"]`)),
	)
	if !strings.Contains(text, "Resumed 1 post target") || banners != 0 {
		t.Fatalf("after resuming: %q, %d banners", text, banners)
	}
}

// unconfirmedByHand: the platform takes the post but closes the
// connection without an answer, and it can neither deduplicate nor be
// asked, so the post is unconfirmed; the owner says it was published.
func unconfirmedByHand(t *testing.T, f *flows) {
	ctx := f.owner
	wsURL := fmt.Sprintf("%s/w/%d", f.srv.url, f.ws)
	f.platform.configure(t, fakeserver.Config{MaxChars: 100, TimeoutRate: 1})
	before := len(f.platform.posts(t))
	var loc, text, targetID string

	run(t, ctx, "publish now from the composer",
		chromedp.Navigate(wsURL+"/compose"),
		chromedp.WaitVisible(chromedp.CSS("#publish-now")),
		poll(`document.querySelector('input[name="account"]').checked`),
		chromedp.SendKeys(chromedp.CSS("#text-0"), "We are open late tonight"),
		chromedp.Click(chromedp.CSS("#publish-now")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&loc, chromedp.Location()),
		until(`document.querySelector('#post-body [data-state="unconfirmed"]') !== null`, 30*time.Second, chromedp.Reload()),
		into(&targetID, chromedp.Evaluate[string](`document.querySelector("#post-body .target").id.replace("target-", "")`)),
		into(&text, chromedp.Text(chromedp.CSS("#post-body .target"))),
	)
	postIDIn(t, loc)
	if !strings.Contains(text, "Herald cannot tell whether the platform published it") {
		t.Fatalf("the unconfirmed target says %q", text)
	}
	got := f.platform.posts(t)
	if len(got) != before+1 || got[len(got)-1].Text != "We are open late tonight" {
		t.Fatalf("the platform has %d posts (had %d): %+v", len(got), before, got)
	}
	remote := f.platform.url + "/@dora/" + got[len(got)-1].ID
	card := "#target-" + targetID
	var link string
	run(t, ctx, "mark it published",
		chromedp.SendKeys(chromedp.CSS("#remote-url-"+targetID), remote),
		chromedp.Click(chromedp.CSS(card+` form:has(input[name="outcome"][value="published"]) button`)),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-state="published"]`)),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-state="published"]`)),
		into(&link, chromedp.Evaluate[string](`document.querySelector("`+card+` a[target='_blank']").href`)),
	)
	if link != remote {
		t.Fatalf("the published target links to %q, want %s", link, remote)
	}
	if n := len(f.platform.posts(t)); n != before+1 {
		t.Fatalf("the platform has %d posts after resolving, want %d (nothing is sent again)", n, before+1)
	}
}
