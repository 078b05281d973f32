package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/post"
)

// inboxRoutes registers the inbox and its conversations.
func (h *Handler) inboxRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/inbox", h.inWorkspace(h.inboxList))
	m.Handle("POST /w/{ws}/inbox/bulk", h.inWorkspace(h.inboxBulk))
	m.Handle("GET /w/{ws}/inbox/events", h.inWorkspace(h.inboxEvents))
	m.Handle("GET /w/{ws}/inbox/{item}", h.inWorkspace(h.inboxItemPage))
	m.Handle("GET /w/{ws}/inbox/{item}/thread", h.inWorkspace(h.inboxThread))
	m.Handle("POST /w/{ws}/inbox/{item}/reply", h.inWorkspace(h.inboxReply))
	m.Handle("POST /w/{ws}/inbox/{item}/replies/{reply}/resolve", h.inWorkspace(h.inboxResolveReply))
	m.Handle("POST /w/{ws}/inbox/{item}/like", h.inWorkspace(h.inboxLike))
	m.Handle("POST /w/{ws}/inbox/{item}/repost", h.inWorkspace(h.inboxRepost))
	m.Handle("POST /w/{ws}/inbox/{item}/hide", h.inWorkspace(h.inboxHide))
	m.Handle("POST /w/{ws}/inbox/{item}/state", h.inWorkspace(h.inboxState))
	m.Handle("POST /w/{ws}/inbox/{item}/assign", h.inWorkspace(h.inboxAssign))
	h.inboxWorkRoutes(m)
	h.inboxNotesRoutes(m)
	h.inboxReportRoutes(m)
}

func inboxURL(ws int64) string                      { return wsURL(ws) + "inbox" }
func inboxItemURL(ws, id int64) string              { return inboxURL(ws) + "/" + itoa(id) }
func inboxVerbURL(ws, id int64, verb string) string { return inboxItemURL(ws, id) + "/" + verb }

// inboxFilter is the inbox's filter bar as the address has it.
type inboxFilter struct {
	Account  int64
	Platform string
	// From and To are days (YYYY-MM-DD) in the workspace's zone, both
	// included; "" leaves that end open.
	From, To string
	Kind     string // "", reply, mention, dm
	State    string // open (default), pending, done, all
	Assignee string // "", me, unassigned, or a member's id
	Q        string
	Cursor   string
	inboxWorkFilter
}

func inboxFilterOf(q url.Values) inboxFilter {
	f := inboxFilter{Kind: q.Get("kind"), State: q.Get("state"), Assignee: q.Get("assignee"),
		Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), Platform: q.Get("platform"),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	f.Account, _ = strconv.ParseInt(q.Get("account"), 10, 64)
	f.inboxWorkFilter = inboxWorkFilterOf(q)
	if f.State == "" {
		f.State = string(herald.InboxOpen)
	}
	return f
}

// store is the service's filter for viewer, its days read in loc.
func (f inboxFilter) store(viewer int64, loc *time.Location) (herald.InboxFilter, error) {
	s := herald.InboxFilter{AccountID: f.Account, Platform: herald.Platform(f.Platform), Kind: herald.InboxKind(f.Kind),
		Search: f.Q, Page: herald.Page{Cursor: f.Cursor, Limit: 50}}
	var pr herald.Problems
	day := func(field, v string, next int) *time.Time {
		if v == "" {
			return nil
		}
		d, err := time.ParseInLocation("2006-01-02", v, loc)
		if err != nil {
			pr.Add(field, "is %q, not a day like 2026-03-01", v)
			return nil
		}
		d = d.AddDate(0, 0, next)
		return &d
	}
	s.Since, s.Until = day("from", f.From, 0), day("to", f.To, 1)
	if s.Since != nil && s.Until != nil && !s.Until.After(*s.Since) {
		pr.Add("to", "is before the first day, %s", f.From)
	}
	if err := pr.Err("the dates are not valid"); err != nil {
		return s, err
	}
	if f.State != "all" {
		s.State = herald.InboxState(f.State)
	}
	switch f.Assignee {
	case "":
	case "me":
		s.AssigneeID = viewer
	case "unassigned":
		s.AssigneeID = -1
	default:
		s.AssigneeID, _ = strconv.ParseInt(f.Assignee, 10, 64)
	}
	f.inboxWorkFilter.apply(&s)
	return s, nil
}

// query is the filter as an address's query (without the cursor).
func (f inboxFilter) query() url.Values {
	q := url.Values{}
	if f.Account != 0 {
		q.Set("account", itoa(f.Account))
	}
	for k, v := range map[string]string{"kind": f.Kind, "assignee": f.Assignee, "q": f.Q, "platform": f.Platform,
		"from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.State != string(herald.InboxOpen) {
		q.Set("state", f.State)
	}
	f.inboxWorkFilter.add(q)
	return q
}

// back is the inbox's address with the filter, to come back to.
func (f inboxFilter) back(ws int64) string {
	if q := f.query(); len(q) > 0 {
		return inboxURL(ws) + "?" + q.Encode()
	}
	return inboxURL(ws)
}

// older is the address of the page after next.
func (f inboxFilter) older(ws int64, next string) string {
	q := f.query()
	q.Set("cursor", next)
	return inboxURL(ws) + "?" + q.Encode()
}

// inboxData is the inbox page.
type inboxData struct {
	Items    []herald.InboxItem
	Next     string
	Filter   inboxFilter
	Accounts map[int64]herald.Account
	AcctList []herald.Account
	People   []post.Person
	CanWork  bool // may change states, assign and reply
	Tags     []string
	Err      *herald.Error
	Loc      *time.Location
	// NoDMs are the accounts whose direct messages the inbox cannot show.
	NoDMs []inbox.NoDMs
}

// conversationData is one item's page.
type conversationData struct {
	Item    herald.InboxItem
	Account herald.Account
	PostID  int64 // our post it replies to, 0: none
	Earlier []herald.InboxItem
	People  []post.Person
	Limit   int // the platform's character limit for the reply, 0: unknown
	CanWork bool
	CanLike bool
	// Can is what the platform lets Herald do with the item.
	Can  post.ItemAbilities
	Text string
	Err  *herald.Error
	Loc  *time.Location
	Back string
	// Replies are Herald's replies to the item with their states.
	Replies []herald.Reply
	// Conversation is a direct item's conversation, oldest first.
	Conversation []herald.InboxItem
	// ReplyKey names the reply form as rendered: a double click sends
	// one reply.
	ReplyKey string
	// Hits are what inbox rules did to the item.
	Hits []herald.InboxRuleHit
	// Notes are the team's notes and the saved replies (inbox_notes.go).
	Notes inboxNotesData
	// AnswerAs are the accounts that can answer the item, its own first;
	// AsID is the one chosen in the form (0: its own).
	AnswerAs []herald.Account
	AsID     int64
}

// answerAsName names one of the accounts that can answer an item.
func answerAsName(as []herald.Account, id int64) string {
	for _, a := range as {
		if a.ID == id {
			return inboxAccountName(a)
		}
	}
	return "another account"
}

func (h *Handler) inboxChoices(r *http.Request, p *page) (map[int64]herald.Account, []herald.Account, []post.Person, error) {
	accts, err := h.d.Accounts.List(r.Context(), p.Actor)
	if err != nil {
		return nil, nil, nil, err
	}
	byID := make(map[int64]herald.Account, len(accts))
	for _, a := range accts {
		byID[a.ID] = a
	}
	people, err := h.d.Posts.People(r.Context(), p.Actor)
	if err != nil {
		return nil, nil, nil, err
	}
	return byID, accts, people, nil
}

func (h *Handler) inboxList(w http.ResponseWriter, r *http.Request, p *page) error {
	d := inboxData{Filter: inboxFilterOf(r.URL.Query()), CanWork: p.Can(herald.ActPostsSchedule), Loc: p.location()}
	var err error
	if d.Accounts, d.AcctList, d.People, err = h.inboxChoices(r, p); err != nil {
		return err
	}
	sf, err := d.Filter.store(p.Actor.UserID, d.Loc)
	if err == nil {
		d.Items, d.Next, err = h.d.Posts.ListInbox(r.Context(), p.Actor, sf)
	}
	if err != nil {
		if d.Err, err = refusal(err); err != nil {
			var he *herald.Error
			if !errors.As(err, &he) || (he.Code != herald.CodeBadRequest && he.Code != herald.CodeNotFound) {
				return err
			}
			d.Err = he
		}
		d.Filter = inboxFilter{State: string(herald.InboxOpen)}
		sf, _ = d.Filter.store(p.Actor.UserID, d.Loc)
		if d.Items, d.Next, err = h.d.Posts.ListInbox(r.Context(), p.Actor, sf); err != nil {
			return err
		}
	}
	if d.NoDMs, err = h.accountsWithoutDMs(r, p); err != nil {
		return err
	}
	if d.Tags, err = h.d.Inbox.TagNames(r.Context(), p.Actor); err != nil {
		return err
	}
	p.Title = "Inbox"
	h.render(w, r, http.StatusOK, inboxPage(p, d))
	return nil
}

// inboxBulk marks the ticked items done or assigns them.
func (h *Handler) inboxBulk(w http.ResponseWriter, r *http.Request, p *page) error {
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	back := localPath(r.PostForm.Get("back"))
	var ids []int64
	for _, v := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	var err error
	var done string
	switch r.PostForm.Get("action") {
	case "done":
		err, done = h.d.Posts.SetInboxState(r.Context(), p.Actor, ids, herald.InboxDone), "Marked "+count(len(ids), "item")+" done."
	case "assign":
		to, _ := strconv.ParseInt(r.PostForm.Get("assignee"), 10, 64)
		err, done = h.d.Posts.AssignInbox(r.Context(), p.Actor, ids, to), "Assigned "+count(len(ids), "item")+"."
	default:
		var ok bool
		if done, ok, err = h.inboxBulkWork(r, p, ids, r.PostForm.Get("action")); !ok {
			err = herald.Errorf(herald.CodeInvalid, "choose Mark done, Assign, Add tags, Remove tags or Set priority")
		}
	}
	return h.inboxDone(w, r, back, done, err)
}

// inboxDone answers a change: back with a flash, or the refusal as a flash.
func (h *Handler) inboxDone(w http.ResponseWriter, r *http.Request, back, done string, err error) error {
	if err != nil {
		he, err := refusal(err)
		if err != nil {
			var pe *herald.Error
			if !errors.As(err, &pe) || (pe.Code != herald.CodeForbidden && pe.Code != herald.CodeUnavailable &&
				pe.Code != herald.CodeRateLimited) {
				return err
			}
			he = pe
		}
		done = "Not done: " + he.Message
		for _, d := range he.Details {
			done += " (" + d.Field + " " + d.Problem + ")"
		}
	}
	h.d.Sessions.Put(r.Context(), flashKey, done)
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func (h *Handler) inboxItemOf(r *http.Request, p *page) (herald.InboxItem, error) {
	id, err := pathID(r, "item", "inbox item")
	if err != nil {
		return herald.InboxItem{}, err
	}
	return h.d.Posts.GetInboxItem(r.Context(), p.Actor, id)
}

func (h *Handler) inboxItemPage(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	return h.renderConversation(w, r, p, http.StatusOK, conversationData{Item: it})
}

func (h *Handler) renderConversation(w http.ResponseWriter, r *http.Request, p *page, status int, d conversationData) error {
	ctx := r.Context()
	it := d.Item
	d.CanWork, d.CanLike, d.Loc = p.Can(herald.ActPostsSchedule), p.Can(herald.ActPostsWrite), p.location()
	d.Back = localPath(r.URL.Query().Get("back"))
	if d.Back == "/" {
		d.Back = inboxURL(p.Current.ID)
	}
	accts, _, people, err := h.inboxChoices(r, p)
	if err != nil {
		return err
	}
	d.Account, d.People = accts[it.AccountID], people
	if d.PostID, err = h.d.Posts.InboxTargetPost(ctx, p.Actor, it); err != nil {
		return err
	}
	if it.AuthorID != "" {
		earlier, _, err := h.d.Posts.ListInbox(ctx, p.Actor, herald.InboxFilter{AccountID: it.AccountID, AuthorID: it.AuthorID,
			Page: herald.Page{Limit: 20}})
		if err != nil {
			return err
		}
		for _, e := range earlier {
			if e.ID != it.ID {
				d.Earlier = append(d.Earlier, e)
			}
		}
	}
	if d.Conversation, err = h.conversation(r, p, it); err != nil {
		return err
	}
	if d.Replies, err = h.d.Posts.ListReplies(ctx, p.Actor, it.ID); err != nil {
		return err
	}
	if d.ReplyKey == "" {
		d.ReplyKey = newDraftKey()
	}
	if d.Hits, err = h.d.Inbox.RuleHits(ctx, p.Actor, it.ID); err != nil {
		return err
	}
	if d.AnswerAs, err = h.d.Posts.AnswerAccounts(ctx, p.Actor, it.ID); err != nil {
		return err
	}
	if d.Can, err = h.d.Posts.Abilities(ctx, p.Actor, it); err != nil {
		return err
	}
	if err := h.loadNotes(r, p, it, people, &d.Notes); err != nil {
		return err
	}
	if d.CanWork {
		// Only for showing: an account to reconnect says so when replying.
		if n, err := h.d.Posts.ReplyLimit(ctx, p.Actor, it.ID); err == nil {
			d.Limit = n
		}
	}
	p.Title = "Inbox: " + it.AuthorHandle
	h.render(w, r, status, conversationPage(p, d))
	return nil
}

func (h *Handler) inboxReply(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	text, key := crlf(r.PostForm.Get("text")), r.PostForm.Get("key")
	var as int64
	if v := r.PostForm.Get("account_id"); v != "" {
		if as, err = strconv.ParseInt(v, 10, 64); err != nil {
			return herald.Errorf(herald.CodeInvalid, "the account to answer as is not a number: %q", v)
		}
	}
	rep, err := h.d.Posts.ReplyAs(r.Context(), p.Actor, it.ID, as, text, key)
	if err != nil {
		he, err := refusal(err)
		if err != nil {
			var pe *herald.Error
			if !errors.As(err, &pe) || (pe.Code != herald.CodeUnavailable && pe.Code != herald.CodeRateLimited) {
				return err
			}
			he = pe
		}
		// The same form (and key) again: the same reply, never a second.
		return h.renderConversation(w, r, p, statusOf(he), conversationData{Item: it, Text: text, Err: he, ReplyKey: key, AsID: as})
	}
	msg := "Replied."
	switch {
	case rep.State != herald.ReplySent:
		msg = "The platform did not answer in time. Herald is checking whether the reply went out, and will not send it twice; its state shows under Replies."
	case rep.URL != "":
		msg = "Replied: " + rep.URL
	}
	h.d.Sessions.Put(r.Context(), flashKey, msg)
	http.Redirect(w, r, inboxItemURL(p.Current.ID, it.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) inboxResolveReply(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("reply"), 10, 64)
	if err != nil {
		return herald.Errorf(herald.CodeNotFound, "reply not found")
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	d := post.ReplyDecision(r.PostForm.Get("decision"))
	rep, err := h.d.Posts.ResolveReply(r.Context(), p.Actor, it.ID, id, d)
	done := "Marked as sent."
	if d == post.ReplySendAgain {
		done = "Sent again."
		if rep.State != herald.ReplySent {
			done = "Sent again; the platform did not answer in time, so Herald is checking whether it went out."
		}
	}
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID), done, err)
}

func (h *Handler) inboxLike(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID), "Liked.", h.d.Posts.Like(r.Context(), p.Actor, it.ID))
}

func (h *Handler) inboxRepost(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID), "Reposted.", h.d.Posts.Repost(r.Context(), p.Actor, it.ID))
}

func (h *Handler) inboxHide(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	hidden := r.PostForm.Get("hidden") != "false"
	done := "Hidden from the post's replies on the platform."
	if !hidden {
		done = "Shown again in the post's replies."
	}
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID), done, h.d.Posts.HideReply(r.Context(), p.Actor, it.ID, hidden))
}

func (h *Handler) inboxState(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	state := herald.InboxState(r.PostForm.Get("state"))
	back := inboxItemURL(p.Current.ID, it.ID)
	if b := r.PostForm.Get("back"); b != "" {
		back = localPath(b)
	}
	return h.inboxDone(w, r, back, fmt.Sprintf("Marked %s %s.", it.AuthorHandle+"'s item", inboxStateLabel(state)),
		h.d.Posts.SetInboxState(r.Context(), p.Actor, []int64{it.ID}, state))
}

func (h *Handler) inboxAssign(w http.ResponseWriter, r *http.Request, p *page) error {
	it, err := h.inboxItemOf(r, p)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return herald.Errorf(herald.CodeInvalid, "the form could not be read: %v", err)
	}
	to, _ := strconv.ParseInt(r.PostForm.Get("assignee"), 10, 64)
	done := "Unassigned."
	if to != 0 {
		done = "Assigned."
	}
	return h.inboxDone(w, r, inboxItemURL(p.Current.ID, it.ID), done, h.d.Posts.AssignInbox(r.Context(), p.Actor, []int64{it.ID}, to))
}

// inboxStateLabel is a state in words.
func inboxStateLabel(s herald.InboxState) string {
	switch s {
	case herald.InboxPending:
		return "pending"
	case herald.InboxDone:
		return "done"
	}
	return "open"
}

// inboxKindLabel says what the item is to us.
func inboxKindLabel(it herald.InboxItem) string {
	switch it.Kind() {
	case herald.InboxDM:
		return "Direct message"
	case herald.InboxReply:
		return "Reply to our post"
	}
	return "Mention"
}

// inboxAssignee names a member among people.
func inboxAssignee(people []post.Person, id *int64) string {
	if id == nil {
		return "Nobody"
	}
	return taskPersonName(people, *id)
}

// inboxAccountName is the account's handle with its platform, or a note that
// it is gone.
func inboxAccountName(a herald.Account) string {
	if a.ID == 0 {
		return "a removed account"
	}
	return a.Handle + " · " + platformLabel(a.Platform)
}

// urlQuery escapes s for a query value.
func urlQuery(s string) string { return url.QueryEscape(s) }

// replyStateLabel names a reply's state for people.
func replyStateLabel(s herald.ReplyState) string {
	switch s {
	case herald.ReplySent:
		return "Sent"
	case herald.ReplySending:
		return "Sending"
	case herald.ReplyUnsettled:
		return "Checking"
	case herald.ReplyUnconfirmed:
		return "Not confirmed"
	case herald.ReplyFailed:
		return "Not sent"
	}
	return string(s)
}

// replyStateHelp says what a reply's state means and what happens next.
func replyStateHelp(s herald.ReplyState) string {
	switch s {
	case herald.ReplySending:
		return "Herald is sending it now."
	case herald.ReplyUnsettled:
		return "The platform did not answer in time. Herald asks it whether the reply went out before sending anything again."
	case herald.ReplyUnconfirmed:
		return "Herald cannot tell whether the platform has it. Look at the conversation on the platform, then say."
	case herald.ReplyFailed:
		return "The platform refused it; nothing was published."
	}
	return ""
}

// inboxPlatforms are the platforms of the accounts, in Herald's order.
func inboxPlatforms(accts []herald.Account) []herald.Platform {
	var out []herald.Platform
	for _, pl := range herald.Platforms {
		for _, a := range accts {
			if a.Platform == pl {
				out = append(out, pl)
				break
			}
		}
	}
	return out
}
