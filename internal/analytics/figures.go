// Package analytics computes what the analytics pages, the API and the
// reports show: the figures of a workspace's published posts over a
// period, each with one definition (see Definitions), from the per-target
// rollup the store keeps current (herald.TargetStats) and the accounts'
// daily snapshots.
package analytics

import (
	"encoding/json"
	"fmt"
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
// replies and quotes its platform gives, plus people's clicks on its
// tracked links; ok is false when the platform gives none of the counts
// (or the post was not measured yet).
func Engagements(t herald.TargetStats) (n int64, ok bool) {
	for _, v := range []int64{t.Likes, t.Reposts, t.Replies, t.Quotes} {
		if v >= 0 {
			n += v
			ok = true
		}
	}
	if ok && t.Tracked {
		n += t.Clicks
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
	// Clicks and UniqueClicks are people's clicks on tracked links (bots
	// and link previews apart), over the posts whose links were tracked;
	// Conversions and Revenue (cents, in the workspace's currency) the
	// conversions attributed to those clicks.
	Clicks       Sum `json:"clicks"`
	UniqueClicks Sum `json:"unique_clicks"`
	Conversions  Sum `json:"conversions"`
	Revenue      Sum `json:"revenue_cents"`
	// CTR is clicks ÷ impressions over the tracked posts that give
	// impressions; CTRByFollowers clicks ÷ followers at publishing over the
	// tracked posts that do not give impressions. ConversionRate is
	// conversions ÷ clicks.
	CTR            Rate `json:"click_through_rate"`
	CTRByFollowers Rate `json:"click_rate_by_followers"`
	ConversionRate Rate `json:"conversion_rate"`
}

// Add counts one post.
func (f *Figures) Add(t herald.TargetStats) {
	f.Posts++
	if t.Tracked {
		f.Clicks.add(t.Clicks)
		f.UniqueClicks.add(t.UniqueClicks)
		f.Conversions.add(t.Conversions)
		f.Revenue.add(t.Revenue)
		f.ConversionRate.add(t.Conversions, t.Clicks)
		if t.Measured && t.Impressions >= 0 {
			f.CTR.add(t.Clicks, t.Impressions)
		} else {
			f.CTRByFollowers.add(t.Clicks, t.Followers)
		}
	}
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
	{"Engagements", "Likes + reposts + replies + quotes, as each platform counts them, + people's clicks on the post's tracked links. A count a platform does not give is left out (\"not given\"), never taken as 0."},
	{"Engagement rate by followers", "Engagements ÷ the account's followers when each post was published, summed over the posts that give both."},
	{"Engagement rate by impressions", "Engagements ÷ impressions, summed over the posts whose platform gives impressions."},
	{"Impressions", "Times the posts were seen, where the platform tells (X with the owner's access; Mastodon and Bluesky do not)."},
	{"Followers at publishing", "The account's followers read when the post's counts were first collected (10 minutes after publishing), else its last daily count before publishing."},
	{"Follower growth", "The account's followers at its last daily count in the period − at its last count before the period (or its first in it)."},
	{"Clicks", "People's clicks on the posts' tracked links (Herald's short links); bots, crawlers and link-preview fetchers (Mastodon servers fetch every link they see) are counted apart. Unique clicks count one visitor once per link and day (a salted daily hash of address and browser; no address is stored). Posts whose links were not tracked give no clicks (\"not given\")."},
	{"Click-through rate", "Clicks ÷ impressions over the tracked posts whose platform gives impressions; where it does not, clicks ÷ followers at publishing, labelled \"per follower\"."},
	{"Conversions", "Goals reported by your site for visitors who came through a tracked link (the click id Herald adds to the address, sent back signed to the API or by the pixel); an event id counts once. Conversion rate = conversions ÷ clicks."},
	{"Revenue", "The sum of the conversions' values in the workspace's currency; conversions in other currencies count as conversions, their values are not added."},
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

// Money writes an amount in hundredths (cents) as units with two
// decimals: 1999 is "19.99", -5 is "-0.05".
func Money(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%s.%02d", sign, Thousands(cents/100), cents%100)
}
