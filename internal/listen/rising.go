package listen

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen/trend"
)

// Rising terms: the window is the last RisingWindow, the baseline the
// RisingBaseline before it. Each is read from the stored matches, at most
// RisingWindowScan of the window's (the newest) and RisingDayScan of each
// baseline day's (the newest of that day), so a busy topic is sampled
// evenly across the week rather than read whole.
const (
	RisingWindow     = 3 * time.Hour
	RisingBaseline   = 7 * 24 * time.Hour
	RisingWindowScan = 5000
	RisingDayScan    = 3000
)

// RisingResult is a topic's rising terms with what they were computed
// over.
type RisingResult struct {
	Terms []trend.Rising
	// WindowFrom, BaselineFrom and To bound the window [WindowFrom, To) and
	// the baseline [BaselineFrom, WindowFrom). To is when they were
	// computed: in the background (see RefreshTerms), at most a few
	// minutes before the call when the topic has new matches.
	BaselineFrom, WindowFrom, To time.Time
	// WindowPosts and BaselinePosts are the matches read in each.
	WindowPosts, BaselinePosts int
	// Sampled is set when either span held more matches than were read.
	Sampled bool
}

// Rising returns the terms and hashtags of a topic's matches (0: every
// topic) that are significantly more frequent in the last three hours than
// over the week before (Dunning's G², see internal/listen/trend), with the
// counts behind each. The topic's own terms are left out. They are what
// the background computation (RefreshTerms) found last, computed here
// when it has not run for the topic yet.
func (s *Service) Rising(ctx context.Context, actor herald.Actor, topicID int64) (RisingResult, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return RisingResult{}, err
	}
	t := herald.ListenTopic{WorkspaceID: actor.WorkspaceID}
	if topicID != 0 {
		var err error
		if t, err = s.get(ctx, s.store, actor.WorkspaceID, topicID); err != nil {
			return RisingResult{}, err
		}
	}
	c, err := s.computed(ctx, t)
	if err != nil {
		return RisingResult{}, err
	}
	return c.Rising, nil
}

// rising computes the rising terms of a topic's matches (0: every topic
// of the workspace) as of the time to, leaving out own.
func (s *Service) rising(ctx context.Context, workspaceID, topicID int64, own map[string]bool, to time.Time) (RisingResult, error) {
	r := RisingResult{To: to, WindowFrom: to.Add(-RisingWindow), BaselineFrom: to.Add(-RisingWindow - RisingBaseline)}
	series := trend.Series{Start: r.BaselineFrom, Bucket: RisingBaseline, Totals: make([]int, 2), Terms: map[string][]int{}}
	read := func(bucket int, from, until time.Time, limit int) error {
		f := herald.ListenFilter{WorkspaceID: workspaceID, TopicID: topicID, From: from, To: until,
			Page: herald.Page{Limit: herald.MaxPageLimit}}
		for n := 0; n < limit; {
			page, next, err := s.store.ListListenMatches(ctx, f)
			if err != nil {
				return fmt.Errorf("listen: rising: %w", err)
			}
			for _, m := range page {
				if n == limit {
					r.Sampled = true
					break
				}
				n++
				series.Totals[bucket]++
				for _, term := range trend.Terms(m.Text, m.Language) {
					if own[term] {
						continue
					}
					c := series.Terms[term]
					if c == nil {
						c = make([]int, 2)
						series.Terms[term] = c
					}
					c[bucket]++
				}
			}
			if next == "" {
				return nil
			}
			f.Cursor = next
		}
		r.Sampled = true
		return nil
	}
	if err := read(1, r.WindowFrom, r.To, RisingWindowScan); err != nil {
		return RisingResult{}, err
	}
	for day := r.BaselineFrom; day.Before(r.WindowFrom); day = day.Add(24 * time.Hour) {
		until := day.Add(24 * time.Hour)
		if until.After(r.WindowFrom) {
			until = r.WindowFrom
		}
		if err := read(0, day, until, RisingDayScan); err != nil {
			return RisingResult{}, err
		}
	}
	r.BaselinePosts, r.WindowPosts = series.Totals[0], series.Totals[1]
	terms, err := series.Rising(trend.Options{Window: 1, Baseline: 1})
	if err != nil {
		return RisingResult{}, fmt.Errorf("listen: rising: %w", err)
	}
	r.Terms = terms
	return r, nil
}
