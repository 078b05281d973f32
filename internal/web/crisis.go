package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// crisisData is the crisis switch's confirmation page.
type crisisData struct {
	Reason string
	Err    *herald.Error
}

// crisisForm is the confirmation step before holding everything.
func (h *Handler) crisisForm(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	p.Title = "Hold everything"
	h.render(w, r, http.StatusOK, crisisPage(p, crisisData{}))
	return nil
}

// crisisHold holds every scheduled target of the workspace, with a reason.
func (h *Handler) crisisHold(w http.ResponseWriter, r *http.Request, p *page) error {
	in := crisisData{Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	st, err := h.d.Posts.CrisisHold(r.Context(), p.Actor, in.Reason)
	if err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid {
			return err
		}
		in.Err = he
		p.Title = "Hold everything"
		h.render(w, r, statusOf(he), crisisPage(p, in))
		return nil
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Held %s. Nothing scheduled publishes until you resume.", count(st.Changed, "post target")))
	http.Redirect(w, r, wsURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// crisisResume releases everything the crisis switch holds.
func (h *Handler) crisisResume(w http.ResponseWriter, r *http.Request, p *page) error {
	st, err := h.d.Posts.CrisisResume(r.Context(), p.Actor, nil, false)
	if err != nil {
		return err
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Resumed %s: they publish at their times (at once if their time has passed).", count(st.Changed, "post target")))
	http.Redirect(w, r, localPath(r.PostFormValue("back")), http.StatusSeeOther)
	return nil
}

// count renders "1 post target" or "3 post targets".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
