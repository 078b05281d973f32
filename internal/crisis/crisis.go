// Package crisis closes the loop from detection to resolution: detectors
// watch a workspace's listening matches (a spike of negative mentions, a
// watched phrase, a pile-on of replies under one post); a firing opens an
// incident with its evidence, alerts the people who can hold posts (their
// notification feed and the workspace's channels: e-mail, Slack, Discord,
// webhooks) and holds the scheduled posts at once or offers the hold; the
// incident's timeline records what was done until it is resolved and the
// held posts resume through review. A drill runs a synthetic firing through
// the same path and holds nothing.
package crisis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// Holder holds and resumes a workspace's scheduled posts (post.Service).
type Holder interface {
	CrisisHold(ctx context.Context, actor herald.Actor, reason string) (post.CrisisStatus, error)
	CrisisResume(ctx context.Context, actor herald.Actor, targetIDs []int64, reapprove bool) (post.CrisisStatus, error)
	// CrisisWaiting counts what a hold would hold now.
	CrisisWaiting(ctx context.Context, actor herald.Actor) (int, error)
}

// Notifier tells people (notify.Service).
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// Limits and defaults of a detector.
const (
	MaxName       = 100
	MaxPhrases    = 50
	MaxPhraseLen  = 100
	MinWindow     = time.Minute
	MaxWindow     = 24 * time.Hour
	MaxBaseline   = 30 * 24 * time.Hour
	MaxDetectors  = 50
	DefaultWindow = 15 * time.Minute
	// Step is the bucket a spike counts in, and how often the detectors
	// run (the check_crisis job): a spike is seen at most a Step after the
	// bucket in which it crossed the alert level ends.
	Step = 30 * time.Second
)

// Service manages detectors and incidents. It is safe for concurrent use.
type Service struct {
	store    herald.Store
	holder   Holder
	notifier Notifier
	clock    herald.Clock
	logger   *slog.Logger
}

// New returns a Service.
func New(store herald.Store, holder Holder, notifier Notifier, clock herald.Clock, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, holder: holder, notifier: notifier, clock: clock, logger: logger}
}

// defaults fills what a detector left at zero.
func defaults(d *herald.Detector) {
	if d.Window == 0 {
		d.Window = DefaultWindow
	}
	if d.Kind == herald.DetectSpike {
		if d.Baseline == 0 {
			d.Baseline = 24 * time.Hour
		}
		if d.Multiple == 0 {
			d.Multiple = 3
		}
		if d.MinCount == 0 {
			d.MinCount = 20
		}
	}
	if d.Kind == herald.DetectReplies && d.MinCount == 0 {
		d.MinCount = 50
	}
	if d.Hold == "" {
		d.Hold = herald.HoldPropose
	}
}

// Validate checks a detector, with errors that say what to fix.
func Validate(d herald.Detector) error {
	var p herald.Problems
	switch n := utf8.RuneCountInString(d.Name); {
	case strings.TrimSpace(d.Name) == "":
		p.Add("name", "is empty; name the detector, for example \"Negative spike\"")
	case n > MaxName:
		p.Add("name", "is %d characters; at most %d are allowed", n, MaxName)
	}
	herald.CheckLine(&p, "name", d.Name)
	switch d.Kind {
	case herald.DetectSpike, herald.DetectPhrase, herald.DetectReplies:
	default:
		p.Add("kind", "is %q; use spike, phrase or replies", d.Kind)
	}
	if d.Window < MinWindow || d.Window > MaxWindow {
		p.Add("window", "is %s; use between %s and %s", d.Window, MinWindow, MaxWindow)
	}
	if d.Kind == herald.DetectSpike {
		if d.Baseline < 4*d.Window || d.Baseline > MaxBaseline {
			p.Add("baseline", "is %s; use at least four windows (%s) and at most %s", d.Baseline, 4*d.Window, MaxBaseline)
		}
		if d.Multiple < 1 || d.Multiple > 100 {
			p.Add("multiple", "is %g; use between 1 and 100 times the usual level", d.Multiple)
		}
	}
	if d.Kind != herald.DetectPhrase && (d.MinCount < 1 || d.MinCount > 1_000_000) {
		p.Add("min_count", "is %d; use between 1 and 1,000,000", d.MinCount)
	}
	if d.Kind == herald.DetectPhrase {
		if len(d.Phrases) == 0 {
			p.Add("phrases", "is empty; give the phrases to watch for, such as \"recall\" or \"data breach\"")
		}
		if len(d.Phrases) > MaxPhrases {
			p.Add("phrases", "holds %d phrases; at most %d are allowed", len(d.Phrases), MaxPhrases)
		}
		for _, ph := range d.Phrases {
			if n := utf8.RuneCountInString(ph); strings.TrimSpace(ph) == "" || n > MaxPhraseLen {
				p.Add("phrases", "%q: a phrase has 1 to %d characters", ph, MaxPhraseLen)
			}
		}
	}
	switch d.Sentiment {
	case "", "positive", "neutral", "negative":
	default:
		p.Add("sentiment", "is %q; use negative, neutral, positive or leave it empty for every match", d.Sentiment)
	}
	if d.Hold != herald.HoldAuto && d.Hold != herald.HoldPropose {
		p.Add("hold", "is %q; use auto (hold the scheduled posts at once) or propose (offer the hold)", d.Hold)
	}
	return p.Err("the crisis detector is not valid")
}

// Detectors returns the workspace's detectors by name.
func (s *Service) Detectors(ctx context.Context, actor herald.Actor) ([]herald.Detector, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	ds, err := s.store.ListDetectors(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("crisis: detectors: %w", err)
	}
	return ds, nil
}

// Detector returns one of the workspace's detectors.
func (s *Service) Detector(ctx context.Context, actor herald.Actor, id int64) (herald.Detector, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return herald.Detector{}, err
	}
	return s.detector(ctx, actor.WorkspaceID, id)
}

func (s *Service) detector(ctx context.Context, workspaceID, id int64) (herald.Detector, error) {
	d, err := s.store.GetDetector(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Detector{}, herald.NotFound("crisis detector")
	}
	if err != nil {
		return herald.Detector{}, fmt.Errorf("crisis: detector %d: %w", id, err)
	}
	return d, nil
}

// checkTopic refuses a topic that is not the workspace's.
func (s *Service) checkTopic(ctx context.Context, d herald.Detector) error {
	if d.TopicID == 0 {
		return nil
	}
	if _, err := s.store.GetListenTopic(ctx, d.WorkspaceID, d.TopicID); errors.Is(err, herald.ErrNotFound) {
		return herald.Problems{{Field: "topic_id", Problem: fmt.Sprintf("%d is not a listening topic of this workspace", d.TopicID)}}.
			Err("the crisis detector is not valid")
	} else if err != nil {
		return fmt.Errorf("crisis: topic: %w", err)
	}
	return nil
}

// CreateDetector adds a detector. Detectors can hold every scheduled
// post, so managing them takes posts.hold.
func (s *Service) CreateDetector(ctx context.Context, actor herald.Actor, d herald.Detector) (herald.Detector, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return herald.Detector{}, err
	}
	d.ID, d.WorkspaceID, d.CreatedBy, d.Name = 0, actor.WorkspaceID, actor.UserID, strings.TrimSpace(d.Name)
	d.FiredAt, d.BelowSince, d.CheckedAt = nil, nil, nil
	defaults(&d)
	if err := Validate(d); err != nil {
		return herald.Detector{}, err
	}
	if err := s.checkTopic(ctx, d); err != nil {
		return herald.Detector{}, err
	}
	now := s.clock.Now()
	d.CreatedAt, d.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		existing, err := tx.ListDetectors(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxDetectors {
			return herald.Errorf(herald.CodeInvalid, "the workspace has %d crisis detectors, the most allowed; delete one first", len(existing))
		}
		if err := tx.CreateDetector(ctx, &d); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "crisis_detector.create", "crisis_detector", d.ID, nil, d, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Detector{}, detectorErr("create", d.Name, err)
	}
	return d, nil
}

func detectorErr(op, name string, err error) error {
	var he *herald.Error
	if errors.As(err, &he) {
		if he.Code == herald.CodeConflict {
			return &herald.Error{Code: herald.CodeConflict, Message: fmt.Sprintf("a crisis detector named %q already exists; choose another name", name),
				Details: []herald.FieldProblem{{Field: "name", Problem: "is taken by another detector"}}, Err: err}
		}
		return err
	}
	return fmt.Errorf("crisis: %s detector: %w", op, err)
}

// UpdateDetector replaces a detector's settings; its firing state stays.
func (s *Service) UpdateDetector(ctx context.Context, actor herald.Actor, id int64, in herald.Detector) (herald.Detector, error) {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return herald.Detector{}, err
	}
	before, err := s.detector(ctx, actor.WorkspaceID, id)
	if err != nil {
		return herald.Detector{}, err
	}
	after := in
	after.ID, after.WorkspaceID, after.CreatedBy, after.CreatedAt = before.ID, before.WorkspaceID, before.CreatedBy, before.CreatedAt
	after.FiredAt, after.BelowSince, after.CheckedAt = before.FiredAt, before.BelowSince, before.CheckedAt
	after.Name = strings.TrimSpace(after.Name)
	defaults(&after)
	if err := Validate(after); err != nil {
		return herald.Detector{}, err
	}
	if err := s.checkTopic(ctx, after); err != nil {
		return herald.Detector{}, err
	}
	now := s.clock.Now()
	after.UpdatedAt = now
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.UpdateDetector(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "crisis_detector.update", "crisis_detector", id, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Detector{}, detectorErr("update", after.Name, err)
	}
	return after, nil
}

// DeleteDetector deletes a detector; its incidents stay.
func (s *Service) DeleteDetector(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActPostsHold); err != nil {
		return err
	}
	before, err := s.detector(ctx, actor.WorkspaceID, id)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.DeleteDetector(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "crisis_detector.delete", "crisis_detector", id, before, nil, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return detectorErr("delete", before.Name, err)
	}
	return nil
}
