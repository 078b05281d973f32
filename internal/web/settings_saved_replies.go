package web

import (
	"fmt"
	"net/http"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// savedRepliesRoutes registers the Saved replies tab of the settings.
func (h *Handler) savedRepliesRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings/saved-replies", h.inWorkspace(h.savedReplies))
	m.Handle("POST /w/{ws}/settings/saved-replies", h.inWorkspace(h.savedReplyCreate))
	m.Handle("GET /w/{ws}/settings/saved-replies/{reply}", h.inWorkspace(h.savedReplyPage))
	m.Handle("POST /w/{ws}/settings/saved-replies/{reply}", h.inWorkspace(h.savedReplyUpdate))
	m.Handle("POST /w/{ws}/settings/saved-replies/{reply}/delete", h.inWorkspace(h.savedReplyDelete))
}

// savedRepliesURL is the Saved replies tab.
func savedRepliesURL(ws int64) string { return settingsURL(ws, "saved-replies") }

// savedReplyURL is one saved reply's page.
func savedReplyURL(ws, id int64) string { return fmt.Sprintf("%s/%d", savedRepliesURL(ws), id) }

// savedRepliesData is the tab, or one reply's page when Form.ID is set.
type savedRepliesData struct {
	Replies []herald.SavedReply
	Form    savedReplyForm
}

// savedReplyForm is a saved reply as typed.
type savedReplyForm struct {
	ID         int64
	Name, Body string
	Err        *herald.Error
}

func (h *Handler) savedReplies(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderSavedReplies(w, r, p, http.StatusOK, savedRepliesData{})
}

func (h *Handler) renderSavedReplies(w http.ResponseWriter, r *http.Request, p *page, status int, d savedRepliesData) error {
	var err error
	if d.Replies, err = h.d.Inbox.SavedReplies(r.Context(), p.Actor); err != nil {
		return err
	}
	p.Title = "Saved replies"
	if d.Form.ID != 0 {
		p.Title = "Saved reply " + d.Form.Name
	}
	h.render(w, r, status, savedRepliesPage(p, d))
	return nil
}

// savedReplyInput reads the posted form.
func savedReplyInput(r *http.Request) inbox.SavedReplyInput {
	return inbox.SavedReplyInput{Name: r.PostFormValue("name"), Body: r.PostFormValue("body")}
}

func (h *Handler) savedReplyCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	in := savedReplyInput(r)
	sr, err := h.d.Inbox.CreateSavedReply(r.Context(), p.Actor, in)
	if err != nil {
		f := savedReplyForm{Name: in.Name, Body: in.Body}
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderSavedReplies(w, r, p, statusOf(f.Err), savedRepliesData{Form: f})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved “%s”. Type / in a reply to use it.", sr.Name))
	http.Redirect(w, r, savedRepliesURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) savedReplyPage(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "reply", "saved reply")
	if err != nil {
		return err
	}
	sr, err := h.d.Inbox.SavedReply(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderSavedReplies(w, r, p, http.StatusOK, savedRepliesData{Form: savedReplyForm{ID: sr.ID, Name: sr.Name, Body: sr.Body}})
}

func (h *Handler) savedReplyUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "reply", "saved reply")
	if err != nil {
		return err
	}
	in := savedReplyInput(r)
	sr, err := h.d.Inbox.UpdateSavedReply(r.Context(), p.Actor, id, in)
	if err != nil {
		f := savedReplyForm{ID: id, Name: in.Name, Body: in.Body}
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderSavedReplies(w, r, p, statusOf(f.Err), savedRepliesData{Form: f})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved “%s”.", sr.Name))
	http.Redirect(w, r, savedRepliesURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) savedReplyDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "reply", "saved reply")
	if err != nil {
		return err
	}
	err = h.d.Inbox.DeleteSavedReply(r.Context(), p.Actor, id)
	return h.inboxDone(w, r, savedRepliesURL(p.Current.ID), "Saved reply deleted.", err)
}

// savedReplyFormURL is where the form posts: the tab to add, the reply's
// page to change it.
func savedReplyFormURL(ws, id int64) string {
	if id == 0 {
		return savedRepliesURL(ws)
	}
	return savedReplyURL(ws, id)
}
