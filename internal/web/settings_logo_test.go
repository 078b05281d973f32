package web

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestSettingsLogo(t *testing.T) {
	e := newEnv(t)
	ana, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	b := e.browser()
	b.signIn("ana@example.com")
	base := settingsURL(w.ID, "")
	owner := herald.Actor{UserID: ana.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}

	a := b.get(base)
	want(t, a, http.StatusOK, "Logo (on reports)", `id="logo-none"`, `id="logo-form"`, `enctype="multipart/form-data"`)
	wantNot(t, a, `id="logo-preview"`, `id="logo-remove"`)
	want(t, b.get(logoURL(w.ID, "")), http.StatusNotFound)

	// An upload saves the logo; the page shows it from its own address.
	first := testPNG(t, 40, 10, 1)
	a = b.upload(settingsURL(w.ID, "logo"), []uploadFile{{"logo.png", first}})
	a = b.follow(a, http.StatusOK)
	saved, err := e.ws.Logo(context.Background(), owner)
	if err != nil || !bytes.Equal(saved.Data, first) {
		t.Fatalf("logo after the upload: %v", err)
	}
	sum := saved.Info().SHA256
	src := html.EscapeString(logoURL(w.ID, sum))
	want(t, a, http.StatusOK, "Saved the logo", `id="logo-preview"`, `src="`+src+`"`, `id="logo-remove"`, "PNG image")

	// The preview route: the image with its type, never sniffed, cached
	// for good at its versioned address, revalidated at the plain one.
	img := b.get(logoURL(w.ID, sum))
	want(t, img, http.StatusOK)
	if img.Body != string(first) || img.Header.Get("Content-Type") != "image/png" ||
		img.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(img.Header.Get("Cache-Control"), "immutable") || img.Header.Get("ETag") != `"`+sum+`"` {
		t.Fatalf("preview answer: %v, %d bytes", img.Header, len(img.Body))
	}
	plain := b.get(logoURL(w.ID, ""))
	if plain.Status != http.StatusOK || plain.Header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("plain address: %d %v", plain.Status, plain.Header)
	}
	if a := b.do(http.MethodGet, logoURL(w.ID, ""), nil, "If-None-Match", `"`+sum+`"`); a.Status != http.StatusNotModified {
		t.Fatalf("revalidation: %d", a.Status)
	}
	// The page's policy lets it show an image of its own origin.
	if csp := b.get(base).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self'") {
		t.Fatalf("CSP %q", csp)
	}

	// Files that are not a logo are refused with what to fix, and the
	// saved logo stays.
	for _, c := range []struct {
		name   string
		data   []byte
		status int
		says   string
	}{
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), http.StatusUnprocessableEntity, "not a PNG or JPEG image"},
		{"broken png", first[:len(first)/2], http.StatusUnprocessableEntity, "cannot be shown on reports"},
		{"too big", append(testPNG(t, 8, 8, 2), make([]byte, herald.MaxLogoBytes)...), http.StatusRequestEntityTooLarge, "at most 1 MiB"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := b.upload(settingsURL(w.ID, "logo"), []uploadFile{{"logo.bin", c.data}})
			want(t, a, c.status, html.EscapeString(c.says), `id="logo-preview"`, `aria-describedby="logo-problem"`)
			got, err := e.ws.Logo(context.Background(), owner)
			if err != nil || !bytes.Equal(got.Data, first) {
				t.Fatalf("the saved logo changed: %v", err)
			}
		})
	}
	a = b.post(settingsURL(w.ID, "logo"), url.Values{})
	want(t, a, http.StatusUnprocessableEntity, "choose a PNG or JPEG image first")

	// An editor sees the logo but cannot change it.
	ed := e.browser()
	ed.signIn("ed@example.com")
	a = ed.get(base)
	want(t, a, http.StatusOK, `id="logo-preview"`)
	wantNot(t, a, `id="logo-form"`, `id="logo-remove"`)
	want(t, ed.get(logoURL(w.ID, sum)), http.StatusOK)
	want(t, ed.upload(settingsURL(w.ID, "logo"), []uploadFile{{"logo.png", testPNG(t, 9, 9, 3)}}), http.StatusForbidden)
	want(t, ed.post(settingsURL(w.ID, "logo/remove"), nil), http.StatusForbidden)
	if got, err := e.ws.Logo(context.Background(), owner); err != nil || !bytes.Equal(got.Data, first) {
		t.Fatalf("the editor changed the logo: %v", err)
	}

	// Someone of another workspace, or nobody, cannot see it.
	e.owner("zoe@example.com", "Other")
	zoe := e.browser()
	zoe.signIn("zoe@example.com")
	if a := zoe.get(logoURL(w.ID, sum)); a.Status != http.StatusNotFound {
		t.Fatalf("another workspace's member: %d", a.Status)
	}
	if a := e.browser().get(logoURL(w.ID, sum)); a.Status != http.StatusUnauthorized {
		t.Fatalf("signed out: %d", a.Status)
	}

	// Removing it.
	a = b.follow(b.post(settingsURL(w.ID, "logo/remove"), nil), http.StatusOK)
	want(t, a, http.StatusOK, "Removed the logo", `id="logo-none"`)
	want(t, b.get(logoURL(w.ID, sum)), http.StatusNotFound)

	// The audit log says it in words.
	want(t, b.get(settingsURL(w.ID, "audit")), http.StatusOK, "added a logo to reports", "removed the logo from reports")
}
