package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
)

// MaxEvidenceShown bounds the evidence matches an incident's page lists
// with a reply form each.
const MaxEvidenceShown = 20

// incidentRespond is what an incident's page offers to respond with: its
// checklist, the approved statements and replies, the accounts to send
// from and the evidence to answer.
type incidentRespond struct {
	Steps      []herald.IncidentStep
	Statements []herald.PlaybookEntry
	Replies    []herald.PlaybookEntry
	Accounts   []herald.Account
	Evidence   []herald.ListenMatch
	// CanOwnWords: the actor may reply in their own words (posts.schedule).
	CanOwnWords  bool
	StatementErr *herald.Error
	ReplyErr     *herald.Error
	ReplyMatch   int64 // the match ReplyErr is about
	ReplyKey     string
}

// AccountsFor returns the accounts that can answer a match.
func (d incidentRespond) AccountsFor(m herald.ListenMatch) []herald.Account {
	var out []herald.Account
	for _, a := range d.Accounts {
		if a.Platform == m.Platform {
			out = append(out, a)
		}
	}
	return out
}

// respond loads what the page offers to respond with.
func (h *Handler) respond(r *http.Request, p *page, d *incidentData) error {
	ctx := r.Context()
	steps, err := h.d.Crisis.IncidentSteps(ctx, p.Actor, d.Incident.ID)
	if err != nil {
		return err
	}
	d.Steps = steps
	if d.Incident.Status != herald.IncidentOpen || !p.Can(herald.ActPostsWrite) {
		return nil
	}
	es, _, err := h.d.Crisis.Playbook(ctx, p.Actor)
	if err != nil {
		return err
	}
	for _, e := range es {
		switch {
		case !e.Approved():
		case e.Kind == herald.PlaybookStatement:
			d.Statements = append(d.Statements, e)
		default:
			d.Replies = append(d.Replies, e)
		}
	}
	if d.Accounts, err = h.d.Accounts.List(ctx, p.Actor); err != nil {
		return err
	}
	d.CanOwnWords = p.Can(herald.ActPostsSchedule)
	if d.ReplyKey == "" {
		d.ReplyKey = newDraftKey()
	}
	if h.d.Listen == nil {
		return nil
	}
	for _, id := range d.Incident.Evidence {
		if len(d.Evidence) == MaxEvidenceShown {
			break
		}
		if m, err := h.d.Listen.Match(ctx, p.Actor, id); err == nil {
			d.Evidence = append(d.Evidence, m)
		}
	}
	return nil
}

func (h *Handler) incidentStatement(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read")
	}
	entry, _ := strconv.ParseInt(r.PostForm.Get("entry_id"), 10, 64)
	sent, err := h.d.Crisis.PublishStatement(r.Context(), p.Actor, id, entry, formIDs(r, "account_id"))
	if err != nil {
		d := incidentData{}
		if d.StatementErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderIncident(w, r, p, statusOf(d.StatementErr), d)
	}
	msg := "Published the statement now, without another review (it was approved in advance)."
	if sent.Drill {
		msg = "Drill: nothing was published; the timeline says what would have been."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, incidentURL(p.Current.ID, id, "")+"#incident-timeline", http.StatusSeeOther)
	return nil
}

func (h *Handler) incidentReply(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read")
	}
	ri := crisis.ReplyInput{Text: crlf(r.PostForm.Get("text")), RequestKey: r.PostForm.Get("key")}
	ri.MatchID, _ = strconv.ParseInt(r.PostForm.Get("match_id"), 10, 64)
	ri.AccountID, _ = strconv.ParseInt(r.PostForm.Get("account_id"), 10, 64)
	ri.EntryID, _ = strconv.ParseInt(r.PostForm.Get("entry_id"), 10, 64)
	sent, err := h.d.Crisis.Reply(r.Context(), p.Actor, id, ri)
	if err != nil && sent.Reply == nil {
		d := incidentData{}
		d.ReplyMatch, d.ReplyKey = ri.MatchID, ri.RequestKey
		if d.ReplyErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderIncident(w, r, p, statusOf(d.ReplyErr), d)
	}
	msg := "Replied; the conversation is in the inbox."
	switch {
	case sent.Drill:
		msg = "Drill: nothing was sent; the timeline says what would have been."
	case sent.Reply.State != herald.ReplySent:
		msg = "The reply was sent but the platform has not confirmed it yet; Herald checks before anything is sent again."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, incidentURL(p.Current.ID, id, "")+"#incident-timeline", http.StatusSeeOther)
	return nil
}

func (h *Handler) incidentStep(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "incident", "incident")
	if err != nil {
		return err
	}
	step, err := pathID(r, "step", "checklist step")
	if err != nil {
		return err
	}
	done := r.PostFormValue("done") == "true"
	st, err := h.d.Crisis.SetStepDone(r.Context(), p.Actor, id, step, done)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("Ticked “%s”.", st.Title)
	if !done {
		msg = fmt.Sprintf("“%s” is not done after all.", st.Title)
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, incidentURL(p.Current.ID, id, "")+"#incident-checklist", http.StatusSeeOther)
	return nil
}
