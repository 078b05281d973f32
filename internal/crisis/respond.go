package crisis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// Responder sends what the playbook and the incident page send: holding
// statements as posts, and replies to listening matches through the
// inbox's exactly-once reply path (post.Service). A Holder that is also a
// Responder is used as one.
type Responder interface {
	PublishPreapproved(ctx context.Context, actor herald.Actor, in herald.Post, pa post.Preapproval) (herald.Post, error)
	MatchItem(ctx context.Context, actor herald.Actor, m herald.ListenMatch, accountID int64) (herald.InboxItem, error)
	ReplyPreapproved(ctx context.Context, actor herald.Actor, itemID int64, text, requestKey string, pa post.Preapproval) (herald.Reply, error)
	ReplyToMatch(ctx context.Context, actor herald.Actor, m herald.ListenMatch, accountID int64, text, requestKey string) (herald.Reply, herald.InboxItem, error)
}

// Sent is what a response from an incident did: the post published or the
// reply sent, or, in a drill, nothing (the timeline says what would have
// gone out).
type Sent struct {
	Drill bool                 `json:"drill" doc:"A drill: nothing was sent"`
	Post  *herald.Post         `json:"post,omitempty" doc:"The statement's post, publishing now"`
	Reply *herald.Reply        `json:"reply,omitempty" doc:"The reply as recorded (sent, or unsettled when the platform did not answer in time)"`
	Event herald.IncidentEvent `json:"event" doc:"The timeline entry recording it"`
}

// openIncident returns an open incident of the actor's workspace.
func (s *Service) openIncident(ctx context.Context, actor herald.Actor, id int64, what string) (herald.Incident, error) {
	in, err := s.incident(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.Incident{}, err
	}
	if in.Status != herald.IncidentOpen {
		return herald.Incident{}, herald.Errorf(herald.CodeConflict,
			"the incident is resolved: %s only while an incident is open; write a post for review instead", what)
	}
	return in, nil
}

// approvedEntry returns an approved text of the kind wanted.
func (s *Service) approvedEntry(ctx context.Context, workspaceID, id int64, kind herald.PlaybookKind) (herald.PlaybookEntry, error) {
	e, err := s.entry(ctx, workspaceID, id)
	if err != nil {
		return herald.PlaybookEntry{}, err
	}
	switch {
	case e.Kind != kind:
		return herald.PlaybookEntry{}, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("%q is a playbook %s, not a %s", e.Title, e.Kind, kind),
			Details: []herald.FieldProblem{{Field: "entry_id", Problem: "is a " + string(e.Kind)}}}
	case !e.Approved():
		return herald.PlaybookEntry{}, &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("%q is not approved: someone who approves posts must approve it in the playbook first", e.Title),
			Details: []herald.FieldProblem{{Field: "entry_id", Problem: "is not approved"}}}
	}
	return e, nil
}

func (s *Service) responding() (Responder, error) {
	r, ok := s.holder.(Responder)
	if !ok || r == nil {
		return nil, herald.Errorf(herald.CodeUnavailable, "this server cannot send from an incident")
	}
	return r, nil
}

// PublishStatement publishes an approved holding statement now from the
// workspace's accounts accountIDs, without another review, while the
// incident is open. In a drill nothing is published; the timeline says
// what would have been.
func (s *Service) PublishStatement(ctx context.Context, actor herald.Actor, incidentID, entryID int64, accountIDs []int64) (Sent, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return Sent{}, err
	}
	in, err := s.openIncident(ctx, actor, incidentID, "a pre-approved statement is published without review")
	if err != nil {
		return Sent{}, err
	}
	e, err := s.approvedEntry(ctx, actor.WorkspaceID, entryID, herald.PlaybookStatement)
	if err != nil {
		return Sent{}, err
	}
	if len(accountIDs) == 0 {
		return Sent{}, &herald.Error{Code: herald.CodeInvalid, Message: "choose at least one account to publish the statement from",
			Details: []herald.FieldProblem{{Field: "account_ids", Problem: "is empty"}}}
	}
	names, err := s.accountNames(ctx, actor.WorkspaceID, accountIDs)
	if err != nil {
		return Sent{}, err
	}
	if in.Drill {
		ev := s.logged(ctx, in, herald.EventPosted, actor.UserID, fmt.Sprintf("Drill: would have published the statement %q from %s; nothing was sent",
			e.Title, names))
		return Sent{Drill: true, Event: ev}, nil
	}
	r, err := s.responding()
	if err != nil {
		return Sent{}, err
	}
	p := herald.Post{Title: e.Title, Text: e.Body}
	for _, id := range accountIDs {
		p.Targets = append(p.Targets, herald.Target{AccountID: id})
	}
	got, err := r.PublishPreapproved(ctx, actor, p, post.Preapproval{ApproverID: *e.ApprovedBy,
		Reason: fmt.Sprintf("Pre-approved statement %q, published for incident %d", e.Title, in.ID)})
	if err != nil {
		return Sent{}, err
	}
	ev := s.logged(ctx, in, herald.EventPosted, actor.UserID, fmt.Sprintf("Published the pre-approved statement %q from %s (post %d)",
		e.Title, names, got.ID))
	return Sent{Post: &got, Event: ev}, nil
}

// accountNames checks the accounts belong to the workspace and names them.
func (s *Service) accountNames(ctx context.Context, workspaceID int64, ids []int64) (string, error) {
	var names []string
	var p herald.Problems
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			p.Add(fmt.Sprintf("account_ids[%d]", i), "account %d is listed twice", id)
			continue
		}
		a, err := s.store.GetAccount(ctx, workspaceID, id)
		if err != nil {
			p.Add(fmt.Sprintf("account_ids[%d]", i), "account %d is not an account of this workspace", id)
			continue
		}
		names = append(names, fmt.Sprintf("%s (%s)", a.Handle, a.Platform))
	}
	if err := p.Err("the accounts are not valid"); err != nil {
		return "", err
	}
	return strings.Join(names, ", "), nil
}

// ReplyInput is a reply from an incident to a listening match: an approved
// playbook reply (EntryID), or the sender's own words (Text), which need a
// role that replies without review.
type ReplyInput struct {
	MatchID    int64
	AccountID  int64
	EntryID    int64
	Text       string
	RequestKey string
}

// Reply answers a listening match from one of the workspace's accounts
// while the incident is open, through the inbox (the match becomes an
// inbox item of the account; the reply is sent exactly once). In a drill
// nothing is sent.
func (s *Service) Reply(ctx context.Context, actor herald.Actor, incidentID int64, ri ReplyInput) (Sent, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return Sent{}, err
	}
	in, err := s.openIncident(ctx, actor, incidentID, "replies are sent from the incident")
	if err != nil {
		return Sent{}, err
	}
	var e herald.PlaybookEntry
	switch {
	case ri.EntryID != 0 && strings.TrimSpace(ri.Text) != "":
		return Sent{}, herald.Errorf(herald.CodeInvalid, "choose a playbook reply or write your own, not both")
	case ri.EntryID != 0:
		if e, err = s.approvedEntry(ctx, actor.WorkspaceID, ri.EntryID, herald.PlaybookReply); err != nil {
			return Sent{}, err
		}
	default:
		if err := actor.Require(herald.ActPostsSchedule); err != nil {
			return Sent{}, herald.Errorf(herald.CodeForbidden, "your role sends only pre-approved replies: choose one from the playbook")
		}
	}
	m, err := s.store.GetListenMatch(ctx, actor.WorkspaceID, ri.MatchID)
	if err != nil {
		return Sent{}, herald.NotFound("listening match")
	}
	acct, err := s.store.GetAccount(ctx, actor.WorkspaceID, ri.AccountID)
	if err != nil {
		return Sent{}, &herald.Error{Code: herald.CodeInvalid, Message: "choose an account of this workspace to reply from",
			Details: []herald.FieldProblem{{Field: "account_id", Problem: fmt.Sprintf("account %d is not in this workspace", ri.AccountID)}}}
	}
	what := "own words"
	if ri.EntryID != 0 {
		what = fmt.Sprintf("the pre-approved reply %q", e.Title)
	}
	to := m.AuthorHandle
	if to == "" {
		to = m.AuthorID
	}
	if in.Drill {
		ev := s.logged(ctx, in, herald.EventReplied, actor.UserID, fmt.Sprintf("Drill: would have replied to %s as %s with %s; nothing was sent",
			to, acct.Handle, what))
		return Sent{Drill: true, Event: ev}, nil
	}
	r, err := s.responding()
	if err != nil {
		return Sent{}, err
	}
	var rep herald.Reply
	if ri.EntryID != 0 {
		it, err := r.MatchItem(ctx, actor, m, ri.AccountID)
		if err != nil {
			return Sent{}, err
		}
		rep, err = r.ReplyPreapproved(ctx, actor, it.ID, e.Body, ri.RequestKey, post.Preapproval{ApproverID: *e.ApprovedBy,
			Reason: fmt.Sprintf("Pre-approved reply %q for incident %d", e.Title, in.ID)})
		if err != nil && rep.ID == 0 {
			return Sent{}, err
		}
	} else {
		rep, _, err = r.ReplyToMatch(ctx, actor, m, ri.AccountID, ri.Text, ri.RequestKey)
		if err != nil && rep.ID == 0 {
			return Sent{}, err
		}
	}
	state := "Replied"
	if rep.State != herald.ReplySent {
		state = "Sent a reply (the platform has not confirmed it yet)"
	}
	ev := s.logged(ctx, in, herald.EventReplied, actor.UserID, fmt.Sprintf("%s to %s as %s with %s", state, to, acct.Handle, what))
	return Sent{Reply: &rep, Event: ev}, err
}

// IncidentSteps returns an incident's checklist.
func (s *Service) IncidentSteps(ctx context.Context, actor herald.Actor, incidentID int64) ([]herald.IncidentStep, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	if _, err := s.incident(ctx, actor.WorkspaceID, incidentID); err != nil {
		return nil, err
	}
	steps, err := s.store.ListIncidentSteps(ctx, actor.WorkspaceID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("crisis: checklist: %w", err)
	}
	return steps, nil
}

// SetStepDone ticks (or unticks) a step of an incident's checklist and
// records it on the timeline.
func (s *Service) SetStepDone(ctx context.Context, actor herald.Actor, incidentID, stepID int64, done bool) (herald.IncidentStep, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.IncidentStep{}, err
	}
	in, err := s.incident(ctx, actor.WorkspaceID, incidentID)
	if err != nil {
		return herald.IncidentStep{}, err
	}
	by, now := int64(0), s.clock.Now()
	at := &now
	if done {
		by = actor.UserID
	} else {
		at = nil
	}
	st, err := s.store.SetIncidentStepDone(ctx, actor.WorkspaceID, incidentID, stepID, by, at)
	if err != nil {
		return herald.IncidentStep{}, err
	}
	msg := "Done: " + st.Title
	if !done {
		msg = "Not done after all: " + st.Title
	}
	s.logged(ctx, in, herald.EventStep, actor.UserID, msg)
	return st, nil
}

// logged appends to the timeline and returns the entry; a failure is
// logged (the incident, and whatever was sent, stays).
func (s *Service) logged(ctx context.Context, in herald.Incident, kind herald.IncidentEventKind, actorID int64, msg string) herald.IncidentEvent {
	e := herald.IncidentEvent{IncidentID: in.ID, Kind: kind, ActorID: actorID, Message: msg, At: s.clock.Now()}
	if err := s.store.AddIncidentEvent(ctx, in.WorkspaceID, &e); err != nil {
		s.logger.ErrorContext(ctx, "incident timeline", "incident_id", in.ID, "error", err)
	}
	return e
}

// tellOwners tells each owner of a step of the new incident's checklist
// what they own.
func (s *Service) tellOwners(ctx context.Context, in herald.Incident) {
	steps, err := s.store.ListIncidentSteps(ctx, in.WorkspaceID, in.ID)
	if err != nil {
		s.logger.ErrorContext(ctx, "incident checklist", "incident_id", in.ID, "error", err)
		return
	}
	owned := map[int64][]string{}
	var owners []int64
	for _, st := range steps {
		if st.OwnerID == 0 {
			continue
		}
		if _, ok := owned[st.OwnerID]; !ok {
			owners = append(owners, st.OwnerID)
		}
		owned[st.OwnerID] = append(owned[st.OwnerID], st.Title)
	}
	if len(owners) == 0 || s.notifier == nil {
		return
	}
	for _, id := range owners {
		s.notifier.Notify(ctx, herald.Notification{Kind: herald.NotifyAssigned, WorkspaceID: in.WorkspaceID, Actor: "Herald",
			UserIDs: []int64{id}, Title: "Your steps in the incident " + in.Title,
			Message: "The crisis checklist gives you: " + strings.Join(owned[id], "; ") + ".",
			Link:    fmt.Sprintf("/w/%d/incidents/%d", in.WorkspaceID, in.ID),
			Key:     fmt.Sprintf("incident:%d:steps:%d", in.ID, id), At: s.clock.Now()})
	}
	s.logged(ctx, in, herald.EventAlerted, 0, fmt.Sprintf("Told %d %s of their checklist steps", len(owners),
		plural(len(owners), "owner", "owners")))
}
