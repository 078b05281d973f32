package api_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/platformfakes"
	"github.com/heraldsocial/herald/internal/publish"
)

// apiPlatformCase is one platform connected, posted to and read back
// through the REST API.
type apiPlatformCase struct {
	platform herald.Platform
	password bool // connected with an identifier and a secret (a webhook URL, a bot token) rather than OAuth
	handle   string
	text     string
	image    bool
	video    bool // a video instead of the image (YouTube)
	// options are sent with the post; each must be listed by the
	// account's options endpoint (with the value among its choices, for
	// a select).
	options map[string]string
	// want are fields of the post the platform holds.
	want map[string]string
}

var apiPlatformCases = []apiPlatformCase{
	{platform: herald.PlatformFacebook, handle: platformfakes.FacebookHandle, text: "Fresh pastries every morning",
		options: map[string]string{"link": "https://acme.example/menu"},
		want:    map[string]string{"link": "https://acme.example/menu"}},
	{platform: herald.PlatformInstagram, handle: platformfakes.InstagramHandle, text: "Our new espresso bar", image: true,
		options: map[string]string{"story": "false"}, want: map[string]string{"items": "1"}},
	{platform: herald.PlatformLinkedIn, handle: platformfakes.LinkedInHandle, text: "We are hiring baristas",
		options: map[string]string{"visibility": "CONNECTIONS"}, want: map[string]string{"visibility": "CONNECTIONS"}},
	{platform: herald.PlatformPinterest, handle: platformfakes.PinterestHandle, text: "Latte art, step by step", image: true,
		options: map[string]string{"board_id": platformfakes.BoardLaunches, "title": "Latte art at home"},
		want:    map[string]string{"board": platformfakes.BoardLaunches, "title": "Latte art at home", "alt_text": "A latte with a fern"}},
	{platform: herald.PlatformThreads, handle: platformfakes.ThreadsHandle, text: "Which pastry tomorrow?",
		options: map[string]string{"reply_control": "accounts_you_follow"}, want: map[string]string{"media_type": "TEXT_POST"}},
	{platform: herald.PlatformDiscord, password: true, handle: platformfakes.DiscordHandle, text: "Open late on Sunday",
		options: map[string]string{"silent": "true"}, want: map[string]string{"flags": "4096"}},
	{platform: herald.PlatformTelegram, password: true, handle: platformfakes.TelegramHandle, text: "Menu of the week: <b>soup</b> & bread",
		options: map[string]string{"silent": "true", "pin": "true"},
		want:    map[string]string{"silent": "true", "pinned": "true", "kind": "text"}},
	{platform: herald.PlatformYouTube, handle: platformfakes.YouTubeHandle, text: "How we roast our beans", video: true,
		options: map[string]string{"title": "Roasting day", "privacy": "unlisted"},
		want:    map[string]string{"title": "Roasting day", "privacy": "unlisted", "size": "300000"}},
}

// TestAPIConnectAndPublishEveryPlatform connects an account on every
// platform through the API's connect operations (following the
// platform's authorization redirect as a program would), lists it, reads
// its options, posts with them, publishes now and reads back what the API
// reports: the target published with its remote URL, one successful
// attempt, and the metrics list.
func TestAPIConnectAndPublishEveryPlatform(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	fakes := platformfakes.Start(t, nil)
	reg := h.withRegistry(fakes.Register)
	storage, err := media.NewDiskStorage(h.mediaDir)
	if err != nil {
		t.Fatal(err)
	}
	links := media.NewPublicLinks("https://herald.example.com", h.keys, h.store, storage, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	fakes.SetMediaURL(links.MediaURL)
	startPublishing(t, h, reg, storage)
	owner := h.newUser("ana@example.com")
	ws := h.newWorkspace(owner, "Acme")
	tok := h.tokenFor(owner, ws, herald.RoleOwner)

	for _, c := range apiPlatformCases {
		t.Run(string(c.platform), func(t *testing.T) {
			acct := apiConnect(t, h, ws, tok, fakes, c)
			if acct.Handle != c.handle || acct.Status != herald.AccountConnected {
				t.Fatalf("connected %+v; want %s, connected", acct, c.handle)
			}
			res := h.do(http.MethodGet, pubPath(ws, "/accounts"), tok, nil)
			mustStatus(t, res, http.StatusOK)
			var accts struct {
				Items []herald.Account `json:"items"`
			}
			res.JSON(t, &accts)
			if !slices.ContainsFunc(accts.Items, func(a herald.Account) bool {
				return a.ID == acct.ID && a.Platform == c.platform && a.Handle == c.handle
			}) {
				t.Fatalf("the account list %+v lacks %s", accts.Items, c.handle)
			}

			res = h.do(http.MethodGet, pubPath(ws, "/accounts/%d/options", acct.ID), tok, nil)
			mustStatus(t, res, http.StatusOK)
			var opts struct {
				Options []connector.OptionField `json:"options"`
			}
			res.JSON(t, &opts)
			for k, v := range c.options {
				i := slices.IndexFunc(opts.Options, func(f connector.OptionField) bool { return f.Key == k })
				if i < 0 {
					t.Fatalf("the options %+v lack %s", opts.Options, k)
				}
				f := opts.Options[i]
				if f.Kind == connector.OptionSelect && !slices.ContainsFunc(f.Choices, func(ch connector.Choice) bool { return ch.Value == v }) {
					t.Fatalf("the option %s offers %+v, not %q", k, f.Choices, v)
				}
			}

			variant := map[string]any{"options": c.options}
			if c.image {
				up := h.upload(ws, tok, "latte.jpg", bytes.NewReader(platformfakes.JPEG(t, 64)), "A latte with a fern")
				mustStatus(t, up, http.StatusCreated)
				var m herald.MediaAsset
				up.JSON(t, &m)
				variant["media_ids"] = []int64{m.ID}
			}
			if c.video {
				up := h.upload(ws, tok, "roast.mp4", bytes.NewReader(platformfakes.MP4(300000)), "")
				mustStatus(t, up, http.StatusCreated)
				var m herald.MediaAsset
				up.JSON(t, &m)
				if m.ContentType != "video/mp4" {
					t.Fatalf("the video was taken as %q", m.ContentType)
				}
				variant["media_ids"] = []int64{m.ID}
			}
			res = h.do(http.MethodPost, pubPath(ws, "/posts"), tok, map[string]any{"text": c.text, "action": "draft",
				"targets": []map[string]any{{"account_id": acct.ID, "variant": variant}}})
			mustStatus(t, res, http.StatusCreated)
			var p herald.Post
			res.JSON(t, &p)
			res = h.do(http.MethodPost, pubPath(ws, "/posts/%d/publish-now", p.ID), tok, nil)
			mustStatus(t, res, http.StatusOK)

			tg := apiWaitPublished(t, h, ws, tok, p.ID)
			if tg.RemoteID == "" || !strings.HasPrefix(tg.RemoteURL, "https://") || tg.PublishedAt == nil {
				t.Errorf("the published target reports remote %q at %q, published %v", tg.RemoteID, tg.RemoteURL, tg.PublishedAt)
			}
			for k, v := range c.options {
				if tg.Variant.Options[k] != v {
					t.Errorf("the target's option %s = %q, want %q", k, tg.Variant.Options[k], v)
				}
			}
			got := fakes.Posts(c.platform)
			if len(got) != 1 || got[0].Text != c.text {
				t.Fatalf("%s holds %+v; want one post with the text %q", c.platform, got, c.text)
			}
			for k, v := range c.want {
				if got[0].Fields[k] != v {
					t.Errorf("%s kept %s = %q, want %q (all: %v)", c.platform, k, got[0].Fields[k], v, got[0].Fields)
				}
			}

			res = h.do(http.MethodGet, pubPath(ws, "/posts/%d/targets/%d/attempts", p.ID, tg.ID), tok, nil)
			mustStatus(t, res, http.StatusOK)
			var attempts struct {
				Items []herald.Attempt `json:"items"`
			}
			res.JSON(t, &attempts)
			if len(attempts.Items) != 1 || attempts.Items[0].Outcome != herald.OutcomePublished || attempts.Items[0].RemoteID != tg.RemoteID {
				t.Errorf("attempts %+v; want one published with the remote id %s", attempts.Items, tg.RemoteID)
			}
			// Snapshots are taken by a background job from ten minutes
			// after publishing: none yet, and the list says so.
			res = h.do(http.MethodGet, pubPath(ws, "/posts/%d/targets/%d/metrics", p.ID, tg.ID), tok, nil)
			mustStatus(t, res, http.StatusOK)
			var metrics struct {
				Items []map[string]any `json:"items"`
			}
			res.JSON(t, &metrics)
			if len(metrics.Items) != 0 {
				t.Errorf("metrics right after publishing: %v", metrics.Items)
			}
		})
	}
	if v := fakes.Violations(); len(v) > 0 {
		t.Errorf("the platforms saw their contracts broken:\n%s", strings.Join(v, "\n"))
	}
}

// apiConnect connects c's account: with the webhook URL, or by starting
// the connect flow, following the platform's authorization page to its
// redirect and finishing at Herald's callback with the code.
func apiConnect(t *testing.T, h *harness, ws herald.Workspace, tok string, fakes *platformfakes.Set, c apiPlatformCase) herald.Account {
	t.Helper()
	var acct herald.Account
	if c.password {
		res := h.do(http.MethodPost, pubPath(ws, "/accounts/connect-password"), tok,
			map[string]string{"platform": string(c.platform), "identifier": c.handle, "password": fakes.Password(c.platform)})
		mustStatus(t, res, http.StatusCreated)
		res.JSON(t, &acct)
		return acct
	}
	res := h.do(http.MethodPost, pubPath(ws, "/accounts/connect"), tok, map[string]string{"platform": string(c.platform)})
	mustStatus(t, res, http.StatusOK)
	var begun struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	res.JSON(t, &begun)
	// The platform's page: the fakes approve at once and redirect back.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	auth, err := client.Get(begun.AuthorizeURL)
	if err != nil {
		t.Fatalf("the authorization page %s: %v", begun.AuthorizeURL, err)
	}
	_, _ = io.Copy(io.Discard, auth.Body)
	auth.Body.Close()
	back, err := url.Parse(auth.Header.Get("Location"))
	if err != nil || auth.StatusCode != http.StatusFound {
		t.Fatalf("the authorization page answered %d → %q (%v)", auth.StatusCode, auth.Header.Get("Location"), err)
	}
	if !strings.HasPrefix(back.String(), h.srv.URL+"/api/v1/connect/callback?") {
		t.Fatalf("the platform sends the person to %s, not Herald's callback", back)
	}
	res = h.do(http.MethodGet, strings.TrimPrefix(back.String(), h.srv.URL), tok, nil, "Accept", "application/json")
	mustStatus(t, res, http.StatusOK)
	res.JSON(t, &acct)
	return acct
}

// apiWaitPublished reads the post until its one target is published and
// returns the target.
func apiWaitPublished(t *testing.T, h *harness, ws herald.Workspace, tok string, postID int64) herald.Target {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		res := h.do(http.MethodGet, pubPath(ws, "/posts/%d", postID), tok, nil)
		mustStatus(t, res, http.StatusOK)
		var p herald.Post
		res.JSON(t, &p)
		if len(p.Targets) != 1 {
			t.Fatalf("post %d has %d targets", postID, len(p.Targets))
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

// startPublishing runs Herald's publishing dispatcher on h's store and
// the connectors of reg, as `herald serve` does, until the test ends.
func startPublishing(t *testing.T, h *harness, reg *connector.Registry, storage *media.DiskStorage) {
	t.Helper()
	st, ok := h.store.(publish.Store)
	if !ok {
		t.Fatal("the store cannot publish")
	}
	fitter, err := media.NewFitter(storage)
	if err != nil {
		t.Fatal(err)
	}
	d := publish.New(publish.Config{Instance: "api-test", Exclusive: true}, publish.Deps{
		Store: st, Connectors: reg, Open: h.keys.Open, Seal: h.keys.Seal, FitMedia: fitter.Fit,
		OpenMedia: func(_ context.Context, key string) (io.ReadCloser, error) { return storage.Open(key) },
	})
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	h.svc.Posts.SetWaker(d)
}
