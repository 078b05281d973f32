package crisis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
)

// MaxNote bounds a timeline note.
const MaxNote = 2000

// Incidents returns the workspace's incidents, open ones first.
func (s *Service) Incidents(ctx context.Context, actor herald.Actor) ([]herald.Incident, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	ins, err := s.store.ListIncidents(ctx, actor.WorkspaceID, 200)
	if err != nil {
		return nil, fmt.Errorf("crisis: incidents: %w", err)
	}
	return ins, nil
}

// Incident returns an incident with its timeline.
func (s *Service) Incident(ctx context.Context, actor herald.Actor, id int64) (herald.Incident, []herald.IncidentEvent, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return herald.Incident{}, nil, err
	}
	in, err := s.incident(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.Incident{}, nil, err
	}
	tl, err := s.store.ListIncidentEvents(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.Incident{}, nil, fmt.Errorf("crisis: timeline: %w", err)
	}
	return in, tl, nil
}

func (s *Service) incident(ctx context.Context, workspaceID, id int64) (herald.Incident, error) {
	in, err := s.store.GetIncident(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Incident{}, herald.NotFound("incident")
	}
	if err != nil {
		return herald.Incident{}, fmt.Errorf("crisis: incident %d: %w", id, err)
	}
	return in, nil
}

// Hold applies the hold an incident offers: every scheduled post of the
// workspace is held until the incident is resolved with "resume".
func (s *Service) Hold(ctx context.Context, actor herald.Actor, id int64) (herald.Incident, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return herald.Incident{}, err
	}
	in, err := s.incident(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.Incident{}, err
	}
	switch {
	case in.Status != herald.IncidentOpen:
		return herald.Incident{}, herald.Errorf(herald.CodeConflict, "the incident is resolved; use the crisis switch to hold posts")
	case in.Drill:
		return herald.Incident{}, herald.Errorf(herald.CodeConflict, "this is a drill: it holds nothing")
	}
	if err := s.hold(ctx, &in, actor, actor.UserID); err != nil {
		return herald.Incident{}, err
	}
	return in, nil
}

// hold holds the workspace's scheduled posts for an incident and records it.
func (s *Service) hold(ctx context.Context, in *herald.Incident, actor herald.Actor, actorID int64) error {
	st, err := s.holder.CrisisHold(ctx, actor, "Incident: "+in.Title)
	if err != nil {
		return fmt.Errorf("crisis: hold: %w", err)
	}
	now := s.clock.Now()
	in.HeldAt, in.HoldProposed = &now, false
	if err := s.store.UpdateIncident(ctx, in); err != nil {
		return fmt.Errorf("crisis: incident: %w", err)
	}
	s.logged(ctx, *in, herald.EventHeld, actorID, fmt.Sprintf("Held %d scheduled %s; nothing scheduled publishes until resumed",
		st.Changed, plural(st.Changed, "post target", "post targets")))
	return nil
}

// Note adds a note to an incident's timeline.
func (s *Service) Note(ctx context.Context, actor herald.Actor, id int64, text string) (herald.IncidentEvent, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return herald.IncidentEvent{}, err
	}
	text = strings.TrimSpace(text)
	var p herald.Problems
	if text == "" {
		p.Add("note", "is empty; write what happened or what was decided")
	} else if n := utf8.RuneCountInString(text); n > MaxNote {
		p.Add("note", "is %d characters; at most %d are allowed", n, MaxNote)
	}
	if err := p.Err("the note is not valid"); err != nil {
		return herald.IncidentEvent{}, err
	}
	if _, err := s.incident(ctx, actor.WorkspaceID, id); err != nil {
		return herald.IncidentEvent{}, err
	}
	e := herald.IncidentEvent{IncidentID: id, Kind: herald.EventNote, ActorID: actor.UserID, Message: text, At: s.clock.Now()}
	if err := s.store.AddIncidentEvent(ctx, actor.WorkspaceID, &e); err != nil {
		return herald.IncidentEvent{}, fmt.Errorf("crisis: note: %w", err)
	}
	return e, nil
}

// Resolve closes an incident. With resume, what the crisis hold holds goes
// back through review (each held post needs approval again) rather than
// straight out.
func (s *Service) Resolve(ctx context.Context, actor herald.Actor, id int64, resume bool, note string) (herald.Incident, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return herald.Incident{}, err
	}
	in, err := s.incident(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.Incident{}, err
	}
	if in.Status != herald.IncidentOpen {
		return herald.Incident{}, herald.Errorf(herald.CodeConflict, "the incident is already resolved")
	}
	if note = strings.TrimSpace(note); note != "" {
		if _, err := s.Note(ctx, actor, id, note); err != nil {
			return herald.Incident{}, err
		}
	}
	if resume && in.HeldAt != nil {
		st, err := s.holder.CrisisResume(ctx, actor, nil, true)
		if err != nil {
			return herald.Incident{}, fmt.Errorf("crisis: resume: %w", err)
		}
		s.logged(ctx, in, herald.EventResumed, actor.UserID, fmt.Sprintf("Resumed %d held %s, each back to review for approval",
			st.Changed, plural(st.Changed, "post target", "post targets")))
	}
	now := s.clock.Now()
	in.Status, in.ResolvedAt, in.ResolvedBy, in.HoldProposed = herald.IncidentResolved, &now, actor.UserID, false
	if err := s.store.UpdateIncident(ctx, &in); err != nil {
		return herald.Incident{}, fmt.Errorf("crisis: resolve: %w", err)
	}
	s.logged(ctx, in, herald.EventResolved, actor.UserID, "Resolved")
	return in, nil
}

// Drill runs a synthetic firing of the detector through the same path as
// a real one (incident, alerts, timeline), marked as a drill: nothing is
// held, and the timeline says what a real firing would have held.
func (s *Service) Drill(ctx context.Context, actor herald.Actor, detectorID int64) (herald.Incident, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return herald.Incident{}, err
	}
	d, err := s.detector(ctx, actor.WorkspaceID, detectorID)
	if err != nil {
		return herald.Incident{}, err
	}
	f := Finding{}
	f.Fired, f.At = true, s.clock.Now()
	switch d.Kind {
	case herald.DetectSpike:
		f.Count = int(max(float64(d.MinCount), d.Multiple*float64(d.MinCount)))
		f.Why = fmt.Sprintf("a synthetic spike of %d %s in %s", f.Count, spikeRule(d).What, span(d.Window))
	case herald.DetectPhrase:
		f.Why = fmt.Sprintf("a synthetic post with the watched phrase %q", d.Phrases[0])
	default:
		f.Why = fmt.Sprintf("a synthetic pile-on of %d replies under one post in %s", d.MinCount, span(d.Window))
	}
	in, err := s.open(ctx, d, f, true)
	if err != nil {
		return herald.Incident{}, err
	}
	e := herald.NewAudit(actor, "crisis.drill", "incident", in.ID, nil, map[string]any{"detector_id": d.ID}, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "audit a drill", "error", err)
	}
	return in, nil
}

// span says a duration in words: "15 minutes", "2 hours", "90 seconds".
func span(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%d %s", d/time.Hour, plural(int(d/time.Hour), "hour", "hours"))
	case d%time.Minute == 0:
		return fmt.Sprintf("%d %s", d/time.Minute, plural(int(d/time.Minute), "minute", "minutes"))
	}
	return fmt.Sprintf("%d seconds", d/time.Second)
}
