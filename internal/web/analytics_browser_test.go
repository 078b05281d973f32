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

// analyticsView is what the analytics page draws.
type analyticsView struct {
	DaysCanvas   bool   `json:"daysCanvas"`
	GrowthCanvas bool   `json:"growthCanvas"`
	Engagements  string `json:"engagements"`
	TableRows    int    `json:"tableRows"`
	Overflow     bool   `json:"overflow"`
}

const analyticsViewJS = `(() => ({
	daysCanvas: !!document.querySelector("#chart-days canvas"),
	growthCanvas: !!document.querySelector("#chart-growth canvas"),
	engagements: document.querySelector("#total-engagements .stat-value").textContent.trim(),
	tableRows: document.querySelectorAll("#analytics-days tbody tr").length,
	overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
}))()`

// TestBrowserAnalytics opens the overview in a browser, on a desktop and a
// phone: the charts draw (uPlot under the page's policy, which the harness
// checks for violations), the figures and the day table are there, the
// page does not scroll sideways, and the period picker and the best-time
// account picker lead to their views.
func TestBrowserAnalytics(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	now := time.Now()
	for i, f := range []int64{300, 320, 345} {
		if err := e.store.PutAccountSnapshot(context.Background(), herald.AccountSnapshot{WorkspaceID: w.ID, AccountID: acct.ID,
			At: now.Add(time.Duration(i-2) * 24 * time.Hour).Add(-time.Minute), Followers: f, Following: 3, Posts: 9}); err != nil {
			t.Fatal(err)
		}
	}
	e.analyticsPost(owner, w, acct, "Launch day", now.Add(-26*time.Hour), 12, 3, 5)
	e.analyticsPost(owner, w, acct, "Quiet tip", now.Add(-3*time.Hour), 1, 0, 1)
	base := fmt.Sprintf("%s/w/%d/analytics", e.srv.URL, w.ID)
	var v analyticsView
	run(t, ctx, "sign in and open analytics", append(signInAt(base, "ana@example.com"),
		chromedp.WaitVisible(chromedp.CSS("#chart-days canvas")),
		into(&v, chromedp.Evaluate[analyticsView](analyticsViewJS)))...)
	if !v.DaysCanvas || !v.GrowthCanvas || v.Engagements != "22" || v.TableRows != 28 || v.Overflow {
		t.Fatalf("desktop view %+v, want both charts, 22 engagements, 28 days, no sideways scroll", v)
	}
	run(t, ctx, "seven days on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Click(chromedp.CSS("#period-7")),
		chromedp.WaitVisible(chromedp.CSS("strong#period-7")),
		chromedp.WaitVisible(chromedp.CSS("#chart-days canvas")),
		into(&v, chromedp.Evaluate[analyticsView](analyticsViewJS)))
	if !v.DaysCanvas || v.TableRows != 7 || v.Overflow {
		t.Fatalf("phone view %+v, want the chart, 7 days, no sideways scroll", v)
	}
	var list string
	run(t, ctx, "best times of one account",
		chromedp.SetValue(chromedp.CSS("#best-account"), fmt.Sprint(acct.ID)),
		chromedp.Click(chromedp.CSS("#best-apply")),
		chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`#best-account option[selected][value="%d"]`, acct.ID))),
		into(&list, chromedp.Evaluate[string](`document.querySelector("#best-account").value + "|" + location.search`)))
	if list != fmt.Sprintf("%d|?days=7&rate=followers&account=%d", acct.ID, acct.ID) {
		t.Fatalf("after choosing the account: %q", list)
	}
	var made struct {
		Link     string `json:"link"`
		Overflow bool   `json:"overflow"`
	}
	run(t, ctx, "links and conversions: a tracked short link from the builder, on a phone",
		chromedp.Click(chromedp.CSS("#analytics-links")),
		chromedp.WaitVisible(chromedp.CSS("#utm-builder")),
		chromedp.SendKeys(chromedp.CSS("#builder-url"), "https://shop.example.com/spring"),
		chromedp.SendKeys(chromedp.CSS("#utm-builder #utm_campaign"), "spring"),
		chromedp.Click(chromedp.CSS("#builder-short")),
		chromedp.WaitVisible(chromedp.CSS("#builder-made")),
		into(&made, chromedp.Evaluate[struct {
			Link     string `json:"link"`
			Overflow bool   `json:"overflow"`
		}](`(() => ({link: document.querySelector("#builder-made").textContent,
			overflow: document.documentElement.scrollWidth > window.innerWidth + 1}))()`)))
	if !strings.Contains(made.Link, e.srv.URL+"/l/") || !strings.Contains(made.Link, "utm_campaign=spring") || made.Overflow {
		t.Fatalf("made %+v", made)
	}
}
