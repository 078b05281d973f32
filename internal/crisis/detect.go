package crisis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/trend"
)

// phraseScan bounds the matches a phrase detector reads per run.
const phraseScan = 2000

// Finding is a detector's evaluation: the decision with the numbers
// behind it, and the matches that are its evidence.
type Finding struct {
	trend.Decision
	Evidence []int64
}

// Evaluate runs every enabled detector of every workspace once, as of
// now (the check_crisis job calls it every Step), and opens an incident
// for each that starts a new episode.
func (s *Service) Evaluate(ctx context.Context) error {
	ds, err := s.store.EnabledDetectors(ctx)
	if err != nil {
		return fmt.Errorf("crisis: detectors: %w", err)
	}
	now := s.clock.Now()
	var errs []error
	for _, d := range ds {
		if err := s.evaluate(ctx, d, now); err != nil {
			errs = append(errs, fmt.Errorf("detector %d: %w", d.ID, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Service) evaluate(ctx context.Context, d herald.Detector, now time.Time) error {
	f, err := s.find(ctx, d, now)
	if err != nil {
		return err
	}
	// One incident per episode: after firing, the detector is armed again
	// only when its condition has stayed false for a whole window (the
	// rule of trend.Alarm, kept in the store so every instance agrees).
	before := d
	fire := false
	switch {
	case d.FiredAt == nil:
		if f.Fired {
			fire, d.FiredAt, d.BelowSince = true, &now, nil
		}
	case f.Fired:
		d.BelowSince = nil
	default:
		if d.BelowSince == nil {
			d.BelowSince = &now
		}
		if now.Sub(*d.BelowSince) >= d.Window {
			d.FiredAt, d.BelowSince = nil, nil
		}
	}
	d.CheckedAt = &now
	if err := s.store.SetDetectorState(ctx, d); err != nil {
		return fmt.Errorf("crisis: detector state: %w", err)
	}
	if fire {
		in, err := s.open(ctx, d, f, false)
		if err != nil && in.ID == 0 {
			// No incident was opened: arm the detector as it was, so the
			// next run fires for this episode (and looks again at the
			// matches it just read).
			if rerr := s.store.SetDetectorState(ctx, before); rerr != nil {
				err = errors.Join(err, fmt.Errorf("crisis: detector state: %w", rerr))
			}
			return err
		}
		return err
	}
	return nil
}

// find evaluates a detector's rule over the stored matches as of now.
func (s *Service) find(ctx context.Context, d herald.Detector, now time.Time) (Finding, error) {
	switch d.Kind {
	case herald.DetectSpike:
		end := now.Truncate(Step)
		series, err := s.series(ctx, d, end.Add(-d.Window-d.Baseline), end)
		if err != nil {
			return Finding{}, err
		}
		dec := spikeRule(d).Evaluate(series, end)
		f := Finding{Decision: dec}
		if dec.Fired {
			f.Evidence, err = s.evidence(ctx, d, end.Add(-d.Window), end)
		}
		return f, err
	case herald.DetectReplies:
		replies, err := s.store.ListenReplies(ctx, d.WorkspaceID, d.TopicID, now.Add(-d.Window), now.Add(time.Nanosecond))
		if err != nil {
			return Finding{}, fmt.Errorf("crisis: replies: %w", err)
		}
		times := make(map[string][]time.Time, len(replies))
		for k, rs := range replies {
			for _, r := range rs {
				times[k] = append(times[k], r.PostedAt)
			}
		}
		f := Finding{Decision: trend.ReplyRule{Window: d.Window, MinReplies: d.MinCount}.Evaluate(times, now)}
		if f.Fired {
			for _, r := range replies[f.Key] {
				f.Evidence = append(f.Evidence, r.MatchID)
			}
			f.Evidence = f.Evidence[:min(len(f.Evidence), 100)]
		}
		return f, nil
	case herald.DetectPhrase:
		since := now.Add(-d.Window)
		if d.CheckedAt != nil && d.CheckedAt.After(since) {
			since = d.CheckedAt.Add(-Step) // matches stored late by a slow source
		}
		fl := herald.ListenFilter{WorkspaceID: d.WorkspaceID, TopicID: d.TopicID, Sentiment: d.Sentiment, From: since,
			Page: herald.Page{Limit: herald.MaxPageLimit}}
		rule := trend.PhraseRule{Phrases: d.Phrases}
		f := Finding{Decision: trend.Decision{At: now, Threshold: 1, Why: "no watched phrase appeared"}}
		for scanned := 0; scanned < phraseScan; {
			ms, next, err := s.store.ListListenMatches(ctx, fl)
			if err != nil {
				return Finding{}, fmt.Errorf("crisis: matches: %w", err)
			}
			for _, m := range ms {
				scanned++
				if dec := rule.Evaluate(m.Text, now); dec.Fired {
					if !f.Fired {
						f.Decision = dec
					}
					f.Count++
					f.Evidence = append(f.Evidence, m.ID)
				}
			}
			if next == "" {
				break
			}
			fl.Cursor = next
		}
		if f.Fired {
			f.Why = fmt.Sprintf("the watched phrase %q appeared in %d %s", f.Key, f.Count, plural(f.Count, "match", "matches"))
			f.Evidence = f.Evidence[:min(len(f.Evidence), 100)]
		}
		return f, nil
	}
	return Finding{}, fmt.Errorf("crisis: unknown detector kind %q", d.Kind)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func spikeRule(d herald.Detector) trend.SpikeRule {
	what := "mentions"
	if d.Sentiment != "" {
		what = d.Sentiment + " mentions"
	}
	return trend.SpikeRule{Window: d.Window, Baseline: d.Baseline, Multiple: d.Multiple, MinCount: d.MinCount, What: what}
}

// series counts the detector's matches per Step in [from, to).
func (s *Service) series(ctx context.Context, d herald.Detector, from, to time.Time) (trend.CountSeries, error) {
	counts, err := s.store.ListenCounts(ctx, d.WorkspaceID, d.TopicID, d.Sentiment, from, to, Step)
	if err != nil {
		return trend.CountSeries{}, fmt.Errorf("crisis: counts: %w", err)
	}
	return trend.CountSeries{Start: from, Step: Step, Counts: counts}, nil
}

// evidence returns the ids of up to 100 of the detector's matches in
// [from, to), newest first.
func (s *Service) evidence(ctx context.Context, d herald.Detector, from, to time.Time) ([]int64, error) {
	ms, _, err := s.store.ListListenMatches(ctx, herald.ListenFilter{WorkspaceID: d.WorkspaceID, TopicID: d.TopicID,
		Sentiment: d.Sentiment, From: from, To: to, Page: herald.Page{Limit: 100}})
	if err != nil {
		return nil, fmt.Errorf("crisis: evidence: %w", err)
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids, nil
}

// system is Herald acting for a detector: it may hold posts.
func system(workspaceID int64) herald.Actor {
	return herald.Actor{WorkspaceID: workspaceID, Role: herald.RoleOwner, Name: "Herald crisis detection"}
}

// open opens an incident for a finding (or, when one of the detector's
// incidents is still open, adds the firing to its timeline), alerts, and
// holds or offers the hold.
func (s *Service) open(ctx context.Context, d herald.Detector, f Finding, drill bool) (herald.Incident, error) {
	now := s.clock.Now()
	if !drill {
		open, err := s.store.ListIncidents(ctx, d.WorkspaceID, 20)
		if err != nil {
			return herald.Incident{}, fmt.Errorf("crisis: incidents: %w", err)
		}
		for _, in := range open {
			if in.Status == herald.IncidentOpen && !in.Drill && in.DetectorID == d.ID {
				e := herald.IncidentEvent{IncidentID: in.ID, Kind: herald.EventDetected, At: now, Message: "Fired again: " + f.Why}
				if err := s.store.AddIncidentEvent(ctx, d.WorkspaceID, &e); err != nil {
					return herald.Incident{}, fmt.Errorf("crisis: timeline: %w", err)
				}
				return in, nil
			}
		}
	}
	title := d.Name
	if drill {
		title = "Drill: " + d.Name
	}
	in := herald.Incident{WorkspaceID: d.WorkspaceID, DetectorID: d.ID, Title: title, Status: herald.IncidentOpen, Drill: drill,
		Why: f.Why, Evidence: f.Evidence, HoldProposed: !drill && d.Hold == herald.HoldPropose, OpenedAt: now}
	events := []herald.IncidentEvent{{Kind: herald.EventDetected, At: now, Message: "Detected: " + f.Why}}
	if err := s.store.CreateIncident(ctx, &in, events); err != nil {
		return herald.Incident{}, fmt.Errorf("crisis: open incident: %w", err)
	}
	s.logger.WarnContext(ctx, "crisis incident opened", "workspace_id", d.WorkspaceID, "incident_id", in.ID,
		"detector_id", d.ID, "drill", drill, "why", f.Why)
	msg := f.Why + "."
	switch {
	case drill:
		msg = "This is a drill; nothing is held. " + msg
	case d.Hold == herald.HoldPropose:
		msg += " Scheduled posts are still going out: open the incident to hold them."
	default:
		msg += " Herald is holding every scheduled post."
	}
	if s.notifier != nil {
		s.notifier.Notify(ctx, herald.Notification{Kind: herald.NotifyCrisisDetected, WorkspaceID: d.WorkspaceID, Actor: "Herald",
			Title: "Crisis: " + title, Message: msg, Link: fmt.Sprintf("/w/%d/incidents/%d", d.WorkspaceID, in.ID),
			Key: fmt.Sprintf("incident:%d:opened", in.ID), At: now})
	}
	s.logged(ctx, in, herald.EventAlerted, 0, "Alerted the people who can hold posts, in Herald and on the workspace's notification channels")
	s.tellOwners(ctx, in)
	if drill {
		waiting, err := s.holder.CrisisWaiting(ctx, system(d.WorkspaceID))
		if err == nil {
			s.logged(ctx, in, herald.EventNote, 0, fmt.Sprintf("Drill: nothing was held; a real incident would have %s %d scheduled %s",
				map[bool]string{true: "held", false: "offered to hold"}[d.Hold == herald.HoldAuto], waiting, plural(waiting, "post target", "post targets")))
		}
		return in, nil
	}
	if d.Hold == herald.HoldAuto {
		if err := s.hold(ctx, &in, system(d.WorkspaceID), 0); err != nil {
			s.logged(ctx, in, herald.EventNote, 0, "The automatic hold failed: "+err.Error()+"; use the crisis switch")
			return in, err
		}
	}
	return in, nil
}

// Replay answers "when would this detector have fired?" over [from, to)
// of the stored matches: each episode's first firing, with its numbers.
// It works for spike detectors, saved or not.
func (s *Service) Replay(ctx context.Context, actor herald.Actor, d herald.Detector, from, to time.Time) ([]trend.Firing, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	d.WorkspaceID = actor.WorkspaceID
	if d.Name == "" {
		d.Name = "Replay"
	}
	defaults(&d)
	if err := Validate(d); err != nil {
		return nil, err
	}
	if d.Kind != herald.DetectSpike {
		return nil, herald.Problems{{Field: "kind", Problem: "replay works for spike detectors"}}.Err("the detector cannot be replayed")
	}
	if err := s.checkTopic(ctx, d); err != nil {
		return nil, err
	}
	if !to.After(from) || to.Sub(from) > 31*24*time.Hour {
		return nil, herald.Problems{{Field: "from", Problem: "the span must end after it starts and last at most 31 days"}}.
			Err("the replay's span is not valid")
	}
	from, to = from.Truncate(Step), to.Truncate(Step)
	series, err := s.series(ctx, d, from.Add(-d.Window-d.Baseline), to)
	if err != nil {
		return nil, err
	}
	return spikeRule(d).Replay(series, from, to), nil
}
