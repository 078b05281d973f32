package web

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSettingsLogo uploads a very wide logo on a phone: the page
// shows it (same-origin image allowed by the policy), within the screen,
// and removes it again.
func TestBrowserSettingsLogo(t *testing.T) {
	ctx := chrome(t, "Europe/Paris")
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	img := image.NewNRGBA(image.Rect(0, 0, 1600, 80))
	for x := range 1600 {
		img.Set(x, 40, color.NRGBA{30, 60, 200, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "wide-logo.png")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	base := e.srv.URL
	signInSized(t, ctx, base, "ana@example.com", 390, 844)

	run(t, ctx, "upload the logo",
		chromedp.Navigate(base+settingsURL(w.ID, "")),
		chromedp.WaitVisible(chromedp.CSS("#logo-none")),
		chromedp.SetUploadFiles(chromedp.CSS("#logo-file"), []string{file}),
		submit("#logo-save"),
		chromedp.WaitVisible(chromedp.CSS("#logo-preview")),
		waitFor(`document.getElementById("logo-preview").complete && document.getElementById("logo-preview").naturalWidth === 1600`),
		waitFor(fitsWidth),
	)
	run(t, ctx, "remove it",
		chromedp.Click(chromedp.CSS("#logo-remove summary")),
		submit("#logo-remove-confirm"),
		chromedp.WaitVisible(chromedp.CSS("#logo-none")),
	)
}
