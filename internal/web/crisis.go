package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// crisisData is the crisis switch's page: what it holds, what a hold
// would hold, and the reason typed.
type crisisData struct {
	Reason string
	Err    *herald.Error
	// Waiting is how many targets wait to publish (scheduled or retrying):
	// what a hold would hold.
	Waiting int
	// Incidents: the crisis service is set up, so the page links to the
	// incidents and the detectors.
	Incidents bool
}

// crisisForm shows what the crisis switch holds and offers only what
// applies: holding what waits to publish, resuming what is held.
func (h *Handler) crisisForm(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderCrisis(w, r, p, http.StatusOK, crisisData{})
}

func (h *Handler) renderCrisis(w http.ResponseWriter, r *http.Request, p *page, status int, d crisisData) error {
	if err := p.Actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	var err error
	if d.Waiting, err = h.d.Posts.CrisisWaiting(r.Context(), p.Actor); err != nil {
		return err
	}
	d.Incidents = h.d.Crisis != nil
	p.Title = "Crisis switch"
	h.render(w, r, status, crisisPage(p, d))
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
		return h.renderCrisis(w, r, p, statusOf(he), in)
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
	if strings.HasSuffix(noun, "ch") || strings.HasSuffix(noun, "s") || strings.HasSuffix(noun, "x") {
		return fmt.Sprintf("%d %ses", n, noun) // matches, boxes
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// heldSummary says what the crisis switch holds: how much, since when
// and why.
func heldSummary(p *page) string {
	s := count(p.Crisis.Held, "post target") + " held"
	if p.Crisis.HeldAt != nil {
		s += " since " + fmtPtrTime(p.Crisis.HeldAt, p.location())
	}
	if p.Crisis.Reason != "" {
		s += ", because “" + p.Crisis.Reason + "”"
	}
	return s + "."
}

// waitingSummary says what a hold would hold.
func waitingSummary(p *page, n int) string {
	s := count(n, "post target") + " scheduled"
	if p.Crisis.Holding {
		s += " since the hold"
	}
	if n == 1 {
		return s + " is not held and will publish at its time."
	}
	return s + " are not held and will publish at their times."
}
