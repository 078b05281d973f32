package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/connector/instagram"
	"github.com/heraldsocial/herald/internal/herald"
)

// offerX registers X as a platform this build connects but the server
// has not set up, as `herald serve` does without HERALD_X_CLIENT_ID.
func offerX(reg *connector.Registry) {
	reg.Offer(herald.PlatformX, "set HERALD_X_CLIENT_ID to the client of Herald's app, with the callback URL https://herald.example/api/v1/connect/callback")
}

// TestAccountsShowPlatformsNotSetUp checks that a platform the server has
// not set up gets a card with what the operator must set and no form,
// for those who manage accounts only.
func TestAccountsShowPlatformsNotSetUp(t *testing.T) {
	e, _ := newConnectEnvWith(t, offerX)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(accountsURL(w.ID))
	want(t, a, http.StatusOK, `id="setup-x"`, "X accounts cannot be connected on this server yet",
		"HERALD_X_CLIENT_ID", "https://herald.example/api/v1/connect/callback", `id="connect-oauth-fake"`)
	wantNot(t, a, `id="connect-oauth-x"`, `value="x"`)

	e.member(w, "ed@example.com", herald.RoleEditor)
	ed := e.browser()
	ed.signIn("ed@example.com")
	wantNot(t, ed.get(accountsURL(w.ID)), `id="setup-x"`)

	// Asked anyway, connecting X says what is missing.
	a = b.post(accountsURL(w.ID)+"/connect", url.Values{"platform": {"x"}, "form": {"oauth-x"}})
	want(t, a, http.StatusUnprocessableEntity, "X is not set up on this Herald server; its operator must set HERALD_X_CLIENT_ID")
}

// TestBrowserAccountsNotSetUp sees the X card at desktop and phone widths.
func TestBrowserAccountsNotSetUp(t *testing.T) {
	ctx := chrome(t, "UTC")
	e, _ := newConnectEnvWith(t, offerX)
	_, w := e.owner("ana@example.com", "Acme")
	var text string
	var forms int
	run(t, ctx, "sign in", append(signInAt(fmt.Sprintf("%s/w/%d/accounts", e.srv.URL, w.ID), "ana@example.com"),
		chromedp.WaitVisible(chromedp.CSS("#connect-oauth-fake")))...)
	for _, width := range []int64{1280, 390} {
		run(t, ctx, fmt.Sprintf("the X card at %dpx", width),
			chromedp.EmulateViewport(width, 900),
			chromedp.Reload(),
			chromedp.WaitVisible(chromedp.CSS("#setup-x")),
			chromedp.WaitVisible(chromedp.CSS("#setup-x .pbadge svg")),
			into(&text, chromedp.Text(chromedp.CSS("#setup-x"))),
			into(&forms, chromedp.Evaluate[int](`document.querySelectorAll("#setup-x form, #setup-x button, #setup-x input").length`)),
		)
		if !strings.Contains(text, "HERALD_X_CLIENT_ID") || !strings.Contains(text, "/api/v1/connect/callback") || forms != 0 {
			t.Errorf("at %dpx the X card reads %q with %d controls; want what to set and nothing to press", width, text, forms)
		}
	}
}

// TestTestPlatformAddressAgrees checks that the Accounts page's hint, the
// README and `herald dev fake-platform`'s default name the same address.
func TestTestPlatformAddressAgrees(t *testing.T) {
	if want := "http://" + fakeserver.DefaultAddr; testPlatformURL != want {
		t.Errorf("the Accounts hint names %s, herald dev fake-platform listens on %s", testPlatformURL, want)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "herald dev fake-platform") || !strings.Contains(string(readme), "listens on "+testPlatformURL) {
		t.Errorf("the README does not say that herald dev fake-platform listens on %s", testPlatformURL)
	}
	e, _ := newConnectEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	want(t, b.get(accountsURL(w.ID)), http.StatusOK, "herald dev fake-platform listens on "+testPlatformURL)
}

// TestAccountsSayWhereMediaIsFetched: the forms of platforms that fetch
// media from Herald's address say that it must be reachable from the
// internet, before the person connects.
func TestAccountsSayWhereMediaIsFetched(t *testing.T) {
	e, _ := newConnectEnvWith(t, func(r *connector.Registry) {
		r.Register(herald.PlatformInstagram, instagram.New(http.DefaultClient))
	})
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	a := b.get(accountsURL(w.ID))
	want(t, a, http.StatusOK, `id="oauth-instagram-note"`, "Instagram fetches each image and video",
		"reachable from the internet over https")
	wantNot(t, a, `id="oauth-fake-note"`)
}
