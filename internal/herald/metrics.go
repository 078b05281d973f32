package herald

import (
	"context"
	"time"
)

// MetricSnapshot is a published target's counts at one moment. A count the
// platform does not give is -1.
type MetricSnapshot struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	TargetID    int64     `json:"target_id"`
	At          time.Time `json:"at"`
	Likes       int64     `json:"likes"`
	Reposts     int64     `json:"reposts"`
	Replies     int64     `json:"replies"`
	Quotes      int64     `json:"quotes"`
	Impressions int64     `json:"impressions"`
}

// Validate checks the snapshot's fields.
func (m *MetricSnapshot) Validate() error {
	var p Problems
	if m.TargetID <= 0 {
		p.Add("target_id", "is required")
	}
	if m.At.IsZero() {
		p.Add("at", "is required")
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"likes", m.Likes}, {"reposts", m.Reposts}, {"replies", m.Replies}, {"quotes", m.Quotes}, {"impressions", m.Impressions}} {
		if c.v < -1 {
			p.Add(c.name, "is %d; a count is 0 or more, or -1 when the platform does not give it", c.v)
		}
	}
	return p.Err("the metric snapshot is not valid")
}

// MetricsWindow is how long after publishing a target's counts are
// collected.
const MetricsWindow = 30 * 24 * time.Hour

// MetricsMilestone returns the latest moment, at or before now, at which a
// target published at publishedAt should have had a snapshot: 10 minutes
// after publishing, then 1 hour, 6 hours, 24 hours, then every day. ok is
// false before the first milestone.
func MetricsMilestone(publishedAt, now time.Time) (at time.Time, ok bool) {
	age := now.Sub(publishedAt)
	const day = 24 * time.Hour
	switch {
	case age >= day:
		return publishedAt.Add(age / day * day), true
	case age >= 6*time.Hour:
		return publishedAt.Add(6 * time.Hour), true
	case age >= time.Hour:
		return publishedAt.Add(time.Hour), true
	case age >= 10*time.Minute:
		return publishedAt.Add(10 * time.Minute), true
	}
	return time.Time{}, false
}

// MetricsStore keeps metric snapshots.
type MetricsStore interface {
	// AddMetricSnapshots stores snapshots (setting their IDs) in one
	// transaction; a target of another workspace is ErrConflict.
	AddMetricSnapshots(ctx context.Context, snaps []MetricSnapshot) error
	// ListMetricSnapshots returns a target's snapshots, oldest first.
	ListMetricSnapshots(ctx context.Context, workspaceID, targetID int64) ([]MetricSnapshot, error)
	// TargetsDueForMetrics returns up to limit published targets of any
	// workspace with a remote id (not deleted from the platform through
	// Herald), published within MetricsWindow before now, on a connected
	// or expiring account with credentials on one of platforms (those whose connector reads metrics), whose last
	// snapshot is older than their MetricsMilestone (or who have none):
	// the longest overdue first, then by id. A limit below 1 is CodeInvalid.
	TargetsDueForMetrics(ctx context.Context, now time.Time, platforms []Platform, limit int) ([]Target, error)
}
