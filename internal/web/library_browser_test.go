package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserLibrary drives the media library on a phone-sized screen:
// upload two images at once, give one alt text and a tag, then find it by
// the tag as you type.
func TestBrowserLibrary(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	owner, ws := e.owner("ana@example.com", "Acme")
	dir := t.TempDir()
	rocket, office := filepath.Join(dir, "rocket.png"), filepath.Join(dir, "office.png")
	if err := os.WriteFile(rocket, testPNG(t, 12, 8, 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(office, testPNG(t, 6, 6, 2), 0o600); err != nil {
		t.Fatal(err)
	}
	lib := fmt.Sprintf("%s/w/%d/media", e.srv.URL, ws.ID)
	var text string
	var ok bool

	run(t, ctx, "sign in",
		chromedp.Navigate(lib),
		chromedp.WaitVisible(chromedp.CSS("#signin-submit")),
		chromedp.SendKeys(chromedp.CSS("#email"), "ana@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin-submit")),
		chromedp.WaitVisible(chromedp.CSS("#media-upload")),
	)

	run(t, ctx, "upload",
		chromedp.SetUploadFiles(chromedp.CSS("#media-files"), []string{rocket, office}),
		chromedp.Click(chromedp.CSS("#media-upload-submit")),
		chromedp.WaitVisible(chromedp.CSS("#upload-report .notice")),
		into(&text, chromedp.Text(chromedp.CSS("#upload-report"))),
		into(&ok, chromedp.Poll[bool](`document.querySelectorAll("#media-results .media-tile").length === 2`)),
	)
	if !strings.Contains(text, "Uploaded 2 files.") || !strings.Contains(text, "rocket.png") {
		t.Fatalf("upload report = %q", text)
	}
	items, _, err := e.media.List(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner},
		"rocket", herald.Page{})
	if err != nil || len(items) != 1 || items[0].Width != 12 {
		t.Fatalf("after the upload: %+v, %v", items, err)
	}
	rocketID := items[0].ID

	run(t, ctx, "describe and tag",
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#media-%d a.media-thumb", rocketID))),
		chromedp.WaitVisible(chromedp.CSS("#alt_text")),
		chromedp.SendKeys(chromedp.CSS("#alt_text"), "A red rocket on the launch pad"),
		chromedp.SendKeys(chromedp.CSS("#tags"), "Launch, countdown"),
		chromedp.Click(chromedp.CSS("#media-save")),
		chromedp.WaitVisible(chromedp.CSS("#messages .notice")),
		into(&text, chromedp.Value(chromedp.CSS("#tags"))),
	)
	if text != "countdown, launch" {
		t.Fatalf("tags after saving = %q", text)
	}

	run(t, ctx, "search by tag",
		chromedp.Navigate(lib),
		chromedp.WaitVisible(chromedp.CSS("#media-q")),
		chromedp.SendKeys(chromedp.CSS("#media-q"), "countd"),
		into(&ok, chromedp.Poll[bool](`document.querySelectorAll("#media-results .media-tile").length === 1`)),
		into(&text, chromedp.Text(chromedp.CSS("#media-results"))),
	)
	if !strings.Contains(text, "rocket.png") || strings.Contains(text, "office.png") || !strings.Contains(text, "countdown") {
		t.Fatalf("search results = %q", text)
	}
	var loc string
	run(t, ctx, "search is in the address", into(&loc, chromedp.Location()))
	if !strings.Contains(loc, "q=countd") {
		t.Fatalf("after searching the address is %q", loc)
	}
}
