package analytics

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// MinPostsPerCell is the fewest posts a cell needs before it shows a rate:
// a cell with fewer says "not enough data" instead of guessing.
const MinPostsPerCell = 3

// bandCoverage is the least probability with which a cell's band holds
// the true median (when the cell has the posts for it).
const bandCoverage = 0.90

// BestTimeDefinition explains the best-time-to-post grid, shown beside it.
var BestTimeDefinition = Definition{
	Name: "Best time to post",
	Formula: "Each cell is one hour of one weekday in the workspace's time zone (daylight saving time included). " +
		"A post's engagement rate is its engagements ÷ the account's followers when it was published " +
		"(or ÷ its impressions, when the rate is by impressions); posts without engagements or without " +
		"that denominator are left out. A cell shows the median rate of the posts published in that hour, " +
		"and only when it holds at least 3 of them; with fewer it says \"not enough data\". " +
		"The band is a range that holds the true median at least 90 % of the time, " +
		"read off the cell's own posts with no assumption about how rates are spread: " +
		"with 3 or 4 posts (too few for 90 %) it is their lowest and highest rate; " +
		"with 20 posts it runs from the 6th lowest to the 6th highest.",
}

// Cell is one weekday and hour in the workspace's zone and the engagement
// rates of the posts published in it.
type Cell struct {
	Weekday time.Weekday `json:"weekday"`
	Hour    int          `json:"hour"`
	// Posts counts the posts behind the cell: those that give a rate.
	Posts int `json:"posts"`
	// Median is the median of the posts' rates (the mean of the two middle
	// ones for an even count). Low and High are its band: with the rates
	// sorted x(1) ≤ … ≤ x(n), Low = x(k) and High = x(n−k+1), k the largest
	// rank with P(B ≤ k−1) ≤ 0.05 for B ~ Binomial(n, 1/2), so that the
	// band holds the true median with probability 1 − 2·P(B ≤ k−1) ≥ 90 %
	// whatever the rates' distribution; when no k qualifies (n ≤ 4) k is 1
	// and the band is the lowest to the highest rate. All three are 0
	// unless Enough.
	Median float64 `json:"median"`
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	// Enough is Posts >= MinPostsPerCell.
	Enough bool `json:"enough"`
}

// BestTimes is the engagement rate of a workspace's posts by the weekday
// and hour they were published at, in its zone.
type BestTimes struct {
	Rate Denominator `json:"rate"`
	// Cells is indexed by weekday (time.Sunday is 0) then hour.
	Cells [7][24]Cell `json:"cells"`
	// Posts counts the posts used: those that give a rate.
	Posts int    `json:"posts"`
	Zone  string `json:"zone"`
}

// ComputeBestTimes works out the grid from the workspace's published
// targets, each placed by its publishing time in loc (nil is UTC). A rate
// other than ByImpressions is taken as ByFollowers. Posts not measured yet,
// whose platform gives no engagement count, or without a denominator above
// 0 are left out.
func ComputeBestTimes(stats []herald.TargetStats, loc *time.Location, rate Denominator) BestTimes {
	return computeBestTimes(func(herald.TargetStats) bool { return true }, loc, rate, stats)
}

// computeBestTimes is ComputeBestTimes over the targets of lists that
// keep reports true for.
func computeBestTimes(keep func(herald.TargetStats) bool, loc *time.Location, rate Denominator, lists ...[]herald.TargetStats) BestTimes {
	if loc == nil {
		loc = time.UTC
	}
	if rate != ByImpressions {
		rate = ByFollowers
	}
	b := BestTimes{Rate: rate, Zone: loc.String()}
	var rates [7][24][]float64
	for _, stats := range lists {
		for i := range stats {
			t := &stats[i]
			if !keep(*t) {
				continue
			}
			e, ok := Engagements(*t)
			if !ok || !t.Measured {
				continue
			}
			den := t.Followers
			if rate == ByImpressions {
				den = t.Impressions
			}
			if den <= 0 {
				continue
			}
			lt := t.PublishedAt.In(loc)
			wd, h := lt.Weekday(), lt.Hour()
			rates[wd][h] = append(rates[wd][h], float64(e)/float64(den))
			b.Posts++
		}
	}
	for wd := range 7 {
		for h := range 24 {
			c := Cell{Weekday: time.Weekday(wd), Hour: h, Posts: len(rates[wd][h])}
			if c.Posts >= MinPostsPerCell {
				c.Enough = true
				c.Median, c.Low, c.High = medianBand(rates[wd][h])
			}
			b.Cells[wd][h] = c
		}
	}
	return b
}

// medianBand sorts xs (not empty) and returns its median and the band of
// Cell.Median.
func medianBand(xs []float64) (median, low, high float64) {
	slices.Sort(xs)
	n := len(xs)
	median = xs[n/2]
	if n%2 == 0 {
		median = (xs[n/2-1] + xs[n/2]) / 2
	}
	k := bandRank(n)
	return median, xs[k-1], xs[n-k]
}

// bandRank is the k of Cell.Median for n rates: the largest k whose
// order statistics x(k), x(n−k+1) cover the median with probability
// 1 − 2·P(B ≤ k−1) ≥ bandCoverage, B ~ Binomial(n, 1/2); 1 when none
// does. The binomial terms are taken in log space so that large n do not
// underflow.
func bandRank(n int) int {
	tail := (1 - bandCoverage) / 2
	lgN := lgamma(n + 1)
	k, cum := 1, 0.0
	for j := 0; 2*j < n; j++ {
		cum += math.Exp(lgN - lgamma(j+1) - lgamma(n-j+1) - float64(n)*math.Ln2)
		if cum > tail {
			break
		}
		k = j + 1
	}
	return k
}

func lgamma(n int) float64 {
	v, _ := math.Lgamma(float64(n))
	return v
}

// compare orders cells best first: highest median, then more posts, then
// earlier in the week counted from Monday, then earlier hour.
func (c Cell) compare(d Cell) int {
	monday := func(w time.Weekday) int { return (int(w) + 6) % 7 }
	return cmp.Or(cmp.Compare(d.Median, c.Median), cmp.Compare(d.Posts, c.Posts),
		cmp.Compare(monday(c.Weekday), monday(d.Weekday)), cmp.Compare(c.Hour, d.Hour))
}

// Best returns up to n cells with Enough, highest median first (ties: more
// posts, then earlier in the week from Monday, then hour).
func (b BestTimes) Best(n int) []Cell {
	out := []Cell{}
	for wd := range b.Cells {
		for _, c := range b.Cells[wd] {
			if c.Enough {
				out = append(out, c)
			}
		}
	}
	slices.SortFunc(out, Cell.compare)
	return out[:min(max(n, 0), len(out))]
}

// BestTimesHistory is how far back the best-time grid reads posts.
const BestTimesHistory = 180 * 24 * time.Hour

// BestTimes works out the grid from the posts published in the last
// BestTimesHistory, of one account (accountID) or of them all (0).
// Anyone who reads analytics may see it.
func (s *Service) BestTimes(ctx context.Context, actor herald.Actor, accountID int64, rate Denominator) (BestTimes, error) {
	bq, err := s.bestTimesQuery(ctx, actor, accountID, rate)
	if err != nil {
		return BestTimes{}, err
	}
	// The two halves of the history are read at the same time, each on a
	// connection of its own: reading the rows is most of the time.
	mid := bq.from.Add(BestTimesHistory / 2)
	var (
		wait     sync.WaitGroup
		older    []herald.TargetStats
		olderErr error
	)
	wait.Go(func() { older, olderErr = s.store.ListTargetStatsUnlabelled(ctx, actor.WorkspaceID, bq.from, mid) })
	stats, err := s.store.ListTargetStatsUnlabelled(ctx, actor.WorkspaceID, mid, bq.to)
	wait.Wait()
	if err := cmp.Or(olderErr, err); err != nil {
		return BestTimes{}, fmt.Errorf("analytics: best times: %w", err)
	}
	return bq.compute(older, stats), nil
}

// bestTimesQuery is a best-time grid's query checked, with its history.
type bestTimesQuery struct {
	account  int64
	rate     Denominator
	loc      *time.Location
	from, to time.Time // the history: BestTimesHistory up to now
}

// bestTimesQuery checks the actor's right, the rate and the account.
func (s *Service) bestTimesQuery(ctx context.Context, actor herald.Actor, accountID int64, rate Denominator) (bestTimesQuery, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return bestTimesQuery{}, err
	}
	rate = cmp.Or(rate, ByFollowers)
	if !rate.Valid() {
		return bestTimesQuery{}, herald.Problems{{Field: "rate", Problem: fmt.Sprintf("is %q; choose followers or impressions", rate)}}.Err("the engagement rate is not valid")
	}
	ws, err := s.store.GetWorkspace(ctx, actor.WorkspaceID)
	if err != nil {
		return bestTimesQuery{}, fmt.Errorf("analytics: best times: %w", err)
	}
	loc, err := ws.Location()
	if err != nil {
		loc = time.UTC
	}
	if accountID != 0 {
		if _, err := s.store.GetAccount(ctx, actor.WorkspaceID, accountID); err != nil {
			return bestTimesQuery{}, fmt.Errorf("analytics: best times: %w", err)
		}
	}
	now := s.clock.Now()
	return bestTimesQuery{account: accountID, rate: rate, loc: loc, from: now.Add(-BestTimesHistory), to: now}, nil
}

// compute works out the grid from lists of targets, keeping those of the
// query's history and account. The lists are not changed.
func (bq bestTimesQuery) compute(lists ...[]herald.TargetStats) BestTimes {
	return computeBestTimes(func(t herald.TargetStats) bool {
		return !t.PublishedAt.Before(bq.from) && t.PublishedAt.Before(bq.to) && (bq.account == 0 || t.AccountID == bq.account)
	}, bq.loc, bq.rate, lists...)
}
