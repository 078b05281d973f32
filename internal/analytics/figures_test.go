package analytics

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestComputeHandFigures(t *testing.T) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Today is 2026-03-10 in New York: a 7-day period is Mar 4 – Mar 10,
	// the previous Feb 25 – Mar 3.
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, loc)
	p, err := Resolve(Query{Days: 7}, now, loc)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.From.Format(time.RFC3339); got != "2026-03-04T00:00:00-05:00" {
		t.Fatalf("from = %s", got)
	}
	if p.Days() != 7 {
		t.Fatalf("days = %d", p.Days())
	}
	ny := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, loc).UTC() }
	stats := []herald.TargetStats{
		// Mastodon: no quotes, no impressions; 200 followers.
		{TargetID: 1, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: ny(4, 9), Measured: true,
			Likes: 10, Reposts: 4, Replies: 6, Quotes: -1, Impressions: -1, Followers: 200},
		// X: everything, 1,000 impressions, followers not known.
		{TargetID: 2, AccountID: 11, Platform: herald.PlatformX, CampaignID: 7, LabelIDs: []int64{3, 4}, PublishedAt: ny(4, 23), Measured: true,
			Likes: 30, Reposts: 5, Replies: 3, Quotes: 2, Impressions: 1000, Followers: -1},
		// Published late on Mar 9 in New York (Mar 10 in UTC).
		{TargetID: 3, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: ny(9, 22), Measured: true,
			Likes: 0, Reposts: 0, Replies: 0, Quotes: -1, Impressions: -1, Followers: 0},
		// Not measured yet.
		{TargetID: 4, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: ny(10, 8),
			Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, Followers: 210},
		// The previous period.
		{TargetID: 5, AccountID: 10, Platform: herald.PlatformMastodon, PublishedAt: ny(2, 12), Measured: true,
			Likes: 5, Reposts: 0, Replies: 0, Quotes: -1, Impressions: -1, Followers: 100},
	}
	o := Compute(stats, p, loc, ByFollowers)
	c := o.Current
	if c.Posts != 4 || c.Measured != 3 {
		t.Fatalf("posts %d measured %d, want 4 and 3", c.Posts, c.Measured)
	}
	// Engagements: 20 + 40 + 0 = 60 over 3 posts; quotes given by X only.
	want := map[string]Sum{"engagements": {60, 3}, "likes": {40, 3}, "quotes": {2, 1}, "impressions": {1000, 1},
		"followers": {410, 3}}
	got := map[string]Sum{"engagements": c.Engagements, "likes": c.Likes, "quotes": c.Quotes,
		"impressions": c.Impressions, "followers": c.Followers}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %+v, want %+v", k, got[k], w)
		}
	}
	// By followers: only post 1 gives both engagements and followers above
	// 0 (post 3 has 0 followers, post 2 none known): 20 / 200.
	if r := c.RateByFollowers; r != (Rate{20, 200, 1}) {
		t.Errorf("rate by followers = %+v, want 20/200 over 1 post", r)
	}
	if v, ok := c.RateByFollowers.Value(); !ok || v != 0.1 {
		t.Errorf("rate by followers value = %v %v", v, ok)
	}
	// By impressions: post 2 only: 40 / 1000.
	if r := c.RateByImpressions; r != (Rate{40, 1000, 1}) {
		t.Errorf("rate by impressions = %+v", r)
	}
	if o.Prior.Posts != 1 || o.Prior.Engagements != (Sum{5, 1}) {
		t.Errorf("prior = %+v", o.Prior)
	}
	// Days in New York: Mar 4 has posts 1 and 2 (post 2 at 23:00), Mar 9
	// post 3, Mar 10 post 4.
	if len(o.Days) != 7 || o.Days[0].Date != "2026-03-04" || o.Days[0].Posts != 2 || o.Days[5].Posts != 1 ||
		o.Days[6].Posts != 1 || o.Days[1].Posts != 0 {
		t.Errorf("days = %+v", o.Days)
	}
	if len(o.ByAccount) != 2 || o.ByAccount[0].Key != "11" || o.ByAccount[0].Engagements.Value != 40 ||
		o.ByAccount[1].Posts != 3 {
		t.Errorf("by account = %+v", o.ByAccount)
	}
	if len(o.ByCampaign) != 2 || o.ByCampaign[0].Key != "7" {
		t.Errorf("by campaign = %+v", o.ByCampaign)
	}
	// Labels: post 2 under both 3 and 4 (40 engagements each), the rest
	// under "no label".
	if len(o.ByLabel) != 3 || o.ByLabel[0].Key != "3" || o.ByLabel[1].Key != "4" || o.ByLabel[0].Engagements.Value != 40 ||
		o.ByLabel[2].Key != "0" || o.ByLabel[2].Posts != 3 {
		t.Errorf("by label = %+v", o.ByLabel)
	}
	if len(o.Top) != 3 || o.Top[0].TargetID != 2 || o.Top[1].TargetID != 1 || o.Top[2].TargetID != 3 {
		t.Errorf("top = %+v", o.Top)
	}
	if len(o.Bottom) != 0 {
		t.Errorf("bottom with only 3 ranked posts = %+v", o.Bottom)
	}
	// Nothing measured: not given, and a rate of none.
	empty := Compute(nil, p, loc, ByFollowers)
	if empty.Current.Engagements.Given() {
		t.Error("engagements of no posts are given")
	}
	if _, ok := empty.Current.RateByFollowers.Value(); ok {
		t.Error("a rate over no posts has a value")
	}
	b, err := json.Marshal(empty.Current.RateByFollowers)
	if err != nil || string(b) != `{"numerator":0,"denominator":0,"posts":0,"value":null}` {
		t.Errorf("json of an empty rate = %s %v", b, err)
	}
}

func TestResolvePeriods(t *testing.T) {
	loc := time.UTC
	now := time.Date(2026, 3, 10, 15, 0, 0, 0, loc)
	for _, tc := range []struct {
		q       Query
		from    string
		days    int
		problem string
	}{
		{q: Query{}, from: "2026-02-11", days: 28},
		{q: Query{Days: 90}, from: "2025-12-11", days: 90},
		{q: Query{From: "2026-01-01", To: "2026-01-31"}, from: "2026-01-01", days: 31},
		{q: Query{From: "2026-01-31", To: "2026-01-01"}, problem: "to"},
		{q: Query{From: "31/01/2026", To: "2026-02-01"}, problem: "from"},
		{q: Query{From: "2024-01-01", To: "2026-01-01"}, problem: "from"},
		{q: Query{Days: 400}, problem: "days"},
	} {
		p, err := Resolve(tc.q, now, loc)
		if tc.problem != "" {
			var he *herald.Error
			if !errorsAs(err, &he) || len(he.Details) == 0 || he.Details[0].Field != tc.problem {
				t.Errorf("%+v: got %v, want a problem with %s", tc.q, err, tc.problem)
			}
			continue
		}
		if err != nil || p.From.Format(time.DateOnly) != tc.from || p.Days() != tc.days {
			t.Errorf("%+v: got %v (%d days) %v, want from %s, %d days", tc.q, p.From, p.Days(), err, tc.from, tc.days)
		}
	}
}

func TestGrowth(t *testing.T) {
	p := Period{From: time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)}
	snap := func(account int64, day int, followers int64) herald.AccountSnapshot {
		return herald.AccountSnapshot{AccountID: account, At: time.Date(2026, 3, day, 6, 0, 0, 0, time.UTC), Followers: followers}
	}
	accounts := []herald.Account{{ID: 1, Handle: "@a"}, {ID: 2, Handle: "@b"}, {ID: 3, Handle: "@c"}}
	g := growth([]herald.AccountSnapshot{
		snap(1, 1, 90), snap(1, 3, 100), snap(1, 5, 104), snap(1, 9, 120), // started at 100 before the period
		snap(2, 6, 50), // one count only: growth not known
	}, p, accounts)
	if len(g) != 2 {
		t.Fatalf("growth = %+v, want accounts 1 and 2", g)
	}
	if a := g[0]; a.Start != 100 || a.End != 120 || a.Change != 20 || !a.Known || len(a.Daily) != 2 {
		t.Errorf("account 1 = %+v", a)
	}
	if b := g[1]; b.Known || b.Start != 50 || b.End != 50 {
		t.Errorf("account 2 = %+v", b)
	}
}

func errorsAs(err error, target **herald.Error) bool {
	return errors.As(err, target)
}
