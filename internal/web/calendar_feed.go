package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/ical"
)

func (h *Handler) calendarFeedRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/calendar/subscribe", h.inWorkspace(h.calendarSubscribe))
	m.Handle("POST /w/{ws}/calendar/subscribe", h.inWorkspace(h.calendarSubscribeCreate))
	m.Handle("POST /w/{ws}/calendar/subscribe/revoke", h.inWorkspace(h.calendarSubscribeRevoke))
	m.HandleFunc("GET /ical/{file}", h.calendarFeed)
}

// subscribeURL is the calendar subscription page.
func subscribeURL(ws int64) string { return wsURL(ws) + "calendar/subscribe" }

// subscribeData is the calendar subscription page.
type subscribeData struct {
	Feed   herald.CalendarFeed
	Active bool
	URL    string // the new address, shown this once
	Path   string
}

func (h *Handler) calendarSubscribe(w http.ResponseWriter, r *http.Request, p *page) error {
	f, ok, err := h.d.Calendar.Current(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	p.Title = "Subscribe in your calendar app"
	h.render(w, r, http.StatusOK, subscribePage(p, subscribeData{Feed: f, Active: ok}))
	return nil
}

func (h *Handler) calendarSubscribeCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	token, f, err := h.d.Calendar.Create(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	// The address is shown in this answer only: kept for a redirect, it
	// would wait in the stored session row.
	showsSecret(w)
	path := ical.Path(token)
	p.Title = "Subscribe in your calendar app"
	p.Flash = "Created your calendar address. Copy it now: it is shown only once."
	h.render(w, r, http.StatusCreated, subscribePage(p, subscribeData{Feed: f, Active: true, URL: origin(r) + path, Path: path}))
	return nil
}

func (h *Handler) calendarSubscribeRevoke(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := h.d.Calendar.Revoke(ctx, p.Actor); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "Revoked your calendar address: calendar apps reading it get nothing from now on.")
	http.Redirect(w, r, subscribeURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// calendarFeed serves a feed to calendar apps: no session, the secret
// address is the credential. An unknown or revoked one is 404.
func (h *Handler) calendarFeed(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Robots-Tag", "noindex")
	if !ok || h.d.Calendar == nil {
		http.Error(w, "calendar feed not found", http.StatusNotFound)
		return
	}
	doc, err := h.d.Calendar.Render(r.Context(), token, origin(r))
	if errors.Is(err, herald.ErrNotFound) {
		http.Error(w, "calendar feed not found: it was revoked, or never existed", http.StatusNotFound)
		return
	}
	if err != nil {
		h.d.Logger.ErrorContext(r.Context(), "calendar feed", "error", err)
		http.Error(w, "the calendar feed could not be made; try again later", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `inline; filename="herald.ics"`)
	_, _ = w.Write(doc)
}
