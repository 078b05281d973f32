package listen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// What a topic's page shows that is computed from match texts (rising and
// co-occurring terms) or from many rollup rows (the top authors of a
// period) is computed in the background, by RefreshTerms, and stored per
// topic (herald.ListenTerms), so that a page reads none of it.
const (
	// TermsStale is how old a topic's computation may get before
	// RefreshTerms computes it again although the topic has no new
	// matches: the rising window slides on.
	TermsStale = 30 * time.Minute
	// TermsMaxAge is how old a stored computation may be for a page to
	// show it; an older one (the background job has not run) is computed
	// again for the page.
	TermsMaxAge = 2 * time.Hour
)

// AuthorDays are the periods, in days up to now, whose top authors are
// computed with the terms: the topic page's. An overview of another
// period counts its authors when asked.
var AuthorDays = []int{1, 7, 30}

// computed is what is stored for a topic: the rising terms as of
// Rising.To (the time of the computation), the co-occurring terms of the
// latest TermsScan matches before it and the top authors of AuthorDays.
type computed struct {
	Rising  RisingResult `json:"rising"`
	Terms   []TermCount  `json:"terms"`
	Scanned int          `json:"scanned"`
	// TermsFrom is when the oldest match read for Terms was posted, zero
	// when none was.
	TermsFrom time.Time       `json:"terms_from"`
	Authors   []periodAuthors `json:"authors"`
}

// periodAuthors are the top authors of the UTC days from From to the day
// of the computation.
type periodAuthors struct {
	From    time.Time             `json:"from"`
	Authors []herald.ListenAuthor `json:"authors"`
}

// termsCover reports whether c's co-occurring terms are the period's: the
// period ends at or after the computation and starts no later than the
// oldest match read (before which, when fewer than TermsScan were read,
// there is none), so the period's latest TermsScan matches are the same
// but for those stored since.
func (c computed) termsCover(p Period) bool {
	at := c.Rising.To
	return !p.To.Before(at) && (c.Scanned == 0 || !p.From.After(c.TermsFrom))
}

// authorsOf returns c's top authors of the period when they were computed
// over the same UTC days.
func (c computed) authorsOf(p Period) ([]herald.ListenAuthor, bool) {
	at := c.Rising.To
	if p.To.Before(at) || !herald.ListenDay(p.To).Equal(herald.ListenDay(at)) {
		return nil, false
	}
	for _, a := range c.Authors {
		if a.From.Equal(herald.ListenDay(p.From)) {
			return a.Authors, true
		}
	}
	return nil, false
}

// compute computes what is stored for topic t (ID 0: every topic of its
// workspace) as of the time at.
func (s *Service) compute(ctx context.Context, t herald.ListenTopic, at time.Time) (computed, error) {
	own := ownTerms(t)
	var c computed
	var err error
	if c.Rising, err = s.rising(ctx, t.WorkspaceID, t.ID, own, at); err != nil {
		return computed{}, err
	}
	if c.Terms, c.Scanned, c.TermsFrom, err = s.terms(ctx, t.WorkspaceID, t.ID, own, time.Time{}, at); err != nil {
		return computed{}, err
	}
	for _, days := range AuthorDays {
		from := herald.ListenDay(at.Add(-time.Duration(days) * 24 * time.Hour))
		a, err := s.store.TopListenAuthors(ctx, t.WorkspaceID, t.ID, from, at, TopAuthors)
		if err != nil {
			return computed{}, fmt.Errorf("listen: authors: %w", err)
		}
		c.Authors = append(c.Authors, periodAuthors{From: from, Authors: a})
	}
	return c, nil
}

// save computes and stores topic t's terms as of now; lastMatchID is its
// newest match before the computation began.
func (s *Service) save(ctx context.Context, t herald.ListenTopic, lastMatchID int64) (computed, error) {
	at := s.clock.Now().UTC().Truncate(time.Microsecond)
	c, err := s.compute(ctx, t, at)
	if err != nil {
		return computed{}, err
	}
	data, err := json.Marshal(c)
	if err != nil {
		return computed{}, fmt.Errorf("listen: terms of topic %d: %w", t.ID, err)
	}
	err = s.store.PutListenTerms(ctx, herald.ListenTerms{WorkspaceID: t.WorkspaceID, TopicID: t.ID,
		LastMatchID: lastMatchID, ComputedAt: at, Data: data})
	if err != nil {
		return computed{}, fmt.Errorf("listen: terms of topic %d: %w", t.ID, err)
	}
	return c, nil
}

// computed returns what was computed for topic t (ID 0: every topic of
// its workspace), computing it now when it never was, was before the topic
// last changed or is older than TermsMaxAge.
func (s *Service) computed(ctx context.Context, t herald.ListenTopic) (computed, error) {
	row, err := s.store.ListenTerms(ctx, t.WorkspaceID, t.ID)
	switch {
	case err == nil:
		var c computed
		fresh := !row.ComputedAt.Before(t.UpdatedAt) && row.ComputedAt.After(s.clock.Now().Add(-TermsMaxAge))
		if fresh && json.Unmarshal(row.Data, &c) == nil {
			return c, nil
		}
	case !errors.Is(err, herald.ErrNotFound):
		return computed{}, fmt.Errorf("listen: terms of topic %d: %w", t.ID, err)
	}
	due, err := s.store.DueListenTerms(ctx, t.WorkspaceID, s.clock.Now().Add(-TermsMaxAge))
	if err != nil {
		return computed{}, fmt.Errorf("listen: terms of topic %d: %w", t.ID, err)
	}
	var last int64
	for _, d := range due {
		if d.TopicID == t.ID {
			last = d.LastMatchID
		}
	}
	return s.save(ctx, t, last)
}

// RefreshTerms computes again, for every workspace that listens, the
// stored terms and authors of the topics (and of every topic) that are
// due: with matches newer than the last computation, changed since, or
// last computed more than TermsStale ago. The background job
// refresh_listen_terms calls it. A topic that fails is logged and left for
// the next run; the error tells of the first.
func (s *Service) RefreshTerms(ctx context.Context) error {
	wss, err := s.store.ListenWorkspaces(ctx)
	if err != nil {
		return fmt.Errorf("listen: refresh terms: %w", err)
	}
	var first error
	done := 0
	for _, ws := range wss {
		n, err := s.refreshWorkspace(ctx, ws)
		done += n
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("listen: refresh terms: %w", err)
			}
			s.logger.ErrorContext(ctx, "listening terms not computed", "workspace_id", ws, "error", err)
			if first == nil {
				first = err
			}
		}
	}
	if done > 0 {
		s.logger.DebugContext(ctx, "listening terms computed", slog.Int("topics", done))
	}
	return first
}

// refreshWorkspace computes the workspace's due terms and returns how many
// topics it computed.
func (s *Service) refreshWorkspace(ctx context.Context, workspaceID int64) (int, error) {
	due, err := s.store.DueListenTerms(ctx, workspaceID, s.clock.Now().Add(-TermsStale))
	if err != nil || len(due) == 0 {
		return 0, err
	}
	topics, err := s.store.ListListenTopics(ctx, workspaceID)
	if err != nil {
		return 0, fmt.Errorf("listen: refresh terms: %w", err)
	}
	byID := map[int64]herald.ListenTopic{0: {WorkspaceID: workspaceID}}
	for _, t := range topics {
		byID[t.ID] = t
	}
	var errs []error
	n := 0
	for _, d := range due {
		t, ok := byID[d.TopicID]
		if !ok {
			continue // deleted since
		}
		if _, err := s.save(ctx, t, d.LastMatchID); err != nil {
			if ctx.Err() != nil {
				return n, err
			}
			errs = append(errs, err)
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
