package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// inboxLive: a saved reply is made in the settings; with the inbox open, a
// fan mentions the connected account on the platform; the mention appears
// without a reload (Herald's default sync schedule and the live stream),
// is assigned, answered with the saved reply (found with / in the reply
// box, filled in for the fan, sent with a double click on Reply now) and
// marked done, and the platform has exactly one reply, in the mention's
// thread.
func inboxLive(t *testing.T, f *flows) {
	ctx := f.owner
	f.platform.configure(t, fakeserver.Config{MaxChars: 100, Lookup: true})
	inbox := fmt.Sprintf("%s/w/%d/inbox", f.srv.url, f.ws)
	run(t, ctx, "save a reply",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/settings/saved-replies", f.srv.url, f.ws)),
		chromedp.WaitVisible(chromedp.CSS("#saved-form")),
		chromedp.SendKeys(chromedp.CSS("#saved-name"), "Sunday hours"),
		chromedp.SendKeys(chromedp.CSS("#saved-body"), "Hi {{author.handle}}, yes: from 8 to 12!"),
		chromedp.Click(chromedp.CSS("#saved-submit")),
		chromedp.WaitVisible(chromedp.CSS("#saved-replies")),
	)
	run(t, ctx, "open the inbox",
		chromedp.Navigate(inbox),
		chromedp.WaitVisible(chromedp.CSS("#inbox-live")),
	)
	mention := f.platform.postAs(t, "fan", "@dora is the bakery open on Sunday?")

	// Herald reads a quiet account every minute (every 15 s while a
	// conversation is going on); the page is never reloaded.
	var text string
	item := `document.querySelector('.inbox-item[data-item]')`
	arrived := item + ` !== null && ` + item + `.textContent.includes("open on Sunday")`
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(time.Second) {
		var ok bool
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := chromedp.Do(sctx, into(&ok, chromedp.Evaluate[bool](arrived)))
		cancel()
		if err == nil && ok {
			break
		}
		if time.Now().After(deadline) {
			run(t, ctx, "the mention arrives live within two minutes", poll(arrived))
		}
	}
	run(t, ctx, "open the new item",
		into(&text, chromedp.Text(chromedp.CSS(".inbox-item[data-item]"))),
		chromedp.Click(chromedp.CSS(".inbox-item[data-item] a")),
		chromedp.WaitVisible(chromedp.CSS("#reply-text")),
	)
	if !strings.Contains(text, "@fan") {
		t.Fatalf("the new item says %q", text)
	}
	run(t, ctx, "assign it to me",
		poll(`(() => { const s = document.querySelector("#assign-to");
			const o = [...s.options].find(o => o.textContent.includes("Ana Owner")); if (!o) return false;
			s.value = o.value; return true; })()`),
		chromedp.Click(chromedp.CSS("#assign-submit")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
	)
	var typed string
	run(t, ctx, "pick the saved reply with /",
		chromedp.SendKeys(chromedp.CSS("#reply-text"), "/sunday"),
		chromedp.WaitVisible(chromedp.CSS("#saved-picker")),
		chromedp.SendKeys(chromedp.CSS("#reply-text"), kb.Enter),
		into(&typed, chromedp.Value(chromedp.CSS("#reply-text"))),
	)
	const want = "Hi @fan, yes: from 8 to 12!"
	if typed != want {
		t.Fatalf("the reply box holds %q, want the saved reply filled in: %q", typed, want)
	}
	run(t, ctx, "answer it with a double click",
		chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector("#reply-submit"); b.click(); b.click(); })()`),
		chromedp.WaitVisible(chromedp.CSS(`#inbox-replies [data-state="sent"]`)),
		chromedp.Click(chromedp.CSS("#mark-done")),
		// An open item offers "Mark done"; a done one "Mark open".
		chromedp.WaitVisible(chromedp.CSS("#mark-open")),
		into(&text, chromedp.Text(chromedp.CSS("#item-state"))),
	)
	if !strings.Contains(strings.ToLower(text), "done") {
		t.Fatalf("the item's state says %q after Mark done", text)
	}
	replies := 0
	for _, p := range f.platform.posts(t) {
		if p.InReplyToID == mention {
			replies++
			if p.Account != "dora" || p.Text != want {
				t.Errorf("the reply on the platform is %+v", p)
			}
		}
	}
	if replies != 1 {
		t.Fatalf("the mention has %d replies on the platform, want exactly 1", replies)
	}
}

// postAs publishes a status on the platform as account (the test
// platform's bearer token names the account) and returns its id.
func (f *platform) postAs(t *testing.T, account, text string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, f.url+"/api/v1/statuses",
		strings.NewReader(url.Values{"status": {text}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+account)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var st struct {
		ID string `json:"id"`
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post on the test platform: %v", err)
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil || st.ID == "" {
		t.Fatalf("post on the test platform: HTTP %d, %v", res.StatusCode, err)
	}
	return st.ID
}
