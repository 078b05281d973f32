package listen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
	"github.com/heraldsocial/herald/internal/listen/trend"
	"github.com/heraldsocial/herald/internal/teststore"
)

// countingStore counts the reads of matches (the texts the terms are
// computed from); with hide set it keeps no computed terms, so every page
// computes them itself.
type countingStore struct {
	herald.Store
	lists atomic.Int64
	hide  bool
}

func (c *countingStore) ListListenMatches(ctx context.Context, f herald.ListenFilter) ([]herald.ListenMatch, string, error) {
	c.lists.Add(1)
	return c.Store.ListListenMatches(ctx, f)
}

func (c *countingStore) ListenTerms(ctx context.Context, workspaceID, topicID int64) (herald.ListenTerms, error) {
	if c.hide {
		return herald.ListenTerms{}, herald.NotFound("listening terms")
	}
	return c.Store.ListenTerms(ctx, workspaceID, topicID)
}

func (c *countingStore) PutListenTerms(ctx context.Context, t herald.ListenTerms) error {
	if c.hide {
		return nil
	}
	return c.Store.PutListenTerms(ctx, t)
}

// termsFixture stores 2,100 matches of a topic, one every 2 minutes up to
// a minute ago (the oldest 100 say "vintage", beyond the latest TermsScan),
// with an outage in the last hours and a dozen authors.
func termsFixture(t *testing.T, w *world) herald.ListenTopic {
	t.Helper()
	ctx := context.Background()
	brand := w.topic(t, w.a, "Brand", herald.TopicRule{Any: []string{"acme"}})
	texts := []string{"acme battery drains fast", "acme launch event was great", "anyone tried the acme grinder",
		"acme support kept me waiting"}
	now := w.clock.Now()
	var ms []herald.ListenMatch
	for i := range 2100 {
		text := texts[i%len(texts)]
		switch {
		case i >= 2000:
			text = "acme vintage grinder " + text
		case i < 60 && i%2 == 0:
			text = "acme outage again, support down"
		}
		sentiment := []string{"positive", "neutral", "negative"}[i%3]
		ms = append(ms, herald.ListenMatch{WorkspaceID: w.a.WorkspaceID, Platform: herald.PlatformBluesky,
			RemoteID: fmt.Sprint("at://r/", i), AuthorID: fmt.Sprint("did:plc:", i%13), AuthorFollowers: -1, Text: text,
			Language: "en", Sentiment: sentiment, PostedAt: now.Add(-time.Minute - time.Duration(i)*2*time.Minute),
			Topics: []herald.TopicHit{{TopicID: brand.ID, Terms: []string{"acme"}}}})
	}
	for start := 0; start < len(ms); start += 500 {
		if _, err := w.st.AddListenMatches(ctx, ms[start:min(start+500, len(ms))]); err != nil {
			t.Fatal(err)
		}
	}
	return brand
}

func periods(now time.Time) map[string]listen.Period {
	out := map[string]listen.Period{}
	for _, days := range listen.AuthorDays {
		out[fmt.Sprint(days, "d")] = listen.Period{From: herald.ListenHour(now.Add(-time.Duration(days) * 24 * time.Hour)), To: now}
	}
	return out
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTermsBackgroundEqualsOnDemand: what the background computation
// stores gives the pages the same terms, authors and rising terms as
// computing them for the page, for the topic and for every topic; and the
// same co-occurring terms and authors as counting them over the period
// itself.
func TestTermsBackgroundEqualsOnDemand(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		brand := termsFixture(t, w)
		now := w.clock.Now()
		onDemand := listen.New(&countingStore{Store: st, hide: true}, w.clock, nil, nil)
		if err := w.svc.RefreshTerms(ctx); err != nil {
			t.Fatal(err)
		}
		counted := &countingStore{Store: st}
		background := listen.New(counted, w.clock, nil, nil)
		for _, topicID := range []int64{brand.ID, 0} {
			for name, p := range periods(now) {
				want, err := onDemand.Overview(ctx, w.a, topicID, p)
				if err != nil {
					t.Fatal(err)
				}
				got, err := background.Overview(ctx, w.a, topicID, p)
				if err != nil {
					t.Fatal(err)
				}
				if asJSON(t, got) != asJSON(t, want) {
					t.Fatalf("topic %d %s: background %s\non demand %s", topicID, name, asJSON(t, got), asJSON(t, want))
				}
				if len(got.Terms) == 0 || len(got.Authors) != listen.TopAuthors || !got.ComputedAt.Equal(now) {
					t.Fatalf("topic %d %s: %d terms, %d authors, as of %v", topicID, name, len(got.Terms), len(got.Authors), got.ComputedAt)
				}
				// Counted over the period itself (a period ending a
				// microsecond earlier holds the same matches, and is
				// never read from what was stored).
				live, err := background.Overview(ctx, w.a, topicID, listen.Period{From: p.From, To: now.Add(-time.Microsecond)})
				if err != nil {
					t.Fatal(err)
				}
				if !live.ComputedAt.IsZero() || asJSON(t, live.Terms) != asJSON(t, got.Terms) || live.Scanned != got.Scanned ||
					asJSON(t, live.Authors) != asJSON(t, got.Authors) {
					t.Fatalf("topic %d %s: stored %+v %+v (%d)\nover the period %+v %+v (%d)", topicID, name,
						got.Terms, got.Authors, got.Scanned, live.Terms, live.Authors, live.Scanned)
				}
				if name != "1d" && (got.Scanned != listen.TermsScan || slices.ContainsFunc(got.Terms, func(c listen.TermCount) bool {
					return c.Term == "vintage"
				})) {
					t.Fatalf("topic %d %s: %d scanned, terms %+v: not the latest %d", topicID, name, got.Scanned, got.Terms, listen.TermsScan)
				}
			}
			want, err := onDemand.Rising(ctx, w.a, topicID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := background.Rising(ctx, w.a, topicID)
			if err != nil {
				t.Fatal(err)
			}
			if asJSON(t, got) != asJSON(t, want) {
				t.Fatalf("topic %d rising: background %s\non demand %s", topicID, asJSON(t, got), asJSON(t, want))
			}
			if !slices.ContainsFunc(got.Terms, func(r trend.Rising) bool { return r.Term == "outage" }) || !got.To.Equal(now) {
				t.Fatalf("topic %d rising %+v as of %v", topicID, got.Terms, got.To)
			}
		}
	})
}

// TestPageReadsNoMatchTexts: once computed, a topic's overview and rising
// terms read no matches; the background computes again only topics with
// new matches (or changed, or stale), and a changed topic's page never
// shows terms computed under its old rules.
func TestPageReadsNoMatchTexts(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newWorld(t, st)
		counted := &countingStore{Store: st}
		w.svc = listen.New(counted, w.clock, nil, nil)
		brand := termsFixture(t, w)
		page := func() (listen.Overview, listen.RisingResult) {
			t.Helper()
			o, err := w.svc.Overview(ctx, w.a, brand.ID, periods(w.clock.Now())["7d"])
			if err != nil {
				t.Fatal(err)
			}
			r, err := w.svc.Rising(ctx, w.a, brand.ID)
			if err != nil {
				t.Fatal(err)
			}
			return o, r
		}
		// The first view computes (and stores) them.
		page()
		if counted.lists.Load() == 0 {
			t.Fatal("the first view read no matches")
		}
		counted.lists.Store(0)
		o, r := page()
		if n := counted.lists.Load(); n != 0 || o.ComputedAt.IsZero() {
			t.Fatalf("a page read matches %d times once computed (as of %v)", n, o.ComputedAt)
		}
		// Nothing new: the background computes every topic's (never
		// computed) and leaves the topic's alone, then both.
		computedAt := o.ComputedAt
		for range 2 {
			w.clock.add(5 * time.Minute)
			counted.lists.Store(0)
			if err := w.svc.RefreshTerms(ctx); err != nil {
				t.Fatal(err)
			}
			row, err := st.ListenTerms(ctx, w.a.WorkspaceID, brand.ID)
			if err != nil || !row.ComputedAt.Equal(computedAt) {
				t.Fatalf("the topic's terms were computed again with nothing new: %v, as of %v", err, row.ComputedAt)
			}
		}
		if n := counted.lists.Load(); n != 0 {
			t.Fatalf("the background read matches %d times with nothing new", n)
		}
		// A new match: the background computes again, the page shows it.
		_, err := st.AddListenMatches(ctx, []herald.ListenMatch{{WorkspaceID: w.a.WorkspaceID, Platform: herald.PlatformBluesky,
			RemoteID: "at://r/new", AuthorID: "did:plc:new", AuthorFollowers: -1, Text: "acme zeppelin", Language: "en",
			Sentiment: "neutral", PostedAt: w.clock.Now().Add(-time.Second), Topics: []herald.TopicHit{{TopicID: brand.ID}}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.svc.RefreshTerms(ctx); err != nil {
			t.Fatal(err)
		}
		if counted.lists.Load() == 0 {
			t.Fatal("the background did not compute again after a new match")
		}
		counted.lists.Store(0)
		o2, r2 := page()
		if n := counted.lists.Load(); n != 0 || !o2.ComputedAt.Equal(w.clock.Now()) || !r2.To.Equal(w.clock.Now()) ||
			!r2.To.After(r.To) || o2.Scanned != o.Scanned {
			t.Fatalf("after the refresh: %d reads, as of %v / %v (was %v)", n, o2.ComputedAt, r2.To, r.To)
		}
		// Stale: computed again although nothing is new.
		w.clock.add(listen.TermsStale + time.Minute)
		if err := w.svc.RefreshTerms(ctx); err != nil {
			t.Fatal(err)
		}
		if counted.lists.Load() == 0 {
			t.Fatal("stale terms were not computed again")
		}
		// New rules: the page computes them again at once, without the
		// topic's new own term.
		brand.Rules.Any = append(brand.Rules.Any, "outage")
		w.clock.add(time.Second)
		if _, err := w.svc.Update(ctx, w.a, brand.ID, brand); err != nil {
			t.Fatal(err)
		}
		_, r3 := page()
		if slices.ContainsFunc(r3.Terms, func(x trend.Rising) bool { return x.Term == "outage" }) || !r3.To.Equal(w.clock.Now()) {
			t.Fatalf("rising after the rules changed: %+v as of %v", r3.Terms, r3.To)
		}
	})
}
