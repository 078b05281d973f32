package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
)

// libraryPageSize is how many files one page of the library shows.
const libraryPageSize = 24

// maxUploadFiles bounds how many files one upload form may carry.
const maxUploadFiles = 20

// uploadPartSlack is room for each file's multipart framing.
const uploadPartSlack = 16 << 10

// libraryRoutes registers the pages of the media library.
func (h *Handler) libraryRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/media", h.inWorkspace(h.library))
	m.Handle("POST /w/{ws}/media", h.inWorkspace(h.libraryUpload))
	m.Handle("GET /w/{ws}/media/{id}", h.inWorkspace(h.mediaDetail))
	m.Handle("POST /w/{ws}/media/{id}", h.inWorkspace(h.mediaSave))
	m.Handle("POST /w/{ws}/media/{id}/delete", h.inWorkspace(h.mediaDelete))
	m.HandleFunc("GET /w/{ws}/media/{id}/file", h.mediaFile)
}

// libraryView is one page of the library.
type libraryView struct {
	Query    string
	Cursor   string // the page shown; "" for the first
	Next     string // the page after, "" when this is the last
	Items    []herald.MediaAsset
	MaxBytes int64
	CanWrite bool
}

// uploadResult is what became of each file of an upload.
type uploadResult struct {
	Done   []herald.MediaAsset
	Failed []uploadFailure
}

// uploadFailure is a file that was not uploaded, and why.
type uploadFailure struct {
	Name, Problem string
}

// useView is one target that uses an asset, as the detail page lists it.
type useView struct {
	U       herald.MediaUse
	Title   string
	Account string
}

// mediaView is an asset's detail page.
type mediaView struct {
	M        herald.MediaAsset
	Uses     []useView
	Pending  int  // uses by posts that may still publish
	More     bool // there may be more uses than listed
	Loc      *time.Location
	CanWrite bool
	// The edit form's values and problems.
	Filename, AltText, Tags string
	Err                     *herald.Error
	// Why the last delete was refused.
	DeleteErr *herald.Error
}

func mediaURL(ws int64) string { return wsURL(ws) + "media" }

func mediaItemURL(ws, id int64) string { return mediaURL(ws) + "/" + strconv.FormatInt(id, 10) }

// mediaFileURL addresses an asset's bytes; the hash makes the address
// change with the content, so browsers may keep it for good.
func mediaFileURL(ws int64, m herald.MediaAsset) string {
	return mediaItemURL(ws, m.ID) + "/file?v=" + m.SHA256
}

// libraryPageURL is the library searched for q, at page cursor.
func libraryPageURL(ws int64, q, cursor string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if len(v) == 0 {
		return mediaURL(ws)
	}
	return mediaURL(ws) + "?" + v.Encode()
}

// fmtBytes shows a size the way people read it: 912 bytes, 14 KB, 2.4 MB.
func fmtBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KB"
	case n == 1:
		return "1 byte"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// dimensions shows a file's size in pixels, and a video's length, ""
// when unknown.
func dimensions(m herald.MediaAsset) string {
	if m.Width == 0 || m.Height == 0 {
		return ""
	}
	d := strconv.Itoa(m.Width) + " × " + strconv.Itoa(m.Height) + " px"
	if m.DurationMS > 0 {
		sec := (m.DurationMS + 500) / 1000
		d += fmt.Sprintf(", %d:%02d", sec/60, sec%60)
	}
	return d
}

func isImage(m herald.MediaAsset) bool { return strings.HasPrefix(m.ContentType, "image/") }

// loadLibrary reads the page of the library the request asks for.
func (h *Handler) loadLibrary(r *http.Request, p *page) (libraryView, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if n := len([]rune(q)); n > 200 {
		q = string([]rune(q)[:200])
	}
	lv := libraryView{Query: q, Cursor: r.URL.Query().Get("cursor"), MaxBytes: h.d.Media.MaxBytes(),
		CanWrite: p.Can(herald.ActMediaWrite)}
	items, next, err := h.d.Media.List(r.Context(), p.Actor, q, herald.Page{Limit: libraryPageSize, Cursor: lv.Cursor})
	if err != nil {
		return lv, err
	}
	lv.Items, lv.Next = items, next
	return lv, nil
}

// library is the grid of the workspace's files; htmx asks for the results
// alone as people type a search.
func (h *Handler) library(w http.ResponseWriter, r *http.Request, p *page) error {
	lv, err := h.loadLibrary(r, p)
	if err != nil {
		return err
	}
	if isHTMX(r) && r.Header.Get("HX-Target") == "media-results" {
		h.render(w, r, http.StatusOK, libraryResults(p, lv, false))
		return nil
	}
	p.Title = "Media"
	h.render(w, r, http.StatusOK, libraryPage(p, lv))
	return nil
}

// libraryUpload adds the files of a multipart form, one by one as they
// arrive: a file that is refused (too large, not an image or video) does
// not stop the others, and each refusal is said in words.
func (h *Handler) libraryUpload(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActMediaWrite); err != nil {
		return err
	}
	ctx := r.Context()
	limit := maxUploadFiles * (h.d.Media.MaxBytes() + uploadPartSlack)
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return &herald.Error{Code: herald.CodeInvalid, Message: "choose one or more files to upload",
			Details: []herald.FieldProblem{{Field: "file", Problem: "send the files as a multipart form"}}}
	}
	var res uploadResult
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				res.Failed = append(res.Failed, uploadFailure{Name: "The rest of the upload",
					Problem: fmt.Sprintf("the files together are over %s: upload fewer at once", fmtBytes(limit))})
				break
			}
			return &herald.Error{Code: herald.CodeInvalid, Message: "the upload was cut short: try again", Err: err}
		}
		if part.FormName() != "file" || part.FileName() == "" {
			part.Close()
			continue
		}
		name := part.FileName()
		if len(res.Done)+len(res.Failed) >= maxUploadFiles {
			res.Failed = append(res.Failed, uploadFailure{Name: name,
				Problem: fmt.Sprintf("not uploaded: at most %d files at once", maxUploadFiles)})
			part.Close()
			continue
		}
		m, err := h.d.Media.Upload(ctx, p.Actor, name, part, "")
		part.Close()
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				res.Failed = append(res.Failed, uploadFailure{Name: name,
					Problem: fmt.Sprintf("the files together are over %s: upload fewer at once", fmtBytes(limit))})
				break
			}
			he := publicError(err)
			if he.Code != herald.CodeInvalid && he.Code != herald.CodeTooLarge {
				return err
			}
			res.Failed = append(res.Failed, uploadFailure{Name: name, Problem: he.Message})
			continue
		}
		res.Done = append(res.Done, m)
	}
	if len(res.Done) == 0 && len(res.Failed) == 0 {
		res.Failed = append(res.Failed, uploadFailure{Name: "Nothing uploaded", Problem: "choose one or more files first"})
	}
	if !isHTMX(r) {
		h.d.Sessions.Put(ctx, flashKey, uploadSummary(res))
		http.Redirect(w, r, mediaURL(p.Current.ID), http.StatusSeeOther)
		return nil
	}
	lv := libraryView{MaxBytes: h.d.Media.MaxBytes(), CanWrite: true}
	items, next, err := h.d.Media.List(ctx, p.Actor, "", herald.Page{Limit: libraryPageSize})
	if err != nil {
		return err
	}
	lv.Items, lv.Next = items, next
	h.render(w, r, http.StatusOK, uploadReport(p, res, lv))
	return nil
}

// uploadSummary says in one message what became of an upload.
func uploadSummary(res uploadResult) string {
	var b strings.Builder
	if len(res.Done) > 0 {
		names := make([]string, len(res.Done))
		for i, m := range res.Done {
			names[i] = m.Filename
		}
		fmt.Fprintf(&b, "Uploaded %s: %s.", count(len(res.Done), "file"), strings.Join(names, ", "))
		if n := missingAlt(res.Done); n > 0 {
			b.WriteString(" Add alt text to each so everyone can follow your posts.")
		}
	}
	for _, f := range res.Failed {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s was not uploaded: %s.", f.Name, strings.TrimSuffix(f.Problem, "."))
	}
	return b.String()
}

func missingAlt(ms []herald.MediaAsset) int {
	n := 0
	for _, m := range ms {
		if m.AltText == "" {
			n++
		}
	}
	return n
}

// loadMedia builds the detail page of asset {id}.
func (h *Handler) libraryAsset(r *http.Request, p *page) (mediaView, error) {
	ctx := r.Context()
	id, err := pathID(r, "id", "media")
	if err != nil {
		return mediaView{}, err
	}
	m, err := h.d.Media.Get(ctx, p.Actor, id)
	if err != nil {
		return mediaView{}, err
	}
	uses, err := h.d.Media.Usage(ctx, p.Actor, id)
	if err != nil {
		return mediaView{}, err
	}
	v := mediaView{M: m, Loc: p.location(), CanWrite: p.Can(herald.ActMediaWrite), More: len(uses) >= media.MaxUsage,
		Filename: m.Filename, AltText: m.AltText, Tags: strings.Join(m.Tags, ", ")}
	if len(uses) > 0 {
		accts, err := h.d.Accounts.List(ctx, p.Actor)
		if err != nil {
			return mediaView{}, err
		}
		names := accountNames(accts)
		for _, u := range uses {
			acct := names[u.AccountID]
			if acct == "" {
				acct = "an account that is gone"
			}
			v.Uses = append(v.Uses, useView{U: u, Title: postTitle(herald.Post{Title: u.PostTitle, Text: u.PostText}), Account: acct})
			if u.Pending() {
				v.Pending++
			}
		}
	}
	return v, nil
}

func (h *Handler) mediaDetail(w http.ResponseWriter, r *http.Request, p *page) error {
	v, err := h.libraryAsset(r, p)
	if err != nil {
		return err
	}
	p.Title = v.M.Filename
	h.render(w, r, http.StatusOK, mediaPage(p, v))
	return nil
}

// mediaSave saves an asset's file name, alt text and tags; problems are
// shown next to their fields.
func (h *Handler) mediaSave(w http.ResponseWriter, r *http.Request, p *page) error {
	v, err := h.libraryAsset(r, p)
	if err != nil {
		return err
	}
	v.Filename = strings.TrimSpace(r.PostFormValue("filename"))
	v.AltText = r.PostFormValue("alt_text")
	v.Tags = r.PostFormValue("tags")
	tags := herald.SplitTags(v.Tags)
	patch := media.Patch{AltText: &v.AltText, Tags: &tags}
	if v.Filename != "" {
		patch.Filename = &v.Filename
	}
	if _, err := h.d.Media.Update(r.Context(), p.Actor, v.M.ID, patch); err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid {
			return err
		}
		v.Err = he
		p.Title = v.M.Filename
		h.render(w, r, statusOf(he), mediaPage(p, v))
		return nil
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Saved.")
	http.Redirect(w, r, mediaItemURL(p.Current.ID, v.M.ID), http.StatusSeeOther)
	return nil
}

// mediaDelete deletes an asset unless a post that may still publish uses
// it; then the detail page says which.
func (h *Handler) mediaDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	v, err := h.libraryAsset(r, p)
	if err != nil {
		return err
	}
	if err := h.d.Media.Delete(r.Context(), p.Actor, v.M.ID); err != nil {
		he := publicError(err)
		if he.Code != herald.CodeConflict {
			return err
		}
		v.DeleteErr = he
		p.Title = v.M.Filename
		h.render(w, r, statusOf(he), mediaPage(p, v))
		return nil
	}
	h.d.Sessions.Put(r.Context(), flashKey, "Deleted "+v.M.Filename+".")
	http.Redirect(w, r, mediaURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// mediaFile streams an asset's bytes with the type sniffed at upload. It
// resolves the viewer itself, without the page around it: a grid loads
// many files at once.
func (h *Handler) mediaFile(w http.ResponseWriter, r *http.Request) {
	pr, ok := herald.PrincipalFrom(r.Context())
	if !ok || pr.UserID == 0 {
		http.Error(w, "sign in to see this file", http.StatusUnauthorized)
		return
	}
	fail := h.plainFail(w, r)
	wsID, err := pathID(r, "ws", "workspace")
	if err != nil {
		fail(err)
		return
	}
	id, err := pathID(r, "id", "media")
	if err != nil {
		fail(err)
		return
	}
	actor, err := h.d.Auth.Actor(r.Context(), pr, wsID)
	if err != nil {
		fail(err)
		return
	}
	h.serveMedia(w, r, actor, id, fail)
}

// plainFail answers an error as plain text (for a file's address).
func (h *Handler) plainFail(w http.ResponseWriter, r *http.Request) func(error) {
	return func(err error) {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(r.Context(), "media file", "path", r.URL.Path, "error", err)
		}
		http.Error(w, he.Message, statusOf(he))
	}
}

// serveMedia answers with the file of media id, as actor may see it;
// fail answers an error.
func (h *Handler) serveMedia(w http.ResponseWriter, r *http.Request, actor herald.Actor, id int64, fail func(error)) {
	m, rc, err := h.d.Media.Open(r.Context(), actor, id)
	if err != nil {
		fail(err)
		return
	}
	defer rc.Close()
	hd := w.Header()
	hd.Set("Content-Type", m.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": m.Filename}))
	hd.Set("ETag", `"`+m.SHA256+`"`)
	if r.URL.Query().Get("v") == m.SHA256 {
		hd.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "private, no-cache")
	}
	if rs, ok := rc.(io.ReadSeeker); ok {
		// ServeContent answers If-None-Match and ranges (videos seek).
		http.ServeContent(w, r, "", time.Time{}, rs)
		return
	}
	if strings.Contains(r.Header.Get("If-None-Match"), `"`+m.SHA256+`"`) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	if _, err := io.Copy(w, rc); err != nil {
		h.d.Logger.WarnContext(r.Context(), "media file interrupted", "media_id", m.ID, "error", err)
	}
}
