package competitor

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// MaxPeriod is the longest period Compare and ShareOfVoice take.
const MaxPeriod = 366 * 24 * time.Hour

// BrandFigures is one brand's public figures over a period.
type BrandFigures struct {
	// Own is the workspace's own brand (its connected accounts);
	// CompetitorID is 0 then.
	Own          bool   `json:"own"`
	CompetitorID int64  `json:"competitor_id,omitempty"`
	Name         string `json:"name"`
	// Accounts is how many accounts the figures are over.
	Accounts int `json:"accounts"`
	// Followers is the sum over the accounts of the last follower count
	// read in the period, -1 when none was read; Growth is the sum over
	// the accounts of the last count minus the first, 0 without two
	// readings.
	Followers int64 `json:"followers"`
	Growth    int64 `json:"growth"`
	// Posts is the posts published in the period; PostsPerDay Posts over
	// the period's days.
	Posts       int64   `json:"posts"`
	PostsPerDay float64 `json:"posts_per_day"`
	// AvgEngagements is the likes, reposts, replies and quotes per post
	// whose counts are known, -1 when none is.
	AvgEngagements float64                 `json:"avg_engagements"`
	TopPosts       []herald.CompetitorPost `json:"top_posts"`
	// LastError is the last reading's failure of one of a competitor's
	// accounts, "" when they were all read.
	LastError string `json:"last_error,omitempty"`
}

// Comparison is the workspace's own brand and each competitor over
// [From, To).
type Comparison struct {
	From   time.Time      `json:"from"`
	To     time.Time      `json:"to"`
	Days   int            `json:"days"`
	Brands []BrandFigures `json:"brands"` // the own brand first, then competitors by name
}

// checkPeriod refuses an empty, reversed or too long period.
func checkPeriod(from, to time.Time) error {
	var p herald.Problems
	switch {
	case from.IsZero() || to.IsZero():
		p.Add("from", "and to are both required")
	case !to.After(from):
		p.Add("to", "is not after from")
	case to.Sub(from) > MaxPeriod:
		p.Add("to", "is more than %d days after from", int(MaxPeriod/(24*time.Hour)))
	}
	return p.Err("the period is not valid")
}

// days is how many UTC days [from, to) touches.
func days(from, to time.Time) int {
	return int(herald.ListenDay(to.Add(-time.Microsecond)).Sub(herald.ListenDay(from))/(24*time.Hour)) + 1
}

// Compare returns the figures of the workspace's own accounts (from the
// analytics snapshots and published posts) and of each competitor (from
// the daily readings) over [from, to), whole UTC days.
func (s *Service) Compare(ctx context.Context, actor herald.Actor, from, to time.Time) (Comparison, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return Comparison{}, err
	}
	if err := checkPeriod(from, to); err != nil {
		return Comparison{}, err
	}
	from, to = herald.ListenDay(from), herald.ListenDay(to.Add(-time.Microsecond)).Add(24*time.Hour)
	n := days(from, to)
	out := Comparison{From: from, To: to, Days: n}
	own, err := s.ownFigures(ctx, actor.WorkspaceID, from, to, n)
	if err != nil {
		return Comparison{}, err
	}
	out.Brands = append(out.Brands, own)
	cs, err := s.store.ListCompetitors(ctx, actor.WorkspaceID)
	if err != nil {
		return Comparison{}, fmt.Errorf("competitor: compare: %w", err)
	}
	all, err := s.store.ListCompetitorDays(ctx, actor.WorkspaceID, 0, from, to)
	if err != nil {
		return Comparison{}, fmt.Errorf("competitor: compare: %w", err)
	}
	byAccount := map[int64][]herald.CompetitorDay{}
	for _, d := range all {
		byAccount[d.AccountID] = append(byAccount[d.AccountID], d)
	}
	for _, c := range cs {
		b := BrandFigures{CompetitorID: c.ID, Name: c.Name, Accounts: len(c.Accounts), Followers: -1, AvgEngagements: -1}
		var engaged, measured int64
		for _, a := range c.Accounts {
			if a.LastError != "" {
				b.LastError = fmt.Sprintf("%s on %s: %s", a.Handle, a.Platform.Name(), a.LastError)
			}
			ds := byAccount[a.ID]
			var first, last int64 = -1, -1
			for _, d := range ds {
				if d.Followers >= 0 {
					if first < 0 {
						first = d.Followers
					}
					last = d.Followers
				}
				b.Posts += d.PostsDay
				if d.Engagements >= 0 && d.PostsDay > 0 {
					engaged += d.Engagements
					measured += d.PostsDay
				}
				b.TopPosts = append(b.TopPosts, d.TopPosts...)
			}
			if last >= 0 {
				b.Followers = max(b.Followers, 0) + last
				b.Growth += last - first
			}
		}
		finish(&b, n, engaged, measured)
		out.Brands = append(out.Brands, b)
	}
	return out, nil
}

// finish computes the per-day and per-post figures and keeps the top posts.
func finish(b *BrandFigures, days int, engaged, measured int64) {
	b.PostsPerDay = float64(b.Posts) / float64(days)
	if measured > 0 {
		b.AvgEngagements = float64(engaged) / float64(measured)
	}
	slices.SortStableFunc(b.TopPosts, func(x, y herald.CompetitorPost) int {
		return cmp.Or(cmp.Compare(y.Engagements, x.Engagements), y.PostedAt.Compare(x.PostedAt))
	})
	if len(b.TopPosts) > herald.MaxTopPosts {
		b.TopPosts = b.TopPosts[:herald.MaxTopPosts]
	}
	b.TopPosts = herald.NonNil(b.TopPosts)
}

// ownFigures are the workspace's own accounts' figures: followers from
// the daily account snapshots, posts and engagements from the targets
// published in the period (their latest counts).
func (s *Service) ownFigures(ctx context.Context, workspaceID int64, from, to time.Time, n int) (BrandFigures, error) {
	ws, err := s.store.GetWorkspace(ctx, workspaceID)
	if err != nil {
		return BrandFigures{}, fmt.Errorf("competitor: workspace: %w", err)
	}
	b := BrandFigures{Own: true, Name: ws.Name, Followers: -1, AvgEngagements: -1}
	accts, err := s.store.ListAccounts(ctx, workspaceID)
	if err != nil {
		return b, fmt.Errorf("competitor: accounts: %w", err)
	}
	b.Accounts = len(accts)
	snaps, err := s.store.ListAccountSnapshots(ctx, workspaceID, 0, from, to)
	if err != nil {
		return b, fmt.Errorf("competitor: snapshots: %w", err)
	}
	first, last := map[int64]int64{}, map[int64]int64{}
	for _, sn := range snaps {
		if sn.Followers < 0 {
			continue
		}
		if _, ok := first[sn.AccountID]; !ok {
			first[sn.AccountID] = sn.Followers
		}
		last[sn.AccountID] = sn.Followers
	}
	for id, l := range last {
		b.Followers = max(b.Followers, 0) + l
		b.Growth += l - first[id]
	}
	stats, err := s.store.ListTargetStatsUnlabelled(ctx, workspaceID, from, to)
	if err != nil {
		return b, fmt.Errorf("competitor: published posts: %w", err)
	}
	var engaged, measured int64
	type scored struct {
		st herald.TargetStats
		e  int64
	}
	var top []scored
	for _, st := range stats {
		b.Posts++
		if !st.Measured {
			continue
		}
		e, given := int64(0), false
		for _, c := range []int64{st.Likes, st.Reposts, st.Replies, st.Quotes} {
			if c >= 0 {
				e, given = e+c, true
			}
		}
		if !given {
			continue
		}
		engaged += e
		measured++
		top = append(top, scored{st, e})
	}
	slices.SortStableFunc(top, func(x, y scored) int { return cmp.Compare(y.e, x.e) })
	for _, t := range top[:min(len(top), herald.MaxTopPosts)] {
		tg, err := s.store.GetTarget(ctx, workspaceID, t.st.TargetID)
		if err != nil {
			return b, fmt.Errorf("competitor: top post %d: %w", t.st.TargetID, err)
		}
		b.TopPosts = append(b.TopPosts, herald.CompetitorPost{RemoteID: tg.RemoteID, URL: tg.RemoteURL, Engagements: t.e,
			Excerpt: excerpt(tg.Variant.Text), PostedAt: t.st.PublishedAt})
	}
	finish(&b, n, engaged, measured)
	return b, nil
}

// VoiceShare is one brand's mentions on one day (or over the period) and
// its share of all tracked brands' mentions.
type VoiceShare struct {
	Mentions int `json:"mentions"`
	// Percent is Mentions over all brands' mentions × 100; 0 when no
	// brand was mentioned (see VoiceDay.NoMentions).
	Percent float64 `json:"percent"`
}

// VoiceBrand is a brand in share of voice: the own brand or a
// competitor, with the listening topic that counts its mentions.
type VoiceBrand struct {
	Own          bool   `json:"own"`
	CompetitorID int64  `json:"competitor_id,omitempty"`
	Name         string `json:"name"`
	TopicID      int64  `json:"topic_id"`
	// Total is the brand's mentions over the whole period.
	Total VoiceShare `json:"total"`
}

// VoiceDay is one UTC day: each brand's mentions and share, in the order
// of ShareOfVoice.Brands.
type VoiceDay struct {
	Day    time.Time    `json:"day"`
	Total  int          `json:"total"`
	Shares []VoiceShare `json:"shares"`
	// NoMentions marks a day without any mention of any brand: every
	// share is 0, not a division by zero.
	NoMentions bool `json:"no_mentions"`
}

// ShareOfVoice is each tracked brand's share of all tracked brands'
// mentions, per UTC day of [From, To).
type ShareOfVoice struct {
	From   time.Time    `json:"from"`
	To     time.Time    `json:"to"`
	Brands []VoiceBrand `json:"brands"` // the own brand first (when its topic is set), then competitors by name
	Days   []VoiceDay   `json:"days"`
	// Untracked names the competitors left out because they have no
	// topic.
	Untracked []string `json:"untracked"`
}

// ShareOfVoice counts each brand's mentions per UTC day: the matches of
// its listening topic, from the hourly listening volume (a match counts
// once per topic, so a post naming two brands counts for both), and
// divides by the sum over the brands.
func (s *Service) ShareOfVoice(ctx context.Context, actor herald.Actor, from, to time.Time) (ShareOfVoice, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return ShareOfVoice{}, err
	}
	if err := checkPeriod(from, to); err != nil {
		return ShareOfVoice{}, err
	}
	from, to = herald.ListenDay(from), herald.ListenDay(to.Add(-time.Microsecond)).Add(24*time.Hour)
	out := ShareOfVoice{From: from, To: to, Brands: []VoiceBrand{}, Untracked: []string{}}
	settings, err := s.store.GetCompetitorSettings(ctx, actor.WorkspaceID)
	if err != nil {
		return out, fmt.Errorf("competitor: share of voice: %w", err)
	}
	if settings.OwnTopicID != 0 {
		ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
		if err != nil {
			return out, fmt.Errorf("competitor: workspace: %w", err)
		}
		out.Brands = append(out.Brands, VoiceBrand{Own: true, Name: ws.Name, TopicID: settings.OwnTopicID})
	}
	cs, err := s.store.ListCompetitors(ctx, actor.WorkspaceID)
	if err != nil {
		return out, fmt.Errorf("competitor: share of voice: %w", err)
	}
	for _, c := range cs {
		if c.TopicID == 0 {
			out.Untracked = append(out.Untracked, c.Name)
			continue
		}
		out.Brands = append(out.Brands, VoiceBrand{CompetitorID: c.ID, Name: c.Name, TopicID: c.TopicID})
	}
	n := days(from, to)
	counts := make([][]int, len(out.Brands)) // brand → day → mentions
	for i, b := range out.Brands {
		counts[i] = make([]int, n)
		vol, err := s.store.ListenVolume(ctx, actor.WorkspaceID, b.TopicID, from, to)
		if err != nil {
			return out, fmt.Errorf("competitor: mentions of %s: %w", b.Name, err)
		}
		for _, v := range vol {
			if d := int(herald.ListenDay(v.Hour).Sub(from) / (24 * time.Hour)); d >= 0 && d < n {
				counts[i][d] += v.Total()
			}
		}
	}
	totals := make([]int, len(out.Brands))
	all := 0
	for d := range n {
		day := VoiceDay{Day: from.Add(time.Duration(d) * 24 * time.Hour), Shares: make([]VoiceShare, len(out.Brands))}
		for i := range out.Brands {
			day.Total += counts[i][d]
			totals[i] += counts[i][d]
		}
		all += day.Total
		day.NoMentions = day.Total == 0
		for i := range out.Brands {
			day.Shares[i] = share(counts[i][d], day.Total)
		}
		out.Days = append(out.Days, day)
	}
	for i := range out.Brands {
		out.Brands[i].Total = share(totals[i], all)
	}
	return out, nil
}

// share is n of total as a percentage, 0 when total is 0.
func share(n, total int) VoiceShare {
	if total == 0 {
		return VoiceShare{Mentions: n}
	}
	return VoiceShare{Mentions: n, Percent: float64(n) * 100 / float64(total)}
}
