package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/browsertest"
	"github.com/heraldsocial/herald/internal/herald"
)

// chrome starts a headless Debian chromium with a fresh profile, in the
// zone tz, or skips the test when chromium is not installed. What its pages
// report (exceptions, console errors, policy violations) fails the test:
// run checks after each step, and a cleanup after the last.
func chrome(t *testing.T, tz string) context.Context {
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
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone
		chromedp.Env("TZ=" + tz),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(t.Context(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
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
	var png []byte
	var html, loc string
	shotCtx, cancelShot := context.WithTimeout(ctx, 10*time.Second)
	defer cancelShot()
	if serr := chromedp.Do(shotCtx, into(&loc, chromedp.Location()), into(&png, chromedp.FullScreenshot(90)),
		into(&html, chromedp.OuterHTML(chromedp.CSS("html")))); serr == nil {
		_ = os.WriteFile(shot, png, 0o644)
		_ = os.WriteFile(strings.TrimSuffix(shot, ".png")+".html", []byte(html), 0o644)
		t.Fatalf("%s: %v (at %s; screenshot %s)", step, err, loc, shot)
	}
	t.Fatalf("%s: %v (no screenshot)", step, err)
}

// TestBrowserEndToEnd drives Herald in a real browser: first run, home,
// sign out and in, a post made through the API, and the crisis switch.
func TestBrowserEndToEnd(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	base := e.srv.URL
	var zone, text, loc string

	run(t, ctx, "first run",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#setup-submit")),
		into(&loc, chromedp.Location()),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := chromedp.Poll[bool](`document.querySelector("#time_zone").value === "Europe/Paris"`)(ctx, t)
			return err
		}),
		into(&zone, chromedp.Value(chromedp.CSS("#time_zone"))),
		chromedp.SendKeys(chromedp.CSS("#name"), "Ana Owner"),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.SendKeys(chromedp.CSS("#workspace"), "Acme"),
		chromedp.Click(chromedp.CSS("#setup-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		into(&text, chromedp.Text(chromedp.CSS("h1"))),
	)
	if !strings.HasSuffix(loc, "/setup") || zone != "Europe/Paris" || text != "Acme" {
		t.Fatalf("first run: landed on %s, zone %q, home %q", loc, zone, text)
	}
	ws, err := e.ws.List(context.Background(), herald.Principal{UserID: 1})
	if err != nil || len(ws) != 1 || ws[0].TimeZone != "Europe/Paris" {
		t.Fatalf("workspaces after setup = %+v, %v", ws, err)
	}
	w := ws[0]

	run(t, ctx, "sign out",
		clickNav("#user-menu summary"),
		chromedp.WaitVisible(chromedp.CSS("#sign-out")),
		chromedp.Click(chromedp.CSS("#sign-out")),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "You are signed out") {
		t.Fatalf("after sign out: %q", text)
	}
	run(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
	)

	// A post through the API, with a target on a test-platform account.
	owner, err := e.store.GetUserByEmail(context.Background(), "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	acct := e.account(owner, w.Workspace, "@acme")
	actor := herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	token, _, err := e.auth.CreateToken(context.Background(), actor, "browser test", herald.RoleOwner, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	postID := createPost(t, base, token, w.ID, acct.ID, "Big launch tomorrow", at)

	run(t, ctx, "see the post",
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#glance")),
		into(&text, chromedp.Text(chromedp.CSS("#glance"))),
	)
	if !strings.Contains(text, "Big launch tomorrow") {
		t.Fatalf("the glance lacks the post: %q", text)
	}

	run(t, ctx, "hold everything",
		chromedp.Click(chromedp.CSS("#crisis-switch")),
		chromedp.WaitVisible(chromedp.CSS("#reason")),
		waitFor(`document.getElementById("crisis-confirm").disabled`), // no reason yet
		chromedp.SendKeys(chromedp.CSS("#reason"), "Outage at the airline"),
		waitFor(`!document.getElementById("crisis-confirm").disabled`),
		chromedp.Click(chromedp.CSS("#crisis-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#crisis-banner .banner")),
		into(&text, chromedp.Text(chromedp.CSS("#crisis-banner"))),
	)
	if !strings.Contains(text, "Publishing is held.") || !strings.Contains(text, "Outage at the airline") {
		t.Fatalf("banner = %q", text)
	}
	if got := targetState(t, e, w.ID, postID); got != herald.StateHeld {
		t.Fatalf("after the crisis switch the target is %s, want held", got)
	}

	run(t, ctx, "resume",
		chromedp.Click(chromedp.CSS("#resume-all")),
		chromedp.WaitVisible(chromedp.CSS("#crisis-switch")),
		into(&text, chromedp.Text(chromedp.CSS("main"))),
	)
	if !strings.Contains(text, "Resumed 1 post target") {
		t.Fatalf("after resume: %q", text)
	}
	var banners int
	run(t, ctx, "banner gone", into(&banners, chromedp.Evaluate[int](`document.querySelectorAll("#crisis-banner .banner").length`)))
	if banners != 0 {
		t.Fatal("the banner is still shown after resuming")
	}
	if got := targetState(t, e, w.ID, postID); got != herald.StateScheduled {
		t.Fatalf("after resuming the target is %s, want scheduled", got)
	}
}

// createPost makes a scheduled post through the REST API.
func createPost(t *testing.T, base, token string, wsID, accountID int64, text string, at time.Time) int64 {
	t.Helper()
	body, err := json.Marshal(map[string]any{"text": text, "action": "schedule",
		"targets": []map[string]any{{"account_id": accountID, "scheduled_at": at}}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/api/v1/workspaces/%d/posts", base, wsID), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create post: %d %v", res.StatusCode, err)
	}
	return out.ID
}

func targetState(t *testing.T, e *env, wsID, postID int64) herald.TargetState {
	t.Helper()
	p, err := e.store.GetPost(context.Background(), wsID, postID)
	if err != nil || len(p.Targets) != 1 {
		t.Fatalf("get post %d: %v", postID, err)
	}
	return p.Targets[0].State
}

// waitFor waits until the JavaScript expression is truthy.
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Poll[bool](expr)(ctx, t); err != nil {
			return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, err)
		}
		return chromedp.Void{}, nil
	}
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
