package post

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// PublishNow schedules every target that may be scheduled at the current
// time, so the dispatcher publishes it at once: scheduled targets are
// moved to now, drafts, approved, failed, unconfirmed and held targets are
// scheduled now (with Schedule's approval rules). Published targets, and
// targets being published or cancelled, are left alone.
func (s *Service) PublishNow(ctx context.Context, actor herald.Actor, id int64, comment string) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Post{}, err
	}
	comment, err := checkReason("comment", comment, false)
	if err != nil {
		return herald.Post{}, err
	}
	var p herald.Post
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		p, err = getPost(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if err := refuseBlocked(ctx, tx, ws, p, publishNowMove.verb); err != nil {
			return err
		}
		now := s.clock.Now()
		waiting := map[int64]*time.Time{}
		for i := range p.Targets {
			if t := &p.Targets[i]; t.State == herald.StateScheduled {
				if err := requireRelease(actor, ws, *t, "publish now"); err != nil {
					return err
				}
				waiting[t.ID] = t.ScheduledAt
				at := now
				t.ScheduledAt, t.UpdatedAt = &at, now
			}
		}
		if len(waiting) > 0 {
			p.UpdatedAt = now
			if err := tx.UpdatePost(ctx, &p, p.Version); err != nil {
				return err
			}
			e := herald.NewAudit(actor, "post.publish_now", "post", p.ID, map[string]any{"scheduled_at": waiting},
				map[string]any{"scheduled_at": now, "reason": comment}, now)
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		movable := slices.ContainsFunc(p.Targets, func(t herald.Target) bool {
			return slices.Contains(publishNowMove.from, t.State)
		})
		if len(waiting) == 0 && !movable {
			return herald.Errorf(herald.CodeConflict,
				"post %d has no target that can be published now (each is published, being published or cancelled)", id)
		}
		return s.apply(ctx, tx, actor, ws, &p, publishNowMove, comment, nil, now)
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: publish now %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "post published now", "workspace_id", actor.WorkspaceID, "post_id", id)
	s.wake()
	return p, nil
}

// checkReason trims a free-text reason and checks its length (and that it
// is given, when required).
func checkReason(field, reason string, required bool) (string, error) {
	reason = strings.TrimSpace(reason)
	n := len([]rune(reason))
	var pr herald.Problems
	if herald.CheckText(&pr, field, reason); len(pr) > 0 {
		return "", pr.Err("the " + field + " is not valid")
	}
	switch {
	case required && n == 0:
		return "", &herald.Error{Code: herald.CodeInvalid, Message: "a " + field + " is required",
			Details: []herald.FieldProblem{{Field: field, Problem: "is required: say why, for the people who will read the history"}}}
	case n > MaxReasonLen:
		return "", &herald.Error{Code: herald.CodeInvalid, Message: "the " + field + " is too long",
			Details: []herald.FieldProblem{{Field: field, Problem: fmt.Sprintf("is %d characters; at most %d are allowed", n, MaxReasonLen)}}}
	}
	return reason, nil
}

// reschedulable are the states Reschedule moves.
var reschedulable = []herald.TargetState{herald.StateScheduled, herald.StateHeld, herald.StateFailed}

// Reschedule gives targets of a post a new time, at, which must be in the
// future: the listed targets (targetIDs), or else every scheduled, held
// and failed target. A scheduled target keeps waiting, now until at; a
// held one stays held with the new time (resuming it releases it then); a
// failed one is scheduled again. Failed and held targets need a role that
// schedules without approval.
func (s *Service) Reschedule(ctx context.Context, actor herald.Actor, id int64, at time.Time, targetIDs []int64) (herald.Post, error) {
	return s.reschedule(ctx, actor, id, at, targetIDs, nil)
}

// RescheduleIfMatch is Reschedule for a caller who read the post at
// version ifMatch (a calendar page, an If-Match header): when the post is
// at another version now, nothing moves and the error, of code
// precondition_failed, wraps a *StaleError saying who changed it and when.
func (s *Service) RescheduleIfMatch(ctx context.Context, actor herald.Actor, id int64, at time.Time, targetIDs []int64, ifMatch int64) (herald.Post, error) {
	return s.reschedule(ctx, actor, id, at, targetIDs, &ifMatch)
}

// StaleError is the cause of a change refused because the post moved on
// since the caller read it: what the caller had, what is stored, and who
// made the last change and when, so each interface can say it in the
// viewer's own time zone.
type StaleError struct {
	PostID  int64
	Had     int64     // the version the caller read
	Version int64     // the version stored now
	By      string    // the name of who changed it last; "" when Herald itself did
	At      time.Time // when it was changed last
}

func (e *StaleError) Error() string {
	by := e.By
	if by == "" {
		by = "Herald"
	}
	return fmt.Sprintf("post %d is at version %d, the caller had %d: changed by %s at %s",
		e.PostID, e.Version, e.Had, by, e.At.UTC().Format(time.RFC3339))
}

// stale builds the refusal of a change to p based on version had.
func stale(ctx context.Context, tx herald.Tx, p herald.Post, had int64) error {
	se := &StaleError{PostID: p.ID, Had: had, Version: p.Version, At: p.UpdatedAt}
	entries, _, err := tx.ListAudit(ctx, herald.AuditFilter{WorkspaceID: p.WorkspaceID, ObjectType: "post", ObjectID: p.ID,
		Page: herald.Page{Limit: 1}})
	if err != nil {
		return fmt.Errorf("post: last change of %d: %w", p.ID, err)
	}
	if len(entries) == 1 && entries[0].ActorID != nil {
		u, err := tx.GetUser(ctx, *entries[0].ActorID)
		switch {
		case err == nil:
			se.By = u.Name
		case errors.Is(err, herald.ErrNotFound):
			se.By = "a former member"
		default:
			return fmt.Errorf("post: who changed %d: %w", p.ID, err)
		}
	}
	by := se.By
	if by == "" {
		by = "Herald"
	}
	return &herald.Error{Code: herald.CodePreconditionFailed,
		Message: fmt.Sprintf("post %d was changed by %s at %s since you read it (it is at version %d, you had %d): reload it to see the current version, then try again",
			p.ID, by, p.UpdatedAt.UTC().Format(time.RFC3339), p.Version, had),
		Err: se}
}

func (s *Service) reschedule(ctx context.Context, actor herald.Actor, id int64, at time.Time, targetIDs []int64, ifMatch *int64) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Post{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	var p herald.Post
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		p, err = getPost(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		if ifMatch != nil && *ifMatch != p.Version {
			return stale(ctx, tx, p, *ifMatch)
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		if !at.After(now) {
			return &herald.Error{Code: herald.CodeInvalid, Message: "the new time is in the past",
				Details: []herald.FieldProblem{{Field: "scheduled_at", Problem: fmt.Sprintf("%s is in the past: choose a time after %s",
					at.Format(time.RFC3339), now.Format(time.RFC3339))}}}
		}
		picked, err := pickTargets(p, targetIDs, reschedulable, "rescheduled")
		if err != nil {
			return err
		}
		before := map[int64]*time.Time{}
		for _, i := range picked {
			t := &p.Targets[i]
			if err := requireRelease(actor, ws, *t, "reschedule"); err != nil {
				return err
			}
			before[t.ID] = t.ScheduledAt
			when := at
			t.ScheduledAt, t.UpdatedAt = &when, now
		}
		p.UpdatedAt = now
		if err := tx.UpdatePost(ctx, &p, p.Version); err != nil {
			return err
		}
		for _, i := range picked {
			if t := &p.Targets[i]; t.State == herald.StateFailed {
				if err := transition(ctx, tx, actor, t, herald.StateScheduled, "rescheduled", now); err != nil {
					return err
				}
			}
		}
		after := map[int64]*time.Time{}
		for _, i := range picked {
			after[p.Targets[i].ID] = p.Targets[i].ScheduledAt
		}
		e := herald.NewAudit(actor, "post.reschedule", "post", p.ID, map[string]any{"scheduled_at": before},
			map[string]any{"scheduled_at": after}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: reschedule %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "post rescheduled", "workspace_id", actor.WorkspaceID, "post_id", id, "at", at)
	s.wake()
	return p, nil
}

// pickTargets returns the indexes of p's targets to act on: those listed
// in ids (each must be a target of p in one of states), or else every
// target in one of states (at least one).
func pickTargets(p herald.Post, ids []int64, states []herald.TargetState, verb string) ([]int, error) {
	names := make([]string, len(states))
	for i, st := range states {
		names[i] = string(st)
	}
	allowed := strings.Join(names, ", ")
	if len(ids) == 0 {
		var out []int
		for i, t := range p.Targets {
			if slices.Contains(states, t.State) {
				out = append(out, i)
			}
		}
		if len(out) == 0 {
			return nil, herald.Errorf(herald.CodeConflict, "post %d has no target that can be %s (only %s ones can)", p.ID, verb, allowed)
		}
		return out, nil
	}
	var pr herald.Problems
	var out []int
	seen := map[int64]bool{}
	for k, id := range ids {
		field := fmt.Sprintf("target_ids[%d]", k)
		i := slices.IndexFunc(p.Targets, func(t herald.Target) bool { return t.ID == id })
		switch {
		case seen[id]:
			pr.Add(field, "target %d is listed twice", id)
		case i < 0:
			pr.Add(field, "target %d is not a target of post %d", id, p.ID)
		default:
			out = append(out, i)
		}
		seen[id] = true
	}
	if err := pr.Err("the target list is not valid"); err != nil {
		return nil, err
	}
	var stuck []herald.FieldProblem
	for k, i := range out {
		if t := p.Targets[i]; !slices.Contains(states, t.State) {
			stuck = append(stuck, herald.FieldProblem{Field: fmt.Sprintf("target_ids[%d]", k),
				Problem: fmt.Sprintf("target %d is %s; only %s targets can be %s", t.ID, t.State, allowed, verb)})
		}
	}
	if len(stuck) > 0 {
		return nil, &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("post %d cannot be %s: %s", p.ID, verb, stuck[0].Problem),
			Details: stuck}
	}
	return out, nil
}

// targetIn returns the index of target id among p's targets, or a
// not-found error.
func targetIn(p herald.Post, id int64) (int, error) {
	i := slices.IndexFunc(p.Targets, func(t herald.Target) bool { return t.ID == id })
	if i < 0 {
		return 0, herald.Errorf(herald.CodeNotFound, "target %d is not a target of post %d", id, p.ID)
	}
	return i, nil
}

// Outcome is how a person settles an unconfirmed target.
type Outcome string

// Outcomes of Resolve.
const (
	OutcomePublished Outcome = "published" // the person saw it on the platform
	OutcomeFailed    Outcome = "failed"    // it is not there; do not send it again
	OutcomeRetry     Outcome = "retry"     // send it again now: the person accepts a possible duplicate
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomePublished, OutcomeFailed, OutcomeRetry:
		return true
	}
	return false
}

// Retry schedules a failed target again, now.
func (s *Service) Retry(ctx context.Context, actor herald.Actor, postID, targetID int64) (herald.Post, error) {
	return s.settle(ctx, actor, postID, targetID, "target.retry", func(t *herald.Target, now time.Time) (herald.TargetState, string, error) {
		if t.State != herald.StateFailed {
			return "", "", herald.Errorf(herald.CodeConflict,
				"target %d is %s: only a failed target can be retried", t.ID, t.State)
		}
		at := now
		t.ScheduledAt = &at
		return herald.StateScheduled, "retried by hand", nil
	})
}

// Resolve settles an unconfirmed target by hand: published (the person saw
// it on the platform; remoteURL, optional, is where), failed, or retry
// (send it again now, accepting the risk of a duplicate).
func (s *Service) Resolve(ctx context.Context, actor herald.Actor, postID, targetID int64, outcome Outcome, remoteURL string) (herald.Post, error) {
	remoteURL = strings.TrimSpace(remoteURL)
	var pr herald.Problems
	if !outcome.Valid() {
		pr.Add("outcome", "%q is not one of published, failed, retry", outcome)
	}
	if remoteURL != "" {
		u, err := url.Parse(remoteURL)
		switch {
		case outcome != OutcomePublished:
			pr.Add("remote_url", "is only for the outcome published")
		case len(remoteURL) > 2000:
			pr.Add("remote_url", "is longer than 2000 bytes")
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			pr.Add("remote_url", "%q is not an http(s) address such as https://mastodon.social/@acme/1", remoteURL)
		}
	}
	if err := pr.Err("the resolution is not valid"); err != nil {
		return herald.Post{}, err
	}
	return s.settle(ctx, actor, postID, targetID, "target.resolve", func(t *herald.Target, now time.Time) (herald.TargetState, string, error) {
		if t.State != herald.StateUnconfirmed {
			return "", "", herald.Errorf(herald.CodeConflict,
				"target %d is %s: only an unconfirmed target can be resolved by hand", t.ID, t.State)
		}
		switch outcome {
		case OutcomePublished:
			if remoteURL != "" {
				t.RemoteURL = remoteURL
			}
			return herald.StatePublished, "confirmed published by hand", nil
		case OutcomeFailed:
			return herald.StateFailed, "marked failed by hand", nil
		}
		at := now
		t.ScheduledAt = &at
		return herald.StateScheduled, "sent again by hand (a duplicate is possible)", nil
	})
}

// settle moves one target of a post as decide says, for those who may
// release it (mayRelease), with an audit entry named action.
func (s *Service) settle(ctx context.Context, actor herald.Actor, postID, targetID int64, action string,
	decide func(t *herald.Target, now time.Time) (herald.TargetState, string, error)) (herald.Post, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Post{}, err
	}
	var p herald.Post
	var to herald.TargetState
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		var err error
		p, err = getPost(ctx, tx, actor.WorkspaceID, postID)
		if err != nil {
			return err
		}
		i, err := targetIn(p, targetID)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActPostsWrite); err != nil {
			return err
		}
		ws, err := getWorkspace(ctx, tx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		now := s.clock.Now()
		t := &p.Targets[i]
		if err := requireRelease(actor, ws, *t, strings.TrimPrefix(action, "target.")); err != nil {
			return err
		}
		from := t.State
		var reason string
		if to, reason, err = decide(t, now); err != nil {
			return err
		}
		if err := transition(ctx, tx, actor, t, to, reason, now); err != nil {
			return err
		}
		e := herald.NewAudit(actor, action, "target", t.ID, map[string]any{"state": from},
			map[string]any{"state": to, "post_id": p.ID, "reason": reason}, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Post{}, fmt.Errorf("post: %s %d: %w", action, targetID, err)
	}
	s.logger.InfoContext(ctx, action, "workspace_id", actor.WorkspaceID, "post_id", postID, "target_id", targetID,
		"state", string(to))
	if to == herald.StateScheduled {
		s.wake()
	}
	return p, nil
}

// Attempts returns the publish attempts of a target of a post, oldest first.
func (s *Service) Attempts(ctx context.Context, actor herald.Actor, postID, targetID int64) ([]herald.Attempt, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	p, err := getPost(ctx, s.store, actor.WorkspaceID, postID)
	if err != nil {
		return nil, err
	}
	if _, err := targetIn(p, targetID); err != nil {
		return nil, err
	}
	as, err := s.store.ListAttempts(ctx, actor.WorkspaceID, targetID)
	if errors.Is(err, herald.ErrNotFound) {
		return nil, &herald.Error{Code: herald.CodeNotFound, Message: fmt.Sprintf("target %d not found in this workspace", targetID), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("post: attempts of target %d: %w", targetID, err)
	}
	return as, nil
}
