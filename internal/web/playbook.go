package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/crisis"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// playbookRoutes registers the crisis playbook (its texts and checklist),
// what an incident sends from it, and a reply to any listening match.
func (h *Handler) playbookRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/crisis/playbook", h.inWorkspace(h.crisisOn(h.playbookPage)))
	m.Handle("POST /w/{ws}/crisis/playbook/new", h.inWorkspace(h.crisisOn(h.playbookCreate)))
	m.Handle("GET /w/{ws}/crisis/playbook/{entry}/edit", h.inWorkspace(h.crisisOn(h.playbookEdit)))
	m.Handle("POST /w/{ws}/crisis/playbook/{entry}/edit", h.inWorkspace(h.crisisOn(h.playbookUpdate)))
	m.Handle("POST /w/{ws}/crisis/playbook/{entry}/approve", h.inWorkspace(h.crisisOn(h.playbookApprove)))
	m.Handle("POST /w/{ws}/crisis/playbook/{entry}/delete", h.inWorkspace(h.crisisOn(h.playbookDelete)))
	m.Handle("POST /w/{ws}/crisis/playbook/checklist", h.inWorkspace(h.crisisOn(h.playbookChecklist)))
	m.Handle("POST /w/{ws}/incidents/{incident}/statements", h.inWorkspace(h.crisisOn(h.incidentStatement)))
	m.Handle("POST /w/{ws}/incidents/{incident}/replies", h.inWorkspace(h.crisisOn(h.incidentReply)))
	m.Handle("POST /w/{ws}/incidents/{incident}/steps/{step}", h.inWorkspace(h.crisisOn(h.incidentStep)))
	m.Handle("GET /w/{ws}/listen/matches/{match}/reply", h.inWorkspace(h.listening(h.matchReplyPage)))
	m.Handle("POST /w/{ws}/listen/matches/{match}/reply", h.inWorkspace(h.listening(h.matchReply)))
}

func playbookURL(ws int64) string { return wsURL(ws) + "crisis/playbook" }

func playbookEntryURL(ws, id int64, verb string) string {
	return playbookURL(ws) + "/" + itoa(id) + "/" + verb
}

func matchReplyURL(ws, id int64) string { return listenURL(ws) + "/matches/" + itoa(id) + "/reply" }

// members names a workspace's members by user id.
func (h *Handler) members(r *http.Request, p *page) ([]herald.Member, map[int64]string) {
	names := map[int64]string{}
	ms, err := h.d.Workspaces.ListMembers(r.Context(), p.Actor)
	if err != nil {
		return nil, names
	}
	for _, m := range ms {
		names[m.UserID] = m.Name
		if m.Name == "" {
			names[m.UserID] = m.Email
		}
	}
	return ms, names
}

// playbookData is the playbook page, or a text's edit form.
type playbookData struct {
	Entries []herald.PlaybookEntry
	Steps   []herald.PlaybookStep
	Members []herald.Member
	Names   map[int64]string
	Loc     *time.Location
	// Form is the text being written (Editing: its id; 0 for a new one).
	Form                            crisis.PlaybookInput
	Editing                         int64
	FormErr                         *herald.Error
	StepsErr                        *herald.Error
	CanWrite, CanApprove, CanManage bool
	RequireApproval                 bool
}

// Name names a member, or says nobody.
func (d playbookData) Name(id int64) string {
	if id == 0 {
		return "whoever is on duty"
	}
	if n := d.Names[id]; n != "" {
		return n
	}
	return "a former member"
}

// StepRows are the checklist's rows in the form: its steps and three empty.
func (d playbookData) StepRows() []herald.PlaybookStep {
	return append(append([]herald.PlaybookStep{}, d.Steps...), make([]herald.PlaybookStep, 3)...)
}

func (h *Handler) renderPlaybook(w http.ResponseWriter, r *http.Request, p *page, status int, d playbookData) error {
	es, steps, err := h.d.Crisis.Playbook(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	d.Entries = es
	if d.StepsErr == nil {
		d.Steps = steps
	}
	d.Members, d.Names = h.members(r, p)
	d.Loc = p.location()
	d.CanWrite, d.CanManage = p.Can(herald.ActPostsWrite), p.Can(herald.ActPostsHold)
	d.CanApprove = d.CanManage && p.Can(herald.ActPostsApprove)
	d.RequireApproval = p.Current.BrandRules.RequireApproval
	if d.Form.Kind == "" {
		d.Form.Kind = herald.PlaybookStatement
	}
	p.Title = "Crisis playbook"
	if d.Editing != 0 {
		p.Title = "Edit a playbook text"
	}
	h.render(w, r, status, playbookPage(p, d))
	return nil
}

func (h *Handler) playbookPage(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderPlaybook(w, r, p, http.StatusOK, playbookData{})
}

func playbookFormOf(r *http.Request) crisis.PlaybookInput {
	return crisis.PlaybookInput{Kind: herald.PlaybookKind(r.PostFormValue("kind")), Title: r.PostFormValue("title"),
		Body: r.PostFormValue("body")}
}

func (h *Handler) playbookCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	in := playbookFormOf(r)
	e, err := h.d.Crisis.CreatePlaybookEntry(r.Context(), p.Actor, in)
	if err != nil {
		d := playbookData{Form: in}
		if d.FormErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderPlaybook(w, r, p, statusOf(d.FormErr), d)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved “%s”. It can be used in an incident once someone who approves posts approves it.", e.Title))
	http.Redirect(w, r, playbookURL(p.Current.ID)+"#entry-"+itoa(e.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) playbookEdit(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "entry", "playbook text")
	if err != nil {
		return err
	}
	e, err := h.d.Crisis.PlaybookEntry(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderPlaybook(w, r, p, http.StatusOK, playbookData{Editing: id,
		Form: crisis.PlaybookInput{Kind: e.Kind, Title: e.Title, Body: e.Body}})
}

func (h *Handler) playbookUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "entry", "playbook text")
	if err != nil {
		return err
	}
	in := playbookFormOf(r)
	e, err := h.d.Crisis.UpdatePlaybookEntry(r.Context(), p.Actor, id, in)
	if err != nil {
		d := playbookData{Form: in, Editing: id}
		if d.FormErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderPlaybook(w, r, p, statusOf(d.FormErr), d)
	}
	msg := fmt.Sprintf("Saved “%s”.", e.Title)
	if !e.Approved() {
		msg += " It needs approval before it can be used."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, playbookURL(p.Current.ID)+"#entry-"+itoa(e.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) playbookApprove(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.playbookAct(w, r, p, func(id int64) (string, error) {
		e, err := h.d.Crisis.ApprovePlaybookEntry(r.Context(), p.Actor, id)
		return fmt.Sprintf("Approved “%s”: it goes out without another review while an incident is open.", e.Title), err
	})
}

func (h *Handler) playbookDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.playbookAct(w, r, p, func(id int64) (string, error) {
		return "Deleted the text.", h.d.Crisis.DeletePlaybookEntry(r.Context(), p.Actor, id)
	})
}

// playbookAct runs an action on a text and goes back to the playbook, or
// shows why not there.
func (h *Handler) playbookAct(w http.ResponseWriter, r *http.Request, p *page, act func(id int64) (string, error)) error {
	id, err := pathID(r, "entry", "playbook text")
	if err != nil {
		return err
	}
	msg, err := act(id)
	if err != nil {
		d := playbookData{}
		if d.FormErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderPlaybook(w, r, p, statusOf(d.FormErr), d)
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, playbookURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) playbookChecklist(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read")
	}
	titles, owners := r.PostForm["step_title"], r.PostForm["step_owner"]
	var steps []herald.PlaybookStep
	for i, t := range titles {
		if strings.TrimSpace(t) == "" {
			continue
		}
		st := herald.PlaybookStep{Title: t}
		if i < len(owners) && owners[i] != "" {
			id, err := strconv.ParseInt(owners[i], 10, 64)
			if err != nil {
				id = -1 // no member: the service names the step whose owner is not one
			}
			st.OwnerID = id
		}
		steps = append(steps, st)
	}
	if _, err := h.d.Crisis.SetPlaybookSteps(r.Context(), p.Actor, steps); err != nil {
		d := playbookData{Steps: steps}
		if d.StepsErr, err = refusal(err); err != nil {
			return err
		}
		return h.renderPlaybook(w, r, p, statusOf(d.StepsErr), d)
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the checklist (%d %s). Incidents opened from now on start with it.",
		len(steps), map[bool]string{true: "step", false: "steps"}[len(steps) == 1]))
	http.Redirect(w, r, playbookURL(p.Current.ID)+"#playbook-checklist", http.StatusSeeOther)
	return nil
}

// matchReplyData is the page answering a listening match.
type matchReplyData struct {
	Match    herald.ListenMatch
	Accounts []herald.Account // the workspace's accounts on the match's platform
	Loc      *time.Location
	Account  int64
	Text     string
	Err      *herald.Error
	Key      string
}

func (h *Handler) renderMatchReply(w http.ResponseWriter, r *http.Request, p *page, status int, d matchReplyData) error {
	id, err := pathID(r, "match", "listening match")
	if err != nil {
		return err
	}
	if d.Match, err = h.d.Listen.Match(r.Context(), p.Actor, id); err != nil {
		return err
	}
	if d.Accounts, err = h.accountsOn(r, p, d.Match.Platform); err != nil {
		return err
	}
	if d.Key == "" {
		d.Key = newDraftKey()
	}
	d.Loc = p.location()
	p.Title = "Reply to " + listenAuthorName(d.Match.AuthorHandle, d.Match.AuthorID)
	h.render(w, r, status, matchReplyPage(p, d))
	return nil
}

// accountsOn returns the workspace's accounts on a platform.
func (h *Handler) accountsOn(r *http.Request, p *page, pl herald.Platform) ([]herald.Account, error) {
	all, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return nil, err
	}
	var out []herald.Account
	for _, a := range all {
		if a.Platform == pl {
			out = append(out, a)
		}
	}
	return out, nil
}

func (h *Handler) matchReplyPage(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := p.Actor.Require(herald.ActPostsSchedule); err != nil {
		return err
	}
	return h.renderMatchReply(w, r, p, http.StatusOK, matchReplyData{})
}

func (h *Handler) matchReply(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "match", "listening match")
	if err != nil {
		return err
	}
	d := matchReplyData{Text: r.PostFormValue("text"), Key: r.PostFormValue("key")}
	d.Account, _ = strconv.ParseInt(r.PostFormValue("account_id"), 10, 64)
	m, err := h.d.Listen.Match(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	rep, it, err := h.d.Posts.ReplyToMatch(r.Context(), p.Actor, m, d.Account, d.Text, d.Key)
	if err != nil && rep.ID == 0 {
		if d.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderMatchReply(w, r, p, statusOf(d.Err), d)
	}
	msg := "Replied. The conversation is in the inbox."
	if rep.State != herald.ReplySent {
		msg = "The reply was sent but the platform has not confirmed it yet; Herald checks before anything is sent again."
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, post.InboxLink(p.Current.ID, it.ID), http.StatusSeeOther)
	return nil
}
