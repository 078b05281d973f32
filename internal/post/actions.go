package post

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// MaxReasonLen bounds the comment or reason given with a state action.
const MaxReasonLen = 2000

// move is a state action on every target of a post.
type move struct {
	name string               // the action, for audit entries: "post.<name>"
	verb string               // for messages: "submitted for review"
	to   herald.TargetState   // where targets go
	from []herald.TargetState // the states targets may leave for to
	skip []herald.TargetState // states left alone rather than refused
	// now schedules at the current time instead of a future one.
	now bool
	// queue schedules each target in its account's next free posting slot.
	queue bool
	// thread, when set, puts the comment given with the action in the
	// post's comments too, after this word: reviews belong to the thread.
	thread string
}

// Targets already in the destination, and published ones, are left alone.
var (
	submitMove = move{name: "submit", verb: "submitted for review", to: herald.StateInReview,
		from: []herald.TargetState{herald.StateDraft}}
	approveMove = move{name: "approve", verb: "approved", to: herald.StateApproved,
		from: []herald.TargetState{herald.StateInReview}, thread: "Approved"}
	requestChangesMove = move{name: "request_changes", verb: "sent back for changes", to: herald.StateDraft,
		from: []herald.TargetState{herald.StateInReview, herald.StateApproved}, thread: "Changes requested"}
	scheduleMove = move{name: "schedule", verb: "scheduled", to: herald.StateScheduled,
		from: []herald.TargetState{herald.StateDraft, herald.StateApproved, herald.StateFailed, herald.StateUnconfirmed, herald.StateHeld}}
	unscheduleMove = move{name: "unschedule", verb: "moved back to draft", to: herald.StateDraft,
		from: []herald.TargetState{herald.StateInReview, herald.StateApproved, herald.StateScheduled, herald.StateFailed, herald.StateCancelled}}
	cancelMove = move{name: "cancel", verb: "cancelled", to: herald.StateCancelled,
		from: []herald.TargetState{herald.StateDraft, herald.StateInReview, herald.StateApproved, herald.StateScheduled,
			herald.StateRetrying, herald.StateUnconfirmed, herald.StateFailed, herald.StateHeld}}
	publishNowMove = move{name: "publish_now", verb: "published now", to: herald.StateScheduled,
		from: scheduleMove.from, now: true,
		skip: []herald.TargetState{herald.StatePublishing, herald.StateRetrying, herald.StateCancelled}}
	queueMove = move{name: "queue", verb: "added to the queue", to: herald.StateScheduled,
		from: scheduleMove.from, queue: true}
)

// Submit sends every draft target of a post for review.
func (s *Service) Submit(ctx context.Context, actor herald.Actor, id int64, comment string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsWrite, id, submitMove, comment, nil)
}

// Approve approves every target in review.
func (s *Service) Approve(ctx context.Context, actor herald.Actor, id int64, comment string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsApprove, id, approveMove, comment, nil)
}

// RequestChanges sends every target in review (or approved) back to draft,
// with the reviewer's comment in its history.
func (s *Service) RequestChanges(ctx context.Context, actor herald.Actor, id int64, comment string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsApprove, id, requestChangesMove, comment, nil)
}

// Schedule schedules every target, at at when given or else at each
// target's own time, which must be in the future. An approved target may be
// scheduled by anyone who writes posts; a draft only by a role that needs no
// approval in this workspace (otherwise: forbidden, submit it for review).
func (s *Service) Schedule(ctx context.Context, actor herald.Actor, id int64, at *time.Time, comment string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsWrite, id, scheduleMove, comment, utc(at))
}

// Queue schedules every target that may be scheduled in its account's next
// free posting slot (see the account's posting schedule), with the same
// approval rules as Schedule.
func (s *Service) Queue(ctx context.Context, actor herald.Actor, id int64, comment string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsWrite, id, queueMove, comment, nil)
}

// Unschedule moves every target that is not published back to draft.
func (s *Service) Unschedule(ctx context.Context, actor herald.Actor, id int64, reason string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsWrite, id, unscheduleMove, reason, nil)
}

// Cancel cancels every target that is not published (nor being published).
func (s *Service) Cancel(ctx context.Context, actor herald.Actor, id int64, reason string) (herald.Post, error) {
	return s.act(ctx, actor, herald.ActPostsWrite, id, cancelMove, reason, nil)
}

func (s *Service) act(ctx context.Context, actor herald.Actor, need herald.Action, id int64, mv move, reason string, at *time.Time) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Post{}, err
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n > MaxReasonLen {
		return herald.Post{}, &herald.Error{Code: herald.CodeInvalid, Message: "the comment is too long",
			Details: []herald.FieldProblem{{Field: "comment", Problem: fmt.Sprintf("is %d characters; at most %d are allowed", n, MaxReasonLen)}}}
	}
	var pr herald.Problems
	if herald.CheckText(&pr, "comment", reason); len(pr) > 0 {
		return herald.Post{}, pr.Err("the comment is not valid")
	}
	var p herald.Post
	var moved bool
	var now time.Time
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		p, err = getPost(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		moved = slices.ContainsFunc(p.Targets, func(t herald.Target) bool { return slices.Contains(mv.from, t.State) })
		// Existence first, then the role: another workspace's post is not
		// found whatever the caller's role.
		if err := actor.Require(need); err != nil {
			return err
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if forward(mv) {
			if err := refuseBlocked(ctx, tx, ws, p, mv.verb); err != nil {
				return err
			}
		}
		if mv.name == approveMove.name && needsApproval(actor, ws) && p.AuthorID == actor.UserID {
			// Approving one's own post would let every approver skip the
			// review the workspace asks for.
			return herald.Errorf(herald.CodeForbidden,
				"post %d is yours and this workspace requires approval for every post: someone else must approve it", p.ID)
		}
		now = s.clock.Now()
		said := mv.thread + ": " + reason
		history := reason
		if mv.name == requestChangesMove.name {
			// A draft's history tells a sent-back post from a new one.
			history = strings.TrimSuffix(said, ": ")
		}
		if err := s.apply(ctx, tx, actor, ws, &p, mv, history, at, now); err != nil {
			return err
		}
		// Comments belong to members; a review link's comment is kept with
		// its decision (package review) and in the target's history.
		if mv.thread != "" && reason != "" && actor.UserID != 0 {
			_, err := s.comment(ctx, tx, actor, p.ID, said, now)
			return err
		}
		return nil
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: %s %d: %w", mv.name, id, err)
	}
	s.logger.InfoContext(ctx, "post "+mv.verb, "workspace_id", actor.WorkspaceID, "post_id", id)
	if mv.to == herald.StateScheduled {
		s.wake()
	}
	if h := s.changes; h != nil && moved && mv.name == requestChangesMove.name {
		h.ChangesRequested(ctx, actor, p, reason, now)
	}
	if moved {
		s.reviewNotice(ctx, actor, p, mv, reason)
	}
	return p, nil
}

// reviewNotice tells the approvers that p waits for them (submitted), or
// its author that it was approved. (Changes requested become a task for
// the author, which notifies them.)
func (s *Service) reviewNotice(ctx context.Context, actor herald.Actor, p herald.Post, mv move, comment string) {
	if s.notifier == nil {
		return
	}
	now := s.clock.Now()
	n := herald.Notification{WorkspaceID: p.WorkspaceID, PostID: p.ID, ActorID: actor.UserID,
		Link: fmt.Sprintf("/w/%d/posts/%d", p.WorkspaceID, p.ID), At: now}
	title := excerpt(strings.Join(strings.Fields(cmp.Or(p.Title, p.Text)), " "), 60)
	switch mv.name {
	case submitMove.name:
		n.Kind = herald.NotifyApprovalRequested
		n.Title = "Waiting for your approval: " + title
		n.Message = fmt.Sprintf("“%s” was sent for review; approve it or ask for changes.", title)
		n.Key = fmt.Sprintf("post:%d:submitted:%d", p.ID, now.UnixNano())
	case approveMove.name:
		if p.AuthorID == 0 || p.AuthorID == actor.UserID {
			return
		}
		n.Kind, n.UserIDs = herald.NotifyApprovalGiven, []int64{p.AuthorID}
		n.Title = "Approved: " + title
		n.Message = fmt.Sprintf("“%s” was approved and can be scheduled.", title)
		n.Key = fmt.Sprintf("post:%d:approved:%d", p.ID, now.UnixNano())
	default:
		return
	}
	if comment != "" {
		n.Message += " Comment: " + excerpt(comment, 200)
	}
	s.notifier.Notify(ctx, n)
}

// apply moves every target of p that can make mv, inside tx, and records
// one audit entry. Targets already there, and published ones, are skipped;
// a target in a state mv cannot leave makes the whole action a conflict.
func (s *Service) apply(ctx context.Context, tx herald.Tx, actor herald.Actor, ws herald.Workspace, p *herald.Post, mv move, reason string, at *time.Time, now time.Time) error {
	if len(p.Targets) == 0 {
		return &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("post %d has no accounts to publish to: add a target first", p.ID),
			Details: []herald.FieldProblem{{Field: "targets", Problem: "is empty"}}}
	}
	var moving []int
	var stuck []herald.FieldProblem
	for i, t := range p.Targets {
		switch {
		case t.State == mv.to || t.State == herald.StatePublished || slices.Contains(mv.skip, t.State):
		case slices.Contains(mv.from, t.State):
			moving = append(moving, i)
		default:
			stuck = append(stuck, herald.FieldProblem{Field: fmt.Sprintf("targets[%d].state", i),
				Problem: fmt.Sprintf("target %d (account %d) is %s", t.ID, t.AccountID, t.State)})
		}
	}
	if len(stuck) > 0 {
		return &herald.Error{Code: herald.CodeConflict,
			Message: fmt.Sprintf("post %d cannot be %s: %s", p.ID, mv.verb, stuck[0].Problem), Details: stuck}
	}
	if len(moving) == 0 {
		return nil
	}
	if mv.to != herald.StateScheduled {
		for _, i := range moving {
			if err := requireRelease(actor, ws, p.Targets[i], mv.name); err != nil {
				return err
			}
		}
	}
	if mv.to == herald.StateScheduled {
		if err := maySchedule(actor, ws, p, moving); err != nil {
			return err
		}
		if mv.queue {
			if err := fillSlots(ctx, tx, ws, p, moving, now); err != nil {
				return err
			}
		}
		if mv.now {
			at = &now
		}
		if err := readyToSchedule(p, moving, at, mv.now, now); err != nil {
			return err
		}
	}
	states := func() map[int64]herald.TargetState {
		m := map[int64]herald.TargetState{}
		for _, t := range p.Targets {
			m[t.ID] = t.State
		}
		return m
	}
	before := states()
	for _, i := range moving {
		if err := transition(ctx, tx, actor, &p.Targets[i], mv.to, reason, now); err != nil {
			return err
		}
	}
	e := herald.NewAudit(actor, "post."+mv.name, "post", p.ID,
		map[string]any{"states": before}, map[string]any{"states": states(), "reason": reason}, now)
	if err := tx.AppendAudit(ctx, &e); err != nil {
		return err
	}
	if mv.to == herald.StateScheduled && p.Recurrence != "" && p.SeriesID == nil {
		return s.startSeries(ctx, tx, actor, ws, p, now)
	}
	return nil
}

// maySchedule checks the actor may schedule each moving target.
func maySchedule(actor herald.Actor, ws herald.Workspace, p *herald.Post, moving []int) error {
	for _, i := range moving {
		switch p.Targets[i].State {
		case herald.StateApproved:
		case herald.StateDraft:
			if needsApproval(actor, ws) {
				return herald.Errorf(herald.CodeForbidden, "your role needs approval: submit the post for review")
			}
		default: // failed, unconfirmed, held: released once already
			if err := requireRelease(actor, ws, p.Targets[i], "schedule again"); err != nil {
				return err
			}
		}
	}
	return nil
}

// readyToSchedule sets each moving target's time (at, when given) and
// checks it is in the future (unless immediate: publish now).
func readyToSchedule(p *herald.Post, moving []int, at *time.Time, immediate bool, now time.Time) error {
	var pr herald.Problems
	for _, i := range moving {
		t := &p.Targets[i]
		if at != nil {
			when := *at
			t.ScheduledAt = &when
		}
		field := fmt.Sprintf("targets[%d].scheduled_at", i)
		switch {
		case t.ScheduledAt == nil:
			pr.Add(field, "is required to schedule: give the target (account %d) a time, or send scheduled_at", t.AccountID)
		case !immediate && !t.ScheduledAt.After(now):
			pr.Add(field, "%s is in the past: choose a time after %s", t.ScheduledAt.Format(time.RFC3339), now.Format(time.RFC3339))
		}
	}
	return pr.Err(fmt.Sprintf("post %d cannot be scheduled yet", p.ID))
}
