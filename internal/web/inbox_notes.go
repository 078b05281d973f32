package web

import (
	"net/http"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/post"
)

// inboxNotesRoutes registers the conversation page's internal notes.
func (h *Handler) inboxNotesRoutes(m *http.ServeMux) {
	m.Handle("POST /w/{ws}/inbox/{item}/notes", h.inWorkspace(h.inboxAddNote))
	m.Handle("POST /w/{ws}/inbox/{item}/notes/{note}/delete", h.inWorkspace(h.inboxDeleteNote))
}

// noteView is a note with its mentions picked out.
type noteView struct {
	herald.InboxNote
	Segments  []post.Segment
	CanDelete bool
}

// inboxNotesData is the notes section and the reply box's saved replies.
type inboxNotesData struct {
	Notes   []noteView
	CanNote bool
	// NoteText and NoteErr are a refused note, shown again to fix.
	NoteText string
	NoteErr  *herald.Error
	// Saved are the workspace's saved replies filled in for the item.
	Saved []inbox.FilledReply
}

// loadNotes fills the notes section and the saved replies of the item's page.
func (h *Handler) loadNotes(r *http.Request, p *page, it herald.InboxItem, people []post.Person, d *inboxNotesData) error {
	ns, err := h.d.Inbox.Notes(r.Context(), p.Actor, it.ID)
	if err != nil {
		return err
	}
	d.CanNote = p.Can(herald.ActPostsWrite)
	admin := p.Can(herald.ActMembersManage)
	d.Notes = make([]noteView, len(ns))
	for i, n := range ns {
		d.Notes[i] = noteView{InboxNote: n, Segments: post.Segments(n.Body, people),
			CanDelete: d.CanNote && (admin || n.AuthorID == p.Actor.UserID)}
	}
	if p.Can(herald.ActPostsSchedule) {
		if d.Saved, err = h.d.Inbox.FillSavedReplies(r.Context(), p.Actor, it.ID); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) inboxAddNote(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	body := r.PostForm.Get("body")
	n, err := h.d.Inbox.AddNote(r.Context(), p.Actor, it.ID, body)
	if err != nil {
		he, err := refusal(err)
		if err != nil {
			return err
		}
		// The note is shown again as typed, to fix.
		return h.renderConversation(w, r, p, statusOf(he), conversationData{Item: it,
			Notes: inboxNotesData{NoteText: body, NoteErr: he}})
	}
	msg := "Note added."
	if len(n.Mentions) > 0 {
		msg = "Note added; the people it mentions are notified."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, inboxItemURL(p.Current.ID, it.ID)+"#notes", http.StatusSeeOther)
	return nil
}

func (h *Handler) inboxDeleteNote(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	id, err := pathID(r, "note", "inbox note")
	if err != nil {
		return err
	}
	err = h.d.Inbox.DeleteNote(r.Context(), p.Actor, it.ID, id)
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID)+"#notes", "Note deleted.", err)
}

// noteAuthor names a note's author, or says they left.
func noteAuthor(n noteView) string {
	if n.AuthorName == "" {
		return "A former member"
	}
	return n.AuthorName
}
