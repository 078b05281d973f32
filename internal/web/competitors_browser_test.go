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

// TestBrowserCompetitors opens the competitors page with two brands'
// mentions stored: the share-of-voice chart is drawn (uPlot's canvas,
// under the page's content security policy: the harness fails the test
// on any violation or console error), its table holds a row per day, and
// a phone's width does not scroll sideways.
func TestBrowserCompetitors(t *testing.T) {
	ctx := chrome(t, "UTC")
	e := newEnv(t)
	bg := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	listenSvc := e.withListen()
	fake := e.withCompetitors(w)
	fake.CreateAccount("rival.test", "Rival")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	brand, err := listenSvc.Create(bg, actor, herald.ListenTopic{Name: "Acme", Rules: herald.TopicRule{Any: []string{"acme"}}})
	if err != nil {
		t.Fatal(err)
	}
	rivalTopic, err := listenSvc.Create(bg, actor, herald.ListenTopic{Name: "Rival", Rules: herald.TopicRule{Any: []string{"rival"}}})
	if err != nil {
		t.Fatal(err)
	}
	svc := e.web.d.Competitors
	if _, err := svc.SetOwnTopic(bg, actor, brand.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(bg, actor, competitorInput("Rival", rivalTopic.ID, "rival.test")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	var ms []herald.ListenMatch
	for i, tp := range []int64{brand.ID, brand.ID, rivalTopic.ID} {
		ms = append(ms, listenMatch(w.ID, tp, fmt.Sprint("m", i), "fan", "text", "neutral", now.Add(-time.Duration(i+1)*time.Minute)))
	}
	if _, err := e.store.AddListenMatches(bg, ms); err != nil {
		t.Fatal(err)
	}

	var view struct {
		Canvas   bool   `json:"canvas"`
		Rows     int    `json:"rows"`
		Legend   string `json:"legend"`
		Overflow bool   `json:"overflow"`
	}
	const js = `(() => ({
		canvas: !!document.querySelector("#chart-voice canvas"),
		rows: document.querySelectorAll("#voice-table tbody tr").length,
		legend: (document.querySelector("#chart-voice .u-legend") || {textContent: ""}).textContent,
		overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
	}))()`
	run(t, ctx, "open the competitors page on a desktop", append(append([]chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(1280, 900)},
		signInAt(e.srv.URL+competitorsURL(w.ID)+"?days=7", "ana@example.com")...),
		chromedp.WaitVisible(chromedp.CSS("#chart-voice canvas")),
		into(&view, chromedp.Evaluate[struct {
			Canvas   bool   `json:"canvas"`
			Rows     int    `json:"rows"`
			Legend   string `json:"legend"`
			Overflow bool   `json:"overflow"`
		}](js)),
	)...)
	if !view.Canvas || view.Rows != 7 || !strings.Contains(view.Legend, "Acme") || !strings.Contains(view.Legend, "Rival") {
		t.Fatalf("desktop view %+v", view)
	}
	run(t, ctx, "the same page on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#chart-voice canvas")),
		into(&view, chromedp.Evaluate[struct {
			Canvas   bool   `json:"canvas"`
			Rows     int    `json:"rows"`
			Legend   string `json:"legend"`
			Overflow bool   `json:"overflow"`
		}](js)),
	)
	if view.Overflow {
		t.Errorf("the page scrolls sideways on a phone: %+v", view)
	}
}
