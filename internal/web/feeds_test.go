package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// feedServer serves an RSS document with one entry, dated an hour ahead
// (so that it is newer than any feed the test adds), and an HTML page at
// /page.
func feedServer(t *testing.T, title string) *httptest.Server {
	t.Helper()
	at := time.Now().Add(time.Hour).Format(time.RFC1123Z)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" {
			fmt.Fprint(w, `<!DOCTYPE html><html><head><title>Blog</title></head><body>A blog</body></html>`)
			return
		}
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title><item><guid>e1</guid>`+
			`<title>%s</title><link>https://blog.example/e1</link><pubDate>%s</pubDate></item></channel></rss>`, title, at)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// withSlots gives acct a posting slot at 09:00 and 18:00 every day.
func (e *env) withSlots(acct herald.Account) {
	e.t.Helper()
	var slots []herald.PostingSlot
	for _, d := range []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		slots = append(slots, herald.PostingSlot{Day: d, Time: "09:00"}, herald.PostingSlot{Day: d, Time: "18:00"})
	}
	acct.PostingSchedule = herald.PostingSchedule{Slots: slots}
	if err := e.store.UpdateAccount(context.Background(), &acct); err != nil {
		e.t.Fatal(err)
	}
}

func TestFeedsTab(t *testing.T) {
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.withSlots(acct)
	e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "cleo@example.com", herald.RoleContributor)
	srv := feedServer(t, "Spring menu")

	c := e.browser()
	c.signIn("cleo@example.com")
	wantNot(t, c.get(settingsURL(w.ID, "")), `id="tab-feeds"`)

	b := e.browser()
	b.signIn("ed@example.com")
	want(t, b.get(settingsURL(w.ID, "")), http.StatusOK, `id="tab-feeds"`)
	want(t, b.get(feedsURL(w.ID)), http.StatusOK, "No feeds yet.", "Add a feed")

	form := url.Values{"url": {srv.URL + "/feed"}, "name": {"Blog"}, "mode": {"queue"},
		"account_id": {itoa(acct.ID)}, "template": {"{{title}} {{link}}"}}
	want(t, b.post(feedsURL(w.ID), form), http.StatusUnprocessableEntity,
		"uses the unknown placeholder {{link}}; the placeholders are {{title}}, {{url}}, {{summary}}")
	form.Set("template", "{{title}} {{url}}")
	want(t, b.post(feedsURL(w.ID), form), http.StatusSeeOther)
	want(t, b.get(feedsURL(w.ID)), http.StatusOK, "Added the feed “Blog”", "Not read yet")
	fs, err := e.store.ListFeeds(context.Background(), w.ID)
	if err != nil || len(fs) != 1 {
		t.Fatalf("feeds %v, %v", fs, err)
	}
	f := fs[0]

	want(t, b.post(feedURL(w.ID, f.ID, "preview"), nil), http.StatusOK,
		"The feed holds 1 entry; the next read would make these posts:", "Spring menu https://blog.example/e1")
	want(t, b.post(feedURL(w.ID, f.ID, "check"), nil), http.StatusOK, "Read 1 entry; 1 became a post:",
		"Spring menu https://blog.example/e1", "queued for ", "1 entry became a post")
	want(t, b.post(feedURL(w.ID, f.ID, "check"), nil), http.StatusOK, "Read 1 entry; nothing new to post.")

	// A web page instead of a feed: the check says so, and so does the feed.
	edit := url.Values{"url": {srv.URL + "/page"}, "name": {"Blog"}, "mode": {"queue"}, "account_id": {itoa(acct.ID)},
		"template": {"{{title}}"}, "campaign_id": {"0"}}
	want(t, b.post(feedURL(w.ID, f.ID, ""), edit), http.StatusSeeOther)
	want(t, b.get(feedsURL(w.ID)), http.StatusOK, "Saved the feed")
	want(t, b.post(feedURL(w.ID, f.ID, "check"), nil), http.StatusOK,
		"this is a web page, not a feed; look for its RSS/Atom link", "The last read failed")

	want(t, b.post(feedURL(w.ID, f.ID, "pause"), url.Values{"paused": {"true"}}), http.StatusSeeOther)
	want(t, b.get(feedsURL(w.ID)), http.StatusOK, "Paused the feed", "Paused.")
	want(t, b.post(feedURL(w.ID, f.ID, "delete"), nil), http.StatusSeeOther)
	want(t, b.get(feedsURL(w.ID)), http.StatusOK, "Deleted the feed “Blog”", "No feeds yet.")
	posts, _, err := e.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 10}})
	if err != nil || len(posts) != 1 {
		t.Fatalf("posts after the feed's deletion: %d, %v", len(posts), err)
	}
}

// TestBrowserFeedToQueue adds a feed in queue mode in the browser, checks
// it now, and finds its entry queued in the calendar.
func TestBrowserFeedToQueue(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.withSlots(acct)
	srv := feedServer(t, "Cider pressing starts Monday")
	base := e.srv.URL
	signInSized(t, ctx, base, "ana@example.com", 1280, 900)

	run(t, ctx, "add a feed",
		chromedp.Navigate(base+feedsURL(w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#new-feed-url")),
		chromedp.SendKeys(chromedp.CSS("#new-feed-url"), srv.URL+"/feed.xml"),
		chromedp.SendKeys(chromedp.CSS("#new-feed-name"), "Orchard blog"),
		chromedp.Click(chromedp.CSS("#new-feed-mode-queue")),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#new-feed-account-%d", acct.ID))),
		chromedp.SetValue(chromedp.CSS("#new-feed-template"), "New: {{title}} {{url}}"),
		chromedp.Click(chromedp.CSS("#new-feed-submit")),
		chromedp.WaitVisible(chromedp.CSS("#feeds li")),
	)
	fs, err := e.store.ListFeeds(context.Background(), w.ID)
	if err != nil || len(fs) != 1 || fs[0].Mode != herald.FeedQueue {
		t.Fatalf("feeds %+v, %v", fs, err)
	}
	id := itoa(fs[0].ID)
	var text string
	run(t, ctx, "check now",
		chromedp.Click(chromedp.CSS("#check-feed-"+id)),
		chromedp.WaitVisible(chromedp.CSS("#feed-check-"+id)),
		into(&text, chromedp.Text(chromedp.CSS("#feed-check-"+id))),
	)
	if !strings.Contains(text, "1 became a post") || !strings.Contains(text, "New: Cider pressing starts Monday https://blog.example/e1") ||
		!strings.Contains(text, "queued for") {
		t.Fatalf("after Check now: %q", text)
	}
	run(t, ctx, "the calendar lists the queued post",
		chromedp.Navigate(base+calendarURL(w.ID, url.Values{"view": {viewList}})),
		waitFor(`document.querySelector("main").textContent.includes("Cider pressing starts Monday")`),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(strings.ToLower(text), "scheduled") {
		t.Fatalf("the calendar shows the post but not as scheduled: %q", text)
	}
}
