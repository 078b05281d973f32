package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/platformfakes"
	"github.com/heraldsocial/herald/internal/publish"
)

// optionInput is a platform option typed or chosen in an account's tab.
type optionInput struct {
	key, value string
	kind       string // "select", "text" or "checkbox"
}

// platformCase is one platform connected, composed for and published to
// in the browser.
type platformCase struct {
	name     string
	platform herald.Platform
	form     string                                                    // the connect form's key (#connect-<form>)
	fill     func(*platformfakes.Set) []chromedp.Action[chromedp.Void] // fields before submitting, if any
	handle   string
	text     string
	image    bool
	video    bool // a video instead of the image (YouTube)
	options  []optionInput
	// look is a JavaScript expression over pv (the account's preview)
	// that holds when the preview is drawn the platform's way.
	look string
	// want are fields of the post the platform holds.
	want map[string]string
}

var platformCases = []platformCase{
	{name: "facebook", platform: herald.PlatformFacebook, form: "oauth-facebook", handle: platformfakes.FacebookHandle,
		text:    "Fresh pastries every morning at Acme Cafe",
		options: []optionInput{{key: "link", value: "https://acme.example/menu", kind: "text"}},
		look:    `pv.classList.contains("pv-facebook") && pv.querySelector(".pv-name").textContent === "Acme Cafe"`,
		want:    map[string]string{"link": "https://acme.example/menu", "photos": "0"}},
	{name: "instagram", platform: herald.PlatformInstagram, form: "oauth-instagram", handle: platformfakes.InstagramHandle,
		text: "Our new espresso bar, open from seven. " + strings.Repeat("Come early, stay long. ", 6), image: true,
		// Media above the caption, cropped square, the caption folded after 125 characters.
		look: `pv.classList.contains("pv-instagram") && pv.querySelector(".pv-image.pv-crop-square") !== null &&
			(pv.querySelector(".pv-carousel, .pv-media").compareDocumentPosition(pv.querySelector(".pv-text")) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0 &&
			pv.querySelector(".pv-fold summary") !== null`,
		want: map[string]string{"items": "1"}},
	{name: "linkedin", platform: herald.PlatformLinkedIn, form: "oauth-linkedin", handle: platformfakes.LinkedInHandle,
		text:    "We are hiring baristas in Lyon. " + strings.Repeat("Training, good pay and free coffee. ", 6),
		options: []optionInput{{key: "visibility", value: "CONNECTIONS", kind: "select"}},
		look:    `pv.classList.contains("pv-linkedin") && pv.querySelector(".pv-fold summary").textContent.includes("see more")`,
		want:    map[string]string{"visibility": "CONNECTIONS"}},
	{name: "pinterest", platform: herald.PlatformPinterest, form: "oauth-pinterest", handle: platformfakes.PinterestHandle,
		text: "Latte art, step by step", image: true,
		options: []optionInput{{key: "board_id", value: platformfakes.BoardLaunches, kind: "select"},
			{key: "title", value: "Latte art at home", kind: "text"}},
		look: `pv.classList.contains("pv-pinterest") && (pv.querySelector(".pv-title")||{}).textContent === "Latte art at home" &&
			(pv.querySelector(".pv-carousel, .pv-media").compareDocumentPosition(pv.querySelector(".pv-text")) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0`,
		want: map[string]string{"board": platformfakes.BoardLaunches, "title": "Latte art at home", "alt_text": "A latte with a fern"}},
	{name: "threads", platform: herald.PlatformThreads, form: "oauth-threads", handle: platformfakes.ThreadsHandle,
		text:    "Which pastry should we bake tomorrow?",
		options: []optionInput{{key: "reply_control", value: "accounts_you_follow", kind: "select"}},
		look:    `pv.classList.contains("pv-threads") && pv.querySelector(".pv-handle").textContent === "@acme.threads"`,
		want:    map[string]string{"media_type": "TEXT_POST"}},
	{name: "discord", platform: herald.PlatformDiscord, form: "password-discord", handle: platformfakes.DiscordHandle,
		fill: func(f *platformfakes.Set) []chromedp.Action[chromedp.Void] {
			return []chromedp.Action[chromedp.Void]{
				chromedp.SendKeys(chromedp.CSS("#password-discord-identifier"), platformfakes.DiscordHandle),
				chromedp.SendKeys(chromedp.CSS("#password-discord-password"), f.WebhookURL)}
		},
		text:    "The cafe opens late on Sunday",
		options: []optionInput{{key: "silent", value: "true", kind: "checkbox"}},
		look:    `pv.classList.contains("pv-discord")`,
		want:    map[string]string{"flags": "4096"}},
	{name: "youtube", platform: herald.PlatformYouTube, form: "oauth-youtube", handle: platformfakes.YouTubeHandle,
		text: "How we roast our beans, from green to dark", video: true,
		options: []optionInput{{key: "title", value: "Roasting day", kind: "text"},
			{key: "privacy", value: "unlisted", kind: "select"}},
		// The video above its title, the description under them.
		look: `pv.classList.contains("pv-youtube") && (pv.querySelector(".pv-title")||{}).textContent === "Roasting day" &&
			(pv.querySelector(".pv-carousel, .pv-media").compareDocumentPosition(pv.querySelector(".pv-text")) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0`,
		want: map[string]string{"title": "Roasting day", "privacy": "unlisted", "size": "300000"}},
}

// TestBrowserConnectOAuth connects an account on every platform in one
// browser, the way a person does: the platform's connect button, its
// authorization page (the fakes approve at once) and back to the accounts
// page; then composes for it with the platform's own options, sees the
// preview drawn the platform's way, publishes now and finds the post,
// once, on the platform, with the options it was given.
func TestBrowserConnectOAuth(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	fakes := platformfakes.Start(t, nil)
	e, _ := newConnectEnvWith(t, fakes.Register)
	links := media.NewPublicLinks("https://herald.example", e.keys, e.store, e.storage, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	fakes.SetMediaURL(links.MediaURL)
	e.startPublishing(t)
	_, w := e.owner("ana@example.com", "Acme")
	base := e.srv.URL

	run(t, ctx, "sign in",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/accounts", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#connect")),
	)
	dir := t.TempDir()
	for i, c := range platformCases {
		t.Run(c.name, func(t *testing.T) {
			// A picture of its own: the library would give back the
			// same file, alt text and all.
			img, data := filepath.Join(dir, c.name+".jpg"), platformfakes.JPEG(t, 64+i)
			if c.video {
				img, data = filepath.Join(dir, c.name+".mp4"), platformfakes.MP4(300000)
			}
			if err := os.WriteFile(img, data, 0o600); err != nil {
				t.Fatal(err)
			}
			id := connectInBrowser(t, ctx, e, w, fakes, c)
			postID := composeAndPublish(t, ctx, e, w, id, img, c)
			tg := waitPublished(t, e, w, postID)
			got := fakes.Posts(c.platform)
			if len(got) != 1 || got[0].Text != c.text {
				t.Fatalf("%s holds %+v; want one post with the text %q", c.name, got, c.text)
			}
			for k, v := range c.want {
				if got[0].Fields[k] != v {
					t.Errorf("%s kept %s = %q, want %q (all: %v)", c.name, k, got[0].Fields[k], v, got[0].Fields)
				}
			}
			for _, o := range c.options {
				if tg.Variant.Options[o.key] != o.value {
					t.Errorf("the target's option %s = %q, want %q (all: %v)", o.key, tg.Variant.Options[o.key], o.value, tg.Variant.Options)
				}
			}
			var text, href string
			run(t, ctx, "the post's page",
				chromedp.Navigate(fmt.Sprintf("%s/w/%d/posts/%d", base, w.ID, postID)),
				chromedp.WaitVisible(chromedp.CSS("main")),
				into(&text, chromedp.Text(chromedp.CSS("main"))),
				into(&href, chromedp.Evaluate[string](`(document.querySelector('a[rel~="noopener"][target="_blank"]')||{href:""}).href`)),
			)
			if !strings.Contains(text, "Published") || tg.RemoteURL == "" || href != tg.RemoteURL {
				t.Errorf("the post's page shows %q with the link %q; want it published, linking %q", text, href, tg.RemoteURL)
			}
		})
	}
	if v := fakes.Violations(); len(v) > 0 {
		t.Errorf("the platforms saw their contracts broken:\n%s", strings.Join(v, "\n"))
	}
}

// connectInBrowser connects c's account from the accounts page and
// returns its id once its card shows it.
func connectInBrowser(t *testing.T, ctx context.Context, e *env, w herald.Workspace, fakes *platformfakes.Set, c platformCase) int64 {
	t.Helper()
	base := e.srv.URL
	actions := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/accounts", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#" + c.form + "-submit")),
	}
	if c.fill != nil {
		actions = append(actions, c.fill(fakes)...)
	}
	notice := fmt.Sprintf("Connected %s on %s.", c.handle, platformLabel(c.platform))
	var loc, said string
	actions = append(actions,
		chromedp.Click(chromedp.CSS("#"+c.form+"-submit")),
		// Past Herald's page that leads to the platform, the platform's
		// and the callback: back on the accounts page, which says how it went.
		chromedp.WaitVisible(chromedp.CSS("#messages .notice, #connect-error, #connect .alert")),
		into(&loc, chromedp.Location()),
		into(&said, chromedp.Text(chromedp.CSS("main"))),
	)
	run(t, ctx, "connect "+c.name, actions...)
	// Meta's platforms add a fragment to their redirect (#_=_ or #_); the
	// browser keeps it across the redirects that follow.
	loc, _, _ = strings.Cut(loc, "#")
	if loc != fmt.Sprintf("%s/w/%d/accounts", base, w.ID) || !strings.Contains(said, notice) {
		t.Fatalf("after connecting: at %s, the page says %q; want %q", loc, said, notice)
	}
	var id int64
	for _, a := range e.accountsOf(w) {
		if a.Platform == c.platform {
			if id != 0 {
				t.Fatalf("two %s accounts after connecting once", c.platform)
			}
			id = a.ID
		}
	}
	if id == 0 {
		t.Fatalf("no %s account after connecting", c.platform)
	}
	var card string
	run(t, ctx, "the account's card", into(&card, chromedp.Text(chromedp.CSS(fmt.Sprintf("#account-%d", id)))))
	if !strings.Contains(card, c.handle) {
		t.Fatalf("the account's card says %q; want the handle %s", card, c.handle)
	}
	return id
}

// composeAndPublish writes c's post for account id alone, with its
// options and image, checks the preview's look and publishes it now; it
// returns the post's id.
func composeAndPublish(t *testing.T, ctx context.Context, e *env, w herald.Workspace, id int64, img string, c platformCase) int64 {
	t.Helper()
	base := e.srv.URL
	pv := fmt.Sprintf(`#checks [data-preview="%d"]`, id)
	run(t, ctx, "choose the account",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/compose", base, w.ID)),
		chromedp.WaitVisible(chromedp.CSS("#text-0")),
		onlyAccount(id),
		waitFor(fmt.Sprintf(`[...document.querySelectorAll('input[name="account"]:checked')].map(i => i.value).join() === "%d"`, id)),
		chromedp.SendKeys(chromedp.CSS("#text-0"), c.text),
	)
	if c.video {
		run(t, ctx, "attach a video",
			chromedp.SetUploadFiles(chromedp.CSS("#file-0"), []string{img}),
			chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item`)),
		)
	}
	if c.image {
		run(t, ctx, "attach an image",
			chromedp.SetUploadFiles(chromedp.CSS("#file-0"), []string{img}),
			chromedp.WaitVisible(chromedp.CSS(`fieldset.part[data-part="0"] .media-item textarea`)),
			chromedp.SendKeys(chromedp.CSS(`fieldset.part[data-part="0"] .media-item textarea`), "A latte with a fern"),
		)
	}
	if len(c.options) > 0 {
		tab := fmt.Sprintf(`details[data-variant="%d"]`, id)
		actions := []chromedp.Action[chromedp.Void]{
			chromedp.WaitVisible(chromedp.CSS(tab + " summary")),
			waitFor(fmt.Sprintf(`document.getElementById("v-opt-%d-%s") !== null`, id, c.options[0].key)),
			chromedp.Click(chromedp.CSS(tab + " summary")),
		}
		for _, o := range c.options {
			sel := fmt.Sprintf("#v-opt-%d-%s", id, o.key)
			switch o.kind {
			case "select":
				actions = append(actions, chromedp.WaitVisible(chromedp.CSS(sel)), chooseOption(sel, o.value))
			case "checkbox":
				actions = append(actions, chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="v-opt-%d-%s"]`, id, o.key))),
					waitFor(fmt.Sprintf(`document.querySelector(%q).checked`, sel)))
			default:
				actions = append(actions, chromedp.SendKeys(chromedp.CSS(sel), o.value))
			}
		}
		run(t, ctx, "the platform's options", actions...)
	}
	run(t, ctx, "the preview in the platform's look",
		waitFor(fmt.Sprintf(`(pv => pv !== null && (pv.querySelector(".pv-text")||{textContent:""}).textContent.includes(%q) && (%s))(document.querySelector('%s'))`,
			firstWords(c.text), c.look, pv)),
	)
	var loc, text string
	run(t, ctx, "publish now",
		chromedp.Click(chromedp.CSS("#publish-now")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.CSS("#messages"))),
	)
	m := regexp.MustCompile(`/w/\d+/posts/(\d+)$`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after publishing now: at %s, message %q", loc, text)
	}
	postID, _ := strconv.ParseInt(m[1], 10, 64)
	return postID
}

// onlyAccount clicks the account chips so that id alone is chosen.
func onlyAccount(id int64) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var wrong []string
		if _, err := into(&wrong, chromedp.Evaluate[[]string](fmt.Sprintf(
			`[...document.querySelectorAll('input[name="account"]')].filter(i => i.checked !== (i.value === "%d")).map(i => i.id)`, id)))(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		for _, w := range wrong {
			if _, err := chromedp.Click(chromedp.CSS(fmt.Sprintf(`label[for="%s"]`, w)))(ctx, tg); err != nil {
				return chromedp.Void{}, err
			}
		}
		return chromedp.Void{}, nil
	}
}

// chooseOption picks value in the select sel, as choosing it with the
// mouse does (the change event included).
func chooseOption(sel, value string) chromedp.Action[chromedp.Void] {
	return waitFor(fmt.Sprintf(`(s => { if (![...s.options].some(o => o.value === %q)) return false;
		s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); return true; })(document.querySelector(%q))`, value, value, sel))
}

// firstWords is the start of a text, as a preview shows it before any fold.
func firstWords(s string) string {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}

// waitPublished waits for the post's one target to be published by the
// dispatcher and returns it.
func waitPublished(t *testing.T, e *env, w herald.Workspace, postID int64) herald.Target {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		p, err := e.store.GetPost(context.Background(), w.ID, postID)
		if err != nil || len(p.Targets) != 1 {
			t.Fatalf("post %d: %+v, %v", postID, p, err)
		}
		tg := p.Targets[0]
		switch tg.State {
		case herald.StatePublished:
			return tg
		case herald.StateFailed, herald.StateUnconfirmed, herald.StateRetrying:
			t.Fatalf("the target is %s: %s", tg.State, tg.LastError)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the target is still %s after 30 s", tg.State)
		}
		<-tick.C
	}
}

// startPublishing runs Herald's publishing dispatcher on e's store and
// connectors, as `herald serve` does, until the test ends.
func (e *env) startPublishing(t *testing.T) {
	t.Helper()
	st, ok := e.store.(publish.Store)
	if !ok {
		t.Fatal("the store cannot publish")
	}
	fitter, err := media.NewFitter(e.storage)
	if err != nil {
		t.Fatal(err)
	}
	d := publish.New(publish.Config{Instance: "test", Exclusive: true}, publish.Deps{
		Store: st, Connectors: e.registry, Open: e.keys.Open, Seal: e.keys.Seal, FitMedia: fitter.Fit,
		OpenMedia: func(_ context.Context, key string) (io.ReadCloser, error) { return e.storage.Open(key) },
	})
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	e.posts.SetWaker(d)
}
