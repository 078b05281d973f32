package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/heraldsocial/herald/internal/herald"
)

// logoFormSlack is room for the multipart framing around the image.
const logoFormSlack = 64 << 10

// logoRoutes registers the workspace logo's preview, upload and removal.
func (h *Handler) logoRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /w/{ws}/settings/logo", h.settingsLogoFile)
	m.Handle("POST /w/{ws}/settings/logo", h.inWorkspace(h.settingsLogoUpload))
	m.Handle("POST /w/{ws}/settings/logo/remove", h.inWorkspace(h.settingsLogoRemove))
}

// logoURL is the address of the workspace logo's image; v (its SHA-256)
// makes each version's address its own, so it may be cached for good.
func logoURL(ws int64, v string) string {
	u := settingsURL(ws, "logo")
	if v != "" {
		u += "?v=" + v
	}
	return u
}

// logoInfo returns the workspace's logo's description, nil when it has
// none.
func (h *Handler) logoInfo(ctx context.Context, actor herald.Actor) (*herald.LogoInfo, error) {
	l, err := h.d.Workspaces.Logo(ctx, actor)
	if errors.Is(err, herald.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	info := l.Info()
	return &info, nil
}

// settingsLogoFile answers with the logo's image. Like a media file it
// resolves the viewer itself, without the page around it.
func (h *Handler) settingsLogoFile(w http.ResponseWriter, r *http.Request) {
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
	actor, err := h.d.Auth.Actor(r.Context(), pr, wsID)
	if err != nil {
		fail(err)
		return
	}
	l, err := h.d.Workspaces.Logo(r.Context(), actor)
	if err != nil {
		fail(err)
		return
	}
	sum := l.Info().SHA256
	hd := w.Header()
	hd.Set("Content-Type", l.ContentType)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Disposition", "inline")
	hd.Set("ETag", `"`+sum+`"`)
	if r.URL.Query().Get("v") == sum {
		hd.Set("Cache-Control", "private, max-age=31536000, immutable")
	} else {
		hd.Set("Cache-Control", "private, no-cache")
	}
	// ServeContent answers If-None-Match with 304.
	http.ServeContent(w, r, "", l.UpdatedAt, bytes.NewReader(l.Data))
}

// settingsLogoUpload saves an uploaded image as the workspace's logo. A
// refused image is said on the settings page, and the logo saved before
// stays.
func (h *Handler) settingsLogoUpload(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return err
	}
	data, err := readLogoUpload(w, r)
	if err == nil {
		_, err = h.d.Workspaces.SetLogo(ctx, p.Actor, data)
	}
	if err != nil {
		return h.logoRefused(w, r, p, err)
	}
	h.d.Sessions.Put(ctx, flashKey, "Saved the logo: it is on the workspace's PDF reports from now on.")
	http.Redirect(w, r, settingsURL(p.Current.ID, "")+"#logo", http.StatusSeeOther)
	return nil
}

// readLogoUpload reads the file of the upload form, at most one byte over
// the limit (the service says it is too large).
func readLogoUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, herald.MaxLogoBytes+logoFormSlack)
	f, _, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return nil, &herald.Error{Code: herald.CodeTooLarge,
				Message: fmt.Sprintf("the logo was not saved: a logo may be at most %d MiB: save it smaller", herald.MaxLogoBytes>>20),
				Details: []herald.FieldProblem{{Field: "logo", Problem: fmt.Sprintf("is over %d MiB", herald.MaxLogoBytes>>20)}}}
		case errors.Is(err, http.ErrMissingFile), errors.Is(err, http.ErrNotMultipart):
			return nil, &herald.Error{Code: herald.CodeInvalid, Message: "the logo was not saved: choose a PNG or JPEG image first",
				Details: []herald.FieldProblem{{Field: "logo", Problem: "is required"}}}
		}
		return nil, &herald.Error{Code: herald.CodeInvalid, Message: "the upload was cut short: choose the image again", Err: err}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, herald.MaxLogoBytes+1))
	if err != nil {
		return nil, &herald.Error{Code: herald.CodeInvalid, Message: "the upload was cut short: choose the image again", Err: err}
	}
	return data, nil
}

// logoRefused shows why the logo was refused on the workspace tab, or
// returns err when it is not the person's to fix.
func (h *Handler) logoRefused(w http.ResponseWriter, r *http.Request, p *page, err error) error {
	he := publicError(err)
	if he.Code != herald.CodeInvalid && he.Code != herald.CodeTooLarge {
		return err
	}
	ws, gerr := h.d.Workspaces.Get(r.Context(), p.Actor)
	if gerr != nil {
		return gerr
	}
	in := h.formOf(ws)
	in.LogoErr = he
	h.renderWorkspaceTab(w, r, p, statusOf(he), in)
	return nil
}

// settingsLogoRemove removes the workspace's logo.
func (h *Handler) settingsLogoRemove(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := h.d.Workspaces.RemoveLogo(ctx, p.Actor); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "Removed the logo: reports show the workspace's name alone.")
	http.Redirect(w, r, settingsURL(p.Current.ID, "")+"#logo", http.StatusSeeOther)
	return nil
}

// logoTypes is what the file picker offers.
const logoTypes = herald.LogoPNG + "," + herald.LogoJPEG + ",.png,.jpg,.jpeg"

// logoKind names a logo's format.
func logoKind(contentType string) string {
	if contentType == herald.LogoJPEG {
		return "JPEG image"
	}
	return "PNG image"
}
