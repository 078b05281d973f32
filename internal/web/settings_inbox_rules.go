package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// inboxRulesRoutes registers the Inbox rules tab of the settings.
func (h *Handler) inboxRulesRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings/inbox-rules", h.inWorkspace(h.inboxRules))
	m.Handle("POST /w/{ws}/settings/inbox-rules", h.inWorkspace(h.inboxRuleCreate))
	m.Handle("POST /w/{ws}/settings/inbox-rules/test", h.inWorkspace(h.inboxRuleTestNew))
	m.Handle("GET /w/{ws}/settings/inbox-rules/{rule}", h.inWorkspace(h.inboxRulePage))
	m.Handle("POST /w/{ws}/settings/inbox-rules/{rule}", h.inWorkspace(h.inboxRuleUpdate))
	m.Handle("POST /w/{ws}/settings/inbox-rules/{rule}/test", h.inWorkspace(h.inboxRuleTestSaved))
	m.Handle("POST /w/{ws}/settings/inbox-rules/{rule}/{act}", h.inWorkspace(h.inboxRuleAct))
}

// inboxRulesURL is the Inbox rules tab.
func inboxRulesURL(ws int64) string { return settingsURL(ws, "inbox-rules") }

// inboxRuleURL is one rule's page, or an action on it.
func inboxRuleURL(ws, id int64, action string) string {
	u := inboxRulesURL(ws) + "/" + itoa(id)
	if action != "" {
		u += "/" + action
	}
	return u
}

// ruleForm is a rule's form as typed: lists are comma-separated text or
// ticked boxes.
type ruleForm struct {
	ID                                int64
	Name, Terms, Pattern, Languages   string
	Handles, Tags, Question, Priority string
	Accounts, Assign                  []int64
	Platforms, Kinds, Sentiments      []string
	Enabled, MarkDone                 bool
	Err                               *herald.Error
}

// inboxRulesData is the tab (and a rule's page when Form.ID is set).
type inboxRulesData struct {
	Rules    []herald.InboxRule
	Form     ruleForm
	Accounts []herald.Account
	Members  []herald.Member
	// Tested is set after "Test this rule", with what it matched.
	Tested  bool
	Matches []herald.InboxItem
}

// splitList splits comma-separated text, trimmed, without empty parts.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// ids parses the form's values name as ids, skipping anything else.
func formIDs(r *http.Request, name string) []int64 {
	var out []int64
	for _, v := range r.PostForm[name] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// ruleFormFrom reads the posted form.
func ruleFormFrom(r *http.Request) ruleForm {
	v := r.PostFormValue
	return ruleForm{Name: v("name"), Terms: v("terms"), Pattern: v("pattern"), Languages: v("languages"),
		Handles: v("handles"), Tags: v("tags"), Question: v("question"), Priority: v("priority"),
		Accounts: formIDs(r, "account"), Assign: formIDs(r, "assign"), Platforms: r.PostForm["platform"],
		Kinds: r.PostForm["kind"], Sentiments: r.PostForm["sentiment"], Enabled: v("enabled") == "true",
		MarkDone: v("mark_done") == "true"}
}

// input is the service's form of f.
func (f ruleForm) input() inbox.RuleInput {
	in := inbox.RuleInput{Name: f.Name, Enabled: f.Enabled}
	c := &in.Conditions
	c.Terms, c.Pattern, c.AccountIDs = splitList(f.Terms), f.Pattern, f.Accounts
	for _, p := range f.Platforms {
		c.Platforms = append(c.Platforms, herald.Platform(p))
	}
	for _, k := range f.Kinds {
		c.Kinds = append(c.Kinds, herald.InboxKind(k))
	}
	c.Sentiments, c.Languages, c.AuthorHandles = f.Sentiments, splitList(f.Languages), splitList(f.Handles)
	if f.Question != "" {
		q := f.Question == "yes"
		c.HasQuestion = &q
	}
	in.Actions = herald.InboxRuleActions{AddTags: splitList(f.Tags), AssignTo: f.Assign,
		Priority: herald.InboxPriority(f.Priority), MarkDone: f.MarkDone}
	return in
}

// ruleFormOf fills the form from a stored rule.
func ruleFormOf(r herald.InboxRule) ruleForm {
	c, a := r.Conditions, r.Actions
	f := ruleForm{ID: r.ID, Name: r.Name, Terms: strings.Join(c.Terms, ", "), Pattern: c.Pattern,
		Languages: strings.Join(c.Languages, ", "), Handles: strings.Join(c.AuthorHandles, ", "),
		Tags: strings.Join(a.AddTags, ", "), Priority: string(a.Priority), Accounts: c.AccountIDs, Assign: a.AssignTo,
		Sentiments: c.Sentiments, Enabled: r.Enabled, MarkDone: a.MarkDone}
	for _, p := range c.Platforms {
		f.Platforms = append(f.Platforms, string(p))
	}
	for _, k := range c.Kinds {
		f.Kinds = append(f.Kinds, string(k))
	}
	if c.HasQuestion != nil {
		f.Question = map[bool]string{true: "yes", false: "no"}[*c.HasQuestion]
	}
	return f
}

// has reports whether list holds v (for ticked boxes).
func has[T comparable](list []T, v T) bool { return slices.Contains(list, v) }

func (h *Handler) inboxRules(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderInboxRules(w, r, p, http.StatusOK, inboxRulesData{Form: ruleForm{Enabled: true}})
}

// renderInboxRules renders the tab or, when d.Form.ID is set, a rule's page.
func (h *Handler) renderInboxRules(w http.ResponseWriter, r *http.Request, p *page, status int, d inboxRulesData) error {
	ctx := r.Context()
	var err error
	if d.Rules, err = h.d.Inbox.ListRules(ctx, p.Actor); err != nil {
		return err
	}
	if d.Accounts, err = h.d.Accounts.List(ctx, p.Actor); err != nil {
		return err
	}
	if d.Members, err = h.d.Workspaces.ListMembers(ctx, p.Actor); err != nil {
		return err
	}
	p.Title = "Inbox rules"
	if d.Form.ID != 0 {
		p.Title = "Inbox rule " + d.Form.Name
	}
	h.render(w, r, status, inboxRulesPage(p, d))
	return nil
}

func (h *Handler) inboxRuleCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	f := ruleFormFrom(r)
	rule, err := h.d.Inbox.CreateRule(r.Context(), p.Actor, f.input())
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderInboxRules(w, r, p, statusOf(f.Err), inboxRulesData{Form: f})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Added the rule “%s”. It applies to new inbox items from now on.", rule.Name))
	http.Redirect(w, r, inboxRulesURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// ruleTest runs the posted form as a rule and shows what it matches.
func (h *Handler) ruleTest(w http.ResponseWriter, r *http.Request, p *page, id int64) error {
	f := ruleFormFrom(r)
	f.ID = id
	items, err := h.d.Inbox.TestRule(r.Context(), p.Actor, f.input())
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderInboxRules(w, r, p, statusOf(f.Err), inboxRulesData{Form: f})
	}
	return h.renderInboxRules(w, r, p, http.StatusOK, inboxRulesData{Form: f, Tested: true, Matches: items})
}

func (h *Handler) inboxRuleTestNew(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.ruleTest(w, r, p, 0)
}

func (h *Handler) inboxRuleTestSaved(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "rule", "inbox rule")
	if err != nil {
		return err
	}
	if _, err := h.d.Inbox.GetRule(r.Context(), p.Actor, id); err != nil {
		return err
	}
	return h.ruleTest(w, r, p, id)
}

func (h *Handler) inboxRulePage(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "rule", "inbox rule")
	if err != nil {
		return err
	}
	rule, err := h.d.Inbox.GetRule(r.Context(), p.Actor, id)
	if err != nil {
		return err
	}
	return h.renderInboxRules(w, r, p, http.StatusOK, inboxRulesData{Form: ruleFormOf(rule)})
}

func (h *Handler) inboxRuleUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "rule", "inbox rule")
	if err != nil {
		return err
	}
	f := ruleFormFrom(r)
	f.ID = id
	rule, err := h.d.Inbox.UpdateRule(r.Context(), p.Actor, id, f.input())
	if err != nil {
		if f.Err, err = refusal(err); err != nil {
			return err
		}
		return h.renderInboxRules(w, r, p, statusOf(f.Err), inboxRulesData{Form: f})
	}
	h.d.Sessions.Put(r.Context(), flashKey, fmt.Sprintf("Saved the rule “%s”.", rule.Name))
	http.Redirect(w, r, inboxRulesURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// inboxRuleAct switches, moves or deletes a rule.
func (h *Handler) inboxRuleAct(w http.ResponseWriter, r *http.Request, p *page) error {
	id, err := pathID(r, "rule", "inbox rule")
	if err != nil {
		return err
	}
	ctx := r.Context()
	switch r.PathValue("act") {
	case "enable", "disable":
		_, err = h.d.Inbox.SetRuleEnabled(ctx, p.Actor, id, r.PathValue("act") == "enable")
	case "up":
		err = h.d.Inbox.MoveRule(ctx, p.Actor, id, -1)
	case "down":
		err = h.d.Inbox.MoveRule(ctx, p.Actor, id, 1)
	case "delete":
		err = h.d.Inbox.DeleteRule(ctx, p.Actor, id)
	default:
		return herald.NotFound("page")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, inboxRulesURL(p.Current.ID), http.StatusSeeOther)
	return nil
}

// ruleWords says in words what a rule looks for and does.
func ruleWords(r herald.InboxRule, accounts []herald.Account, members []herald.Member) (when, then string) {
	c, a := r.Conditions, r.Actions
	var ws, ts []string
	if len(c.Terms) > 0 {
		ws = append(ws, "text contains "+strings.Join(c.Terms, " or "))
	}
	if c.Pattern != "" {
		ws = append(ws, "text matches /"+c.Pattern+"/")
	}
	for _, id := range c.AccountIDs {
		for _, acct := range accounts {
			if acct.ID == id {
				ws = append(ws, "to "+acct.Handle)
			}
		}
	}
	add := func(label string, vals []string) {
		if len(vals) > 0 {
			ws = append(ws, label+" "+strings.Join(vals, " or "))
		}
	}
	var pls, kinds []string
	for _, p := range c.Platforms {
		pls = append(pls, string(p))
	}
	for _, k := range c.Kinds {
		kinds = append(kinds, string(k))
	}
	add("on", pls)
	add("a", kinds)
	add("sentiment", c.Sentiments)
	add("language", c.Languages)
	add("by", c.AuthorHandles)
	if c.HasQuestion != nil {
		ws = append(ws, map[bool]string{true: "asks a question", false: "asks no question"}[*c.HasQuestion])
	}
	if len(ws) == 0 {
		ws = []string{"every new item"}
	}
	if len(a.AddTags) > 0 {
		ts = append(ts, "tag "+strings.Join(a.AddTags, ", "))
	}
	if len(a.AssignTo) > 0 {
		var names []string
		for _, id := range a.AssignTo {
			names = append(names, memberName(members, id))
		}
		if len(names) == 1 {
			ts = append(ts, "assign to "+names[0])
		} else {
			ts = append(ts, "assign in turn to "+strings.Join(names, ", "))
		}
	}
	if a.Priority != "" {
		ts = append(ts, "priority "+string(a.Priority))
	}
	if a.MarkDone {
		ts = append(ts, "mark done")
	}
	return strings.Join(ws, "; "), strings.Join(ts, "; ")
}
