package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// signInSized opens Herald at the given window size and signs in as email.
func signInSized(t *testing.T, ctx context.Context, base, email string, width, height int64) {
	t.Helper()
	run(t, ctx, fmt.Sprintf("sign in at %dx%d", width, height),
		chromedp.EmulateViewport(width, height))
	signInChrome(t, ctx, base, email)
}

// layoutProblems lists what is wrong with the page's layout: content
// wider than the window, and legends drawn across their fieldset's border.
const layoutProblems = `(() => {
	const out = [];
	const doc = document.documentElement;
	if (doc.scrollWidth > window.innerWidth) {
		const wide = [...document.querySelectorAll("main *")].filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
			.slice(0, 3).map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : ""));
		out.push("the page is " + doc.scrollWidth + "px wide in a " + window.innerWidth + "px window: " + wide.join(", "));
	}
	for (const lg of document.querySelectorAll("fieldset > legend")) {
		const fs = lg.parentElement, r = lg.getBoundingClientRect(), f = fs.getBoundingClientRect();
		if (r.width === 0 || f.width === 0) continue; // not shown
		// A legend that is neither floated nor positioned is the fieldset's
		// "rendered legend" (HTML's rendering rules): the fieldset's border,
		// background and shadow start at its middle, so that it straddles them.
		const fcs = getComputedStyle(fs), lcs = getComputedStyle(lg);
		const box = parseFloat(fcs.borderTopWidth) > 0 || fcs.boxShadow !== "none" ||
			(fcs.backgroundColor !== "rgba(0, 0, 0, 0)" && fcs.backgroundColor !== getComputedStyle(fs.parentElement).backgroundColor);
		const name = "the legend “" + lg.textContent.trim().slice(0, 30) + "”";
		if (box && lcs.float === "none" && lcs.position !== "absolute") {
			out.push(name + " is drawn across the top of its box");
		}
		if (r.top < f.top - 0.5 || r.left < f.left - 0.5 || r.right > f.right + 0.5) {
			out.push(name + " sticks out of its box");
		}
	}
	return out;
})()`

// TestBrowserPagesFit opens every page this test can fill at a phone's
// width and a desktop's: nothing is wider than the window, and no section
// title is drawn across its box's border.
func TestBrowserPagesFit(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme Rockets and Satellites")
	acct := e.account(owner, w, "@acme")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	bg := context.Background()
	e.member(w, "bartholomew.longname@example.com", herald.RoleContributor)
	e.member(w, "ed@example.com", herald.RoleEditor)
	if _, _, err := e.ws.Invite(bg, actor, "someone.with.a.long.address@example.com", herald.RoleManager); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.auth.CreateToken(bg, actor, "Newsletter sync", herald.RoleAnalyst, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.labels.Create(bg, actor, herald.Label{Name: "Product launch", Color: "#be185d"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.campaigns.Create(bg, actor, herald.Campaign{Name: "Spring sale", Goal: "Sell 100", StartDate: "2026-03-01", EndDate: "2026-03-31"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.accounts.SetSchedule(bg, actor, acct.ID, herald.PostingSchedule{Slots: []herald.PostingSlot{
		{Day: "monday", Time: "09:00"}, {Day: "monday", Time: "17:30"}, {Day: "friday", Time: "12:00"}}}); err != nil {
		t.Fatal(err)
	}
	e.scheduled(owner, w, acct, "Launch day", time.Now().Add(3*time.Hour))
	if _, err := e.feeds.Create(bg, actor, herald.Feed{URL: "https://blog.example/feed.xml", Name: "Orchard blog",
		Mode: herald.FeedQueue, AccountIDs: []int64{acct.ID}}); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	ws := wsURL(w.ID)
	pages := []string{
		ws, ws + "compose", ws + "approvals", ws + "media", ws + "accounts",
		fmt.Sprintf("%saccounts/%d/schedule", ws, acct.ID), ws + "crisis",
		settingsURL(w.ID, ""), settingsURL(w.ID, "members"), settingsURL(w.ID, "tokens"), settingsURL(w.ID, "audit"),
		labelsURL(w.ID), campaignsURL(w.ID), feedsURL(w.ID), "/me", "/no/such/page",
	}
	signInSized(t, ctx, base, "ana@example.com", 390, 844)
	for _, size := range []struct{ w, h int64 }{{390, 844}, {1280, 900}} {
		run(t, ctx, fmt.Sprintf("a %dx%d window", size.w, size.h), chromedp.EmulateViewport(size.w, size.h))
		for _, path := range pages {
			var problems []string
			run(t, ctx, fmt.Sprintf("%s at %dpx", path, size.w),
				chromedp.Navigate(base+path),
				chromedp.WaitVisible(chromedp.CSS("main h1")),
				into(&problems, chromedp.Evaluate[[]string](layoutProblems)),
			)
			if len(problems) > 0 {
				t.Errorf("%s at %dpx: %s", path, size.w, strings.Join(problems, "; "))
			}
		}
	}
}

// TestBrowserLabelsAndCampaigns creates, recolours, renames and deletes a
// label and creates a campaign in a real browser, on a desktop, then
// checks the composer's box links to them on a phone.
func TestBrowserLabelsAndCampaigns(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	e.account(owner, w, "@acme")
	base := e.srv.URL
	bg := context.Background()
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	var text string
	var checked bool

	signInSized(t, ctx, base, "ana@example.com", 1280, 900)
	run(t, ctx, "open the labels from the settings",
		chromedp.Click(chromedp.CSS("#nav-settings")),
		chromedp.WaitVisible(chromedp.CSS("#tab-labels")),
		chromedp.Click(chromedp.CSS("#tab-labels")),
		chromedp.WaitVisible(chromedp.CSS("#new-label-form")),
		into(&text, chromedp.Text(chromedp.CSS("#labels-empty"))),
	)
	if !strings.Contains(text, "No labels yet.") {
		t.Fatalf("labels before any: %q", text)
	}
	run(t, ctx, "create a pink label",
		chromedp.SendKeys(chromedp.CSS("#new-label-name"), "Launch"),
		chromedp.Click(chromedp.CSS(`label:has(#new-label-color-swatch-pink)`)),
		chromedp.Click(chromedp.CSS("#new-label-submit")),
		chromedp.WaitVisible(chromedp.CSS("#labels")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	ls, err := e.labels.List(bg, actor)
	if err != nil || len(ls) != 1 || ls[0].Color != "#be185d" || !strings.Contains(text, "Created the label “Launch”") {
		t.Fatalf("after creating: %+v, %v; page %q", ls, err, text)
	}
	id := itoa(ls[0].ID)
	var dot string
	run(t, ctx, "the label shows in its colour",
		waitFor(`getComputedStyle(document.querySelector("#label-`+id+` .label-dot")).backgroundColor === "rgb(190, 24, 93)"`),
		into(&dot, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#label-`+id+` .label-dot")).backgroundColor`)),
	)
	run(t, ctx, "pick another colour and rename",
		chromedp.Click(chromedp.CSS("#edit-label-"+id+" summary")),
		chromedp.WaitVisible(chromedp.CSS("#label-"+id+"-name")),
		into(&checked, chromedp.Evaluate[bool](`(() => { const c = document.getElementById("label-`+id+`-custom");
			c.value = "#123456"; c.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`)),
		into(&checked, chromedp.Evaluate[bool](`document.getElementById("label-`+id+`-color-custom").checked`)),
	)
	if !checked {
		t.Fatal("picking a colour in the browser's picker did not choose “Other”")
	}
	run(t, ctx, "save the label",
		chromedp.SetValue(chromedp.CSS("#label-"+id+"-name"), "Big launch"),
		chromedp.Click(chromedp.CSS("#label-"+id+"-submit")),
		chromedp.WaitNotPresent(chromedp.CSS("#edit-label-"+id+"[open]")), // the page after saving
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if l, _ := e.store.GetLabel(bg, w.ID, ls[0].ID); l.Name != "Big launch" || l.Color != "#123456" {
		t.Fatalf("after editing: %+v; page %q", l, text)
	}
	run(t, ctx, "delete it, confirming",
		chromedp.Click(chromedp.CSS("#delete-label-"+id+" summary")),
		chromedp.WaitVisible(chromedp.CSS("#delete-label-"+id+"-confirm")),
		into(&text, chromedp.Text(chromedp.CSS("#delete-label-"+id+" form p"))),
		chromedp.Click(chromedp.CSS("#delete-label-"+id+"-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#labels-empty")),
	)
	if !strings.Contains(text, "Delete the label “Big launch”? No post carries it.") {
		t.Fatalf("the delete question: %q", text)
	}

	run(t, ctx, "a campaign that ends before it starts",
		chromedp.Click(chromedp.CSS("#tab-campaigns")),
		chromedp.WaitVisible(chromedp.CSS("#new-campaign-form")),
		chromedp.SendKeys(chromedp.CSS("#new-campaign-name"), "Spring sale"),
		chromedp.SetValue(chromedp.CSS("#new-campaign-start"), "2026-03-10"),
		chromedp.SetValue(chromedp.CSS("#new-campaign-end"), "2026-03-01"),
		chromedp.Click(chromedp.CSS("#new-campaign-submit")),
		chromedp.WaitVisible(chromedp.CSS("#new-campaign-end-problem")),
		into(&text, chromedp.Text(chromedp.CSS("#new-campaign-end-problem"))),
	)
	if !strings.Contains(text, "is before the start date") {
		t.Fatalf("the end date's problem: %q", text)
	}
	run(t, ctx, "fix the end date",
		chromedp.SetValue(chromedp.CSS("#new-campaign-end"), "2026-03-31"),
		chromedp.Click(chromedp.CSS("#new-campaign-submit")),
		chromedp.WaitVisible(chromedp.CSS("#campaigns")),
		into(&text, chromedp.Text(chromedp.CSS("#campaigns"))),
	)
	if !strings.Contains(text, "Spring sale") || !strings.Contains(text, "Tue 10 Mar 2026 – Tue 31 Mar 2026") {
		t.Fatalf("campaigns: %q", text)
	}

	var href string
	run(t, ctx, "the composer on a phone offers to create a label",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+wsURL(w.ID)+"compose"),
		chromedp.WaitVisible(chromedp.CSS("#manage-labels")),
		into(&text, chromedp.Text(chromedp.CSS("fieldset.organise"))),
		into(&href, chromedp.Evaluate[string](`document.getElementById("manage-labels").getAttribute("href")`)),
	)
	if !strings.Contains(text, "No labels yet") || !strings.Contains(text, "Create a label") ||
		!strings.Contains(text, "Manage campaigns") || href != labelsURL(w.ID) {
		t.Fatalf("the composer's box: %q (link %s)", text, href)
	}
}

// TestBrowserSettingsTokensAndCrisis checks the token form's role picker
// and its explanations (side by side on a desktop), and the crisis page
// once everything is held.
func TestBrowserSettingsTokensAndCrisis(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	e.scheduled(owner, w, acct, "Launch day", time.Now().Add(3*time.Hour))
	base := e.srv.URL
	var role string
	var beside bool

	signInSized(t, ctx, base, "ana@example.com", 1280, 900)
	run(t, ctx, "the token form",
		chromedp.Navigate(base+settingsURL(w.ID, "tokens")),
		chromedp.WaitVisible(chromedp.CSS("#token-roles")),
		into(&role, chromedp.Value(chromedp.CSS("#token-role"))),
		into(&beside, chromedp.Evaluate[bool](`document.getElementById("token-roles").getBoundingClientRect().left >=
			document.getElementById("token-role").getBoundingClientRect().right`)),
	)
	if role != string(herald.RoleClient) || !beside {
		t.Fatalf("the token form starts at %q; explanations beside the picker: %v", role, beside)
	}

	var text string
	var confirms int
	run(t, ctx, "hold everything",
		chromedp.Navigate(base+wsURL(w.ID)+"crisis"),
		chromedp.WaitVisible(chromedp.CSS("#reason")),
		chromedp.SendKeys(chromedp.CSS("#reason"), "Outage"),
		chromedp.Click(chromedp.CSS("#crisis-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#crisis-banner .banner")),
		chromedp.Navigate(base+wsURL(w.ID)+"crisis"),
		chromedp.WaitVisible(chromedp.CSS("#crisis-resume")),
		into(&text, chromedp.Text(chromedp.CSS("#crisis-state"))),
		into(&confirms, chromedp.Evaluate[int](`document.querySelectorAll("#crisis-confirm, #reason").length`)),
	)
	if !strings.Contains(text, "Publishing is held: 1 post target held") || !strings.Contains(text, "“Outage”") || confirms != 0 {
		t.Fatalf("the crisis page while everything is held: %q (%d hold controls)", text, confirms)
	}
	run(t, ctx, "resume from the crisis page",
		chromedp.Click(chromedp.CSS("#crisis-resume")),
		chromedp.WaitVisible(chromedp.CSS("#crisis-switch")),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	if !strings.Contains(text, "Resumed 1 post target") {
		t.Fatalf("after resuming: %q", text)
	}
}

// TestBrowserEmptyStates follows the first step each empty page offers.
func TestBrowserEmptyStates(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	base := e.srv.URL
	var loc string
	var focused bool

	signInSized(t, ctx, base, "ana@example.com", 390, 844)
	run(t, ctx, "approvals leads to the composer",
		chromedp.Navigate(base+wsURL(w.ID)+"approvals"),
		chromedp.WaitVisible(chromedp.CSS("#approvals-compose")),
		chromedp.Click(chromedp.CSS("#approvals-compose")),
		chromedp.WaitVisible(chromedp.CSS("#save-draft")),
		into(&loc, chromedp.Location()),
	)
	if u, err := url.Parse(loc); err != nil || u.Path != wsURL(w.ID)+"compose" {
		t.Fatalf("the approvals page led to %s", loc)
	}
	run(t, ctx, "media leads to the upload",
		chromedp.Navigate(base+wsURL(w.ID)+"media"),
		chromedp.WaitVisible(chromedp.CSS("#media-empty-upload")),
		chromedp.Click(chromedp.CSS("#media-empty-upload")),
		waitFor(`location.hash === "#media-files"`),
		into(&focused, chromedp.Evaluate[bool](`document.getElementById("media-files").getBoundingClientRect().top < window.innerHeight`)),
	)
	if !focused {
		t.Fatal("the upload field is not in view after following the empty library's link")
	}
	run(t, ctx, "a missing page leads home",
		chromedp.Navigate(base+"/no/such/page"),
		chromedp.WaitVisible(chromedp.CSS("#not-found-home")),
		chromedp.Click(chromedp.CSS("#not-found-home")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
}
