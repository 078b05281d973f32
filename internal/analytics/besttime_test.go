package analytics

import (
	"math"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// ratePost is a measured post that gives likes only: eng engagements, den
// followers and no impressions.
func ratePost(at time.Time, eng, den int64) herald.TargetStats {
	return herald.TargetStats{PublishedAt: at.UTC(), Measured: true, Likes: eng, Reposts: -1, Replies: -1,
		Quotes: -1, Impressions: -1, Followers: den}
}

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestComputeBestTimesRatesAndMedians(t *testing.T) {
	utc := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, time.UTC) }
	// 2026-03-02 is a Monday.
	stats := []herald.TargetStats{
		// Monday 09: three rates, 0.05, 0.3 and 0.1 (odd count: median 0.1).
		ratePost(utc(2, 9, 0), 10, 200),
		ratePost(utc(9, 9, 59), 30, 100),
		ratePost(utc(16, 9, 15), 20, 200),
		// Left out, also on Monday 09: no engagement count given, not
		// measured, 0 followers, followers unknown.
		{PublishedAt: utc(2, 9, 10), Measured: true, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, Followers: 100},
		{PublishedAt: utc(2, 9, 20), Likes: 500, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, Followers: 100},
		ratePost(utc(9, 9, 30), 5, 0),
		ratePost(utc(16, 9, 30), 5, -1),
		// Tuesday 14: 0.01, 0.04, 0.02 and 0.08 (even count: median
		// (0.02 + 0.04) / 2 = 0.03). The last one's 8 engagements are 5
		// likes + 3 replies, its reposts and quotes not given.
		ratePost(utc(3, 14, 0), 1, 100),
		ratePost(utc(10, 14, 5), 4, 100),
		ratePost(utc(17, 14, 10), 2, 100),
		{PublishedAt: utc(24, 14, 15), Measured: true, Likes: 5, Reposts: -1, Replies: 3, Quotes: -1, Impressions: -1, Followers: 100},
		// Wednesday 10: impressions only: 10, 50 and 20 of 1,000.
		{PublishedAt: utc(4, 10, 0), Measured: true, Likes: 10, Reposts: -1, Replies: -1, Quotes: -1, Impressions: 1000, Followers: -1},
		{PublishedAt: utc(11, 10, 0), Measured: true, Likes: 50, Reposts: -1, Replies: -1, Quotes: -1, Impressions: 1000, Followers: -1},
		{PublishedAt: utc(18, 10, 0), Measured: true, Likes: 20, Reposts: -1, Replies: -1, Quotes: -1, Impressions: 1000, Followers: -1},
		// Impressions of 0: left out by impressions.
		{PublishedAt: utc(25, 10, 0), Measured: true, Likes: 20, Reposts: -1, Replies: -1, Quotes: -1, Impressions: 0, Followers: -1},
		// Thursday 20: two posts, not enough; Saturday 03: one.
		ratePost(utc(5, 20, 0), 50, 100),
		ratePost(utc(12, 20, 0), 90, 100),
		ratePost(utc(7, 3, 0), 99, 100),
	}

	b := ComputeBestTimes(stats, time.UTC, ByFollowers)
	if b.Rate != ByFollowers || b.Zone != "UTC" || b.Posts != 10 {
		t.Fatalf("rate %q zone %q posts %d, want followers, UTC, 10", b.Rate, b.Zone, b.Posts)
	}
	mon := b.Cells[time.Monday][9]
	if mon.Weekday != time.Monday || mon.Hour != 9 || mon.Posts != 3 || !mon.Enough ||
		!near(mon.Median, 0.1) || mon.Low != 0.05 || mon.High != 0.3 {
		t.Errorf("monday 09 = %+v, want 3 posts, median 0.1, band 0.05..0.3", mon)
	}
	tue := b.Cells[time.Tuesday][14]
	if tue.Posts != 4 || !tue.Enough || !near(tue.Median, 0.03) || tue.Low != 0.01 || tue.High != 0.08 {
		t.Errorf("tuesday 14 = %+v, want 4 posts, median 0.03, band 0.01..0.08", tue)
	}
	if wed := b.Cells[time.Wednesday][10]; wed.Posts != 0 || wed.Enough {
		t.Errorf("wednesday 10 by followers = %+v, want no posts (followers unknown)", wed)
	}
	thu := b.Cells[time.Thursday][20]
	if thu.Posts != 2 || thu.Enough || thu.Median != 0 || thu.Low != 0 || thu.High != 0 {
		t.Errorf("thursday 20 = %+v, want 2 posts, not enough data and no median", thu)
	}
	if sat := b.Cells[time.Saturday][3]; sat.Posts != 1 || sat.Enough {
		t.Errorf("saturday 03 = %+v, want 1 post, not enough data", sat)
	}
	for wd := range b.Cells {
		for h, c := range b.Cells[wd] {
			if c.Weekday != time.Weekday(wd) || c.Hour != h {
				t.Fatalf("cell [%d][%d] says %v %d", wd, h, c.Weekday, c.Hour)
			}
		}
	}
	best := b.Best(10)
	if len(best) != 2 || best[0].Weekday != time.Monday || best[1].Weekday != time.Tuesday {
		t.Errorf("best = %+v, want monday 09 then tuesday 14 (thursday has too few posts)", best)
	}

	bi := ComputeBestTimes(stats, time.UTC, ByImpressions)
	if bi.Rate != ByImpressions || bi.Posts != 3 {
		t.Fatalf("by impressions: rate %q posts %d, want 3 posts", bi.Rate, bi.Posts)
	}
	if wed := bi.Cells[time.Wednesday][10]; wed.Posts != 3 || !near(wed.Median, 0.02) || wed.Low != 0.01 || wed.High != 0.05 {
		t.Errorf("wednesday 10 by impressions = %+v, want median 0.02, band 0.01..0.05", wed)
	}
	if mon := bi.Cells[time.Monday][9]; mon.Posts != 0 {
		t.Errorf("monday 09 by impressions = %+v, want no posts (no impressions)", mon)
	}

	// No zone is UTC; an unknown denominator is by followers.
	if d := ComputeBestTimes(stats, nil, ""); d.Zone != "UTC" || d.Rate != ByFollowers || d.Posts != 10 {
		t.Errorf("defaults: zone %q rate %q posts %d", d.Zone, d.Rate, d.Posts)
	}
}

func TestComputeBestTimesDST(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	// New York moves from EST (UTC−5) to EDT (UTC−4) at 02:00 on Sunday
	// 2026-03-08: 02:00–02:59 does not exist that day.
	stats := []herald.TargetStats{
		ratePost(time.Date(2026, 3, 6, 14, 0, 0, 0, time.UTC), 1, 10),  // Fri 09:00 EST
		ratePost(time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC), 1, 10),  // Mon 09:00 EDT (08 at a fixed −5)
		ratePost(time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC), 1, 10),  // Sun 01:30 EST
		ratePost(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC), 1, 10),   // Sun 03:00 EDT
		ratePost(time.Date(2026, 3, 10, 3, 30, 0, 0, time.UTC), 1, 10), // Mon 23:30 EDT (Tuesday in UTC)
	}
	b := ComputeBestTimes(stats, ny, ByFollowers)
	if b.Zone != "America/New_York" || b.Posts != 5 {
		t.Fatalf("zone %q posts %d", b.Zone, b.Posts)
	}
	want := map[[2]int]bool{
		{int(time.Friday), 9}: true, {int(time.Monday), 9}: true, {int(time.Sunday), 1}: true,
		{int(time.Sunday), 3}: true, {int(time.Monday), 23}: true,
	}
	for wd := range b.Cells {
		for h, c := range b.Cells[wd] {
			if n := map[bool]int{true: 1}[want[[2]int{wd, h}]]; c.Posts != n {
				t.Errorf("%v %02d has %d posts, want %d", time.Weekday(wd), h, c.Posts, n)
			}
		}
	}
}

func TestBandOrderStatistics(t *testing.T) {
	// Rates 0.01 … 0.20, shuffled. For n = 20, P(B ≤ 5) = 21,700 / 2^20
	// ≈ 0.0207 ≤ 0.05 but P(B ≤ 6) = 60,460 / 2^20 ≈ 0.0577: k = 6, the
	// band is x(6) = 0.06 to x(15) = 0.15, covering 1 − 2·0.0207 ≈ 95.9 %.
	var stats []herald.TargetStats
	for _, e := range []int64{13, 2, 20, 7, 1, 16, 9, 11, 4, 18, 6, 15, 3, 10, 19, 8, 14, 5, 12, 17} {
		stats = append(stats, ratePost(time.Date(2026, 1, 5+7*int(e%9), 18, int(e), 0, 0, time.UTC), e, 100))
	}
	c := ComputeBestTimes(stats, time.UTC, ByFollowers).Cells[time.Monday][18]
	if c.Posts != 20 || !near(c.Median, 0.105) || c.Low != 0.06 || c.High != 0.15 {
		t.Errorf("n=20: %+v, want median 0.105, band 0.06..0.15", c)
	}
	// n = 3: 1 − 2·(1/8) = 75 % < 90 %, so the band is the min and max.
	three := ComputeBestTimes(stats[:3], time.UTC, ByFollowers).Cells[time.Monday][18]
	if three.Posts != 3 || three.Median != 0.13 || three.Low != 0.02 || three.High != 0.20 {
		t.Errorf("n=3: %+v, want median 0.13, band 0.02..0.20", three)
	}

	// By hand: n = 7: P(B ≤ 1) = 8/128 > 0.05, so k = 1; n = 8: P(B ≤ 1)
	// = 9/256 ≈ 0.035, k = 2.
	for n, k := range map[int]int{1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 2, 20: 6} {
		if got := bandRank(n); got != k {
			t.Errorf("bandRank(%d) = %d, want %d", n, got, k)
		}
	}
	// Against exact integer arithmetic: the largest k with
	// 20·Σ_{j<k} C(n, j) ≤ 2^n, else 1.
	for n := 1; n <= 400; n++ {
		pow := new(big.Int).Lsh(big.NewInt(1), uint(n))
		sum, c, want := new(big.Int), big.NewInt(1), 1
		for j := 0; j < n; j++ {
			sum.Add(sum, c)
			if new(big.Int).Mul(sum, big.NewInt(20)).Cmp(pow) > 0 {
				break
			}
			want = j + 1
			c.Mul(c, big.NewInt(int64(n-j)))
			c.Quo(c, big.NewInt(int64(j+1)))
		}
		if got := bandRank(n); got != want {
			t.Fatalf("bandRank(%d) = %d, exact %d", n, got, want)
		}
	}
}

// gridWith is a grid whose cells (weekday, hour) have the posts and
// medians given.
func gridWith(cells ...Cell) BestTimes {
	var b BestTimes
	for wd := range b.Cells {
		for h := range b.Cells[wd] {
			b.Cells[wd][h] = Cell{Weekday: time.Weekday(wd), Hour: h}
		}
	}
	for _, c := range cells {
		c.Enough = c.Posts >= MinPostsPerCell
		c.Low, c.High = c.Median, c.Median
		b.Cells[c.Weekday][c.Hour] = c
	}
	return b
}

func TestBestOrder(t *testing.T) {
	b := gridWith(
		Cell{Weekday: time.Sunday, Hour: 8, Posts: 3, Median: 0.2},
		Cell{Weekday: time.Tuesday, Hour: 10, Posts: 3, Median: 0.2},
		Cell{Weekday: time.Monday, Hour: 15, Posts: 3, Median: 0.2},
		Cell{Weekday: time.Saturday, Hour: 6, Posts: 2, Median: 0.9}, // not enough data
		Cell{Weekday: time.Wednesday, Hour: 9, Posts: 4, Median: 0.2},
		Cell{Weekday: time.Monday, Hour: 11, Posts: 3, Median: 0.2},
		Cell{Weekday: time.Friday, Hour: 12, Posts: 5, Median: 0.3},
		Cell{Weekday: time.Thursday, Hour: 7, Posts: 9, Median: 0.1},
	)
	type slot struct {
		wd time.Weekday
		h  int
	}
	var got []slot
	for _, c := range b.Best(100) {
		got = append(got, slot{c.Weekday, c.Hour})
	}
	// Highest median; then more posts (Wednesday's 4); then from Monday,
	// Sunday last; then the earlier hour.
	want := []slot{{time.Friday, 12}, {time.Wednesday, 9}, {time.Monday, 11}, {time.Monday, 15},
		{time.Tuesday, 10}, {time.Sunday, 8}, {time.Thursday, 7}}
	if !slices.Equal(got, want) {
		t.Errorf("best = %v, want %v", got, want)
	}
	if top := b.Best(3); len(top) != 3 || top[2].Weekday != time.Monday || top[2].Hour != 11 {
		t.Errorf("best 3 = %+v", top)
	}
	if n := len(b.Best(0)) + len(b.Best(-1)); n != 0 {
		t.Errorf("best of none returned %d cells", n)
	}
}
