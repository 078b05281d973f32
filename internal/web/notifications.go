package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/heraldsocial/herald/internal/herald"
)

// notificationRoutes registers the notification feed: the page, the
// bell's count, and marking read.
func (h *Handler) notificationRoutes(m *http.ServeMux) {
	if h.d.Notifications == nil {
		return
	}
	m.Handle("GET /w/{ws}/notifications", h.inWorkspace(h.notifications))
	m.HandleFunc("GET /w/{ws}/notifications/bell", h.notificationBell)
	m.Handle("POST /w/{ws}/notifications/read-all", h.inWorkspace(h.notificationsReadAll))
	m.Handle("POST /w/{ws}/notifications/{note}/open", h.inWorkspace(h.notificationOpen))
	m.Handle("POST /w/{ws}/notifications/{note}/read", h.inWorkspace(h.notificationMark(true)))
	m.Handle("POST /w/{ws}/notifications/{note}/unread", h.inWorkspace(h.notificationMark(false)))
}

// notificationsURL is the feed's page.
func notificationsURL(ws int64) string { return wsURL(ws) + "notifications" }

// notificationURL is one notification's address under the feed.
func notificationURL(ws, id int64) string { return fmt.Sprintf("%s/%d", notificationsURL(ws), id) }

// notificationsData is one page of the viewer's feed.
type notificationsData struct {
	Items      []herald.UserNotification
	UnreadOnly bool
	Kind       string // "" for every kind
	Next       string // the cursor of the older page
	Cursor     string // this page's cursor ("" for the newest)
}

func (h *Handler) notifications(w http.ResponseWriter, r *http.Request, p *page) error {
	q := r.URL.Query()
	d := notificationsData{UnreadOnly: q.Get("show") == "unread", Cursor: q.Get("cursor"), Kind: q.Get("kind")}
	f := herald.NotificationFilter{UnreadOnly: d.UnreadOnly, Page: herald.Page{Cursor: d.Cursor}}
	if d.Kind != "" {
		f.Kinds = []herald.NotificationKind{herald.NotificationKind(d.Kind)}
	}
	pg, err := h.d.Notifications.List(r.Context(), p.Actor, f)
	if err != nil {
		return err
	}
	d.Items, d.Next = pg.Items, pg.Next
	p.Title = "Notifications"
	h.render(w, r, http.StatusOK, notificationsPage(p, d))
	return nil
}

// notificationBell answers the header's bell with the viewer's unread
// count as it is now. Every open page asks every half minute, so it reads
// the viewer's role and that count only, not the rest of a page's frame
// (the workspace list, the crisis state, the inbox count).
func (h *Handler) notificationBell(w http.ResponseWriter, r *http.Request) {
	_, actor, ok := h.workspaceActor(w, r)
	if !ok {
		return
	}
	p := &page{Actor: actor, Current: herald.UserWorkspace{Workspace: herald.Workspace{ID: actor.WorkspaceID}, Role: actor.Role},
		hasFeed: true}
	if u, err := url.Parse(r.Header.Get("HX-Current-URL")); err == nil {
		p.Path = u.Path // the page the bell is on, for aria-current
	}
	var err error
	if p.Unread, err = h.d.Notifications.Unread(r.Context(), actor); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.render(w, r, http.StatusOK, bell(p))
}

func (h *Handler) notificationsReadAll(w http.ResponseWriter, r *http.Request, p *page) error {
	n, err := h.d.Notifications.MarkAllRead(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	msg := "Nothing was unread."
	if n > 0 {
		msg = fmt.Sprintf("Marked %d notifications read.", n)
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
	return nil
}

// notificationOpen marks a notification read and goes where it is acted
// on (a path of this site only).
func (h *Handler) notificationOpen(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "note", "notification")
	if err != nil {
		return err
	}
	if _, err := h.d.Notifications.Mark(r.Context(), p.Actor, []int64{id}, true); err != nil {
		return err
	}
	to := localPath(r.PostFormValue("to"))
	if to == "/" {
		to = notificationsURL(p.Current.ID)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// notificationMark marks one notification read or unread and returns to
// the feed.
func (h *Handler) notificationMark(read bool) workspaceFunc {
	return func(w http.ResponseWriter, r *http.Request, p *page) error {
		id, err := pathID(r, "note", "notification")
		if err != nil {
			return err
		}
		if _, err := h.d.Notifications.Mark(r.Context(), p.Actor, []int64{id}, read); err != nil {
			return err
		}
		back := localPath(r.PostFormValue("back"))
		if back == "/" {
			back = notificationsURL(p.Current.ID)
		}
		http.Redirect(w, r, back+"#notification-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
}

// pageURL is the feed's page with the filter of d, unread only or not,
// from cursor.
func (d notificationsData) pageURL(ws int64, unreadOnly bool, cursor string) string {
	q := url.Values{}
	if unreadOnly {
		q.Set("show", "unread")
	}
	if d.Kind != "" {
		q.Set("kind", d.Kind)
	}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if len(q) == 0 {
		return notificationsURL(ws)
	}
	return notificationsURL(ws) + "?" + q.Encode()
}

// feedTitle is a notification's headline: its title, else its message.
func feedTitle(n herald.UserNotification) string {
	if n.Title != "" {
		return n.Title
	}
	return n.Message
}

// markAction is the path that flips a notification's read mark.
func markAction(n herald.UserNotification) string {
	if n.ReadAt == nil {
		return "/read"
	}
	return "/unread"
}

// unreadWord qualifies an empty feed's sentence when only unread ones
// were asked for.
func unreadWord(unreadOnly bool) string {
	if unreadOnly {
		return "unread "
	}
	return ""
}
