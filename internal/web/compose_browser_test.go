package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserCompose writes a two-part thread with an image on the test
// platform in a real browser: upload, preview and counters, a text too
// long and then fixed, then scheduling it lands on the post's page.
func TestBrowserCompose(t *testing.T) {
	ctx := chrome(t, "America/New_York")
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	img := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(img, tinyPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	var text, loc string
	at := time.Now().In(mustZone(t, "Europe/Paris")).Add(72 * time.Hour).Truncate(time.Minute)
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](expr)(ctx, tg)
			return chromedp.Void{}, err
		}
	}

	run(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
	run(t, ctx, "open the composer",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		poll(`document.getElementById("account-`+strconv.FormatInt(acct.ID, 10)+`").checked`),
		poll(`document.getElementById("browser-zone").textContent.includes("America/New_York")`),
	)
	run(t, ctx, "write and attach an image",
		chromedp.SendKeys(chromedp.CSS("#text-0"), "Launch day! See https://example.com/launch #launch"),
		chromedp.SetUploadFiles(chromedp.CSS("#file-0"), []string{img}),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item`)),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item .warn`)),
		chromedp.SendKeys(chromedp.CSS(`fieldset.part[data-part="0"] .media-item textarea`), "A rocket on the pad"),
		poll(`document.querySelector('fieldset.part[data-part="0"] .media-item .warn').hidden`),
	)
	run(t, ctx, "add a thread part",
		chromedp.Click(chromedp.CSS("#add-part")),
		chromedp.WaitVisible(chromedp.CSS("#text-1")),
		chromedp.SendKeys(chromedp.CSS("#text-1"), "Second part of the thread"),
		poll(`document.querySelectorAll("#checks .pv-post").length === 2`),
		poll(`document.querySelector("#checks .pv-image img") !== null`),
		poll(`document.querySelector("#checks .pv-tag") !== null && document.querySelector("#checks .pv-link") !== null`),
		poll(`document.querySelector("#part-check-1 [data-counter]") && document.querySelector("#part-check-1 [data-counter]").textContent === "25/100"`),
		poll(`document.getElementById("autosave-status").textContent.startsWith("Saved ")`),
	)
	run(t, ctx, "too long",
		chromedp.SendKeys(chromedp.CSS("#text-1"), strings.Repeat(" more", 20)),
		poll(`document.querySelector("#part-check-1 .field-error") !== null && document.querySelector("#part-check-1").textContent.includes("the platform allows 100")`),
		into(&text, chromedp.Text(chromedp.CSS("#part-check-1"))),
	)
	if !strings.Contains(text, "125/100") {
		t.Fatalf("the counter of the long part says %q", text)
	}
	run(t, ctx, "fix it and schedule",
		poll(`(document.getElementById("text-1").value = "") === ""`),
		chromedp.SendKeys(chromedp.CSS("#text-1"), "Second part, shorter"),
		poll(`document.querySelector("#part-check-1 .field-error") === null && document.querySelector("#part-check-1").textContent.includes("20/100")`),
		poll(`(document.getElementById("at").value = "`+at.Format("2006-01-02T15:04")+`") !== ""`),
		chromedp.Click(chromedp.CSS("#schedule")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	m := regexp.MustCompile(`/w/\d+/posts/(\d+)$`).FindStringSubmatch(loc)
	if m == nil || !strings.Contains(text, "Scheduled for") {
		t.Fatalf("after scheduling: at %s, message %q", loc, text)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	p, err := e.store.GetPost(context.Background(), w.ID, id)
	if err != nil || len(p.Targets) != 1 {
		t.Fatalf("post %d: %+v, %v", id, p, err)
	}
	tg := p.Targets[0]
	if tg.State != herald.StateScheduled || tg.ScheduledAt == nil || !tg.ScheduledAt.Equal(at) ||
		len(tg.Variant.MediaIDs) != 1 || len(tg.Variant.Thread) != 1 || tg.Variant.Thread[0].Text != "Second part, shorter" ||
		!strings.HasPrefix(p.Text, "Launch day!") {
		t.Fatalf("scheduled post = %+v, target %+v", p, tg)
	}
	asset, err := e.store.GetMedia(context.Background(), w.ID, tg.Variant.MediaIDs[0])
	if err != nil || asset.AltText != "A rocket on the pad" {
		t.Fatalf("the image's alt text = %q, %v", asset.AltText, err)
	}
	posts, _, err := e.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 10}})
	if err != nil || len(posts) != 1 {
		t.Fatalf("autosave and scheduling made %d posts (%v), want 1", len(posts), err)
	}
}

// TestBrowserComposeBestTimes picks a suggested time in a real browser:
// it fills the date and time field in place and the live checks say when
// the post publishes; choosing a second account reads the suggestions
// again, across the workspace's accounts.
func TestBrowserComposeBestTimes(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	other := e.account(owner, w, "@other")
	paris := mustZone(t, "Europe/Paris")
	if err := e.store.PutAccountSnapshot(context.Background(), herald.AccountSnapshot{WorkspaceID: w.ID, AccountID: acct.ID,
		At: time.Now().Add(-100 * 24 * time.Hour), Followers: 100, Following: 1, Posts: 1}); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(paris)
	best := time.Date(today.Year(), today.Month(), today.Day()+2, 9, 0, 0, 0, paris)
	for i := 1; i <= 3; i++ {
		e.analyticsPost(owner, w, acct, "Best "+strconv.Itoa(i), best.AddDate(0, 0, -7*i).Add(20*time.Minute), 5, 1, 0)
	}
	value := best.Format("2006-01-02T15:04")
	id := "best-" + best.Format("2006-01-02-15")
	run(t, ctx, "sign in",
		chromedp.Navigate(e.srv.URL+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
	run(t, ctx, "choose a suggested time",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose?account=%d", e.srv.URL, w.ID, acct.ID)),
		chromedp.WaitVisible(chromedp.CSS("#"+id)),
		chromedp.Click(chromedp.CSS("#"+id)),
		waitFor(`document.getElementById("at").value === "`+value+`"`),
		waitFor(`document.querySelector("#checks .check-summary").textContent.includes("`+best.Format("Mon 2 Jan 2006, 15:04")+`")`),
		waitFor(`document.getElementById("`+id+`").getAttribute("aria-pressed") === "true"`),
		waitFor(`location.pathname.endsWith("/compose")`),
	)
	run(t, ctx, "choose a second account",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="account-%d"]`, other.ID))),
		waitFor(`document.getElementById("best-times-note") && document.getElementById("best-times-note").textContent.includes("all the workspace")`),
		waitFor(`document.getElementById("`+id+`") !== null`),
	)
}
