package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserApprovals: a contributor's post awaits approval; a manager
// signs in, opens Approvals and approves it with a comment; the post is
// scheduled and the comment shows on its page.
func TestBrowserApprovals(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, w := e.owner("olga@example.com", "Acme")
	acct := e.account(owner, w, "@acme")
	cy := e.member(w, "cy@example.com", herald.RoleContributor)
	e.member(w, "max@example.com", herald.RoleManager)
	p := e.submitted(cy, w, acct, "Spring sale starts Monday", time.Now().Add(4*time.Hour))
	base := e.srv.URL
	var text string

	run(t, ctx, "sign in",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "max@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)
	comment := fmt.Sprintf("#comment-%d", p.ID)
	run(t, ctx, "open approvals",
		clickNav("#nav-approvals"),
		chromedp.WaitVisible(chromedp.CSS(comment)),
		into(&text, chromedp.Text(chromedp.CSS("#waiting"))),
	)
	if !strings.Contains(text, "Spring sale starts Monday") || !strings.Contains(text, "cy") {
		t.Fatalf("the queue = %q", text)
	}
	run(t, ctx, "approve with a comment",
		chromedp.SendKeys(chromedp.CSS(comment), "Great, ship it @cy"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#approve-%d", p.ID))),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "Approved and scheduled") || !strings.Contains(text, "Nothing awaits approval") {
		t.Fatalf("after approving: %q", text)
	}
	if got := targetState(t, e, w.ID, p.ID); got != herald.StateScheduled {
		t.Fatalf("the target is %s, want scheduled", got)
	}
	run(t, ctx, "see the comment",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/posts/%d", base, w.ID, p.ID)),
		chromedp.WaitVisible(chromedp.CSS("#comments .comment")),
		into(&text, chromedp.Text(chromedp.CSS("#comments"))),
	)
	if !strings.Contains(text, "Approved: Great, ship it @cy") || !strings.Contains(text, "max") {
		t.Fatalf("the thread = %q", text)
	}
}
