package web

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
	"github.com/heraldsocial/herald/internal/post"
)

// testPNG is a small PNG of w×h pixels; seed makes its bytes differ.
func testPNG(t testing.TB, w, h int, seed uint8) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: uint8(x * 40), G: seed, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// uploadFile is one file of a multipart upload.
type uploadFile struct {
	name string
	data []byte
}

// upload posts files to the library as a browser's form does.
func (b *browser) upload(path string, files []uploadFile, hdr ...string) answer {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		fw, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			b.t.Fatal(err)
		}
		if _, err := fw.Write(f.data); err != nil {
			b.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		b.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, b.e.srv.URL+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.e.srv.URL)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header, Body: string(raw)}
}

// libraryWorld is a workspace with an owner signed in, an account and two
// files: one with alt text and a tag, one without either.
type libraryWorld struct {
	e             *env
	owner         herald.User
	ws            herald.Workspace
	acct          herald.Account
	actor         herald.Actor
	b             *browser
	rocket, plain herald.MediaAsset
}

func newLibraryWorld(t *testing.T) *libraryWorld {
	t.Helper()
	e := newEnv(t)
	w := &libraryWorld{e: e}
	w.owner, w.ws = e.owner("ana@example.com", "Acme")
	w.acct = e.account(w.owner, w.ws, "@acme")
	w.actor = herald.Actor{UserID: w.owner.ID, WorkspaceID: w.ws.ID, Role: herald.RoleOwner}
	ctx := context.Background()
	var err error
	if w.rocket, err = e.media.Upload(ctx, w.actor, "rocket.png", bytes.NewReader(testPNG(t, 7, 5, 1)), "A red rocket on the pad"); err != nil {
		t.Fatal(err)
	}
	tags := []string{"Launch Day"}
	if w.rocket, err = e.media.Update(ctx, w.actor, w.rocket.ID, media.Patch{Tags: &tags}); err != nil {
		t.Fatal(err)
	}
	if w.plain, err = e.media.Upload(ctx, w.actor, "office.png", bytes.NewReader(testPNG(t, 4, 3, 2)), ""); err != nil {
		t.Fatal(err)
	}
	w.b = e.browser()
	w.b.signIn("ana@example.com")
	return w
}

func (w *libraryWorld) path(format string, args ...any) string {
	return fmt.Sprintf("/w/%d/media", w.ws.ID) + fmt.Sprintf(format, args...)
}

// usePost schedules a post whose thread part uses media id.
func (w *libraryWorld) usePost(t *testing.T, text string, id int64) herald.Post {
	t.Helper()
	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	p, err := w.e.posts.Create(context.Background(), w.actor, herald.Post{Text: text, Targets: []herald.Target{{
		AccountID: w.acct.ID, ScheduledAt: &at,
		Variant: herald.Variant{Thread: []herald.ThreadPart{{Text: "and more", MediaIDs: []int64{id}}}}}}},
		post.ActionSchedule)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLibraryGrid(t *testing.T) {
	w := newLibraryWorld(t)
	a := w.b.get(w.path(""))
	want(t, a, http.StatusOK, "<h1>Media</h1>", "rocket.png", "office.png", "A red rocket on the pad",
		"No alt text", "7 × 5 px", `id="media-upload"`, `name="file"`, "launch day",
		fmt.Sprintf(`src="/w/%d/media/%d/file?v=%s"`, w.ws.ID, w.rocket.ID, w.rocket.SHA256),
		`aria-current="page"`)
	if strings.Count(a.Body, "No alt text") != 1 {
		t.Errorf("want one \"No alt text\" badge, for office.png only")
	}
	// Newest first.
	if strings.Index(a.Body, "office.png") > strings.Index(a.Body, "rocket.png") {
		t.Error("the newest file is not first")
	}

	// Paging: 30 files make two pages.
	for i := range 28 {
		if _, err := w.e.media.Upload(context.Background(), w.actor, fmt.Sprintf("bulk-%02d.png", i),
			bytes.NewReader(testPNG(t, 2+i, 2, 3)), "bulk"); err != nil {
			t.Fatal(err)
		}
	}
	a = w.b.get(w.path(""))
	want(t, a, http.StatusOK, "bulk-27.png", `id="media-next"`)
	wantNot(t, a, "rocket.png", "First page")
	i := strings.Index(a.Body, `id="media-next" href="`)
	next := a.Body[i+len(`id="media-next" href="`):]
	next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
	a = w.b.get(next)
	want(t, a, http.StatusOK, "rocket.png", "office.png", "First page")
	wantNot(t, a, "bulk-27.png", `id="media-next"`)
}

func TestLibrarySearch(t *testing.T) {
	w := newLibraryWorld(t)
	cases := []struct{ q, hit, miss string }{
		{"launch", "rocket.png", "office.png"},   // a tag
		{"RED ROCK", "rocket.png", "office.png"}, // the alt text
		{"office", "office.png", "rocket.png"},   // the name
	}
	for _, c := range cases {
		a := w.b.get(w.path("?q=%s", url.QueryEscape(c.q)))
		want(t, a, http.StatusOK, c.hit, "Files matching")
		wantNot(t, a, c.miss)
	}
	a := w.b.get(w.path("?q=nothing+like+it"))
	want(t, a, http.StatusOK, "No file matches “nothing like it”")

	// As people type, htmx asks for the results alone.
	a = w.b.do(http.MethodGet, w.path("?q=launch"), nil, "HX-Request", "true", "HX-Target", "media-results")
	want(t, a, http.StatusOK, `id="media-results"`, "rocket.png")
	wantNot(t, a, "<html", "office.png", `id="media-upload"`)

	// A tag links to its search.
	a = w.b.get(w.path(""))
	want(t, a, http.StatusOK, fmt.Sprintf(`href="/w/%d/media?q=launch+day"`, w.ws.ID))
}

func TestLibraryUpload(t *testing.T) {
	w := newLibraryWorld(t)
	img := testPNG(t, 9, 6, 9)

	a := w.b.upload(w.path(""), []uploadFile{{"cat.png", img}, {"notes.png", []byte("just some text, not an image")}})
	want(t, a, http.StatusSeeOther)
	if a.Location != w.path("") {
		t.Fatalf("upload redirects to %q", a.Location)
	}
	a = w.b.get(a.Location)
	want(t, a, http.StatusOK, "Uploaded 1 file: cat.png.", "Add alt text",
		"notes.png was not uploaded: text/plain files are not supported: upload JPEG, PNG, GIF, WebP, MP4 or MOV", "9 × 6 px")
	items, _, err := w.e.media.List(context.Background(), w.actor, "cat", herald.Page{})
	if err != nil || len(items) != 1 || items[0].Width != 9 {
		t.Fatalf("after upload the library has %+v, %v", items, err)
	}

	big := append(append([]byte{}, img...), make([]byte, 5<<20)...)
	a = w.b.upload(w.path(""), []uploadFile{{"huge.png", big}})
	want(t, a, http.StatusSeeOther)
	a = w.b.get(a.Location)
	want(t, a, http.StatusOK, "huge.png was not uploaded: the file is larger than the 5 MiB limit: upload a smaller file")

	a = w.b.upload(w.path(""), nil)
	want(t, a, http.StatusSeeOther)
	want(t, w.b.get(a.Location), http.StatusOK, "choose one or more files first")

	// With htmx: a report of each file and the grid, out of band.
	a = w.b.upload(w.path(""), []uploadFile{{"dog.png", testPNG(t, 3, 3, 7)}, {"empty.png", nil}}, "HX-Request", "true")
	want(t, a, http.StatusOK, "Uploaded 1 file.", "dog.png", "add its alt text", "Not uploaded:", "empty.png",
		"the file is empty", `hx-swap-oob="outerHTML"`, "cat.png")
	wantNot(t, a, "<html")

	// Someone who may only look cannot upload, and is not offered to.
	w.e.member(w.ws, "ola@example.com", herald.RoleAnalyst)
	analyst := w.e.browser()
	analyst.signIn("ola@example.com")
	a = analyst.get(w.path(""))
	want(t, a, http.StatusOK, "rocket.png")
	wantNot(t, a, `id="media-upload"`)
	a = analyst.upload(w.path(""), []uploadFile{{"x.png", img}})
	want(t, a, http.StatusForbidden)
	a = analyst.get(w.path("/%d", w.rocket.ID))
	want(t, a, http.StatusOK, "A red rocket on the pad", "launch day")
	wantNot(t, a, `id="media-edit"`, `id="media-delete"`)
}

func TestLibraryEdit(t *testing.T) {
	w := newLibraryWorld(t)
	a := w.b.get(w.path("/%d", w.plain.ID))
	want(t, a, http.StatusOK, "<h1 class=\"text\">office.png</h1>", "No alt text", "4 × 3 px", "image/png",
		`id="media-edit"`, "No post uses this file.", `id="media-delete"`)

	a = w.b.post(w.path("/%d", w.plain.ID), url.Values{"alt_text": {"  Our open-plan office  "},
		"tags": {"Office, team ,office,, Behind The Scenes"}, "filename": {"office-2026.png"}})
	want(t, a, http.StatusSeeOther)
	a = w.b.get(a.Location)
	want(t, a, http.StatusOK, "Saved.", "Our open-plan office", `value="behind the scenes, office, team"`, "office-2026.png")
	wantNot(t, a, "No alt text")
	got, err := w.e.media.Get(context.Background(), w.actor, w.plain.ID)
	if err != nil || got.AltText != "Our open-plan office" || strings.Join(got.Tags, "|") != "behind the scenes|office|team" {
		t.Fatalf("after the edit: %+v, %v", got, err)
	}
	want(t, w.b.get(w.path("?q=behind")), http.StatusOK, "office-2026.png")

	// Problems are shown next to their fields, with what was typed.
	long := strings.Repeat("t", 41)
	a = w.b.post(w.path("/%d", w.plain.ID), url.Values{"alt_text": {"kept as typed"}, "tags": {"ok, " + long}, "filename": {"office-2026.png"}})
	want(t, a, http.StatusUnprocessableEntity, `id="tags-problem"`, "is 41 characters; at most 40 are allowed",
		`aria-invalid="true"`, "kept as typed", "fix the fields marked below")
	a = w.b.post(w.path("/%d", w.plain.ID), url.Values{"alt_text": {strings.Repeat("a", herald.MaxAltTextLen+1)}, "filename": {"x.png"}})
	want(t, a, http.StatusUnprocessableEntity, `id="alt_text-problem"`, "at most 1500 are allowed")
	many := make([]string, herald.MaxMediaTags+1)
	for i := range many {
		many[i] = fmt.Sprintf("tag%d", i)
	}
	a = w.b.post(w.path("/%d", w.plain.ID), url.Values{"tags": {strings.Join(many, ",")}, "filename": {"x.png"}})
	want(t, a, http.StatusUnprocessableEntity, "at most 20 tags are allowed")
	got, err = w.e.media.Get(context.Background(), w.actor, w.plain.ID)
	if err != nil || len(got.Tags) != 3 || got.Filename != "office-2026.png" {
		t.Fatalf("a refused edit changed the file: %+v, %v", got, err)
	}
}

func TestLibraryDelete(t *testing.T) {
	w := newLibraryWorld(t)
	p := w.usePost(t, "Countdown to launch", w.rocket.ID)

	a := w.b.get(w.path("/%d", w.rocket.ID))
	want(t, a, http.StatusOK, "Where it is used", "Countdown to launch", fmt.Sprintf(`href="/w/%d/posts/%d"`, w.ws.ID, p.ID),
		"@acme on Test platform", "scheduled", `id="media-delete-refused"`, "cannot be deleted: 1 post target that may still publish")
	wantNot(t, a, `id="media-delete"`)

	a = w.b.post(w.path("/%d/delete", w.rocket.ID), nil)
	want(t, a, http.StatusConflict, "Not deleted:", fmt.Sprintf("is used by post %d, which is scheduled: remove it there first", p.ID))
	if _, err := w.e.media.Get(context.Background(), w.actor, w.rocket.ID); err != nil {
		t.Fatalf("the used file was deleted: %v", err)
	}

	// Once the post is cancelled, the file may go, with a word of warning.
	if _, err := w.e.posts.Cancel(context.Background(), w.actor, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	a = w.b.get(w.path("/%d", w.rocket.ID))
	want(t, a, http.StatusOK, `id="media-delete"`, "Posts already published or cancelled used it", "cancelled")
	a = w.b.post(w.path("/%d/delete", w.rocket.ID), nil)
	want(t, a, http.StatusSeeOther)
	want(t, w.b.get(a.Location), http.StatusOK, "Deleted rocket.png.")
	want(t, w.b.get(w.path("/%d", w.rocket.ID)), http.StatusNotFound)
	want(t, w.b.get(w.path("/%d/file", w.rocket.ID)), http.StatusNotFound)

	// An unused file goes at once.
	a = w.b.post(w.path("/%d/delete", w.plain.ID), nil)
	want(t, a, http.StatusSeeOther)
	want(t, w.b.get(w.path("")), http.StatusOK, "No files yet")
}

func TestLibraryFile(t *testing.T) {
	w := newLibraryWorld(t)
	a := w.b.get(w.path("/%d/file?v=%s", w.rocket.ID, w.rocket.SHA256))
	want(t, a, http.StatusOK)
	if a.Body != string(testPNG(t, 7, 5, 1)) {
		t.Fatal("the file's bytes differ from the upload")
	}
	for k, v := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff",
		"ETag": `"` + w.rocket.SHA256 + `"`, "Cache-Control": "private, max-age=31536000, immutable"} {
		if got := a.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	a = w.b.get(w.path("/%d/file", w.rocket.ID))
	if got := a.Header.Get("Cache-Control"); got != "private, no-cache" {
		t.Errorf("without the hash, Cache-Control = %q", got)
	}
	a = w.b.do(http.MethodGet, w.path("/%d/file", w.rocket.ID), nil, "If-None-Match", `"`+w.rocket.SHA256+`"`)
	want(t, a, http.StatusNotModified)

	anon := w.e.browser()
	want(t, anon.get(w.path("/%d/file", w.rocket.ID)), http.StatusUnauthorized)
	a = anon.get(w.path(""))
	want(t, a, http.StatusSeeOther)
	if !strings.HasPrefix(a.Location, "/signin") {
		t.Fatalf("anonymous library visit goes to %q", a.Location)
	}
}

func TestLibraryIsolation(t *testing.T) {
	w := newLibraryWorld(t)
	_, other := w.e.owner("bo@example.com", "Other")
	bo := w.e.browser()
	bo.signIn("bo@example.com")
	otherPath := func(format string, args ...any) string {
		return fmt.Sprintf("/w/%d/media", other.ID) + fmt.Sprintf(format, args...)
	}
	// Through Bo's own workspace, Acme's file does not exist.
	want(t, bo.get(otherPath("/%d", w.rocket.ID)), http.StatusNotFound)
	want(t, bo.get(otherPath("/%d/file", w.rocket.ID)), http.StatusNotFound)
	want(t, bo.post(otherPath("/%d", w.rocket.ID), url.Values{"alt_text": {"hijacked"}}), http.StatusNotFound)
	want(t, bo.post(otherPath("/%d/delete", w.rocket.ID), nil), http.StatusNotFound)
	a := bo.get(otherPath("?q=rocket"))
	want(t, a, http.StatusOK, "No file matches")
	wantNot(t, a, "rocket.png")
	// Acme's own pages are not his.
	want(t, bo.get(w.path("")), http.StatusNotFound)
	want(t, bo.get(w.path("/%d", w.rocket.ID)), http.StatusNotFound)
	want(t, bo.get(w.path("/%d/file", w.rocket.ID)), http.StatusNotFound)
	want(t, bo.upload(w.path(""), []uploadFile{{"x.png", testPNG(t, 2, 2, 4)}}), http.StatusNotFound)
	got, err := w.e.media.Get(context.Background(), w.actor, w.rocket.ID)
	if err != nil || got.AltText != "A red rocket on the pad" {
		t.Fatalf("Acme's file after Bo's attempts: %+v, %v", got, err)
	}
	want(t, w.b.get(w.path("/abc")), http.StatusNotFound)
}
