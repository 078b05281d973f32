// Package post is the composer's use-case: writing posts and their targets
// (the post on each account), editing them safely while others do too, and
// moving them through review and scheduling on the target state machine.
package post

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the post use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	clock  herald.Clock
	logger *slog.Logger
	waker  atomic.Pointer[wakerBox]
	conn   connecting // set by WithConnectors
	// changes is told about posts sent back for changes (WithChangesHook).
	changes ChangesHook
	// fit is what a platform gets of a library file (WithMediaFitter).
	fit MediaFitter
	// links counts tracked links as their short links (WithLinkShortener).
	links LinkShortener
	// options are the accounts' option fields as last listed.
	options optionCache
	// notifier is told about inbox assignments and reviews (WithNotifier).
	notifier Notifier
	// replyOrphans is when this server became the only one on its
	// database (WithSingleInstance); zero: others may share it.
	replyOrphans time.Time
}

// Waker is told when targets may have become due sooner than the
// dispatcher knows (scheduled, published now, retried, resumed). The
// dispatcher implements it; stores also signal through herald.DueWatcher,
// so a missed wake-up only costs latency, never a publication.
type Waker interface {
	Wake()
}

type wakerBox struct{ w Waker }

// SetWaker sets (or, with nil, removes) the Waker told after each change
// that makes targets due. It is safe to call at any time.
func (s *Service) SetWaker(w Waker) {
	if w == nil {
		s.waker.Store(nil)
		return
	}
	s.waker.Store(&wakerBox{w: w})
}

// wake tells the Waker, if any, that targets may be due.
func (s *Service) wake() {
	if b := s.waker.Load(); b != nil {
		b.w.Wake()
	}
}

// New returns a Service over store.
func New(store herald.Store, clock herald.Clock, logger *slog.Logger, opts ...Option) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, clock: clock, logger: logger}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Action is what Create does with the new post's targets.
type Action string

// Create actions.
const (
	ActionDraft    Action = "draft"    // keep every target a draft
	ActionSubmit   Action = "submit"   // send every target for review
	ActionSchedule Action = "schedule" // schedule every target at its time (no approval needed)
	ActionQueue    Action = "queue"    // schedule every target in its account's next free posting slot
)

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	switch a {
	case ActionDraft, ActionSubmit, ActionSchedule, ActionQueue:
		return true
	}
	return false
}

// Get returns one post of the actor's workspace with its targets.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Post{}, err
	}
	return getPost(ctx, s.store, actor.WorkspaceID, id)
}

func getPost(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Post, error) {
	p, err := tx.GetPost(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Post{}, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("post %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: get %d: %w", id, err)
	}
	return p, nil
}

func getWorkspace(ctx context.Context, tx herald.Tx, id int64) (herald.Workspace, error) {
	w, err := tx.GetWorkspace(ctx, id)
	if err != nil {
		return herald.Workspace{}, fmt.Errorf("post: get workspace %d: %w", id, err)
	}
	return w, nil
}

// Location returns the time zone of the actor's workspace, in which plain
// dates (calendar days) are read.
func (s *Service) Location(ctx context.Context, actor herald.Actor) (*time.Location, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	w, err := getWorkspace(ctx, s.store, actor.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return w.Location()
}

// List returns one page of the workspace's posts matching f, newest first.
// f.WorkspaceID is set from the actor.
func (s *Service) List(ctx context.Context, actor herald.Actor, f herald.PostFilter) ([]herald.Post, string, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, "", err
	}
	f.WorkspaceID = actor.WorkspaceID
	f.Page = f.Page.Normalize()
	var pr herald.Problems
	for _, st := range f.States {
		if !st.Valid() {
			pr.Add("state", "%q is not a target state (one of draft, in_review, approved, scheduled, publishing, published, retrying, unconfirmed, failed, held, cancelled)", st)
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		pr.Add("to", "must be after from")
	}
	if err := pr.Err("the post filter is not valid"); err != nil {
		return nil, "", err
	}
	posts, next, err := s.store.ListPosts(ctx, f)
	if err != nil {
		return nil, "", fmt.Errorf("post: list: %w", err)
	}
	return posts, next, nil
}

// Create writes a new post in the actor's workspace, its targets drafts,
// then submits or schedules them when action says so — all or nothing.
func (s *Service) Create(ctx context.Context, actor herald.Actor, in herald.Post, action Action) (herald.Post, error) {
	var p herald.Post
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		p, err = s.CreateInTx(ctx, tx, actor, in, action)
		return err
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: create: %w", err)
	}
	if action == ActionSchedule || action == ActionQueue {
		s.wake()
	}
	if action == ActionSubmit {
		s.reviewNotice(ctx, actor, p, submitMove, "")
	}
	s.logger.InfoContext(ctx, "post created", "workspace_id", p.WorkspaceID, "post_id", p.ID,
		"targets", len(p.Targets), "action", string(action))
	return p, nil
}

// CreateInTx is Create inside the caller's transaction tx, for a use-case
// that must write the post together with records of its own (a feed entry
// used once). After a commit that scheduled the post (ActionSchedule,
// ActionQueue) the caller calls Wake.
func (s *Service) CreateInTx(ctx context.Context, tx herald.Tx, actor herald.Actor, in herald.Post, action Action) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.Post{}, err
	}
	if action == "" {
		action = ActionDraft
	}
	if !action.Valid() {
		return herald.Post{}, &herald.Error{Code: herald.CodeInvalid, Message: "the post is not valid",
			Details: []herald.FieldProblem{{Field: "action", Problem: fmt.Sprintf("%q is not one of draft, submit, schedule, queue", action)}}}
	}
	now := s.clock.Now()
	ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
	if err != nil {
		return herald.Post{}, err
	}
	return s.createIn(ctx, tx, actor, ws, in, action, now, &refSet{})
}

// createIn writes one new post inside tx: its targets drafts, then
// submitted or scheduled when action says so, with its audit entry.
func (s *Service) createIn(ctx context.Context, tx herald.Tx, actor herald.Actor, ws herald.Workspace, in herald.Post, action Action, now time.Time, refs *refSet) (herald.Post, error) {
	rule, err := checkRecurrence(in.Recurrence)
	if err != nil {
		return herald.Post{}, err
	}
	p := herald.Post{WorkspaceID: actor.WorkspaceID, AuthorID: actor.UserID, Title: in.Title, Text: in.Text,
		CampaignID: in.CampaignID, LabelIDs: in.LabelIDs, Recurrence: rule, Links: in.Links, CreatedAt: now, UpdatedAt: now}
	for _, t := range in.Targets {
		p.Targets = append(p.Targets, herald.Target{AccountID: t.AccountID, Variant: t.Variant,
			State: herald.StateDraft, ScheduledAt: utc(t.ScheduledAt), CreatedAt: now, UpdatedAt: now})
	}
	if err := s.checkWith(ctx, tx, ws, &p, nil, now, refs); err != nil {
		return herald.Post{}, err
	}
	if err := tx.CreatePost(ctx, &p); err != nil {
		return herald.Post{}, err
	}
	e := herald.NewAudit(actor, "post.create", "post", p.ID, nil, p, now)
	if err := tx.AppendAudit(ctx, &e); err != nil {
		return herald.Post{}, err
	}
	switch action {
	case ActionSubmit:
		err = s.apply(ctx, tx, actor, ws, &p, submitMove, "", nil, now)
	case ActionSchedule:
		err = s.apply(ctx, tx, actor, ws, &p, scheduleMove, "", nil, now)
	case ActionQueue:
		err = s.apply(ctx, tx, actor, ws, &p, queueMove, "", nil, now)
	}
	if err != nil {
		return herald.Post{}, err
	}
	return p, nil
}

// Wake tells the dispatcher, if any, that targets may have become due:
// for callers of CreateInTx, after their commit.
func (s *Service) Wake() { s.wake() }

// NeedsApproval reports whether the actor's posts must be reviewed before
// they are scheduled in workspace ws (the role cannot schedule, or the
// workspace requires approval of every post).
func NeedsApproval(actor herald.Actor, ws herald.Workspace) bool { return needsApproval(actor, ws) }

// Update saves p (title, text, labels, campaign, targets matched to the
// stored ones by id or else by account, and the recurrence until the
// post's series has started) over the stored post p.ID.
//
// With hasIfMatch, ifMatch is the version the caller read: a stored post at
// another version is a precondition failure (412). Without it, a non-zero
// p.Version is the version the caller's edit is based on, and a post that
// moved on since is a conflict (409). Targets being or already published
// cannot be changed or removed. When the actor's edits need approval, an
// approved or scheduled target whose content changes goes back to draft.
func (s *Service) Update(ctx context.Context, actor herald.Actor, p herald.Post, ifMatch int64, hasIfMatch bool) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.Post{}, err
	}
	var after herald.Post
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getPost(ctx, tx, actor.WorkspaceID, p.ID)
		if err != nil {
			return err
		}
		expected := before.Version
		switch {
		case hasIfMatch && before.Version != ifMatch:
			return &herald.Error{Code: herald.CodePreconditionFailed,
				Message: fmt.Sprintf("post %d changed since you read it (it is at version %d, your If-Match is %d): reload it and apply your change again",
					p.ID, before.Version, ifMatch)}
		case !hasIfMatch && p.Version != 0 && before.Version != p.Version:
			return herald.Errorf(herald.CodeConflict,
				"post %d was changed by someone else while you edited it (version %d, you had %d): reload and try again",
				p.ID, before.Version, p.Version)
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		after, err = merge(before, p, now)
		if err != nil {
			return err
		}
		if err := s.check(ctx, tx, ws, &after, &before, now); err != nil {
			return err
		}
		if err := mayRetime(actor, ws, before, after); err != nil {
			return err
		}
		if err := tx.UpdatePost(ctx, &after, expected); err != nil {
			return err
		}
		if needsApproval(actor, ws) {
			if err := backToDraft(ctx, tx, actor, ws, before, &after, now); err != nil {
				return err
			}
		}
		e := herald.NewAudit(actor, "post.update", "post", after.ID, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: update %d: %w", p.ID, err)
	}
	return after, nil
}

// merge builds the post to store from the stored one and the caller's
// version: the caller's fields, the stored targets' identities and states.
func merge(before, p herald.Post, now time.Time) (herald.Post, error) {
	after := before
	after.Title, after.Text, after.CampaignID, after.LabelIDs = p.Title, p.Text, p.CampaignID, p.LabelIDs
	after.Links = p.Links
	if before.SeriesID == nil {
		// A draft's recurrence may change until its series starts.
		rule, err := checkRecurrence(p.Recurrence)
		if err != nil {
			return herald.Post{}, err
		}
		after.Recurrence = rule
	}
	after.UpdatedAt = now
	after.Targets = nil
	byID := map[int64]herald.Target{}
	byAccount := map[int64]herald.Target{}
	for _, t := range before.Targets {
		byID[t.ID] = t
		byAccount[t.AccountID] = t
	}
	kept := map[int64]bool{}
	for i, in := range p.Targets {
		old, ok := byID[in.ID]
		if in.ID != 0 && !ok {
			return herald.Post{}, &herald.Error{Code: herald.CodeInvalid, Message: "the post is not valid",
				Details: []herald.FieldProblem{{Field: fmt.Sprintf("targets[%d].id", i),
					Problem: fmt.Sprintf("target %d is not a target of post %d", in.ID, before.ID)}}}
		}
		if in.ID == 0 {
			old, ok = byAccount[in.AccountID]
		}
		if !ok || kept[old.ID] {
			after.Targets = append(after.Targets, herald.Target{AccountID: in.AccountID, Variant: in.Variant,
				State: herald.StateDraft, ScheduledAt: utc(in.ScheduledAt), CreatedAt: now, UpdatedAt: now})
			continue
		}
		if in.AccountID != old.AccountID {
			return herald.Post{}, &herald.Error{Code: herald.CodeInvalid, Message: "the post is not valid",
				Details: []herald.FieldProblem{{Field: fmt.Sprintf("targets[%d].account_id", i),
					Problem: "a target's account cannot change: remove the target and add one for the other account"}}}
		}
		kept[old.ID] = true
		t := old
		t.Variant = in.Variant
		t.ScheduledAt = utc(in.ScheduledAt)
		if !sameContent(before, old, after, t) || !sameTime(old.ScheduledAt, t.ScheduledAt) {
			if !old.State.Editable() {
				return herald.Post{}, herald.Errorf(herald.CodeConflict,
					"target %d (account %d) is %s and can no longer be edited", old.ID, old.AccountID, old.State)
			}
			t.UpdatedAt = now
		}
		after.Targets = append(after.Targets, t)
	}
	for _, old := range before.Targets {
		if !kept[old.ID] && !old.State.Editable() {
			return herald.Post{}, herald.Errorf(herald.CodeConflict,
				"target %d (account %d) is %s and cannot be removed from the post", old.ID, old.AccountID, old.State)
		}
	}
	return after, nil
}

// mayRetime checks that an edit moving a released target's time, or
// removing a released target, comes from someone who may release it.
func mayRetime(actor herald.Actor, ws herald.Workspace, before, after herald.Post) error {
	now := map[int64]herald.Target{}
	for _, t := range after.Targets {
		now[t.ID] = t
	}
	for _, old := range before.Targets {
		t, kept := now[old.ID]
		switch {
		case !kept:
			if err := requireRelease(actor, ws, old, "remove"); err != nil {
				return err
			}
		case !sameTime(old.ScheduledAt, t.ScheduledAt):
			if err := requireRelease(actor, ws, old, "change the time of"); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameContent reports whether a target publishes the same thing before and
// after an edit (its variant, and the post's text when it uses that).
func sameContent(pb herald.Post, tb herald.Target, pa herald.Post, ta herald.Target) bool {
	return effectiveText(pb, tb) == effectiveText(pa, ta) && variantEqual(tb.Variant, ta.Variant)
}

func effectiveText(p herald.Post, t herald.Target) string {
	if t.Variant.Text != "" {
		return t.Variant.Text
	}
	return p.Text
}

func variantEqual(a, b herald.Variant) bool {
	if a.Text != b.Text || a.FirstComment != b.FirstComment || !slices.Equal(a.MediaIDs, b.MediaIDs) ||
		len(a.Thread) != len(b.Thread) || len(a.Options) != len(b.Options) {
		return false
	}
	for i := range a.Thread {
		if a.Thread[i].Text != b.Thread[i].Text || !slices.Equal(a.Thread[i].MediaIDs, b.Thread[i].MediaIDs) {
			return false
		}
	}
	for k, v := range a.Options {
		if w, ok := b.Options[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// needsApproval reports whether the actor's posts must be reviewed before
// they are scheduled: always for roles that cannot schedule, and for every
// role when the workspace requires approval.
func needsApproval(actor herald.Actor, ws herald.Workspace) bool {
	return !actor.Role.Can(herald.ActPostsSchedule) || ws.BrandRules.RequireApproval
}

// released are the states of a target that has been let out for
// publication by someone allowed to: changing when or whether it goes out
// is a scheduling decision of its own.
var released = []herald.TargetState{herald.StateScheduled, herald.StateHeld, herald.StateFailed,
	herald.StateUnconfirmed, herald.StateRetrying}

// mayRelease reports whether the actor may decide when (or whether) an
// already released target goes out: publish it now, move it, send it
// again, take it back or cancel it. It is Schedule's rule for drafts — a
// role that needs no approval in this workspace — widened to the roles
// that could approve such a change themselves (owner, admin, manager) when
// the workspace makes every role submit for review: the content was
// approved already; only its time or its release changes.
func mayRelease(actor herald.Actor, ws herald.Workspace) bool {
	if !needsApproval(actor, ws) {
		return true
	}
	return actor.Role.Can(herald.ActPostsSchedule) && actor.Role.Can(herald.ActPostsApprove)
}

// requireRelease returns a forbidden error naming target t and what the
// actor tried (verb: "publish now", "reschedule", …) unless the actor may
// change when it goes out; drafts, targets in review and approved ones
// pass (Schedule's own rules cover them).
func requireRelease(actor herald.Actor, ws herald.Workspace, t herald.Target, verb string) error {
	if !slices.Contains(released, t.State) || mayRelease(actor, ws) {
		return nil
	}
	why := "your role needs approval"
	if actor.Role.Can(herald.ActPostsSchedule) {
		why = "this workspace requires approval for every post"
	}
	return herald.Errorf(herald.CodeForbidden,
		"cannot %s target %d: it is %s, and %s; ask someone who schedules posts without approval", verb, t.ID, t.State, why)
}

// backToDraft sends approved or scheduled targets whose content changed back
// to draft, so an approval always covers what gets published. Taking
// someone else's scheduled post back that way is unscheduling it: only for
// those who may (requireRelease); authors may edit their own.
func backToDraft(ctx context.Context, tx herald.Tx, actor herald.Actor, ws herald.Workspace, before herald.Post, after *herald.Post, now time.Time) error {
	old := map[int64]herald.Target{}
	for _, t := range before.Targets {
		old[t.ID] = t
	}
	for i := range after.Targets {
		t := &after.Targets[i]
		o, ok := old[t.ID]
		if !ok || (t.State != herald.StateApproved && t.State != herald.StateScheduled) || sameContent(before, o, *after, *t) {
			continue
		}
		if before.AuthorID != actor.UserID {
			if err := requireRelease(actor, ws, *t, "edit (and so unschedule)"); err != nil {
				return err
			}
		}
		if err := transition(ctx, tx, actor, t, herald.StateDraft, "edited after approval: submit it for review again", now); err != nil {
			return err
		}
	}
	return nil
}

// transition moves one target and records who did it and why.
func transition(ctx context.Context, tx herald.Tx, actor herald.Actor, t *herald.Target, to herald.TargetState, reason string, now time.Time) error {
	var by *int64
	if actor.UserID != 0 {
		id := actor.UserID
		by = &id
	}
	tr, err := t.Transition(to, by, reason, now)
	if err != nil {
		return err
	}
	if actor.ReviewLinkID != 0 {
		tr.ActorName = actor.Name
	}
	return tx.TransitionTarget(ctx, t, tr)
}

// Delete removes a post with its targets, unless one is being published.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return err
	}
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := getPost(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsDelete); err != nil {
			return err
		}
		for _, t := range before.Targets {
			if t.State == herald.StatePublishing || t.State == herald.StateRetrying {
				return herald.Errorf(herald.CodeConflict,
					"post %d is being published (target %d is %s): wait until it finishes, or cancel it", id, t.ID, t.State)
			}
		}
		if err := tx.DeletePost(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "post.delete", "post", id, before, nil, s.clock.Now())
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("post: delete %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "post deleted", "workspace_id", actor.WorkspaceID, "post_id", id)
	return nil
}

// Transitions returns a target's state history, oldest first.
func (s *Service) Transitions(ctx context.Context, actor herald.Actor, targetID int64) ([]herald.TargetTransition, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	trs, err := s.store.ListTargetTransitions(ctx, actor.WorkspaceID, targetID)
	if errors.Is(err, herald.ErrNotFound) {
		return nil, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("target %d not found in this workspace", targetID), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("post: transitions of target %d: %w", targetID, err)
	}
	return trs, nil
}
