package media

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
)

type assets map[int64]herald.MediaAsset

func (a assets) GetMedia(_ context.Context, ws, id int64) (herald.MediaAsset, error) {
	m, ok := a[id]
	if !ok || m.WorkspaceID != ws {
		return herald.MediaAsset{}, herald.ErrNotFound
	}
	return m, nil
}

type clockAt struct{ t time.Time }

func (c *clockAt) Now() time.Time { return c.t }

func TestPublicLinks(t *testing.T) {
	line, err := keyring.GenerateLine()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.New([]byte(line + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	storage, err := NewDiskStorage(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("picture"), 1000)
	staged, err := storage.Stage(bytes.NewReader(data), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	key := Key(3, "abc")
	if err := storage.Commit(staged, key); err != nil {
		t.Fatal(err)
	}
	db := assets{7: {ID: 7, WorkspaceID: 3, Filename: "a b.png", ContentType: "image/png", Size: int64(len(data)),
		SHA256: "abc", StorageKey: key}}
	clock := &clockAt{time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	links := NewPublicLinks("https://herald.example", keys, db, storage, clock, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	mux.Handle(Route, links)

	get := func(u string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, strings.TrimPrefix(u, "https://herald.example"), nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	u, err := links.MediaURL(context.Background(), connector.Media{Asset: db[7]})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://herald.example/media/public/3/7/") || !strings.HasSuffix(u, "/a%20b.png") {
		t.Fatalf("address %s", u)
	}
	w := get(u)
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), data) || w.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("GET: %d %q, %d bytes", w.Code, w.Header().Get("Content-Type"), w.Body.Len())
	}
	if w := get(u, "Range", "bytes=0-6"); w.Code != http.StatusPartialContent || w.Body.String() != "picture" {
		t.Errorf("range: %d %q", w.Code, w.Body.String())
	}
	parts := strings.Split(strings.TrimPrefix(u, "https://herald.example/media/public/"), "/")
	tamper := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return "/media/public/" + strings.Join(p, "/")
	}
	for name, bad := range map[string]string{
		"other workspace": tamper(0, "4"),
		"other asset":     tamper(1, "8"),
		"later expiry":    tamper(2, "99999999999"),
		"bad signature":   tamper(3, parts[3][:len(parts[3])-3]+"AAA"),
	} {
		if w := get(bad); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, w.Code)
		}
	}
	// The file replaced under the same asset: the old address is refused.
	replaced := db[7]
	replaced.SHA256 = "def"
	db[7] = replaced
	if w := get(u); w.Code != http.StatusNotFound {
		t.Errorf("after the file changed: %d, want 404", w.Code)
	}
	replaced.SHA256 = "abc"
	db[7] = replaced
	clock.t = clock.t.Add(LinkTTL + time.Second)
	if w := get(u); w.Code != http.StatusGone {
		t.Errorf("expired: %d, want 410", w.Code)
	}
	if _, err := links.MediaURL(context.Background(), connector.Media{Asset: herald.MediaAsset{Filename: "x.png"}}); err == nil {
		t.Error("a file outside the library got an address")
	}
	_ = io.Discard
}
