package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/heraldsocial/herald/internal/browsertest"
)

// TestBrowserWatchesPages checks the watcher catches what the policy
// blocks: an inline script and a script that evaluates a string.
func TestBrowserWatchesPages(t *testing.T) {
	ctx := chrome(t, "UTC")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		if r.URL.Path == "/eval.js" {
			w.Header().Set("Content-Type", "text/javascript")
			fmt.Fprint(w, `document.title = new Function("return 'evaluated'")();`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!DOCTYPE html><title>t</title><script>document.title = "inline"</script>`+
			`<script src="/eval.js"></script><p id="done">done</p>`)
	}))
	defer srv.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL), chromedp.WaitVisible(chromedp.CSS("#done"))); err != nil {
		t.Fatal(err)
	}
	var seen []string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		seen = append(seen, browsertest.NewProblems(ctx)...)
		all := strings.Join(seen, "\n")
		if strings.Contains(all, "blocked inline") && strings.Contains(all, "blocked eval") && strings.Contains(all, "EvalError") {
			return
		}
	}
	t.Fatalf("the watcher saw:\n%s\nwant the inline script and the eval blocked, and the EvalError", strings.Join(seen, "\n"))
}
