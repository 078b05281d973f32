package web

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestBrowserAPIDocs opens /api/docs in a browser whose every request to
// anything but Herald fails, and sees the API's operations: the viewer
// comes from the binary and asks no third party for anything.
func TestBrowserAPIDocs(t *testing.T) {
	ctx := chrome(t, "UTC")
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	base, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var elsewhere []string
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	go func() {
		for ev, err := range paused {
			if err != nil {
				return
			}
			u, perr := url.Parse(ev.Request.URL)
			if perr == nil && (u.Host == base.Host || u.Scheme == "data" || u.Scheme == "blob") {
				_, _ = chromedp.Call(ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: ev.RequestID})
				continue
			}
			mu.Lock()
			elsewhere = append(elsewhere, ev.Request.URL)
			mu.Unlock()
			_, _ = chromedp.Call(ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: ev.RequestID,
				ErrorReason: network.ErrorReasonInternetDisconnected})
		}
	}()
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{}); err != nil {
		t.Fatalf("intercept requests: %v", err)
	}

	var text string
	for _, size := range []struct{ w, h int64 }{{1280, 900}, {390, 844}} {
		run(t, ctx, "open the API documentation",
			chromedp.EmulateViewport(size.w, size.h),
			chromedp.Navigate(e.srv.URL+"/api/docs"),
			// Swagger UI draws a long document as a virtual list: tag
			// headers and the operations in view, no tag sections.
			chromedp.WaitVisible(chromedp.CSS(".opblock-tag")),
			chromedp.WaitVisible(chromedp.CSS(".opblock")),
			into(&text, chromedp.Text(chromedp.CSS("#api-docs"))),
		)
		for _, want := range []string{"Herald API", "/api/v1/workspaces", "GET", "POST"} {
			if !strings.Contains(text, want) {
				t.Errorf("at %dpx the documentation lacks %q: %.300q", size.w, want, text)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(elsewhere) > 0 {
		t.Errorf("the documentation asked other hosts for: %v", elsewhere)
	}
}

// TestAPIDocsPage checks the documentation page names only Herald's own
// files, under the pages' strict policy.
func TestAPIDocsPage(t *testing.T) {
	e := newEnv(t)
	e.owner("ana@example.com", "Acme")
	a := e.browser().get("/api/docs")
	want(t, a, http.StatusOK, "vendor/swagger-ui-bundle.js", "apidocs.js", `data-spec="/api/openapi.json"`)
	if csp := a.Header.Get("Content-Security-Policy"); csp != contentSecurityPolicy {
		t.Errorf("policy = %q, want the pages' own", csp)
	}
	if strings.Contains(a.Body, "https://") {
		t.Errorf("the page names another origin: %s", a.Body)
	}
}
