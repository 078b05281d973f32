package trend

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Defaults for rising terms. A Counter built with zero values and Options
// left at zero use them.
const (
	// DefaultBucket is the width of one time bucket of term counts.
	DefaultBucket = time.Hour
	// DefaultWindowBuckets is the current window: the last 3 one-hour buckets.
	DefaultWindowBuckets = 3
	// DefaultBaselineBuckets is the baseline: the 7 days (168 one-hour
	// buckets) just before the window.
	DefaultBaselineBuckets = 7 * 24
	// DefaultMinCount is the fewest posts in the window that must mention a
	// term before it can be called rising: below that, chance dominates.
	DefaultMinCount = 5
	// DefaultMinRatio is how many times more often than in the baseline a
	// term must appear in the window: a statistically significant rise of
	// 10 % is real but not news.
	DefaultMinRatio = 2.0
	// DefaultMinScore is the G² a rise must reach: 10.83, the χ²(1) value
	// with p = 0.001. The strict level is chosen because thousands of terms
	// are tested at once, and at p = 0.05 one in twenty would pass by chance.
	DefaultMinScore = ChiSquare001
	// DefaultLimit is how many rising terms are returned.
	DefaultLimit = 20
)

// Critical values of the χ² distribution with one degree of freedom: a G²
// above ChiSquare05 has a chance below 5 % of arising when the term's rate
// did not change, and so on.
const (
	ChiSquare05   = 3.841
	ChiSquare01   = 6.635
	ChiSquare001  = 10.828
	ChiSquare0001 = 15.137
)

// ErrSeriesShape reports a Series whose term counts do not line up with its
// totals.
var ErrSeriesShape = errors.New("trend: term counts and totals differ in length")

// Series holds the number of posts per equal time bucket, oldest first, and
// for each term the number of those posts that contain it.
type Series struct {
	// Start is the beginning of bucket 0; it is only used for display.
	Start time.Time
	// Bucket is the width of each bucket; it is only used for display.
	Bucket time.Duration
	// Totals holds the number of posts in each bucket.
	Totals []int
	// Terms maps a term to its posts per bucket; every slice has the length
	// of Totals.
	Terms map[string][]int
}

// Options tune Rising. Zero fields take the Default… constants.
type Options struct {
	// Window is the number of most recent buckets compared with the baseline.
	Window int
	// Baseline is the number of buckets just before the window. When the
	// data are shorter, the baseline is whatever precedes the window.
	Baseline int
	// MinCount is the fewest window posts a rising term needs.
	MinCount int
	// MinRatio is the smallest WindowRate / BaselineRate of a rising term.
	MinRatio float64
	// MinScore is the smallest G² of a rising term; see ChiSquare001.
	MinScore float64
	// Limit is the most terms returned; negative means no limit.
	Limit int
}

func (o Options) withDefaults() Options {
	if o.Window <= 0 {
		o.Window = DefaultWindowBuckets
	}
	if o.Baseline <= 0 {
		o.Baseline = DefaultBaselineBuckets
	}
	if o.MinCount <= 0 {
		o.MinCount = DefaultMinCount
	}
	if o.MinRatio <= 0 {
		o.MinRatio = DefaultMinRatio
	}
	if o.MinScore <= 0 {
		o.MinScore = DefaultMinScore
	}
	if o.Limit == 0 {
		o.Limit = DefaultLimit
	}
	return o
}

// Rising is one term that is mentioned significantly more often now than
// before.
type Rising struct {
	// Term is the word or hashtag.
	Term string
	// Window and Baseline are the numbers of posts mentioning the term in
	// the current window and in the baseline before it.
	Window, Baseline int
	// WindowPosts and BaselinePosts are the numbers of all posts in each.
	WindowPosts, BaselinePosts int
	// WindowRate is Window / WindowPosts: the share of posts mentioning
	// the term now.
	WindowRate float64
	// BaselineRate is Baseline / BaselinePosts: the usual share.
	BaselineRate float64
	// Ratio is WindowRate / BaselineRate. For a term absent from the
	// baseline, its baseline count is taken as 1 (add-one smoothing), so the
	// ratio is finite and says how many times more common the term is now
	// than a term seen once before would be.
	Ratio float64
	// Score is Dunning's log-likelihood ratio G²; see G2.
	Score float64
	// P is the approximate probability of a G² at least this large if the
	// term's rate had not changed; see PValue.
	P float64
}

// Rising returns the terms of s whose share of posts in the last o.Window
// buckets is significantly above their share in the o.Baseline buckets
// before: G² ≥ MinScore, rate up (falling terms are never returned),
// at least MinCount window posts and Ratio ≥ MinRatio. The result is sorted
// by Score, highest first (then by term), and cut to o.Limit.
//
// With no posts in the window or none in the baseline there is nothing to
// compare, and the result is empty: a term cannot rise from nowhere when
// nothing at all was observed before. An empty Series gives an empty result.
func (s Series) Rising(o Options) ([]Rising, error) {
	o = o.withDefaults()
	n := len(s.Totals)
	w := min(o.Window, n)
	b := min(o.Baseline, n-w)
	ws, bs := n-w, n-w-b // first bucket of window and of baseline
	nw, nb := sum(s.Totals[ws:]), sum(s.Totals[bs:ws])
	if nw == 0 || nb == 0 {
		for term, c := range s.Terms {
			if len(c) != n {
				return nil, fmt.Errorf("term %q: %d buckets, want %d: %w", term, len(c), n, ErrSeriesShape)
			}
		}
		return nil, nil
	}
	var out []Rising
	for term, c := range s.Terms {
		if len(c) != n {
			return nil, fmt.Errorf("term %q: %d buckets, want %d: %w", term, len(c), n, ErrSeriesShape)
		}
		a := sum(c[ws:])
		if a < o.MinCount {
			continue
		}
		if r, ok := score(term, a, nw, sum(c[bs:ws]), nb, o); ok {
			out = append(out, r)
		}
	}
	return top(out, o.Limit), nil
}

// score compares one term's window and baseline counts and reports whether
// it passes every rule of o.
func score(term string, a, nw, c, nb int, o Options) (Rising, bool) {
	a, c = min(a, nw), min(c, nb) // a term cannot be in more posts than exist
	if a < o.MinCount {
		return Rising{}, false
	}
	wr, br := float64(a)/float64(nw), float64(c)/float64(nb)
	if wr <= br {
		return Rising{}, false
	}
	ratio := wr / (float64(max(c, 1)) / float64(nb))
	if ratio < o.MinRatio {
		return Rising{}, false
	}
	g := G2(a, nw, c, nb)
	if g < o.MinScore {
		return Rising{}, false
	}
	return Rising{
		Term: term, Window: a, Baseline: c, WindowPosts: nw, BaselinePosts: nb,
		WindowRate: wr, BaselineRate: br, Ratio: ratio, Score: g, P: PValue(g),
	}, true
}

// top sorts by score and keeps the first limit (all when limit < 0).
func top(rs []Rising, limit int) []Rising {
	slices.SortFunc(rs, func(x, y Rising) int {
		if c := cmp.Compare(y.Score, x.Score); c != 0 {
			return c
		}
		return cmp.Compare(x.Term, y.Term)
	})
	if limit >= 0 && len(rs) > limit {
		rs = rs[:limit]
	}
	return rs
}

// G2 is Dunning's log-likelihood ratio for a term found in a of nw window
// posts and in c of nb baseline posts. It fills the 2×2 table
//
//	                 window   baseline
//	with term          a         c
//	without term     nw−a      nb−c
//
// and computes G² = 2 Σ O·ln(O/E) over its four cells, where O is the
// observed count and E = row total × column total / grand total is the count
// expected if the term were equally common in both periods (cells with O = 0
// add nothing). G² is 0 when the shares are equal and grows with both the
// size of the difference and the amount of evidence; unlike a plain ratio it
// does not get excited by 2 posts against 0. G² has no direction: the caller
// checks which share is larger. Negative or impossible counts are clamped.
func G2(a, nw, c, nb int) float64 {
	nw, nb = max(nw, 0), max(nb, 0)
	a, c = min(max(a, 0), nw), min(max(c, 0), nb)
	b, d := nw-a, nb-c
	n := float64(nw + nb)
	if n == 0 {
		return 0
	}
	r1, r2 := float64(a+c), float64(b+d)
	c1, c2 := float64(nw), float64(nb)
	g := cell(a, r1*c1/n) + cell(b, r2*c1/n) + cell(c, r1*c2/n) + cell(d, r2*c2/n)
	return max(2*g, 0) // rounding can leave a tiny negative
}

func cell(o int, e float64) float64 {
	if o == 0 || e == 0 {
		return 0
	}
	return float64(o) * math.Log(float64(o)/e)
}

// PValue approximates the probability that a G² at least g arises by chance
// when nothing changed, from the χ² distribution with one degree of freedom:
// P = erfc(√(g/2)). The approximation is good when every expected cell count
// is at least about 5; with smaller counts read it as a ranking, not a
// probability.
func PValue(g float64) float64 {
	if g <= 0 {
		return 1
	}
	return math.Erfc(math.Sqrt(g / 2))
}

func sum(xs []int) int {
	t := 0
	for _, x := range xs {
		t += x
	}
	return t
}
