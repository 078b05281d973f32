package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// previewsWorld is a draft to LinkedIn, Instagram, Telegram and Discord
// with a long text and two pictures (one portrait).
type previewsWorld struct {
	e                  *composeEnv
	w                  herald.Workspace
	edit               string
	li, ig, tg, dc, yt herald.Account
}

const longPreviewText = "We are launching the new Herald today, and this is the story of how a small team " +
	"built a calendar that never double-posts, across every network our customers use, with previews that " +
	"look like the real thing. Read the whole story at https://example.com/launch #launch @herald"

func newPreviewsWorld(t *testing.T) previewsWorld {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	pw := previewsWorld{e: e, w: w}
	pw.li = e.connect(owner, w, herald.PlatformLinkedIn, "acme-li")
	pw.ig = e.connect(owner, w, herald.PlatformInstagram, "acme-ig")
	pw.tg = e.connect(owner, w, herald.PlatformTelegram, "acme-tg")
	pw.dc = e.connect(owner, w, herald.PlatformDiscord, "acme-dc")
	pw.yt = e.connect(owner, w, herald.PlatformYouTube, "acme-yt")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	portrait, err := e.media.Upload(context.Background(), actor, "portrait.png", bytes.NewReader(testPNG(t, 40, 60, 1)), "A tall poster")
	if err != nil {
		t.Fatal(err)
	}
	square, err := e.media.Upload(context.Background(), actor, "square.png", bytes.NewReader(testPNG(t, 30, 30, 2)), "")
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	form := composeValues(longPreviewText, pw.li, pw.ig, pw.tg, pw.dc, pw.yt)
	form.Set("media", strconv.FormatInt(portrait.ID, 10)+","+strconv.FormatInt(square.ID, 10))
	form.Set(fmt.Sprintf("v_opt_%d_title", pw.yt.ID), "Launch day")
	form.Set("action", "draft")
	a := b.post(base, form)
	idFrom(t, a, editPath)
	pw.edit = a.Location
	return pw
}

// TestComposePlatformLooks checks each preview's layout in the HTML: the
// folds, the carousel, Instagram's crop and the media above the text.
func TestComposePlatformLooks(t *testing.T) {
	pw := newPreviewsWorld(t)
	b := pw.e.browser()
	b.signIn("ana@example.com")
	page := b.get(pw.edit)
	want(t, page, http.StatusOK)
	section := func(a herald.Account) string {
		i := strings.Index(page.Body, `data-preview="`+strconv.FormatInt(a.ID, 10)+`"`)
		if i < 0 {
			t.Fatalf("no preview for %s", a.Handle)
		}
		j := strings.Index(page.Body[i:], "</section>")
		return page.Body[i : i+j]
	}
	li, ig, tg, dc, yt := section(pw.li), section(pw.ig), section(pw.tg), section(pw.dc), section(pw.yt)
	for name, c := range map[string]struct {
		html      string
		has, hasn []string
	}{
		"LinkedIn":  {li, []string{"…see more", "pv-media pv-media-2"}, []string{"pv-carousel"}},
		"Instagram": {ig, []string{"… more", "pv-carousel", "1/2", "pv-crop-portrait", "pv-dot pv-dot-on"}, []string{"pv-media-2"}},
		"Telegram":  {tg, []string{"pv-media pv-media-2"}, []string{"pv-fold", "pv-carousel"}},
		"Discord":   {dc, []string{"pv-media pv-media-2"}, []string{"pv-fold"}},
		"YouTube":   {yt, []string{`<p class="pv-title">Launch day</p>`, "…more"}, nil},
	} {
		for _, s := range c.has {
			if !strings.Contains(c.html, s) {
				t.Errorf("%s preview lacks %q", name, s)
			}
		}
		for _, s := range c.hasn {
			if strings.Contains(c.html, s) {
				t.Errorf("%s preview has %q", name, s)
			}
		}
	}
	// Media first on Instagram and Telegram, after the text on LinkedIn.
	if strings.Index(ig, "pv-carousel") > strings.Index(ig, "pv-text") || strings.Index(tg, "pv-media") > strings.Index(tg, "pv-text") {
		t.Error("Instagram or Telegram shows the text above the media")
	}
	if strings.Index(li, "pv-media") < strings.Index(li, "pv-text") {
		t.Error("LinkedIn shows the media above the text")
	}
}

// TestBrowserPlatformLooks opens the previews in a browser: LinkedIn hides
// the rest of a long text until "…see more" is clicked, Instagram crops a
// portrait to 4:5 and shows one picture of the carousel.
func TestBrowserPlatformLooks(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	pw := newPreviewsWorld(t)
	base := pw.e.srv.URL
	li := fmt.Sprintf(`#checks [data-preview="%d"]`, pw.li.ID)
	ig := fmt.Sprintf(`#checks [data-preview="%d"]`, pw.ig.ID)
	var visible bool
	var ratio float64
	var shown int
	run(t, ctx, "sign in and open the draft",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		chromedp.Navigate(base+pw.edit),
		chromedp.WaitVisible(chromedp.CSS(li+" .pv-fold summary")),
		into(&visible, chromedp.Evaluate[bool](`document.querySelector('`+li+` .pv-more').checkVisibility()`)),
	)
	if visible {
		t.Fatal("LinkedIn shows the folded text before \"…see more\" is clicked")
	}
	run(t, ctx, "see more",
		chromedp.Click(chromedp.CSS(li+" .pv-fold summary")),
		chromedp.WaitNotVisible(chromedp.CSS(li+" .pv-fold summary")),
		into(&visible, chromedp.Evaluate[bool](`document.querySelector('`+li+` .pv-more').checkVisibility()`)),
	)
	if !visible {
		t.Fatal("clicking \"…see more\" did not open the rest of the text")
	}
	run(t, ctx, "Instagram crop and carousel",
		chromedp.WaitVisible(chromedp.CSS(ig+" .pv-carousel img")),
		into(&visible, chromedp.Poll[bool](`document.querySelector('`+ig+` .pv-carousel img').complete`)),
		into(&ratio, chromedp.Evaluate[float64](`(() => { const r = document.querySelector('`+ig+` .pv-carousel img').getBoundingClientRect(); return r.width / r.height; })()`)),
		into(&shown, chromedp.Evaluate[int](`document.querySelectorAll('`+ig+` img').length`)),
	)
	if ratio < 0.79 || ratio > 0.81 {
		t.Errorf("Instagram shows the portrait at %.3f:1, want 4:5", ratio)
	}
	if shown != 1 {
		t.Errorf("Instagram's carousel shows %d pictures at once, want 1", shown)
	}
}
