package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/links"
)

// TestLinksAPI follows a tracked link from publishing to revenue on both
// stores: the target's short link redirects with its UTM parameters and a
// click id, the click counts (a preview fetcher's apart), a signed
// conversion counts once, and the analytics overview adds the clicks to
// the engagements with the conversion's value as revenue. Settings,
// the builder and bad input are checked on the way.
func TestLinksAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		owner := h.newUser("owner@example.com")
		ws := h.newWorkspace(owner, "Acme")
		tok := h.tokenFor(owner, ws, herald.RoleOwner)
		_, analystTok := h.member(ws, "analyst@example.com", herald.RoleAnalyst)
		doc := string(h.do("GET", "/api/openapi.json", "", nil).Body)
		for _, op := range []string{"list-links", "create-link", "build-link", "list-conversions", "get-analytics-settings",
			"update-analytics-settings", "rotate-conversion-secret", "report-conversion"} {
			if !strings.Contains(doc, `"operationId":"`+op+`"`) {
				t.Fatalf("the OpenAPI document lacks %s", op)
			}
		}
		settings := fmt.Sprintf("/api/v1/workspaces/%d/analytics/settings", ws.ID)

		// Settings: defaults, an analyst reads but cannot change them, bad values are refused.
		res := h.do("GET", settings, analystTok, nil)
		wantStatus(t, res, 200)
		if got := string(res.Body); !strings.Contains(got, `"track_links":true`) || !strings.Contains(got, `"rate_by":"followers"`) ||
			!strings.Contains(got, `"currency":"USD"`) || !strings.Contains(got, `"conversion_secret_set":false`) {
			t.Fatalf("default settings = %s", got)
		}
		wantStatus(t, h.do("PUT", settings, analystTok, map[string]any{"track_links": true, "rate_by": "followers", "currency": "EUR"}), 403)
		res = h.do("PUT", settings, tok, map[string]any{"track_links": true, "rate_by": "followers", "currency": "EURO"})
		wantStatus(t, res, 422)
		res = h.do("PUT", settings, tok, map[string]any{"track_links": true, "rate_by": "impressions", "currency": "EUR"})
		wantStatus(t, res, 200)

		// The builder: a tagged address, a short link, and refusals.
		build := fmt.Sprintf("/api/v1/workspaces/%d/links/build", ws.ID)
		res = h.do("POST", build, tok, map[string]any{"url": "https://shop.example.com/a?x=1#top", "utm": map[string]string{"source": "newsletter", "medium": "email"}})
		wantStatus(t, res, 200)
		if got := string(res.Body); !strings.Contains(got, "utm_source=newsletter") || !strings.Contains(got, "utm_medium=email") || !strings.Contains(got, "#top") {
			t.Fatalf("built = %s", got)
		}
		for _, bad := range []string{"javascript:alert(1)", "http://127.0.0.1/admin", "http://10.0.0.8/", "ftp://example.com/f", "https://user:pw@example.com/"} {
			res = h.do("POST", fmt.Sprintf("/api/v1/workspaces/%d/links", ws.ID), tok, map[string]any{"url": bad})
			wantStatus(t, res, 422)
		}
		res = h.do("POST", fmt.Sprintf("/api/v1/workspaces/%d/links", ws.ID), tok, map[string]any{"url": "https://shop.example.com/bio"})
		wantStatus(t, res, 201)
		var built struct {
			Code     string `json:"code"`
			ShortURL string `json:"short_url"`
		}
		mustJSON(t, res.Body, &built)
		if built.ShortURL != "https://herald.example.com/l/"+built.Code {
			t.Fatalf("short url = %q", built.ShortURL)
		}

		// Publishing makes the target's link (as the dispatcher does).
		p := publishedPost(t, h, ws, owner, "Sale")
		tg := p.Targets[0]
		texts, err := h.svc.Links.TrackLinks(ctx, tg, herald.PlatformMastodon, []string{"Our sale: https://shop.example.com/sale today"})
		if err != nil {
			t.Fatal(err)
		}
		short, _, _ := strings.Cut(strings.TrimPrefix(texts[0], "Our sale: "), " ")
		if !strings.HasPrefix(short, "https://herald.example.com/l/") {
			t.Fatalf("published text = %q", texts[0])
		}
		path := strings.TrimPrefix(short, "https://herald.example.com")

		noFollow := *h.srv.Client()
		noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		get := func(ua string) *http.Response {
			req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
			req.Header.Set("User-Agent", ua)
			r, err := noFollow.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			return r
		}
		r := get("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
		if r.StatusCode != http.StatusFound {
			t.Fatalf("redirect status = %d", r.StatusCode)
		}
		loc, err := url.Parse(r.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		q := loc.Query()
		if loc.Host != "shop.example.com" || q.Get("utm_source") != "mastodon" || q.Get("utm_medium") != "social" ||
			q.Get("utm_content") != fmt.Sprint(p.ID) || q.Get(herald.ClickIDParam) == "" {
			t.Fatalf("redirected to %s", loc)
		}
		clickID := q.Get(herald.ClickIDParam)
		if r := get("Mastodon/4.3.0 (http.rb/5.2.0; +https://example.social/)"); r.StatusCode != http.StatusFound ||
			strings.Contains(r.Header.Get("Location"), herald.ClickIDParam) {
			t.Fatalf("preview fetch: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if err := h.svc.Links.Recorder().Flush(ctx); err != nil {
			t.Fatal(err)
		}

		// Conversions: refused without a secret, with a bad signature, for an
		// unknown click; counted once.
		body := []byte(fmt.Sprintf(`{"click_id":%q,"event_id":"order-1","name":"purchase","value":19.99,"currency":"EUR"}`, clickID))
		wantStatus(t, h.do("POST", "/api/v1/conversions", "", body, links.SignatureHeader, "sha256=00"), 403)
		res = h.do("POST", fmt.Sprintf("/api/v1/workspaces/%d/analytics/conversion-secret", ws.ID), tok, nil)
		wantStatus(t, res, 200)
		var sec struct{ Secret string }
		mustJSON(t, res.Body, &sec)
		wantStatus(t, h.do("POST", "/api/v1/conversions", "", body, links.SignatureHeader, links.Sign("wrong", body)), 401)
		unknown := []byte(`{"click_id":"nosuchclick","event_id":"order-9"}`)
		wantStatus(t, h.do("POST", "/api/v1/conversions", "", unknown, links.SignatureHeader, links.Sign(sec.Secret, unknown)), 404)
		absurd := []byte(fmt.Sprintf(`{"click_id":%q,"event_id":"order-2","value":-5,"currency":"EUR"}`, clickID))
		wantStatus(t, h.do("POST", "/api/v1/conversions", "", absurd, links.SignatureHeader, links.Sign(sec.Secret, absurd)), 422)
		wantStatus(t, h.do("POST", "/api/v1/conversions", "", body, links.SignatureHeader, links.Sign(sec.Secret, body)), 201)
		res = h.do("POST", "/api/v1/conversions", "", body, links.SignatureHeader, links.Sign(sec.Secret, body))
		wantStatus(t, res, 200)
		if !strings.Contains(string(res.Body), `"duplicate":true`) {
			t.Fatalf("replay = %s", res.Body)
		}

		// The counts: the link's and the overview's.
		res = h.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/links?target=%d", ws.ID, tg.ID), analystTok, nil)
		wantStatus(t, res, 200)
		var listed struct {
			Links []struct {
				Clicks      int64 `json:"clicks"`
				Unique      int64 `json:"unique_clicks"`
				Previews    int64 `json:"preview_clicks"`
				Conversions int64 `json:"conversions"`
				Revenue     int64 `json:"revenue_cents"`
			} `json:"links"`
		}
		mustJSON(t, res.Body, &listed)
		if len(listed.Links) != 1 {
			t.Fatalf("target links = %s", res.Body)
		}
		if l := listed.Links[0]; l.Clicks != 1 || l.Unique != 1 || l.Previews != 1 || l.Conversions != 1 || l.Revenue != 1999 {
			t.Fatalf("link counts = %+v", l)
		}
		res = h.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/analytics?days=7", ws.ID), analystTok, nil)
		wantStatus(t, res, 200)
		var o struct {
			Rate    string `json:"rate"`
			Current struct {
				Clicks      struct{ Value, Posts int64 } `json:"clicks"`
				Conversions struct{ Value, Posts int64 } `json:"conversions"`
				Revenue     struct{ Value, Posts int64 } `json:"revenue_cents"`
			} `json:"current"`
		}
		mustJSON(t, res.Body, &o)
		if o.Current.Clicks.Value != 1 || o.Current.Conversions.Value != 1 || o.Current.Revenue.Value != 1999 {
			t.Fatalf("overview = %s", res.Body)
		}
		if o.Rate != "impressions" {
			t.Fatalf("rate = %q, want the workspace's default, impressions", o.Rate)
		}
		res = h.do("GET", fmt.Sprintf("/api/v1/workspaces/%d/conversions", ws.ID), analystTok, nil)
		wantStatus(t, res, 200)
		if n := strings.Count(string(res.Body), `"event_id":"order-1"`); n != 1 {
			t.Fatalf("conversions = %s", res.Body)
		}
	})
}

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func wantStatus(t *testing.T, res response, status int) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status = %d, want %d: %s", res.Status, status, res.Body)
	}
}
