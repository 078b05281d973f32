package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserTemplateFillsComposer creates a template in the library's
// Templates tab, then starts a post from it in the composer: the text
// (placeholders filled), the thread part and the label are there. A
// snippet inserted with "/" and the keyboard updates the counter; "#"
// lists hashtag groups and Escape closes the list.
func TestBrowserTemplateFillsComposer(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	bg := context.Background()
	lbl, err := e.labels.Create(bg, actor, herald.Label{Name: "Weekly"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.templates.SaveSnippet(bg, actor, 0, herald.Snippet{Name: "Sign-off", Text: "Thanks for reading"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.templates.SaveHashtagGroup(bg, actor, 0, herald.HashtagGroup{Name: "Launch", Hashtags: []string{"#launch", "#herald"}}); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	lib := fmt.Sprintf("%s/w/%d/library/templates", base, w.ID)
	signInChrome(t, ctx, base, "ana@example.com")

	run(t, ctx, "an unknown placeholder is refused, naming it",
		chromedp.Navigate(lib+"/new"),
		chromedp.WaitVisible(chromedp.CSS("#tpl-name")),
		chromedp.SendKeys(chromedp.CSS("#tpl-name"), "Weekly tip"),
		chromedp.SendKeys(chromedp.CSS("#tpl-text"), "Buy {{price}}"),
		chromedp.Click(chromedp.CSS("#template-save")),
		chromedp.WaitVisible(chromedp.CSS("#tpl-text-problem")),
		waitFor(`document.getElementById("tpl-text-problem").textContent.includes("{{price}} is not a placeholder Herald knows")`),
		waitFor(`document.getElementById("tpl-name").value === "Weekly tip"`),
	)
	run(t, ctx, "create a template",
		chromedp.SetValue(chromedp.CSS("#tpl-text"), "Happy {{weekday}} from {{workspace}}"),
		chromedp.SendKeys(chromedp.CSS("#tpl-thread-0"), "Part two of the tip"),
		chromedp.Click(chromedp.CSS("#tpl-label-"+strconv.FormatInt(lbl.ID, 10))),
		chromedp.Click(chromedp.CSS("#tpl-account-"+strconv.FormatInt(acct.ID, 10))),
		chromedp.Click(chromedp.CSS("#template-save")),
		chromedp.WaitVisible(chromedp.CSS("#templates")),
		waitFor(`document.getElementById("templates").textContent.includes("Weekly tip")`),
		waitFor(`document.getElementById("libtab-templates").getAttribute("aria-current") === "page"`),
	)
	list, err := e.templates.List(bg, actor, "")
	if err != nil || len(list) != 1 {
		t.Fatalf("templates %+v, %v", list, err)
	}
	tp := list[0]

	weekday := time.Now().In(mustZone(t, "Europe/Paris")).Weekday().String()
	want := "Happy " + weekday + " from Acme"
	run(t, ctx, "new post from the template fills the composer",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#template-picker summary")),
		chromedp.Click(chromedp.CSS("#template-picker summary")),
		chromedp.Click(chromedp.CSS("#from-template-"+strconv.FormatInt(tp.ID, 10))),
		chromedp.WaitVisible(chromedp.CSS("#text-1")),
		waitFor(fmt.Sprintf(`document.getElementById("text-0").value === %q`, want)),
		waitFor(`document.getElementById("text-1").value === "Part two of the tip"`),
		waitFor(`document.getElementById("label-`+strconv.FormatInt(lbl.ID, 10)+`").checked`),
		waitFor(`document.getElementById("account-`+strconv.FormatInt(acct.ID, 10)+`").checked`),
		waitFor(fmt.Sprintf(`(c => c && c.textContent === "%d/100")(document.querySelector("#part-check-0 [data-counter]"))`, len(want))),
	)

	withSnippet := want + " Thanks for reading "
	run(t, ctx, "a / snippet inserted by keyboard updates the counter",
		chromedp.Focus(chromedp.CSS("#text-0")),
		chromedp.Evaluate[chromedp.Void](`(t => t.setSelectionRange(t.value.length, t.value.length))(document.getElementById("text-0"))`),
		chromedp.SendKeys(chromedp.CSS("#text-0"), " /sig"),
		chromedp.WaitVisible(chromedp.CSS("#kit-list")),
		waitFor(`document.getElementById("text-0").getAttribute("aria-expanded") === "true"`),
		waitFor(`document.querySelector("#kit-list [aria-selected=true]").textContent.includes("Sign-off")`),
		chromedp.KeyEvent(kb.Enter),
		waitFor(fmt.Sprintf(`document.getElementById("text-0").value === %q`, withSnippet)),
		waitFor(`document.getElementById("kit-list").hidden`),
		waitFor(fmt.Sprintf(`(c => c && c.textContent === "%d/100")(document.querySelector("#part-check-0 [data-counter]"))`, len(withSnippet))),
	)
	run(t, ctx, "# lists groups and tags; arrows move, Escape closes",
		chromedp.SendKeys(chromedp.CSS("#text-0"), "#"),
		chromedp.WaitVisible(chromedp.CSS("#kit-list")),
		waitFor(`document.querySelectorAll("#kit-list [role=option]").length === 3`),
		chromedp.KeyEvent(kb.ArrowDown),
		waitFor(`document.querySelector("#kit-list [aria-selected=true]").id === "kit-option-1"`),
		chromedp.KeyEvent(kb.Escape),
		waitFor(`document.getElementById("kit-list").hidden`),
		chromedp.SendKeys(chromedp.CSS("#text-0"), "lau"),
		chromedp.WaitVisible(chromedp.CSS("#kit-list")),
		chromedp.KeyEvent(kb.Enter),
		waitFor(fmt.Sprintf(`document.getElementById("text-0").value === %q`, withSnippet+"#launch #herald ")),
	)
	var value string
	run(t, ctx, "read", into(&value, chromedp.Value(chromedp.CSS("#text-0"))))
	if strings.Contains(value, "/sig") {
		t.Fatalf("the typed trigger stayed: %q", value)
	}
}
