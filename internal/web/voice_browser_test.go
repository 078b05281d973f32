package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserBrandVoice types a banned word in the composer: the warning
// and its suggestion appear as it is typed, a click on the suggestion
// replaces the word, and a word that blocks disables scheduling with the
// reason until it is gone. First, the settings' "Try it" answers as the
// sample is typed (the composer, with unsaved text, is left last).
func TestBrowserBrandVoice(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	cheapAndScam(t, e.env, owner, w)
	base := e.srv.URL
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](expr)(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	signInChrome(t, ctx, base, "ana@example.com")
	run(t, ctx, "Try it in the settings",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/settings/brand-voice", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#voice-sample")),
		chromedp.SendKeys(chromedp.CSS("#voice-sample"), "A cheap trick"),
		poll(`document.getElementById("try-result").textContent.includes("write “affordable” instead")`),
		// The rules as typed, before they are saved.
		chromedp.SendKeys(chromedp.CSS("#banned-phrase-2"), "trick"),
		chromedp.SendKeys(chromedp.CSS("#voice-sample"), "!"),
		poll(`document.getElementById("try-result").textContent.includes("contains “trick”")`),
	)
	run(t, ctx, "open the composer",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		poll(`document.getElementById("account-`+strconv.FormatInt(acct.ID, 10)+`").checked`),
	)
	var text string
	run(t, ctx, "a banned word warns as it is typed, with its replacement",
		chromedp.SendKeys(chromedp.CSS("#text-0"), "Our CHEAP plan is here"),
		chromedp.WaitVisible(chromedp.CSS(`#part-check-0 button[data-voice-fix]`)),
		into(&text, chromedp.Text(chromedp.CSS("#part-check-0 .voice-findings"))),
		poll(`!document.getElementById("schedule").disabled`),
	)
	if !strings.Contains(text, "Warning:") || !strings.Contains(text, "contains “CHEAP”") || !strings.Contains(text, "Replace with “affordable”") {
		t.Fatalf("the warning says %q", text)
	}
	run(t, ctx, "one click replaces it",
		chromedp.Click(chromedp.CSS(`#part-check-0 button[data-voice-fix]`)),
		poll(`document.getElementById("text-0").value === "Our affordable plan is here"`),
		poll(`document.querySelector("#part-check-0 .voice-findings") === null`),
	)
	run(t, ctx, "a block disables scheduling with the reason",
		chromedp.SendKeys(chromedp.CSS("#text-0"), ", no scam"),
		poll(`document.getElementById("schedule").disabled && document.getElementById("publish-now").disabled && document.getElementById("add-queue").disabled`),
		into(&text, chromedp.Text(chromedp.CSS("#voice-blocked"))),
		poll(`document.getElementById("schedule").getAttribute("aria-describedby") === "voice-blocked"`),
		poll(`!document.getElementById("save-draft").disabled`),
	)
	if !strings.Contains(text, "Scheduling is blocked by the brand voice rules") || !strings.Contains(text, "contains “scam”") {
		t.Fatalf("the reason says %q", text)
	}
	run(t, ctx, "removing it enables scheduling again",
		poll(`(document.getElementById("text-0").value = "Our affordable plan") !== ""`),
		chromedp.SendKeys(chromedp.CSS("#text-0"), " is here"),
		poll(`!document.getElementById("schedule").disabled && document.getElementById("voice-blocked").textContent.trim() === ""`),
	)
}
