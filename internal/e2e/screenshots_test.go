package e2e

import (
	"bytes"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// shotDir is where -update writes the README's screenshots, from this
// package's folder.
const shotDir = "../../docs/screenshots"

// shotWidth and shotHeight are the screenshots' size: a desktop browser;
// phoneWidth and phoneHeight the phone ones' (*-phone.png).
const (
	shotWidth   = 1280
	shotHeight  = 800
	phoneWidth  = 390
	phoneHeight = 844
)

// seedPost is one post of the screenshots' workspace: when (days from
// today and a clock time), on which accounts, with which labels.
type seedPost struct {
	day      int
	clock    string
	accounts []int // indexes into the seeded accounts
	labels   []string
	text     string
}

var seedPosts = []seedPost{
	{0, "+90m", []int{0, 1}, []string{"Seasonal"}, "Our winter blend is back: dark chocolate, orange peel and a hint of clove."},
	{0, "+4h", []int{2}, []string{"Community"}, "Bean Club members: your December tasting box ships this week."},
	{1, "08:00", []int{0}, []string{"Launch"}, "New this morning: the oat-milk cortado, on every menu from today."},
	{1, "10:30", []int{1}, []string{"Events"}, "Latte-art throwdown on Friday at the Kreuzberg shop. Sign-ups at the counter."},
	{2, "09:15", []int{0, 1}, []string{"Seasonal"}, "Gingerbread season. Ask for a slice with your flat white."},
	{2, "11:15", []int{2}, []string{"Community"}, "Thank you for 10,000 members! A free refill on us all weekend."},
	{3, "07:30", []int{0}, nil, "Doors open at 7:30. The first batch of cinnamon buns is out at 8."},
	{3, "10:00", []int{0, 1, 2}, []string{"Launch"}, "Northwind at home: our beans now ship in fully compostable bags."},
	{4, "08:30", []int{1}, []string{"Events"}, "Cupping session tonight at 19:00: three single origins from Ethiopia."},
	{5, "09:30", []int{0}, []string{"Seasonal"}, "Saturday special: hot chocolate with cardamom cream."},
	{6, "10:45", []int{2}, []string{"Community"}, "Sunday reading corner: bring a book, take a book."},
}

// publishedPosts are published while the data is made.
var publishedPosts = []seedPost{
	{accounts: []int{0}, labels: []string{"Launch"}, text: "Good morning! The new espresso machine is in, and it is fast."},
	{accounts: []int{1}, labels: []string{"Events"}, text: "Photos from yesterday's barista workshop are up on our site."},
	{accounts: []int{0, 2}, labels: []string{"Community"}, text: "Meet Lena, who roasts every bean we serve."},
}

// TestScreenshots builds a realistic workspace through the API of a real
// server (three test-platform accounts, labelled posts over the coming
// week, some published, one failed), then checks the home page, the week
// on the calendar and the composer with previews for two accounts in a
// desktop browser, then home and the calendar on a phone, and last, with
// two months of history written while the server is stopped (seedHistory),
// the analytics overview and the tracked links. With -update it writes
// them to docs/screenshots.
func TestScreenshots(t *testing.T) {
	ctx := chrome(t, zone, shotWidth, shotHeight)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	plat := startPlatform(t, fakeserver.Config{})
	srv := newServer(t)
	cli(t, srv.env, password+"\n", "user", "create", "--email", "ana@example.com", "--name", "Ana Lima",
		"--workspace", "Northwind Coffee", "--time-zone", zone, "--password-stdin")
	token := strings.TrimSpace(cli(t, srv.env, "", "token", "create", "--email", "ana@example.com",
		"--workspace", "1", "--role", "owner", "--name", "screenshots"))
	srv.start(t)
	a := api{t: t, base: srv.url + "/api/v1/workspaces/1", token: token}

	var accts []herald.Account
	for _, p := range []struct{ remote, name string }{
		{"northwind", "Northwind Coffee"}, {"northwind_berlin", "Northwind Berlin"}, {"beanclub", "Bean Club"},
	} {
		var acct herald.Account
		a.do(http.MethodPost, "/accounts/connect-password", map[string]string{
			"platform": string(herald.PlatformFake), "identifier": plat.url, "password": p.remote}, http.StatusCreated, &acct)
		a.do(http.MethodPatch, fmt.Sprintf("/accounts/%d", acct.ID), map[string]string{"display_name": p.name}, http.StatusOK, &acct)
		accts = append(accts, acct)
	}
	labels := map[string]int64{}
	for _, l := range []struct{ name, color string }{
		{"Launch", "#d97706"}, {"Events", "#2563eb"}, {"Seasonal", "#16a34a"}, {"Community", "#9333ea"},
	} {
		var got herald.Label
		a.do(http.MethodPost, "/labels", map[string]string{"name": l.name, "color": l.color}, http.StatusCreated, &got)
		labels[l.name] = got.ID
	}

	now := time.Now().In(loc)
	create := func(p seedPost, at time.Time) herald.Post {
		t.Helper()
		var targets []map[string]any
		for _, i := range p.accounts {
			targets = append(targets, map[string]any{"account_id": accts[i].ID, "scheduled_at": at})
		}
		ids := []int64{}
		for _, l := range p.labels {
			ids = append(ids, labels[l])
		}
		var out herald.Post
		a.do(http.MethodPost, "/posts", map[string]any{"text": p.text, "label_ids": ids, "targets": targets,
			"action": "schedule"}, http.StatusCreated, &out)
		return out
	}
	for _, p := range seedPosts {
		var at time.Time
		if d, err := time.ParseDuration(strings.TrimPrefix(p.clock, "+")); err == nil && strings.HasPrefix(p.clock, "+") {
			at = now.Add(d).Truncate(15 * time.Minute)
		} else {
			c, err := time.Parse("15:04", p.clock)
			if err != nil {
				t.Fatal(err)
			}
			day := now.AddDate(0, 0, p.day)
			at = time.Date(day.Year(), day.Month(), day.Day(), c.Hour(), c.Minute(), 0, 0, loc)
		}
		create(p, at)
	}

	// Published now, then one the platform refuses: scheduled while the
	// platform allows 500 characters, published once it allows 100.
	var ids []int64
	for _, p := range publishedPosts {
		ids = append(ids, create(p, now.Add(time.Hour)).ID)
	}
	for _, id := range ids {
		a.do(http.MethodPost, fmt.Sprintf("/posts/%d/publish-now", id), nil, http.StatusOK, nil)
	}
	waitStates(t, a, ids, herald.StatePublished)
	failed := create(seedPost{accounts: []int{1}, labels: []string{"Events"}, text: "Open mic night is back! Every " +
		"Thursday from 19:00 at the Kreuzberg shop: poetry, acoustic sets and stand-up, with our baristas " +
		"pouring until late. Put your name on the list at the counter, or just come and listen. " +
		"Hot cider and the winter blend on tap all evening."}, now.Add(3*time.Hour))
	plat.configure(t, fakeserver.Config{MaxChars: 100})
	a.do(http.MethodPost, fmt.Sprintf("/posts/%d/publish-now", failed.ID), nil, http.StatusOK, nil)
	waitStates(t, a, []int64{failed.ID}, herald.StateFailed)
	plat.configure(t, fakeserver.Config{})

	wsURL := srv.url + "/w/1"
	var home, calendar, composer []byte
	var text string
	var n int
	run(t, ctx, "sign in", signIn(srv.url, "ana@example.com", password)...)
	run(t, ctx, "home",
		chromedp.Navigate(wsURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		into(&home, chromedp.CaptureScreenshot()),
	)
	for _, s := range []string{"Open mic night is back", "Our winter blend is back"} {
		if !strings.Contains(text, s) {
			t.Errorf("the home page lacks %q: %q", s, text)
		}
	}
	run(t, ctx, "calendar",
		chromedp.Navigate(wsURL+"/calendar?view=week&color=label&date="+now.Format(time.DateOnly)),
		chromedp.WaitVisible(chromedp.CSS("#calendar .cal-entry")),
		into(&n, chromedp.Evaluate[int](`document.querySelectorAll("#calendar .cal-entry").length`)),
		into(&text, chromedp.Text(chromedp.CSS("#calendar"))),
		// The morning, where the posts begin; the days' names stay on top.
		chromedp.Evaluate[chromedp.Void](`(() => { const h = document.querySelector('.cal-wday .cal-hour[data-hour="07:00"]');
			const head = document.querySelector(".cal-wday .cal-date");
			window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - head.offsetHeight); })()`),
		into(&calendar, chromedp.CaptureScreenshot()),
	)
	if n < 3 || !strings.Contains(text, "Our winter blend") {
		t.Errorf("the calendar's week shows %d entries: %q", n, text)
	}
	img := photo(t, t.TempDir(), "winter-blend.png", 640, 400)
	run(t, ctx, "composer",
		chromedp.Navigate(wsURL+"/compose"),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		poll(fmt.Sprintf(`(() => { for (const id of [%d, %d]) { const c = document.getElementById("account-" + id);
			if (!c.checked) c.click(); } return true; })()`, accts[0].ID, accts[1].ID)),
		chromedp.SendKeys(chromedp.CSS("#text-0"), "Our winter blend is back: dark chocolate, orange peel and a hint of clove. "+
			"In every shop from Monday #coffee https://northwind.example/winter"),
		chromedp.SetUploadFiles(chromedp.CSS("#file-0"), []string{img}),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item`)),
		chromedp.SendKeys(chromedp.CSS(`fieldset.part[data-part="0"] .media-item textarea`), "A cup of the winter blend"),
		poll(`document.querySelectorAll("#checks .pv-post").length >= 2 && document.querySelector("#checks .pv-image img") !== null`),
		poll(`document.getElementById("autosave-status").textContent.startsWith("Saved ")`),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`),
		into(&text, chromedp.Text(chromedp.CSS("#checks"))),
		into(&composer, chromedp.CaptureScreenshot()),
	)
	if !strings.Contains(text, "Northwind Coffee") || !strings.Contains(text, "Northwind Berlin") {
		t.Errorf("the previews are not for both accounts: %q", text)
	}

	// The same on a phone: home, and the calendar as a phone opens it.
	var homePhone, calendarPhone []byte
	var folded bool
	run(t, ctx, "home on a phone",
		chromedp.EmulateViewport(phoneWidth, phoneHeight),
		chromedp.Navigate(wsURL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		chromedp.WaitVisible(chromedp.CSS("#menu-toggle")),
		into(&folded, chromedp.Evaluate[bool](`document.getElementById("nav-calendar").getClientRects().length === 0`)),
		into(&homePhone, chromedp.CaptureScreenshot()),
	)
	if !folded {
		t.Errorf("on a phone the header's sections are not folded behind the menu button")
	}
	run(t, ctx, "calendar on a phone",
		chromedp.Navigate(wsURL+"/calendar?color=label&date="+now.Format(time.DateOnly)),
		chromedp.WaitVisible(chromedp.CSS("#calendar")),
		into(&text, chromedp.Text(chromedp.CSS("#calendar"))),
		into(&calendarPhone, chromedp.CaptureScreenshot()),
	)
	if !strings.Contains(text, "Our winter blend") {
		t.Errorf("the calendar on a phone lacks today's post: %q", text)
	}

	// Two months of history, written while the server is stopped; then
	// the analytics overview and the links page on a desktop.
	var me struct {
		User herald.User `json:"user"`
	}
	(api{t: t, base: srv.url + "/api/v1", token: token}).do(http.MethodGet, "/me", nil, http.StatusOK, &me)
	// Listening and the crisis playbook, before the incident opens.
	var topic herald.ListenTopic
	a.do(http.MethodPost, "/listen/topics", map[string]any{"name": "Northwind",
		"rules": map[string]any{"any": []string{"northwind"}}}, http.StatusCreated, &topic)
	var statement herald.PlaybookEntry
	a.do(http.MethodPost, "/playbook/entries", map[string]any{"kind": "statement", "title": "Payments outage",
		"body": "Payments in our app are failing right now. We are on it and will post here within the hour. Cash and cards work in every shop."},
		http.StatusCreated, &statement)
	a.do(http.MethodPost, fmt.Sprintf("/playbook/entries/%d/approve", statement.ID), nil, http.StatusOK, nil)
	a.do(http.MethodPut, "/playbook/checklist", map[string]any{"steps": []map[string]any{
		{"title": "Tell the shops' managers", "owner_id": me.User.ID}, {"title": "Ask the app team for an estimate"},
		{"title": "Post the holding statement"}}}, http.StatusOK, nil)
	srv.stop()
	seedHistory(t, srv.dataDir, 1, me.User.ID, accts, loc)
	incident := seedListening(t, srv.dataDir, 1, topic.ID)
	srv.start(t)
	wsURL = srv.url + "/w/1"
	var analytics, links []byte
	run(t, ctx, "analytics",
		chromedp.EmulateViewport(shotWidth, shotHeight),
		chromedp.Navigate(wsURL+"/analytics?days=28"),
		chromedp.WaitVisible(chromedp.CSS("#chart-days canvas")),
		chromedp.WaitVisible(chromedp.CSS("#chart-growth canvas")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		into(&analytics, chromedp.CaptureScreenshot()),
	)
	for _, s := range []string{"Engagements", "Link clicks", "Breakdown"} {
		if !strings.Contains(text, s) {
			t.Errorf("the analytics page lacks %q", s)
		}
	}
	run(t, ctx, "links and conversions",
		chromedp.Navigate(wsURL+"/analytics/links"),
		chromedp.WaitVisible(chromedp.CSS("#links-list")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.getElementById("links-list").getBoundingClientRect().top + window.scrollY - 16)`),
		into(&links, chromedp.CaptureScreenshot()),
	)
	if !strings.Contains(text, "/l/Nw") || !strings.Contains(text, "purchase") || !strings.Contains(text, historyPosts[3]) {
		t.Errorf("the links page lacks the tracked links, their posts or their purchases: %q", text)
	}

	var listening, incidentShot []byte
	run(t, ctx, "a listening topic",
		chromedp.Navigate(fmt.Sprintf("%s/listen/%d?period=7d", wsURL, topic.ID)),
		chromedp.WaitVisible(chromedp.CSS("#listen-stream")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		// The rising terms, then the terms that come with the topic.
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.getElementById("listen-rising-title").getBoundingClientRect().top + window.scrollY - 16)`),
		into(&listening, chromedp.CaptureScreenshot()),
	)
	if !strings.Contains(text, "outage") || !strings.Contains(text, "Northwind app is down") {
		t.Errorf("the topic page lacks the outage as a rising term or in the stream: %q", text)
	}
	run(t, ctx, "an incident",
		chromedp.Navigate(fmt.Sprintf("%s/incidents/%d", wsURL, incident)),
		chromedp.WaitVisible(chromedp.CSS("#incident-checklist")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		// The hold offered, the checklist and the approved statement.
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, document.getElementById("incident-hold").getBoundingClientRect().top + window.scrollY - 16)`),
		into(&incidentShot, chromedp.CaptureScreenshot()),
	)
	for _, s := range []string{"Hold all scheduled posts", "Tell the shops' managers", "Payments outage", "Publish now"} {
		if !strings.Contains(text, s) {
			t.Errorf("the incident page lacks %q", s)
		}
	}

	for _, s := range []struct {
		name string
		png  []byte
		w, h int
	}{
		{"listening.png", listening, shotWidth, shotHeight}, {"incident.png", incidentShot, shotWidth, shotHeight},
		{"analytics.png", analytics, shotWidth, shotHeight}, {"links.png", links, shotWidth, shotHeight},
		{"home.png", home, shotWidth, shotHeight}, {"calendar.png", calendar, shotWidth, shotHeight},
		{"composer.png", composer, shotWidth, shotHeight},
		{"home-phone.png", homePhone, phoneWidth, phoneHeight}, {"calendar-phone.png", calendarPhone, phoneWidth, phoneHeight},
	} {
		cfg, err := png.DecodeConfig(bytes.NewReader(s.png))
		if err != nil || cfg.Width != s.w || cfg.Height != s.h {
			t.Fatalf("%s is not a %d×%d PNG: %+v, %v", s.name, s.w, s.h, cfg, err)
		}
		if !*update {
			continue
		}
		if err := os.WriteFile(filepath.Join(shotDir, s.name), s.png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d KB)", filepath.Join(shotDir, s.name), len(s.png)>>10)
	}
}

// waitStates waits until every target of the posts is in state.
func waitStates(t *testing.T, a api, ids []int64, state herald.TargetState) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			var p herald.Post
			a.do(http.MethodGet, fmt.Sprintf("/posts/%d", id), nil, http.StatusOK, &p)
			var other []string
			for _, tg := range p.Targets {
				if tg.State != state {
					other = append(other, fmt.Sprintf("%s (%s)", tg.State, tg.LastError))
				}
			}
			if len(other) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("post %d: targets still %s, want %s", id, strings.Join(other, ", "), state)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
