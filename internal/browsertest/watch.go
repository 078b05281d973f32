// Package browsertest watches the pages of a chromedp browser for what a
// browser test must not pass over (uncaught exceptions, console errors,
// Content-Security-Policy violations, Alpine's warnings). It is shared by
// the web package's browser tests and the end-to-end suite.
package browsertest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// violationReporter runs in every document before the page's own scripts:
// it writes each Content-Security-Policy violation to the console as an
// error, with what was blocked and where, so that the watcher sees it
// whatever the browser itself logs.
const violationReporter = `document.addEventListener("securitypolicyviolation", function (e) {
	console.error("Content-Security-Policy violation: " + e.effectiveDirective + " blocked " +
		(e.blockedURI || "inline code") + " at " + (e.sourceFile || e.documentURI) + ":" + e.lineNumber +
		(e.sample ? " (" + e.sample + ")" : ""));
});`

// pageProblems collects what a browser's pages report that a test must not
// pass over: uncaught exceptions, console errors (Content-Security-Policy
// violations among them) and Alpine's warnings, which is how its CSP build
// says it cannot evaluate an expression.
type pageProblems struct {
	mu   sync.Mutex
	seen []string
	told int // how many of seen a check has reported already
}

// problemsKey is the context key of a browser's pageProblems.
type problemsKey struct{}

// WatchPages starts collecting the problems the pages of ctx's tab report
// and returns a context that carries them for NewProblems. A tab
// opened from a watched one (another browser context) adds to the same
// collection.
func WatchPages(t testing.TB, ctx context.Context) context.Context {
	t.Helper()
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument,
		cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: violationReporter}); err != nil {
		t.Fatalf("watch the page for policy violations: %v", err)
	}
	p, ok := ctx.Value(problemsKey{}).(*pageProblems)
	if !ok {
		p = &pageProblems{}
		ctx = context.WithValue(ctx, problemsKey{}, p)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if isProblem(m) {
				p.mu.Lock()
				p.seen = append(p.seen, m.String()+" ("+m.URL+")")
				p.mu.Unlock()
			}
		}
	}()
	return ctx
}

// isProblem reports whether a console message means the page misbehaved.
// A failed request (the browser's own "Failed to load resource" entry of
// the network log) is not one: tests ask for refusals on purpose, and check
// the answers themselves.
func isProblem(m chromedp.ConsoleMessage) bool {
	switch m.Type {
	case chromedp.ConsoleException:
		return true
	case chromedp.ConsoleError:
		return m.Source != "network"
	case chromedp.ConsoleWarning:
		return strings.HasPrefix(m.Text, "Alpine")
	}
	return false
}

// NewProblems returns the problems not reported yet. The console events of
// a step reach the watcher just after the step, so it waits a moment first.
func NewProblems(ctx context.Context) []string {
	p, ok := ctx.Value(problemsKey{}).(*pageProblems)
	if !ok {
		return nil
	}
	time.Sleep(50 * time.Millisecond)
	p.mu.Lock()
	defer p.mu.Unlock()
	fresh := p.seen[p.told:]
	p.told = len(p.seen)
	return fresh
}
