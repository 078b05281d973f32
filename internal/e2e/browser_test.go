package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/heraldsocial/herald/internal/browsertest"
)

// chrome starts a headless Debian chromium with a fresh profile, in the
// zone tz and with a window of w×h, or skips the test when chromium is not
// installed. What its pages report (exceptions, console errors, policy
// violations) fails the test: run checks after each step, and a cleanup
// after the last.
func chrome(t *testing.T, tz string, w, h int) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install -y chromium)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
		chromedp.Env("TZ=" + tz),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx = browsertest.WatchPages(t, ctx)
	t.Cleanup(func() { // before the browser closes: cleanups run last first
		if p := browsertest.NewProblems(ctx); len(p) > 0 {
			t.Errorf("after the last step the pages reported:\n%s", strings.Join(p, "\n"))
		}
	})
	return ctx
}

// incognito opens a second browser context (its own cookies) in the
// browser of ctx: another person at another computer.
func incognito(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	bctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("open a second browser context: %v", err)
	}
	return browsertest.WatchPages(t, bctx)
}

// run runs a step's actions, bounded in time; on failure it saves a
// screenshot and the page's HTML and fails the test, saying where.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := chromedp.Do(sctx, actions...)
	if err == nil {
		if p := browsertest.NewProblems(ctx); len(p) > 0 {
			t.Fatalf("%s: the page reported:\n%s", step, strings.Join(p, "\n"))
		}
		return
	}
	if p := browsertest.NewProblems(ctx); len(p) > 0 {
		err = fmt.Errorf("%w; the page reported:\n%s", err, strings.Join(p, "\n"))
	}
	dir := t.TempDir()
	shot := filepath.Join(dir, strings.ReplaceAll(step, " ", "_")+".png")
	var img []byte
	var html, loc string
	shotCtx, cancelShot := context.WithTimeout(ctx, 10*time.Second)
	defer cancelShot()
	if serr := chromedp.Do(shotCtx, into(&loc, chromedp.Location()), into(&img, chromedp.FullScreenshot(100)),
		into(&html, chromedp.OuterHTML(chromedp.CSS("html")))); serr == nil {
		_ = os.WriteFile(shot, img, 0o644)
		_ = os.WriteFile(strings.TrimSuffix(shot, ".png")+".html", []byte(html), 0o644)
		t.Fatalf("%s: %v (at %s; screenshot %s)", step, err, loc, shot)
	}
	t.Fatalf("%s: %v (no screenshot)", step, err)
}

// into runs a, keeping its value in dst.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		if err == nil {
			*dst = v
		}
		return chromedp.Void{}, err
	}
}

// poll waits until the JavaScript expression is truthy.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Poll[bool](expr)(ctx, t); err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, nil
	}
}

// until runs refresh (a reload, a navigation) until the JavaScript
// expression is truthy on the page, for what the server changes by itself
// (a post being published). A page still loading counts as false.
func until(expr string, limit time.Duration, refresh chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(limit)
		for {
			if ok, err := chromedp.Evaluate[bool](expr)(ctx, t); err == nil && ok {
				return chromedp.Void{}, nil
			}
			if time.Now().After(deadline) {
				return chromedp.Void{}, fmt.Errorf("%s is still false after %s", expr, limit)
			}
			if _, err := chromedp.Sleep(200*time.Millisecond)(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
			if _, err := refresh(ctx, t); err != nil {
				return chromedp.Void{}, err
			}
		}
	}
}

// setValue sets a field's value through JavaScript and tells listeners,
// for fields SendKeys cannot fill reliably (datetime-local).
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	return poll(fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
		el.value = %q; el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true}));
		return true; })()`, sel, value))
}

// signIn signs a browser in on the sign-in page.
func signIn(base, email, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/signin"),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#nav-calendar")),
	}
}

// photo writes a PNG of w×h, a soft gradient, into dir and returns its path.
func photo(t *testing.T, dir, name string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(180 + 60*x/w), G: uint8(120 + 80*y/h), B: uint8(90 + 40*(x+y)/(w+h)), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
