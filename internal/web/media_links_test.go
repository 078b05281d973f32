package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// TestPublicMediaLink fetches a library file by its signed address with no
// session, as Instagram's or Threads' servers do, and is refused a changed
// address.
func TestPublicMediaLink(t *testing.T) {
	e := newEnv(t)
	u, w := e.owner("ana@example.com", "Acme")
	actor := herald.Actor{UserID: u.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
	data := tinyPNG(t)
	m, err := e.media.Upload(context.Background(), actor, "cat.png", strings.NewReader(string(data)), "")
	if err != nil {
		t.Fatal(err)
	}
	addr, err := e.links.MediaURL(context.Background(), connector.Media{Asset: m})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(addr, e.srv.URL+"/media/public/") {
		t.Fatalf("address %s is not on the base URL %s", addr, e.srv.URL)
	}
	res, err := http.Get(addr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != string(data) || res.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("GET %s: %d %s, %d bytes", addr, res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	if c := res.Header.Get("Set-Cookie"); c != "" {
		t.Errorf("a public file sets a cookie: %s", c)
	}
	bad := strings.Replace(addr, "/media/public/", "/media/public/9", 1)
	res, err = http.Get(bad)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("a changed address: %d, want 404", res.StatusCode)
	}
}
