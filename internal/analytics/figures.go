// Package analytics computes what the analytics pages, the API and the
// reports show: the figures of a workspace's published posts over a
// period, each with one definition (see Definitions), from the per-target
// rollup the store keeps current (herald.TargetStats) and the accounts'
// daily snapshots.
package analytics

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// Sum is a sum over posts of one count, with how many posts gave it. A
// platform that does not give a count adds nothing to Value and nothing to
// Posts: a Sum with no posts is "not given", never 0.
type Sum struct {
	Value int64 `json:"value"`
	Posts int   `json:"posts"`
}

// Given reports whether any post gave the count.
func (c Sum) Given() bool { return c.Posts > 0 }

func (c *Sum) add(v int64) {
	if v >= 0 {
		c.Value += v
		c.Posts++
	}
}

// Rate is a ratio of two sums taken over the same posts: those that gave
// both the numerator and a denominator above 0.
type Rate struct {
	Numerator   int64 `json:"numerator"`
	Denominator int64 `json:"denominator"`
	Posts       int   `json:"posts"`
}

// Value is the ratio; ok is false when no post gave a denominator.
func (r Rate) Value() (v float64, ok bool) {
	if r.Denominator <= 0 {
		return 0, false
	}
	return float64(r.Numerator) / float64(r.Denominator), true
}

// MarshalJSON adds the ratio as "value", null when there is none.
func (r Rate) MarshalJSON() ([]byte, error) {
	type plain Rate
	var v *float64
	if x, ok := r.Value(); ok {
		v = &x
	}
	return json.Marshal(struct {
		plain
		Value *float64 `json:"value"`
	}{plain(r), v})
}

func (r *Rate) add(num, den int64) {
	if num >= 0 && den > 0 {
		r.Numerator += num
		r.Denominator += den
		r.Posts++
	}
}

// Engagements is a post's engagements: the sum of the likes, reposts,
// replies and quotes its platform gives; ok is false when it gives none of
// them (or the post was not measured yet).
func Engagements(t herald.TargetStats) (n int64, ok bool) {
	for _, v := range []int64{t.Likes, t.Reposts, t.Replies, t.Quotes} {
		if v >= 0 {
			n += v
			ok = true
		}
	}
	return n, ok
}

// Figures are the totals of a set of published posts (each post on each
// account counts once: a target).
type Figures struct {
	// Posts counts the published posts; Measured those whose counts were
	// read at least once.
	Posts    int `json:"posts"`
	Measured int `json:"measured"`
	Likes    Sum `json:"likes"`
	Reposts  Sum `json:"reposts"`
	Replies  Sum `json:"replies"`
	Quotes   Sum `json:"quotes"`
	// Impressions are the times the posts were seen, where the platform
	// tells.
	Impressions Sum `json:"impressions"`
	// Engagements: see Engagements.
	Engagements Sum `json:"engagements"`
	// Followers sums the followers each post was published to.
	Followers Sum `json:"followers"`
	// RateByFollowers is engagements / followers at publishing, over the
	// posts that give both; RateByImpressions engagements / impressions,
	// over the posts that give both.
	RateByFollowers   Rate `json:"engagement_rate_by_followers"`
	RateByImpressions Rate `json:"engagement_rate_by_impressions"`
}

// Add counts one post.
func (f *Figures) Add(t herald.TargetStats) {
	f.Posts++
	if !t.Measured {
		f.Followers.add(t.Followers)
		return
	}
	f.Measured++
	f.Likes.add(t.Likes)
	f.Reposts.add(t.Reposts)
	f.Replies.add(t.Replies)
	f.Quotes.add(t.Quotes)
	f.Impressions.add(t.Impressions)
	f.Followers.add(t.Followers)
	if e, ok := Engagements(t); ok {
		f.Engagements.add(e)
		f.RateByFollowers.add(e, t.Followers)
		f.RateByImpressions.add(e, t.Impressions)
	}
}

// Rate returns the engagement rate by the denominator named.
func (f Figures) Rate(d Denominator) Rate {
	if d == ByImpressions {
		return f.RateByImpressions
	}
	return f.RateByFollowers
}

// Denominator names what an engagement rate divides by.
type Denominator string

// The denominators.
const (
	ByFollowers   Denominator = "followers"
	ByImpressions Denominator = "impressions"
)

// Valid reports whether d is a known denominator.
func (d Denominator) Valid() bool { return d == ByFollowers || d == ByImpressions }

// Definition is how one figure is computed, shown beside it.
type Definition struct {
	Name    string `json:"name"`
	Formula string `json:"formula"`
}

// Definitions are the figures' definitions, in the order the pages show
// them.
var Definitions = []Definition{
	{"Posts", "Published posts in the period; a post sent to three accounts counts three times."},
	{"Engagements", "Likes + reposts + replies + quotes, as each platform counts them. A count a platform does not give is left out (\"not given\"), never taken as 0."},
	{"Engagement rate by followers", "Engagements ÷ the account's followers when each post was published, summed over the posts that give both."},
	{"Engagement rate by impressions", "Engagements ÷ impressions, summed over the posts whose platform gives impressions."},
	{"Impressions", "Times the posts were seen, where the platform tells (X with the owner's access; Mastodon and Bluesky do not)."},
	{"Followers at publishing", "The account's followers read when the post's counts were first collected (10 minutes after publishing), else its last daily count before publishing."},
	{"Follower growth", "The account's followers at its last daily count in the period − at its last count before the period (or its first in it)."},
	{"Change", "(this period − the previous period of the same length) ÷ the previous period."},
}

// Thousands writes n with comma thousands separators (1,234,567), as the
// pages and reports show counts.
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Text writes the sum with thousands separators, or "not given" when no
// post gave the count: the words the pages and the PDF show.
func (c Sum) Text() string {
	if !c.Given() {
		return "not given"
	}
	return Thousands(c.Value)
}

// Percent writes the rate as a percentage with two decimals ("5.50 %"),
// or "no data" when no post gave a denominator.
func (r Rate) Percent() string {
	v, ok := r.Value()
	if !ok {
		return "no data"
	}
	return strconv.FormatFloat(v*100, 'f', 2, 64) + " %"
}

// One is a single post's count as a Sum; a count below 0 is not given.
func One(v int64) Sum {
	if v < 0 {
		return Sum{}
	}
	return Sum{Value: v, Posts: 1}
}
