package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// static holds the stylesheet, Herald's own script and the vendored
// browser libraries (see internal/assetgen).
//
//go:embed static
var static embed.FS

// zoneList is the IANA time zones the setup page offers (see internal/assetgen).
//
//go:embed zones.txt
var zoneList string

// asset is one embedded file and its content hash.
type asset struct {
	body []byte
	hash string
	mime string
}

// assets serves the embedded static files under content-hash URLs:
// /static/<hash>/<name>, cached for a year since a change makes a new URL.
type assets struct {
	files map[string]asset // by name relative to static/
}

// loadAssets reads and hashes every embedded static file.
func loadAssets() (*assets, error) {
	a := &assets{files: map[string]asset{}}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		ctype := mime.TypeByExtension(path.Ext(p))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[strings.TrimPrefix(p, "static/")] = asset{body: body, hash: hex.EncodeToString(sum[:6]), mime: ctype}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: load static files: %w", err)
	}
	return a, nil
}

// URL returns the content-hash URL of the static file name ("app.css",
// "vendor/htmx.min.js"). An unknown name is a programming error: the
// templates name only files that are embedded, and a test checks them all.
func (a *assets) URL(name string) string {
	f, ok := a.files[name]
	if !ok {
		return "/static/missing/" + name
	}
	return "/static/" + f.hash + "/" + name
}

// serve answers GET /static/{hash}/{name...}. A stale hash (a page from
// before an upgrade) still gets the current file, but not cached for long.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	f, ok := a.files[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.mime)
	h.Set("X-Content-Type-Options", "nosniff")
	if r.PathValue("hash") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+f.hash+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
