package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// TargetHistory is one published target's counts over time since
// publishing, for the post page's curve.
type TargetHistory struct {
	TargetID    int64     `json:"target_id"`
	AccountID   int64     `json:"account_id"`
	PublishedAt time.Time `json:"published_at"`
	// Followers is the account's followers when the post was published
	// (see Definitions), -1 when not known.
	Followers int64                   `json:"followers"`
	Snapshots []herald.MetricSnapshot `json:"snapshots"` // oldest first
}

// Latest is the newest snapshot's figures.
func (h TargetHistory) Latest() (Figures, bool) {
	if len(h.Snapshots) == 0 {
		return Figures{}, false
	}
	return SnapshotFigures(h.Snapshots[len(h.Snapshots)-1], h.Followers), true
}

// SnapshotFigures are one reading's figures.
func SnapshotFigures(m herald.MetricSnapshot, followers int64) Figures {
	var f Figures
	f.Add(herald.TargetStats{Measured: true, Likes: m.Likes, Reposts: m.Reposts, Replies: m.Replies, Quotes: m.Quotes,
		Impressions: m.Impressions, Followers: followers})
	return f
}

// PostPerformance returns the history of each of the post's published
// targets. Anyone who reads analytics may see it.
func (s *Service) PostPerformance(ctx context.Context, actor herald.Actor, p herald.Post) ([]TargetHistory, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	out := []TargetHistory{}
	for _, t := range p.Targets {
		if t.State != herald.StatePublished || t.PublishedAt == nil || t.WorkspaceID != actor.WorkspaceID {
			continue
		}
		snaps, err := s.store.ListMetricSnapshots(ctx, actor.WorkspaceID, t.ID)
		if err != nil {
			return nil, fmt.Errorf("analytics: post performance: %w", err)
		}
		h := TargetHistory{TargetID: t.ID, AccountID: t.AccountID, PublishedAt: *t.PublishedAt, Followers: -1, Snapshots: snaps}
		// The target's row of the rollup, found by its publishing time.
		stats, err := s.store.ListTargetStats(ctx, actor.WorkspaceID, *t.PublishedAt, t.PublishedAt.Add(time.Microsecond))
		if err != nil {
			return nil, fmt.Errorf("analytics: post performance: %w", err)
		}
		for _, st := range stats {
			if st.TargetID == t.ID {
				h.Followers = st.Followers
			}
		}
		out = append(out, h)
	}
	return out, nil
}
