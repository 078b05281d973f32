package web

// The composer's images and videos: uploads, alt texts and the library.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
)

// uploadSlack is room for the form fields around uploaded files.
const uploadSlack = 1 << 20

// loadMedia fills into with every asset the form uses; ids that are not
// in the workspace are left out (validation names them).
func (h *Handler) loadMedia(ctx context.Context, p *page, f composeForm, into map[int64]herald.MediaAsset) error {
	for _, part := range f.Parts {
		for _, id := range part.MediaIDs {
			if _, ok := into[id]; ok {
				continue
			}
			m, err := h.d.Media.Get(ctx, p.Actor, id)
			var he *herald.Error
			if errors.As(err, &he) && (he.Code == herald.CodeNotFound || he.Code == herald.CodeForbidden) {
				continue
			}
			if err != nil {
				return err
			}
			into[id] = m
		}
	}
	return nil
}

// applyAlt saves alt texts typed for the form's media.
func (h *Handler) applyAlt(ctx context.Context, p *page, f composeForm, assets map[int64]herald.MediaAsset, pr map[string][]string) {
	for id, vals := range f.Alt {
		m, ok := assets[id]
		if !ok {
			continue
		}
		for _, alt := range vals {
			alt = strings.TrimSpace(alt)
			if alt == m.AltText {
				continue
			}
			updated, err := h.d.Media.Update(ctx, p.Actor, id, media.Patch{AltText: &alt})
			if err != nil {
				pr["media-"+itoa(id)] = append(pr["media-"+itoa(id)], publicError(err).Message)
				break
			}
			assets[id] = updated
			break
		}
	}
}

// applyUploads adds files chosen in the form without JavaScript (file_0,
// file_1, … for each part) and library picks (add_media, to the post).
func (h *Handler) applyUploads(r *http.Request, p *page, f *composeForm, assets map[int64]herald.MediaAsset, pr map[string][]string) {
	if r.MultipartForm != nil {
		for i := range f.Parts {
			for _, fh := range r.MultipartForm.File["file_"+strconv.Itoa(i)] {
				if fh.Size == 0 && fh.Filename == "" {
					continue
				}
				file, err := fh.Open()
				if err != nil {
					pr["part-"+strconv.Itoa(i)] = append(pr["part-"+strconv.Itoa(i)], "the file could not be read: "+err.Error())
					continue
				}
				m, err := h.d.Media.Upload(r.Context(), p.Actor, fh.Filename, file, "")
				file.Close()
				if err != nil {
					pr["part-"+strconv.Itoa(i)] = append(pr["part-"+strconv.Itoa(i)], fh.Filename+": "+problemText(err))
					continue
				}
				assets[m.ID] = m
				if !slices.Contains(f.Parts[i].MediaIDs, m.ID) {
					f.Parts[i].MediaIDs = append(f.Parts[i].MediaIDs, m.ID)
				}
			}
		}
	}
	for _, id := range parseIDs(strings.Join(r.Form["add_media"], ",")) {
		if _, ok := assets[id]; !ok {
			m, err := h.d.Media.Get(r.Context(), p.Actor, id)
			if err != nil {
				pr["part-0"] = append(pr["part-0"], problemText(err))
				continue
			}
			assets[id] = m
		}
		if !slices.Contains(f.Parts[0].MediaIDs, id) {
			f.Parts[0].MediaIDs = append(f.Parts[0].MediaIDs, id)
		}
	}
}

// mediaItemData is one attached image in the composer.
type mediaItemData struct {
	WS    int64
	Part  int
	Asset herald.MediaAsset
	Err   string
}

// composeUpload takes one dropped, pasted or chosen file and answers its
// item for the part it was added to.
func (h *Handler) composeUpload(w http.ResponseWriter, r *http.Request, p *page) error {
	r.Body = http.MaxBytesReader(w, r.Body, h.d.Media.MaxBytes()+uploadSlack)
	part, _ := strconv.Atoi(r.URL.Query().Get("part"))
	fail := func(msg string) error {
		h.render(w, r, http.StatusUnprocessableEntity, uploadError(msg))
		return nil
	}
	file, fh, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fail(fmt.Sprintf("The file is too large: files may be at most %d MB.", h.d.Media.MaxBytes()>>20))
		}
		return fail("No file was received: choose an image or video.")
	}
	defer file.Close()
	m, err := h.d.Media.Upload(r.Context(), p.Actor, fh.Filename, file, r.FormValue("alt"))
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal || he.Code == herald.CodeUnauthorized {
			return err
		}
		return fail(fh.Filename + ": " + problemText(err))
	}
	h.render(w, r, http.StatusOK, mediaItem(mediaItemData{WS: p.Current.ID, Part: part, Asset: m}))
	return nil
}

// composeMediaItem answers a library item as an attached image of a part.
func (h *Handler) composeMediaItem(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "media", "media")
	if err != nil {
		return err
	}
	m, err := h.d.Media.Get(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	part, _ := strconv.Atoi(r.URL.Query().Get("part"))
	h.render(w, r, http.StatusOK, mediaItem(mediaItemData{WS: p.Current.ID, Part: part, Asset: m}))
	return nil
}

// composeLibrary answers a page of the library to pick from.
func (h *Handler) composeLibrary(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	if !q.Has("q") {
		q.Set("q", q.Get("library_q"))
	}
	items, next, err := h.d.Media.List(r.Context(), p.Actor, q.Get("q"), herald.Page{Cursor: q.Get("cursor"), Limit: libraryPageSize})
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, libraryItems(p, items, next, q.Get("q"), q.Get("cursor") != ""))
	return nil
}

// libraryMore is the address of the library page after next.
func libraryMore(ws int64, query, next string) string {
	return composeURL(ws, "/library?"+url.Values{"q": {query}, "cursor": {next}}.Encode())
}
