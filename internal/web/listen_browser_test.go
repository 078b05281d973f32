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

// listenView is what a topic's page shows.
type listenView struct {
	Title     string   `json:"title"`
	Total     string   `json:"total"`
	Positive  string   `json:"positive"`
	Neutral   string   `json:"neutral"`
	Negative  string   `json:"negative"`
	DayRows   int      `json:"dayRows"`
	DaySum    int      `json:"daySum"`
	Stream    []string `json:"stream"`
	Evidence  []string `json:"evidence"`
	Rising    bool     `json:"rising"`
	Sentiment string   `json:"sentiment"`
	Overflow  bool     `json:"overflow"`
}

const listenViewJS = `(() => {
	const text = (sel) => { const el = document.querySelector(sel); return el ? el.textContent.trim() : ""; };
	let sum = 0;
	for (const td of document.querySelectorAll("#listen-days tbody tr td:last-child")) sum += Number(td.textContent.trim());
	return {
		title: text("h1"),
		total: text("#listen-total"),
		positive: text("#listen-total-positive"),
		neutral: text("#listen-total-neutral"),
		negative: text("#listen-total-negative"),
		dayRows: document.querySelectorAll("#listen-days tbody tr").length,
		daySum: sum,
		stream: [...document.querySelectorAll("#listen-stream .inbox-text")].map((p) => p.textContent.trim()),
		evidence: [...document.querySelectorAll("#listen-stream [id^=evidence-]")].map((p) => p.textContent.trim()),
		rising: !!document.querySelector("#listen-rising-title") &&
			!!(document.querySelector("#listen-rising") || document.querySelector("#listen-rising-empty")),
		sentiment: document.querySelector("#listen-filter-sentiment").value,
		overflow: document.documentElement.scrollWidth > window.innerWidth + 1,
	};
})()`

// TestBrowserListen creates a listening topic in a browser: Listening from
// the header, the form's Preview over what another topic kept, then Save;
// with matches stored, the topic's page shows the totals, the days, the
// stream with its evidence and the rising terms, the sentiment filter
// narrows the stream, and a phone's width does not scroll sideways. The
// harness fails the test on any policy violation or console error.
func TestBrowserListen(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	bg := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	svc := e.withListen()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	// Another topic kept a post that mentions Acme: the preview finds it.
	other, err := svc.Create(bg, actor, herald.ListenTopic{Name: "Rivals", Rules: herald.TopicRule{Any: []string{"zenith"}}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := e.store.AddListenMatches(bg, []herald.ListenMatch{
		listenMatch(w.ID, other.ID, "r1", "eve", "Zenith versus Acme: a comparison", "neutral", now.Add(-5*time.Hour), "zenith"),
		listenMatch(w.ID, other.ID, "r2", "eve", "Zenith opens a shop", "neutral", now.Add(-6*time.Hour), "zenith"),
	}); err != nil {
		t.Fatal(err)
	}

	var loc, text string
	run(t, ctx, "sign in on a desktop and open Listening from the header", append(append([]chromedp.Action[chromedp.Void]{
		chromedp.EmulateViewport(1280, 900)},
		signInAt(fmt.Sprintf("%s/w/%d/", e.srv.URL, w.ID), "ana@example.com")...),
		chromedp.WaitVisible(chromedp.CSS("#nav-listen")),
		clickNav("#nav-listen"),
		chromedp.WaitVisible(chromedp.CSS("#listen-new")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("#listen-topics"))),
	)...)
	if !strings.HasSuffix(loc, listenURL(w.ID)) || !strings.Contains(text, "Rivals") {
		t.Fatalf("Listening at %s lists %q", loc, text)
	}

	var preview struct {
		Count    string   `json:"count"`
		Items    []string `json:"items"`
		Evidence []string `json:"evidence"`
		Name     string   `json:"name"`
		Any      string   `json:"any"`
		None     string   `json:"none"`
	}
	run(t, ctx, "fill in the form and preview",
		chromedp.Click(chromedp.CSS("#listen-new")),
		chromedp.WaitVisible(chromedp.CSS("#listen-form")),
		chromedp.SendKeys(chromedp.CSS("#listen-name"), "Brand"),
		chromedp.SendKeys(chromedp.CSS("#listen-any"), "acme\nacme corp"),
		chromedp.SendKeys(chromedp.CSS("#listen-none"), "giveaway"),
		chromedp.SendKeys(chromedp.CSS("#listen-languages"), "en"),
		chromedp.Click(chromedp.CSS("#listen-preview")),
		chromedp.WaitVisible(chromedp.CSS("#listen-preview-result")),
		into(&preview, chromedp.Evaluate[struct {
			Count    string   `json:"count"`
			Items    []string `json:"items"`
			Evidence []string `json:"evidence"`
			Name     string   `json:"name"`
			Any      string   `json:"any"`
			None     string   `json:"none"`
		}](`(() => ({
			count: document.querySelector("#listen-preview-count").textContent.trim(),
			items: [...document.querySelectorAll("#listen-preview-matches .inbox-text")].map((p) => p.textContent.trim()),
			evidence: [...document.querySelectorAll("#listen-preview-matches [id^=preview-evidence-]")].map((p) => p.textContent.trim()),
			name: document.querySelector("#listen-name").value,
			any: document.querySelector("#listen-any").value,
			none: document.querySelector("#listen-none").value,
		}))()`)),
	)
	if preview.Count != "1 of 2 recent matches (last 7 days) would match." || len(preview.Items) != 1 ||
		preview.Items[0] != "Zenith versus Acme: a comparison" || len(preview.Evidence) != 1 || preview.Evidence[0] != "matched: acme" ||
		preview.Name != "Brand" || preview.Any != "acme\nacme corp" || preview.None != "giveaway" {
		t.Fatalf("preview %+v", preview)
	}
	if ts, _ := e.store.ListListenTopics(bg, w.ID); len(ts) != 1 {
		t.Fatalf("the preview saved a topic: %+v", ts)
	}

	run(t, ctx, "save the topic",
		chromedp.Click(chromedp.CSS("#listen-save")),
		chromedp.WaitVisible(chromedp.CSS("#listen-totals")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("h1"))),
	)
	var brand herald.ListenTopic
	ts, err := e.store.ListListenTopics(bg, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Name == "Brand" {
			brand = x
		}
	}
	if brand.ID == 0 || strings.Join(brand.Rules.Any, "|") != "acme|acme corp" || strings.Join(brand.Rules.None, "|") != "giveaway" ||
		strings.Join(brand.Rules.Languages, "|") != "en" {
		t.Fatalf("stored topics %+v", ts)
	}
	if !strings.HasSuffix(loc, listenTopicURL(w.ID, brand.ID, "")) || text != "Listening: Brand" {
		t.Fatalf("after saving: %s %q", loc, text)
	}

	ms := []herald.ListenMatch{
		listenMatch(w.ID, brand.ID, "1", "bob", "I love the Acme rocket", "positive", now.Add(-2*time.Hour), "acme"),
		listenMatch(w.ID, brand.ID, "2", "cat", "Acme boots arrived late again", "negative", now.Add(-3*time.Hour), "acme"),
		listenMatch(w.ID, brand.ID, "3", "dan", "Acme corp opens a new shop", "neutral", now.Add(-50*time.Hour), "acme corp"),
		listenMatch(w.ID, brand.ID, "4", "cat", "Acme support never answers", "negative", now.Add(-74*time.Hour), "acme"),
	}
	if n, err := e.store.AddListenMatches(bg, ms); err != nil || n != len(ms) {
		t.Fatalf("add matches: %d %v", n, err)
	}
	var v listenView
	run(t, ctx, "reload with matches",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#listen-stream li")),
		into(&v, chromedp.Evaluate[listenView](listenViewJS)),
	)
	wantStream := []string{"I love the Acme rocket", "Acme boots arrived late again", "Acme corp opens a new shop", "Acme support never answers"}
	if v.Total != "4" || v.Positive != "1" || v.Neutral != "1" || v.Negative != "2" || v.DayRows < 4 || v.DaySum != 4 ||
		strings.Join(v.Stream, "|") != strings.Join(wantStream, "|") ||
		strings.Join(v.Evidence, "|") != "matched: acme|matched: acme|matched: acme corp|matched: acme" || !v.Rising || v.Sentiment != "" ||
		v.Overflow {
		t.Fatalf("the topic's page %+v", v)
	}

	run(t, ctx, "filter the stream to negative matches",
		chromedp.SetValue(chromedp.CSS("#listen-filter-sentiment"), "negative"),
		chromedp.Click(chromedp.CSS("#listen-apply-filters")),
		chromedp.WaitReady(chromedp.CSS(`#listen-filter-sentiment option[value="negative"][selected]`)),
		chromedp.WaitVisible(chromedp.CSS("#listen-stream li")),
		into(&loc, chromedp.Location()),
		into(&v, chromedp.Evaluate[listenView](listenViewJS)),
	)
	if strings.Join(v.Stream, "|") != "Acme boots arrived late again|Acme support never answers" || v.Sentiment != "negative" ||
		v.Total != "4" || !strings.Contains(loc, "sentiment=negative") {
		t.Fatalf("filtered to negative at %s: %+v", loc, v)
	}

	run(t, ctx, "the filtered page on a phone",
		chromedp.EmulateViewport(390, 844),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#listen-stream li")),
		into(&v, chromedp.Evaluate[listenView](listenViewJS)),
	)
	if len(v.Stream) != 2 || v.Overflow || !v.Rising || v.DaySum != 4 {
		t.Fatalf("on a phone: %+v", v)
	}
	run(t, ctx, "every topic's page on a phone",
		chromedp.Navigate(e.srv.URL+listenTopicURL(w.ID, 0, "")),
		chromedp.WaitVisible(chromedp.CSS("#listen-stream li")),
		into(&v, chromedp.Evaluate[listenView](listenViewJS)),
	)
	if v.Title != "Listening: every topic" || v.Total != "6" || len(v.Stream) != 6 || v.Overflow {
		t.Fatalf("every topic on a phone: %+v", v)
	}
}
