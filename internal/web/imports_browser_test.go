package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestBrowserImport uploads the documented example with two bad rows,
// fixes both in the preview, imports, and finds the posts in the calendar.
func TestBrowserImport(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newComposeEnv(t)
	w, bad := importSetup(t, e)
	file := filepath.Join(t.TempDir(), "posts.csv")
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	signInSized(t, ctx, base, "ana@example.com", 1280, 900)

	run(t, ctx, "open the import page from the drafts",
		chromedp.Navigate(base+draftsURL(w.ID)),
		chromedp.Click(chromedp.CSS("#drafts-import")),
		chromedp.WaitVisible(chromedp.CSS("#import-file")),
	)
	run(t, ctx, "upload the file with two bad rows",
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}),
		submit("#import-check-file"),
		chromedp.WaitVisible(chromedp.CSS("#import-rows")),
		waitFor(`document.querySelectorAll("#import-rows tr.bad").length === 2`),
		waitFor(`document.querySelector("#import-row-1 td.bad .cell-problem").textContent.includes("is not a date")`),
		waitFor(`document.querySelector("#import-row-3 td.bad .cell-problem").textContent.includes("is not an account of this workspace")`),
		waitFor(`document.getElementById("import-all").disabled`),
	)
	run(t, ctx, "the preview fits a phone",
		chromedp.EmulateViewport(390, 844),
		waitFor(fitsWidth),
		chromedp.EmulateViewport(1280, 900),
	)
	run(t, ctx, "fix both rows and check again",
		chromedp.SetValue(chromedp.CSS("#cell-1-date"), "2030-06-03"),
		chromedp.SetValue(chromedp.CSS("#cell-3-accounts"), "fake:news"),
		submit("#import-recheck"),
		waitFor(`document.getElementById("import-counts").textContent.includes("4 of 4 rows are ready")`),
		waitFor(`!document.getElementById("import-all").disabled`),
		waitFor(`document.querySelectorAll("#import-rows tr.bad").length === 0`),
	)
	run(t, ctx, "import",
		submit("#import-all"),
		chromedp.WaitVisible(chromedp.CSS("#import-summary")),
		waitFor(`document.getElementById("import-summary").textContent.includes("Imported 4 posts.")`),
	)
	run(t, ctx, "the posts are in the calendar",
		chromedp.Navigate(fmt.Sprintf("%s/w/%d/calendar?view=list&date=2030-06-01", base, w.ID)),
		waitFor(`document.body.textContent.includes("Spring sale starts today")`),
		waitFor(`document.body.textContent.includes("The evening edition is out.")`),
	)
	posts, _, err := e.store.ListPosts(context.Background(), herald.PostFilter{WorkspaceID: w.ID, Page: herald.Page{Limit: 10}})
	if err != nil || len(posts) != 4 {
		t.Fatalf("%d posts after the import (%v), want 4", len(posts), err)
	}
}

// submit clicks a form's button sel and waits until the next page has
// loaded (polling the page being left could meet its navigation).
func submit(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.Evaluate[bool](`(document.documentElement.dataset.leaving = "1") === "1"`)(ctx, t); err != nil {
			return err
		}
		if _, err := chromedp.Click(chromedp.CSS(sel))(ctx, t); err != nil {
			return err
		}
		for {
			done, err := chromedp.Evaluate[bool](`!document.documentElement.dataset.leaving && document.readyState === "complete"`)(ctx, t)
			if err == nil && done {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for the page after %s: %w", sel, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}
