package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserClientReview: at phone width, a manager creates a password
// review link for a campaign and signs out; the client opens the link,
// gives the password, approves one post and asks for changes to another;
// the manager signs in again and sees both.
func TestBrowserClientReview(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	rw := newReviewWorld(t)
	e, base := rw.e, rw.e.srv.URL
	var link, text string
	var fit bool

	signIn := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "manager@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	}
	run(t, ctx, "manager signs in on a phone", append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(375, 812)}, signIn...)...)
	run(t, ctx, "manager creates a review link",
		chromedp.Navigate(fmt.Sprintf("%s%s?campaign=%d", base, reviewLinksURL(rw.ws.ID), rw.campaign.ID)),
		chromedp.WaitVisible(chromedp.CSS("#review-link-create")),
		chromedp.SendKeys(chromedp.CSS("#review-name"), "Acme marketing team"),
		chromedp.SendKeys(chromedp.CSS("#review-password"), "open sesame please"),
		chromedp.Click(chromedp.CSS("#review-link-create")),
		chromedp.WaitVisible(chromedp.CSS("#review-link-url")),
		into(&link, chromedp.Value(chromedp.CSS("#review-link-url"))),
		into(&fit, chromedp.Evaluate[bool](fitsWidth)),
	)
	if !strings.Contains(link, "/review/hrev_") || !fit {
		t.Fatalf("link %q, page fits the phone: %v", link, fit)
	}
	run(t, ctx, "manager signs out",
		clickNav("#user-menu summary"),
		chromedp.WaitVisible(chromedp.CSS("#sign-out")),
		chromedp.Click(chromedp.CSS("#sign-out")),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
	)

	run(t, ctx, "client opens the link and gives the password",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS("#review-unlock")),
		chromedp.SendKeys(chromedp.CSS("#review-password"), "open sesame please"),
		chromedp.Click(chromedp.CSS("#review-unlock")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#post-%d", rw.first.ID))),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
		into(&fit, chromedp.Evaluate[bool](fitsWidth)),
	)
	if !strings.Contains(text, "Spring is here") || !strings.Contains(text, "Spring sale starts Monday") ||
		strings.Contains(text, "secret roadmap") || !fit {
		t.Fatalf("the review page (fits the phone: %v):\n%s", fit, text)
	}
	var previews int
	run(t, ctx, "previews shown", into(&previews, chromedp.Evaluate[int](
		fmt.Sprintf(`document.querySelectorAll("#post-%d .preview .pv-text").length`, rw.first.ID))))
	if previews != 1 {
		t.Fatalf("%d previews of the first post", previews)
	}

	run(t, ctx, "client approves the first post",
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#comment-%d", rw.first.ID)), "Lovely"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#approve-%d", rw.first.ID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#post-%d .review-last", rw.first.ID))),
	)
	run(t, ctx, "client asks for changes without a comment, then with one",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#changes-%d", rw.second.ID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#comment-%d-problem", rw.second.ID))),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#comment-%d", rw.second.ID)), "Say 20% off"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#changes-%d", rw.second.ID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#post-%d .review-last", rw.second.ID))),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "the team was told what to change") {
		t.Fatalf("after asking for changes:\n%s", text)
	}
	if got := targetState(t, e, rw.ws.ID, rw.first.ID); got != herald.StateApproved {
		t.Fatalf("first post %s, want approved", got)
	}
	if got := targetState(t, e, rw.ws.ID, rw.second.ID); got != herald.StateDraft {
		t.Fatalf("second post %s, want draft", got)
	}

	run(t, ctx, "the manager signs in again", signIn...)
	run(t, ctx, "the team sees both",
		chromedp.Navigate(base+reviewLinksURL(rw.ws.ID)),
		chromedp.WaitVisible(chromedp.CSS("#review-links a")),
		chromedp.Click(chromedp.CSS("#review-links a")),
		chromedp.WaitVisible(chromedp.CSS(".review-decisions")),
		into(&text, chromedp.Text(chromedp.CSS(".review-decisions"))),
	)
	if !strings.Contains(text, "Acme marketing team approved") || !strings.Contains(text, "Acme marketing team asked for changes") ||
		!strings.Contains(text, "Say 20% off") {
		t.Fatalf("the link's decisions:\n%s", text)
	}
	run(t, ctx, "on the post",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/posts/%d", base, rw.ws.ID, rw.second.ID)),
		chromedp.WaitVisible(chromedp.CSS("#client-review")),
		// The history is folded: read the text whether shown or not.
		into(&text, chromedp.Evaluate[string](`document.querySelector("main").textContent`)),
	)
	if !strings.Contains(text, "Say 20% off") || !strings.Contains(text, "by Acme marketing team (review link)") {
		t.Fatalf("the post page:\n%s", text)
	}
}
