// Package listen is listening: a workspace's topics, the public posts that
// match them (from the sources in internal/listen/bluesky and
// internal/listen/mastodon), and what the pages show of them. Matching is
// internal/listen/topic's; sentiment and language are the inbox's analysis.
package listen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/topic"
	"github.com/heraldsocial/herald/internal/listen/trend"
)

// Limits of a topic beyond its rules (which internal/listen/topic limits).
const (
	MaxTopicName = 100
	// MaxTopics is how many topics one workspace may have.
	MaxTopics = 200
	// PreviewWindow and PreviewScan bound a preview: the workspace's
	// matches of the last PreviewWindow, at most PreviewScan of them.
	PreviewWindow = 7 * 24 * time.Hour
	PreviewScan   = 5000
	// TermsScan is how many of the period's latest matches the
	// co-occurring terms are counted over.
	TermsScan = 2000
	// TopAuthors is how many authors the overview names.
	TopAuthors = 10
)

// Service manages topics and reads what they found. It is safe for
// concurrent use.
type Service struct {
	store  herald.Store
	clock  herald.Clock
	logger *slog.Logger
	// changed is called after topics change, so an ingest in this process
	// recompiles at once (others within their reload interval).
	changed func()
	// sources describes the sources for the pages (SetSources).
	sources SourceNotes
}

// New returns a Service over store; changed (may be nil) is called after
// a topic is created, edited or deleted.
func New(store herald.Store, clock herald.Clock, logger *slog.Logger, changed func()) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if changed == nil {
		changed = func() {}
	}
	return &Service{store: store, clock: clock, logger: logger, changed: changed}
}

// Compiled returns the topic as the matcher takes it.
func Compiled(t herald.ListenTopic) topic.Topic {
	r := t.Rules
	return topic.Topic{ID: t.ID, Any: r.Any, All: r.All, None: r.None, Hashtags: r.Hashtags, Accounts: r.Accounts,
		Languages: r.Languages, StrictLanguage: r.StrictLanguage}
}

// fields names a rule list as the API and the form spell it.
var fields = map[topic.Kind]string{topic.KindAny: "rules.any", topic.KindAll: "rules.all", topic.KindNone: "rules.none",
	topic.KindHashtag: "rules.hashtags", topic.KindAccount: "rules.accounts"}

// Validate checks a topic's name and rules, with errors that name the
// field and the term at fault.
func Validate(t herald.ListenTopic) error {
	var p herald.Problems
	name := strings.TrimSpace(t.Name)
	switch {
	case name == "":
		p.Add("name", "is empty; name the topic, for example after the brand or the campaign")
	case utf8.RuneCountInString(name) > MaxTopicName:
		p.Add("name", "is %d characters; at most %d are allowed", utf8.RuneCountInString(name), MaxTopicName)
	case name != t.Name:
		p.Add("name", "starts or ends with spaces; remove them")
	}
	herald.CheckLine(&p, "name", t.Name)
	for _, l := range t.Rules.Languages {
		if len(l) < 2 || len(l) > 8 || strings.ContainsAny(l, " ,;") {
			p.Add("rules.languages", "%q is not a language code; use ISO 639-1 codes such as en or pt", l)
		}
	}
	if err := Compiled(t).Validate(); err != nil {
		var te *topic.Error
		if errors.As(err, &te) {
			field := fields[te.Kind]
			if field == "" {
				field = "rules"
			}
			msg := te.Fix
			if te.Term != "" {
				msg = fmt.Sprintf("%q: %s", te.Term, te.Fix)
			}
			if te.Err != nil {
				msg += ": " + te.Err.Error()
			}
			p.Add(field, "%s", msg)
		} else {
			return fmt.Errorf("listen: validate: %w", err)
		}
	}
	return p.Err("the listening topic is not valid")
}

// Topics returns the workspace's topics by name.
func (s *Service) Topics(ctx context.Context, actor herald.Actor) ([]herald.ListenTopic, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	ts, err := s.store.ListListenTopics(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("listen: topics: %w", err)
	}
	return ts, nil
}

// Topic returns one of the workspace's topics.
func (s *Service) Topic(ctx context.Context, actor herald.Actor, id int64) (herald.ListenTopic, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return herald.ListenTopic{}, err
	}
	return s.get(ctx, s.store, actor.WorkspaceID, id)
}

func (s *Service) get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.ListenTopic, error) {
	t, err := tx.GetListenTopic(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.ListenTopic{}, herald.NotFound("listening topic")
	}
	if err != nil {
		return herald.ListenTopic{}, fmt.Errorf("listen: topic %d: %w", id, err)
	}
	return t, nil
}

// Create adds a topic to the workspace.
func (s *Service) Create(ctx context.Context, actor herald.Actor, t herald.ListenTopic) (herald.ListenTopic, error) {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return herald.ListenTopic{}, err
	}
	t.ID, t.WorkspaceID, t.CreatedBy, t.Name = 0, actor.WorkspaceID, actor.UserID, strings.TrimSpace(t.Name)
	if err := Validate(t); err != nil {
		return herald.ListenTopic{}, err
	}
	now := s.clock.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		existing, err := tx.ListListenTopics(ctx, actor.WorkspaceID)
		if err != nil {
			return err
		}
		if len(existing) >= MaxTopics {
			return &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf(
				"the workspace has %d listening topics, the most allowed; delete or merge one first", len(existing))}
		}
		if err := tx.CreateListenTopic(ctx, &t); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "listen_topic.create", "listen_topic", t.ID, nil, t, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.ListenTopic{}, topicErr("create", t.Name, err)
	}
	s.changed()
	s.logger.InfoContext(ctx, "listening topic created", "workspace_id", t.WorkspaceID, "topic_id", t.ID)
	return t, nil
}

func topicErr(op, name string, err error) error {
	var he *herald.Error
	if errors.As(err, &he) {
		if he.Code == herald.CodeConflict {
			return &herald.Error{Code: herald.CodeConflict, Message: herald.ListenTopicClash(name) + "; choose another name",
				Details: []herald.FieldProblem{{Field: "name", Problem: "is taken by another topic"}}, Err: err}
		}
		return err
	}
	return fmt.Errorf("listen: %s topic: %w", op, err)
}

// Update replaces a topic's name, rules and pause.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, in herald.ListenTopic) (herald.ListenTopic, error) {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return herald.ListenTopic{}, err
	}
	var after herald.ListenTopic
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := s.get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		after = before
		after.Name, after.Rules, after.Paused, after.UpdatedAt = strings.TrimSpace(in.Name), in.Rules, in.Paused, now
		if err := Validate(after); err != nil {
			return err
		}
		if err := tx.UpdateListenTopic(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "listen_topic.update", "listen_topic", id, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.ListenTopic{}, topicErr("update", in.Name, err)
	}
	s.changed()
	return after, nil
}

// Delete deletes a topic and the matches only it found.
func (s *Service) Delete(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActListenManage); err != nil {
		return err
	}
	now := s.clock.Now()
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := s.get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteListenTopic(ctx, actor.WorkspaceID, id); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "listen_topic.delete", "listen_topic", id, before, nil, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return topicErr("delete", "", err)
	}
	s.changed()
	return nil
}

// PreviewResult is what a topic, perhaps not saved yet, would have found
// among the workspace's recent matches.
type PreviewResult struct {
	// Scanned is how many of the workspace's matches of the window were
	// checked (at most PreviewScan); Matches those the topic matches, at
	// most limit of them, newest first, each with its evidence.
	Scanned int
	Matches []herald.ListenMatch
	Total   int // how many of the scanned matched
	Since   time.Time
}

// Preview runs a topic's rules over the workspace's matches of the last
// PreviewWindow (what its other topics found), without saving anything.
func (s *Service) Preview(ctx context.Context, actor herald.Actor, t herald.ListenTopic, limit int) (PreviewResult, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return PreviewResult{}, err
	}
	if t.Name == "" {
		t.Name = "Preview"
	}
	if err := Validate(t); err != nil {
		return PreviewResult{}, err
	}
	t.ID = 1
	m, err := topic.Compile([]topic.Topic{Compiled(t)})
	if err != nil {
		return PreviewResult{}, fmt.Errorf("listen: preview: %w", err)
	}
	if limit <= 0 {
		limit = 20
	}
	res := PreviewResult{Since: s.clock.Now().Add(-PreviewWindow)}
	f := herald.ListenFilter{WorkspaceID: actor.WorkspaceID, From: res.Since, Page: herald.Page{Limit: herald.MaxPageLimit}}
	for res.Scanned < PreviewScan {
		page, next, err := s.store.ListListenMatches(ctx, f)
		if err != nil {
			return PreviewResult{}, fmt.Errorf("listen: preview: %w", err)
		}
		for _, lm := range page {
			res.Scanned++
			hits := m.Match(postOf(lm))
			if len(hits) == 0 {
				continue
			}
			res.Total++
			if len(res.Matches) < limit {
				lm.Topics = []herald.TopicHit{{TopicID: 0, Terms: hits[0].Terms}}
				res.Matches = append(res.Matches, lm)
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return res, nil
}

// postOf is a stored match as the matcher reads it.
func postOf(m herald.ListenMatch) topic.Post {
	p := topic.Post{Text: m.Text, Author: m.AuthorID, Language: m.Language}
	if m.AuthorHandle != "" {
		p.Mentions = []string{m.AuthorHandle}
	}
	return p
}

// Period is a span of the topic page.
type Period struct {
	From, To time.Time
}

// Overview is what a topic's page shows above its stream.
type Overview struct {
	Volume  []herald.ListenVolume
	Authors []herald.ListenAuthor
	// Terms are the words and hashtags most often in the period's latest
	// TermsScan matches (the topic's own terms left out), with how many
	// of those matches hold each.
	Terms   []TermCount
	Scanned int
	Totals  herald.ListenVolume // the period's matches by sentiment
	// ComputedAt is the time Terms and Authors are as of when they come
	// from the stored computation (see RefreshTerms: a few minutes before
	// the period's end at most while the topic has new matches); zero
	// when both were counted over the period for this call. Volume and
	// Totals are always current.
	ComputedAt time.Time
}

// TermCount is a co-occurring term and the matches holding it.
type TermCount struct {
	Term    string `json:"term"`
	Matches int    `json:"matches"`
}

// Overview returns the volume by hour, the top authors and co-occurring
// terms of a topic (0: every topic) over the period. The authors and terms
// are those the background computation found last (see RefreshTerms) when
// it covers the period (the last 1, 7 or 30 days for the authors), else
// they are computed here.
func (s *Service) Overview(ctx context.Context, actor herald.Actor, topicID int64, p Period) (Overview, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return Overview{}, err
	}
	t := herald.ListenTopic{WorkspaceID: actor.WorkspaceID}
	if topicID != 0 {
		var err error
		if t, err = s.get(ctx, s.store, actor.WorkspaceID, topicID); err != nil {
			return Overview{}, err
		}
	}
	var o Overview
	var err error
	if o.Volume, err = s.store.ListenVolume(ctx, actor.WorkspaceID, topicID, p.From, p.To); err != nil {
		return Overview{}, fmt.Errorf("listen: volume: %w", err)
	}
	for _, v := range o.Volume {
		o.Totals.Positive += v.Positive
		o.Totals.Neutral += v.Neutral
		o.Totals.Negative += v.Negative
	}
	c, err := s.computed(ctx, t)
	if err != nil {
		return Overview{}, err
	}
	if c.termsCover(p) {
		o.Terms, o.Scanned, o.ComputedAt = c.Terms, c.Scanned, c.Rising.To
	} else if o.Terms, o.Scanned, _, err = s.terms(ctx, actor.WorkspaceID, topicID, ownTerms(t), p.From, p.To); err != nil {
		return Overview{}, err
	}
	if a, ok := c.authorsOf(p); ok {
		o.Authors, o.ComputedAt = a, c.Rising.To
	} else if o.Authors, err = s.store.TopListenAuthors(ctx, actor.WorkspaceID, topicID, p.From, p.To, TopAuthors); err != nil {
		return Overview{}, fmt.Errorf("listen: authors: %w", err)
	}
	return o, nil
}

// terms counts the co-occurring terms of the latest TermsScan matches of
// a topic (0: every topic) posted in [from, to) (zero times do not bound),
// leaving out own, and returns the top ones, how many matches were read
// and when the oldest of them was posted.
func (s *Service) terms(ctx context.Context, workspaceID, topicID int64, own map[string]bool, from, to time.Time) (
	terms []TermCount, scanned int, oldest time.Time, err error) {
	counts := map[string]int{}
	f := herald.ListenFilter{WorkspaceID: workspaceID, TopicID: topicID, From: from, To: to,
		Page: herald.Page{Limit: min(herald.MaxPageLimit, TermsScan)}}
	for scanned < TermsScan {
		page, next, err := s.store.ListListenMatches(ctx, f)
		if err != nil {
			return nil, 0, time.Time{}, fmt.Errorf("listen: terms: %w", err)
		}
		for _, m := range page {
			scanned++
			oldest = m.PostedAt
			for _, term := range trend.Terms(m.Text, m.Language) {
				if !own[term] {
					counts[term]++
				}
			}
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	return topTerms(counts, 15), scanned, oldest, nil
}

// ownTerms are a topic's own terms and hashtags as trend.Terms spells
// them, which co-occurring terms leave out.
func ownTerms(t herald.ListenTopic) map[string]bool {
	own := map[string]bool{}
	for _, list := range [][]string{t.Rules.Any, t.Rules.All, t.Rules.Hashtags} {
		for _, term := range list {
			for _, w := range trend.Terms(term, "") {
				own[w] = true
			}
			own["#"+strings.ToLower(strings.TrimPrefix(term, "#"))] = true
		}
	}
	return own
}

// Matches returns the workspace's matches f selects, newest first, and
// the cursor of the next page.
func (s *Service) Matches(ctx context.Context, actor herald.Actor, f herald.ListenFilter) ([]herald.ListenMatch, string, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, "", err
	}
	f.WorkspaceID = actor.WorkspaceID
	if f.Sentiment != "" && f.Sentiment != "positive" && f.Sentiment != "neutral" && f.Sentiment != "negative" {
		return nil, "", &herald.Error{Code: herald.CodeInvalid, Message: "the filter is not valid",
			Details: []herald.FieldProblem{{Field: "sentiment", Problem: fmt.Sprintf("is %q; use positive, neutral or negative", f.Sentiment)}}}
	}
	if f.TopicID != 0 {
		if _, err := s.get(ctx, s.store, actor.WorkspaceID, f.TopicID); err != nil {
			return nil, "", err
		}
	}
	ms, next, err := s.store.ListListenMatches(ctx, f)
	if err != nil {
		var he *herald.Error
		if errors.As(err, &he) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("listen: matches: %w", err)
	}
	return ms, next, nil
}
