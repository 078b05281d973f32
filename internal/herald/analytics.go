package herald

import (
	"context"
	"time"
)

// AccountSnapshot is an account's audience as read from its platform: the
// last reading of one UTC day. A count the platform does not give is -1.
type AccountSnapshot struct {
	WorkspaceID int64     `json:"workspace_id"`
	AccountID   int64     `json:"account_id"`
	At          time.Time `json:"at"`
	Followers   int64     `json:"followers"`
	Following   int64     `json:"following"`
	Posts       int64     `json:"posts"`
}

// Day is the snapshot's UTC day, as days since 1970-01-01.
func (s AccountSnapshot) Day() int64 { return UnixDay(s.At) }

// UnixDay is t's UTC day as days since 1970-01-01.
func UnixDay(t time.Time) int64 {
	return t.Unix() / 86400
}

// Validate checks the snapshot's fields.
func (s *AccountSnapshot) Validate() error {
	var p Problems
	if s.AccountID <= 0 {
		p.Add("account_id", "is required")
	}
	if s.At.IsZero() {
		p.Add("at", "is required")
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"followers", s.Followers}, {"following", s.Following}, {"posts", s.Posts}} {
		if c.v < -1 {
			p.Add(c.name, "is %d; a count is 0 or more, or -1 when the platform does not give it", c.v)
		}
	}
	return p.Err("the account snapshot is not valid")
}

// TargetStats is what analytics knows of one published target: its latest
// counts (-1 where the platform does not give one, or before the first
// reading) and the account's followers when it was published.
type TargetStats struct {
	TargetID    int64     `json:"target_id"`
	PostID      int64     `json:"post_id"`
	CampaignID  int64     `json:"campaign_id,omitempty"` // the post's campaign, 0 for none
	LabelIDs    []int64   `json:"label_ids,omitempty"`   // the post's labels, by id
	AccountID   int64     `json:"account_id"`
	Platform    Platform  `json:"platform"`
	PublishedAt time.Time `json:"published_at"`
	// Measured is false until the first reading of the post's counts.
	Measured    bool  `json:"measured"`
	Likes       int64 `json:"likes"`
	Reposts     int64 `json:"reposts"`
	Replies     int64 `json:"replies"`
	Quotes      int64 `json:"quotes"`
	Impressions int64 `json:"impressions"`
	// Followers is the account's follower count read closest to the
	// publishing time, -1 when not known.
	Followers int64 `json:"followers"`
	// Tracked is true once the target has a tracked link; Clicks (people's,
	// bots and preview fetchers apart), UniqueClicks (one per visitor per
	// UTC day), Conversions and Revenue (cents, in the workspace's
	// currency) count only then.
	Tracked      bool  `json:"tracked"`
	Clicks       int64 `json:"clicks"`
	UniqueClicks int64 `json:"unique_clicks"`
	Conversions  int64 `json:"conversions"`
	Revenue      int64 `json:"revenue_cents"`
}

// AnalyticsStore keeps what the analytics pages read: daily account
// snapshots and, per published target, its latest counts and the followers
// it was published to (kept current as snapshots arrive, so that pages
// never scan raw snapshots).
type AnalyticsStore interface {
	// PutAccountSnapshot stores the account's reading as its snapshot of
	// the UTC day of s.At, replacing a reading of that day taken earlier.
	// An account of another workspace is ErrConflict.
	PutAccountSnapshot(ctx context.Context, s AccountSnapshot) error
	// ListAccountSnapshots returns the account's daily snapshots taken in
	// [from, to), oldest first; accountID 0 lists every account's of the
	// workspace, by account then day.
	ListAccountSnapshots(ctx context.Context, workspaceID, accountID int64, from, to time.Time) ([]AccountSnapshot, error)
	// LatestAccountSnapshots returns the latest snapshot of each of the
	// workspace's accounts that has one, by account id.
	LatestAccountSnapshots(ctx context.Context, workspaceID int64) (map[int64]AccountSnapshot, error)
	// AccountSnapshotsBefore returns the latest snapshot taken before at of
	// each of the workspace's accounts that has one (accountID 0), or of
	// that account only, by account id: where a period's growth starts.
	AccountSnapshotsBefore(ctx context.Context, workspaceID, accountID int64, at time.Time) (map[int64]AccountSnapshot, error)
	// AccountsDueForSnapshot returns up to limit connected or expiring
	// accounts, with credentials, of any workspace, on one of platforms,
	// without a snapshot of now's UTC day: never measured first, then by
	// id. A limit below 1 is CodeInvalid.
	AccountsDueForSnapshot(ctx context.Context, now time.Time, platforms []Platform, limit int) ([]Account, error)
	// SetTargetFollowers records that the workspace's targets were
	// published to followers, as read at at, for each target whose known
	// reading (if any) is further from its publishing time. Targets of
	// another workspace or not published are left alone.
	SetTargetFollowers(ctx context.Context, workspaceID int64, targetIDs []int64, followers int64, at time.Time) error
	// ListTargetStats returns the workspace's targets published in [from,
	// to), with their latest counts, by publishing time then id.
	ListTargetStats(ctx context.Context, workspaceID int64, from, to time.Time) ([]TargetStats, error)
	// ListTargetStatsUnlabelled is ListTargetStats without the posts'
	// labels (LabelIDs nil), for figures not broken down by label, such as
	// those of the period an overview compares with.
	ListTargetStatsUnlabelled(ctx context.Context, workspaceID int64, from, to time.Time) ([]TargetStats, error)
}

// AttachLabels sets each target's LabelIDs from (post id, label id)
// pairs, for the stores' ListTargetStats.
func AttachLabels(stats []TargetStats, pairs [][2]int64) {
	byPost := map[int64][]int64{}
	for _, p := range pairs {
		byPost[p[0]] = append(byPost[p[0]], p[1])
	}
	for i := range stats {
		stats[i].LabelIDs = byPost[stats[i].PostID]
	}
}
