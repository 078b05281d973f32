package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// clickNav clicks the header's element sel (a section link, a menu),
// opening the phone's folded menu first when it is closed.
func clickNav(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		folded, err := chromedp.Evaluate[bool](`(() => { const b = document.getElementById("menu-toggle");
			return !!b && getComputedStyle(b).display !== "none" && b.getAttribute("aria-expanded") === "false"; })()`)(ctx, t)
		if err != nil {
			return err
		}
		if folded {
			if _, err := chromedp.Click(chromedp.CSS("#menu-toggle"))(ctx, t); err != nil {
				return err
			}
		}
		_, err = chromedp.Click(chromedp.CSS(sel))(ctx, t)
		return err
	})
}

// signInAt opens url, which asks to sign in first, and signs in as email.
func signInAt(url, email string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
	}
}

// headerBox is what the header shows at one width.
type headerBox struct {
	Height       float64 `json:"height"`
	ToggleShown  bool    `json:"toggleShown"`
	SectionShown bool    `json:"sectionShown"`
	CrisisShown  bool    `json:"crisisShown"`
	CrisisBg     string  `json:"crisisBg"`
	Expanded     string  `json:"expanded"`
}

const headerBoxJS = `(() => {
	const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
	const c = document.getElementById("crisis-switch");
	return {
		height: document.querySelector("header.top").getBoundingClientRect().height,
		toggleShown: shown(document.getElementById("menu-toggle")),
		sectionShown: shown(document.getElementById("nav-calendar")),
		crisisShown: shown(c),
		crisisBg: c ? getComputedStyle(c).backgroundColor : "",
		expanded: document.getElementById("menu-toggle").getAttribute("aria-expanded"),
	};
})()`

// TestBrowserHeader checks the header at a phone's and a desktop's width:
// on a phone one row with a menu button that opens and closes the
// sections (Escape too) and the crisis switch outside it; on a desktop one
// row with everything shown and a quiet crisis switch. The welcome card
// of a workspace without accounts leads to the Accounts page.
func TestBrowserHeader(t *testing.T) {
	ctx := chrome(t, "UTC")
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	var box headerBox
	var loc string

	run(t, ctx, "sign in on a phone", append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(390, 844)},
		append(signInAt(fmt.Sprintf("%s/w/%d/", e.srv.URL, w.ID), "ana@example.com"),
			chromedp.WaitVisible(chromedp.CSS("#welcome")),
			into(&box, chromedp.Evaluate[headerBox](headerBoxJS)))...)...)
	if box.Height > 70 || !box.ToggleShown || box.SectionShown || !box.CrisisShown || box.Expanded != "false" {
		t.Fatalf("phone header, folded: %+v; want one row (≤ 70px), the menu button and the crisis switch, no sections", box)
	}

	run(t, ctx, "open the menu",
		chromedp.Click(chromedp.CSS("#menu-toggle")),
		chromedp.WaitVisible(chromedp.CSS("#nav-calendar")),
		chromedp.WaitVisible(chromedp.CSS("#user-menu summary")),
		into(&box, chromedp.Evaluate[headerBox](headerBoxJS)),
	)
	if !box.SectionShown || box.Expanded != "true" {
		t.Fatalf("phone header, open: %+v", box)
	}

	run(t, ctx, "Escape closes it",
		chromedp.KeyEvent("\x1b"),
		chromedp.WaitNotVisible(chromedp.CSS("#nav-calendar")),
		into(&box, chromedp.Evaluate[headerBox](headerBoxJS)),
		into(&loc, chromedp.Evaluate[string](`document.activeElement.id`)),
	)
	if box.Expanded != "false" || loc != "menu-toggle" {
		t.Fatalf("after Escape: %+v, focus on #%s", box, loc)
	}

	run(t, ctx, "go to a section through the menu",
		clickNav("#nav-calendar"),
		chromedp.WaitReady(chromedp.CSS("#nav-calendar[aria-current=page]")),
		chromedp.WaitNotVisible(chromedp.CSS("#nav-calendar")),
		into(&loc, chromedp.Location()),
	)
	if !strings.HasSuffix(loc, fmt.Sprintf("/w/%d/calendar", w.ID)) {
		t.Fatalf("the menu's Calendar led to %s", loc)
	}

	run(t, ctx, "desktop",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/", e.srv.URL, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#nav-calendar")),
		into(&box, chromedp.Evaluate[headerBox](headerBoxJS)),
	)
	if box.Height > 70 || box.ToggleShown || !box.SectionShown || !box.CrisisShown || box.CrisisBg != "rgb(255, 255, 255)" {
		t.Fatalf("desktop header: %+v; want one row with the sections, no menu button, a crisis switch on white", box)
	}

	run(t, ctx, "the welcome card leads to the Accounts page",
		chromedp.Click(chromedp.CSS("#welcome-accounts")),
		chromedp.WaitVisible(chromedp.CSS("#connect")),
		into(&loc, chromedp.Location()),
	)
	if !strings.HasSuffix(loc, fmt.Sprintf("/w/%d/accounts", w.ID)) {
		t.Fatalf("the welcome link led to %s", loc)
	}
}
