package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestLinksPage sets the analytics settings, makes a conversion secret
// (shown once), builds a tagged address and a tracked short link (and is
// refused a javascript: address and a private host), follows the short
// link and sees its click counted; an analyst reads the page without the
// forms, and the overview takes the workspace's default rate.
func TestLinksPage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	owner, w := e.owner("ana@example.com", "Acme")
	e.member(w, "analyst@example.com", herald.RoleAnalyst)
	b := e.browser()
	b.signIn("ana@example.com")
	page := wsURL(w.ID) + "analytics/links"
	a := b.get(page)
	want(t, a, http.StatusOK, `id="analytics-settings"`, `id="utm-builder"`, `id="links-empty"`, `id="conversions-empty"`,
		"Make a conversion secret", `value="USD"`)

	a = b.post(wsURL(w.ID)+"analytics/settings", url.Values{"rate_by": {"impressions"}, "currency": {"euro"}})
	want(t, a, http.StatusUnprocessableEntity, "ISO 4217")
	a = b.post(wsURL(w.ID)+"analytics/settings", url.Values{"rate_by": {"impressions"}, "currency": {"eur"}})
	want(t, a, http.StatusSeeOther)
	a = b.get(page)
	want(t, a, http.StatusOK, "Saved the analytics settings.", `value="EUR"`)
	wantNot(t, a, `id="track_links" name="track_links" checked`)
	set, err := e.store.GetAnalyticsSettings(ctx, w.ID)
	if err != nil || set.TrackLinks || set.RateBy != "impressions" || set.Currency != "EUR" {
		t.Fatalf("settings = %+v, %v", set, err)
	}
	want(t, b.get(wsURL(w.ID)+"analytics?days=7"), http.StatusOK, "Engagement rate by impressions")

	a = b.post(wsURL(w.ID)+"analytics/conversion-secret", nil)
	want(t, a, http.StatusOK, `id="conversion-secret-value"`, "hconv_")
	if a = b.get(page); strings.Contains(a.Body, "hconv_") {
		t.Fatal("the secret is shown again")
	}
	want(t, a, http.StatusOK, "Replace the conversion secret")

	a = b.post(page, url.Values{"url": {"https://shop.example.com/sale?x=1"}, "utm_source": {"newsletter"}})
	want(t, a, http.StatusOK, `id="builder-tagged"`, "utm_source=newsletter")
	for _, bad := range []string{"javascript:alert(1)", "http://192.168.1.10/"} {
		a = b.post(page, url.Values{"url": {bad}, "short": {"1"}})
		want(t, a, http.StatusUnprocessableEntity, `id="utm-builder"`)
	}
	a = b.post(page, url.Values{"url": {"https://shop.example.com/bio"}, "utm_campaign": {"spring"}, "short": {"1"}})
	want(t, a, http.StatusOK, `id="builder-made"`, "utm_campaign=spring", `id="links-list"`)
	list, err := e.store.ListLinks(ctx, w.ID, time.Time{}, time.Time{}, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("links = %+v, %v", list, err)
	}

	// A visitor follows it: the click is counted once written.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(e.srv.URL + "/l/" + list[0].Code)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(res.Header.Get("Location"), "https://shop.example.com/bio?") {
		t.Fatalf("redirect: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if err := e.tracked.Recorder().Flush(ctx); err != nil {
		t.Fatal(err)
	}
	a = b.get(page)
	want(t, a, http.StatusOK, `id="link-`+itoa(list[0].ID)+`"`, "UTM builder", "<td>1</td>")

	an := e.browser()
	an.signIn("analyst@example.com")
	a = an.get(page)
	want(t, a, http.StatusOK, `id="links-list"`, "by impressions")
	wantNot(t, a, `id="settings-save"`, `id="secret-rotate"`)
	if a = an.post(wsURL(w.ID)+"analytics/settings", url.Values{"rate_by": {"followers"}, "currency": {"USD"}}); a.Status != http.StatusForbidden {
		t.Fatalf("an analyst changing settings: %d", a.Status)
	}
	_ = owner
}
