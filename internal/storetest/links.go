package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// wantInvalid fails unless err carries CodeInvalid.
func wantInvalid(t *testing.T, err error, what string) {
	t.Helper()
	if got := herald.ErrorCode(err); got != herald.CodeInvalid {
		t.Fatalf("%s: got error %v (code %q), want code %s", what, err, got, herald.CodeInvalid)
	}
}

// mustLinks stores links and fails on an error.
func mustLinks(t *testing.T, s herald.Tx, links ...herald.Link) []herald.Link {
	t.Helper()
	got, err := s.PutLinks(t.Context(), links)
	noErr(t, err, "PutLinks")
	if len(got) != len(links) {
		t.Fatalf("PutLinks returned %d links for %d", len(got), len(links))
	}
	for i, l := range got {
		if l.ID == 0 {
			t.Fatalf("PutLinks did not set link %d's ID", i)
		}
	}
	return got
}

// targetLink is the link of tg to url with code.
func targetLink(w world, tg herald.Target, code, url string) herald.Link {
	return herald.Link{WorkspaceID: w.ws.ID, Code: code, URL: url, Destination: url + "?utm_source=mastodon",
		TargetID: tg.ID, PostID: tg.PostID, CreatedAt: at(0)}
}

// builderLink is a link made in the UTM builder by the world's owner.
func builderLink(w world, code, url string, created time.Time) herald.Link {
	return herald.Link{WorkspaceID: w.ws.ID, Code: code, URL: url, Destination: url + "?utm_source=newsletter",
		CreatedBy: w.owner.ID, CreatedAt: created}
}

// click is a click of l.
func click(l herald.Link, id string, kind herald.ClickKind, visitor string, when time.Time) herald.Click {
	return herald.Click{ID: id, LinkID: l.ID, WorkspaceID: l.WorkspaceID, TargetID: l.TargetID, At: when, Kind: kind,
		Visitor: visitor}
}

// linkCounts returns the counts of the workspace's link id, from ListLinks.
func linkCounts(t *testing.T, s herald.Store, workspaceID, id int64) herald.LinkCounts {
	t.Helper()
	list, err := s.ListLinks(t.Context(), workspaceID, time.Time{}, time.Time{}, 0)
	noErr(t, err, "ListLinks")
	for _, l := range list {
		if l.ID == id {
			return l.LinkCounts
		}
	}
	t.Fatalf("ListLinks of workspace %d has no link %d", workspaceID, id)
	return herald.LinkCounts{}
}

// targetStats returns the target's stats, from ListTargetStats.
func targetStats(t *testing.T, s herald.Store, workspaceID, targetID int64) herald.TargetStats {
	t.Helper()
	list, err := s.ListTargetStats(t.Context(), workspaceID, at(-100*24*time.Hour), at(100*24*time.Hour))
	noErr(t, err, "ListTargetStats")
	for _, ts := range list {
		if ts.TargetID == targetID {
			return ts
		}
	}
	t.Fatalf("ListTargetStats of workspace %d has no target %d", workspaceID, targetID)
	return herald.TargetStats{}
}

func linkIDs(list []herald.LinkStats) []int64 {
	ids := make([]int64, len(list))
	for i, l := range list {
		ids[i] = l.ID
	}
	return ids
}

func linkTests() []test {
	return []test{
		{"PutLinks", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			tg := mustPublished(t, s, w, w.account, "a", at(0))
			if targetStats(t, s, w.ws.ID, tg.ID).Tracked {
				t.Fatal("a target without links is tracked")
			}
			first := mustLinks(t, s, targetLink(w, tg, "aaaa", "https://example.com/a"),
				targetLink(w, tg, "bbbb", "https://example.com/b"))
			want := targetLink(w, tg, "aaaa", "https://example.com/a")
			want.ID = first[0].ID
			same(t, "the stored link", first[0], want)
			wantUTC(t, "created at", first[0].CreatedAt)
			if first[0].ID == first[1].ID {
				t.Fatal("two addresses of one target share a link")
			}
			if !targetStats(t, s, w.ws.ID, tg.ID).Tracked {
				t.Fatal("a target with a link is not tracked")
			}
			// Publishing again: the same links, codes and destinations kept.
			again := targetLink(w, tg, "cccc", "https://example.com/a")
			again.Destination = "https://example.com/a?utm_source=other"
			got := mustLinks(t, s, targetLink(w, tg, "dddd", "https://example.com/b"), again)
			same(t, "links of a target published again", got, []herald.Link{first[1], first[0]})
			wantNotFound(t, func() error { _, err := s.LinkByCode(ctx, "cccc"); return err }(), "the unused code")

			camp := mustCampaign(t, s, w.ws.ID, "Spring")
			b := builderLink(w, "eeee", "https://example.com/a", at(time.Hour))
			b.CampaignID = camp.ID
			built := mustLinks(t, s, b, builderLink(w, "ffff", "https://example.com/a", at(time.Hour)))
			if built[0].ID == built[1].ID || built[0].ID == first[0].ID {
				t.Fatalf("builder links for one address share an id: %+v", built)
			}
			b.ID = built[0].ID
			same(t, "builder link", built[0], b)

			// A code taken (by a link of any workspace) is a conflict, and
			// nothing of the batch is kept.
			other := mustWorld(t, s)
			_, err := s.PutLinks(ctx, []herald.Link{builderLink(other, "gggg", "https://x.example", at(0)),
				builderLink(other, "aaaa", "https://y.example", at(0))})
			wantConflict(t, err, "a taken code")
			_, err = s.LinkByCode(ctx, "gggg")
			wantNotFound(t, err, "a link of a failed batch")
			// Another workspace's target or campaign.
			_, err = s.PutLinks(ctx, []herald.Link{targetLink(other, tg, "hhhh", "https://z.example")})
			wantConflict(t, err, "a link of another workspace's target")
			ob := builderLink(other, "iiii", "https://z.example", at(0))
			ob.CampaignID = camp.ID
			_, err = s.PutLinks(ctx, []herald.Link{ob})
			wantConflict(t, err, "a link of another workspace's campaign")
			_, err = s.PutLinks(ctx, []herald.Link{builderLink(w, "", "https://z.example", at(0))})
			wantInvalid(t, err, "a link without a code")
			_, err = s.PutLinks(ctx, []herald.Link{builderLink(w, "jj\x00jj", "https://z.example", at(0))})
			wantInvalid(t, err, "a code with NUL")

			// LinkByCode finds a link of any workspace.
			ol := mustLinks(t, s, builderLink(other, "kkkk", "https://other.example", at(0)))[0]
			for _, l := range []herald.Link{first[0], built[0], ol} {
				got, err := s.LinkByCode(ctx, l.Code)
				noErr(t, err, "LinkByCode")
				same(t, "link by code", got, l)
			}
			_, err = s.LinkByCode(ctx, "AAAA")
			wantNotFound(t, err, "LinkByCode of an unknown code (codes are case-sensitive)")

			tl, err := s.TargetLinks(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "TargetLinks")
			// Each names its post.
			post, err := s.GetPost(ctx, w.ws.ID, tg.PostID)
			noErr(t, err, "GetPost")
			name := herald.ShortTitle(post.Title, post.Text)
			if name == "" {
				t.Fatal("the post has no name to show")
			}
			same(t, "target links", tl, []herald.LinkStats{{Link: first[0], PostTitle: name}, {Link: first[1], PostTitle: name}})
			tl, err = s.TargetLinks(ctx, other.ws.ID, tg.ID)
			noErr(t, err, "TargetLinks of another workspace")
			if len(tl) != 0 {
				t.Fatalf("another workspace sees the target's links: %+v", tl)
			}
		}},
		{"ListLinks", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			day := 24 * time.Hour
			a := mustPublished(t, s, w, w.account, "a", at(0))
			b := mustPublished(t, s, w, w.account, "b", at(2*time.Hour))
			// A target's link counts by its target's publishing time, not
			// its own; a builder link by its making.
			la := targetLink(w, a, "la", "https://example.com/a")
			la.CreatedAt = at(5 * day)
			links := mustLinks(t, s, la, targetLink(w, b, "lb", "https://example.com/b"),
				builderLink(w, "early", "https://example.com/x", at(time.Hour)),
				builderLink(w, "late", "https://example.com/x", at(5*day)))
			ids := func(list []herald.LinkStats, err error) []int64 {
				t.Helper()
				noErr(t, err, "ListLinks")
				return linkIDs(list)
			}
			wantIDs(t, "links of the first day, newest first",
				ids(s.ListLinks(ctx, w.ws.ID, at(0), at(day), 0)), []int64{links[1].ID, links[2].ID, links[0].ID})
			wantIDs(t, "every link", ids(s.ListLinks(ctx, w.ws.ID, time.Time{}, time.Time{}, 0)),
				[]int64{links[3].ID, links[1].ID, links[2].ID, links[0].ID})
			wantIDs(t, "links from an hour on", ids(s.ListLinks(ctx, w.ws.ID, at(time.Hour), time.Time{}, 0)),
				[]int64{links[3].ID, links[1].ID, links[2].ID})
			wantIDs(t, "links before two hours", ids(s.ListLinks(ctx, w.ws.ID, time.Time{}, at(2*time.Hour), 0)),
				[]int64{links[2].ID, links[0].ID})
			wantIDs(t, "the newest two", ids(s.ListLinks(ctx, w.ws.ID, time.Time{}, time.Time{}, 2)),
				[]int64{links[3].ID, links[1].ID})
			other := mustWorld(t, s)
			wantIDs(t, "another workspace's links", ids(s.ListLinks(ctx, other.ws.ID, time.Time{}, time.Time{}, 0)), []int64{})
		}},
		{"RecordClicks", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			day := 24 * time.Hour
			tg := mustPublished(t, s, w, w.account, "a", at(0))
			ls := mustLinks(t, s, targetLink(w, tg, "ta", "https://example.com/a"),
				targetLink(w, tg, "tb", "https://example.com/b"), builderLink(w, "bl", "https://example.com/x", at(0)))
			ta, tb, bl := ls[0], ls[1], ls[2]
			other := mustWorld(t, s)
			ol := mustLinks(t, s, builderLink(other, "ol", "https://other.example", at(0)))[0]
			first := click(ta, "c1", herald.ClickHuman, "v1", at(time.Minute))
			first.Referrer, first.Country = "mastodon.social", "FR"
			noErr(t, s.RecordClicks(ctx, []herald.Click{
				first,
				click(ta, "c2", herald.ClickHuman, "v1", at(2*time.Minute)), // the same visitor, the same day
				click(ta, "c3", herald.ClickHuman, "v2", at(3*time.Minute)),
				click(ta, "c4", herald.ClickBot, "v3", at(4*time.Minute)),
				click(ta, "c5", herald.ClickPreview, "v4", at(5*time.Minute)),
				click(ta, "c5", herald.ClickHuman, "v5", at(5*time.Minute)), // the id again: skipped
				click(ta, "c6", herald.ClickPreview, "v4", at(6*time.Minute)),
				click(tb, "c7", herald.ClickHuman, "v1", at(7*time.Minute)), // another link: unique there
				click(bl, "c8", herald.ClickHuman, "v1", at(8*time.Minute)),
				click(ol, "c9", herald.ClickHuman, "v1", at(9*time.Minute)),
			}), "RecordClicks")
			noErr(t, s.RecordClicks(ctx, []herald.Click{
				click(ta, "c1", herald.ClickHuman, "v9", at(time.Minute)),      // replayed
				click(ta, "c10", herald.ClickHuman, "v1", at(day+time.Minute)), // the next UTC day: unique again
				click(ta, "c11", herald.ClickHuman, "v2", at(10*time.Minute)),  // an earlier day's visitor
				click(ta, "c12", herald.ClickBot, "v1", at(day)),               // bots are never unique clicks
			}), "RecordClicks again")
			noErr(t, s.RecordClicks(ctx, nil), "RecordClicks of nothing")
			same(t, "the target link's counts", linkCounts(t, s, w.ws.ID, ta.ID),
				herald.LinkCounts{Clicks: 5, Unique: 3, Bots: 2, Previews: 2})
			same(t, "the second target link's counts", linkCounts(t, s, w.ws.ID, tb.ID), herald.LinkCounts{Clicks: 1, Unique: 1})
			same(t, "the builder link's counts", linkCounts(t, s, w.ws.ID, bl.ID), herald.LinkCounts{Clicks: 1, Unique: 1})
			same(t, "another workspace's link", linkCounts(t, s, other.ws.ID, ol.ID), herald.LinkCounts{Clicks: 1, Unique: 1})
			ts := targetStats(t, s, w.ws.ID, tg.ID)
			if !ts.Tracked || ts.Clicks != 6 || ts.UniqueClicks != 4 {
				t.Fatalf("target stats: tracked %v, %d clicks, %d unique; want tracked, 6 and 4", ts.Tracked, ts.Clicks, ts.UniqueClicks)
			}
			tl, err := s.TargetLinks(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "TargetLinks")
			post, err := s.GetPost(ctx, w.ws.ID, tg.PostID)
			noErr(t, err, "GetPost")
			same(t, "target links with counts", tl, []herald.LinkStats{
				{Link: ta, LinkCounts: herald.LinkCounts{Clicks: 5, Unique: 3, Bots: 2, Previews: 2}, PostTitle: post.Title},
				{Link: tb, LinkCounts: herald.LinkCounts{Clicks: 1, Unique: 1}, PostTitle: post.Title}})

			got, err := s.ClickByID(ctx, "c1")
			noErr(t, err, "ClickByID")
			same(t, "the click", got, first)
			if got.Visitor != "v1" {
				t.Fatalf("the click's visitor is %q, want v1", got.Visitor)
			}
			wantUTC(t, "click time", got.At)
			got, err = s.ClickByID(ctx, "c9")
			noErr(t, err, "ClickByID of another workspace's click")
			if got.WorkspaceID != other.ws.ID || got.LinkID != ol.ID || got.TargetID != 0 {
				t.Fatalf("another workspace's click: %+v", got)
			}
			_, err = s.ClickByID(ctx, "nope")
			wantNotFound(t, err, "ClickByID of an unknown click")

			// A click naming a link of another workspace, or no link, is not
			// counted anywhere.
			stray := click(ta, "c13", herald.ClickHuman, "v7", at(time.Hour))
			stray.WorkspaceID = other.ws.ID
			gone := click(ta, "c14", herald.ClickHuman, "v7", at(time.Hour))
			gone.LinkID = ol.ID + 1000
			noErr(t, s.RecordClicks(ctx, []herald.Click{stray, gone}), "RecordClicks of stray clicks")
			same(t, "counts after stray clicks", linkCounts(t, s, w.ws.ID, ta.ID),
				herald.LinkCounts{Clicks: 5, Unique: 3, Bots: 2, Previews: 2})
			same(t, "another workspace's counts after stray clicks", linkCounts(t, s, other.ws.ID, ol.ID),
				herald.LinkCounts{Clicks: 1, Unique: 1})

			// A bad click refuses the batch.
			err = s.RecordClicks(ctx, []herald.Click{click(ta, "c15", herald.ClickHuman, "v8", at(0)),
				click(ta, "c16", "robot", "v8", at(0))})
			wantInvalid(t, err, "a click of an unknown kind")
			_, err = s.ClickByID(ctx, "c15")
			wantNotFound(t, err, "a click of a refused batch")

			// Inside a transaction that rolls back, nothing is counted.
			err = s.InTx(ctx, func(tx herald.Tx) error {
				noErr(t, tx.RecordClicks(ctx, []herald.Click{click(ta, "c17", herald.ClickHuman, "v8", at(0))}), "RecordClicks in a transaction")
				return herald.Errorf(herald.CodeConflict, "roll back")
			})
			wantConflict(t, err, "InTx")
			same(t, "counts after a rollback", linkCounts(t, s, w.ws.ID, ta.ID),
				herald.LinkCounts{Clicks: 5, Unique: 3, Bots: 2, Previews: 2})
		}},
		{"Conversions", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			tg := mustPublished(t, s, w, w.account, "a", at(0))
			ls := mustLinks(t, s, targetLink(w, tg, "ta", "https://shop.example"), builderLink(w, "bl", "https://shop.example", at(0)))
			ta, bl := ls[0], ls[1]
			noErr(t, s.RecordClicks(ctx, []herald.Click{click(ta, "c1", herald.ClickHuman, "v1", at(time.Minute)),
				click(bl, "c2", herald.ClickHuman, "v1", at(time.Minute))}), "RecordClicks")
			conv := func(l herald.Link, click, event string, value int64, currency string, occurred time.Time) herald.Conversion {
				return herald.Conversion{WorkspaceID: l.WorkspaceID, ClickID: click, LinkID: l.ID, EventID: event,
					Name: "purchase", Value: value, Currency: currency, Source: "server", OccurredAt: occurred, CreatedAt: at(time.Hour)}
			}
			add := func(c herald.Conversion, wantAdded bool) herald.Conversion {
				t.Helper()
				got, added, err := s.AddConversion(ctx, c, "USD")
				noErr(t, err, "AddConversion")
				if added != wantAdded {
					t.Fatalf("AddConversion of event %s: added %v, want %v", c.EventID, added, wantAdded)
				}
				return got
			}
			c1 := add(conv(ta, "c1", "e1", 1999, "USD", at(10*time.Minute)), true)
			want := conv(ta, "c1", "e1", 1999, "USD", at(10*time.Minute))
			want.ID, want.TargetID = c1.ID, tg.ID
			same(t, "the stored conversion", c1, want)
			// A replay changes nothing and returns the stored conversion.
			replay := add(conv(ta, "c1", "e1", 5000, "USD", at(20*time.Minute)), false)
			same(t, "a replayed conversion", replay, c1)
			add(conv(ta, "c1", "e2", 2500, "EUR", at(30*time.Minute)), true) // counted, not summed
			add(conv(ta, "c1", "e3", 0, "", at(40*time.Minute)), true)
			c4 := add(conv(bl, "c2", "e4", 100, "USD", at(50*time.Minute)), true)
			if c4.TargetID != 0 {
				t.Fatalf("a builder link's conversion has target %d", c4.TargetID)
			}
			same(t, "the target link's counts", linkCounts(t, s, w.ws.ID, ta.ID),
				herald.LinkCounts{Clicks: 1, Unique: 1, Conversions: 3, Revenue: 1999})
			same(t, "the builder link's counts", linkCounts(t, s, w.ws.ID, bl.ID),
				herald.LinkCounts{Clicks: 1, Unique: 1, Conversions: 1, Revenue: 100})
			ts := targetStats(t, s, w.ws.ID, tg.ID)
			if ts.Conversions != 3 || ts.Revenue != 1999 || ts.Clicks != 1 {
				t.Fatalf("target stats: %d conversions, %d cents, %d clicks; want 3, 1999 and 1", ts.Conversions, ts.Revenue, ts.Clicks)
			}

			// The same event id in another workspace is another event.
			other := mustWorld(t, s)
			ol := mustLinks(t, s, builderLink(other, "ol", "https://other.example", at(0)))[0]
			oc := add(conv(ol, "c9", "e1", 700, "USD", at(15*time.Minute)), true)
			if oc.ID == c1.ID {
				t.Fatal("another workspace's event e1 is taken for a replay")
			}
			_, _, err := s.AddConversion(ctx, conv(ol, "c9", "e5", 0, "", at(0)), "USD")
			noErr(t, err, "AddConversion")
			stray := conv(ol, "c9", "e6", 0, "", at(0))
			stray.WorkspaceID = w.ws.ID
			_, _, err = s.AddConversion(ctx, stray, "USD")
			wantConflict(t, err, "a conversion of another workspace's link")
			for _, bad := range []herald.Conversion{conv(ta, "c1", "", 0, "", at(0)), conv(ta, "c1", "e7", 100, "usd", at(0)),
				conv(ta, "c1", "e8", 100, "", at(0)), conv(ta, "c1", "e9", -5, "USD", at(0)), {WorkspaceID: w.ws.ID,
					LinkID: ta.ID, ClickID: "c1", EventID: "e10", Source: "email"}} {
				_, _, err = s.AddConversion(ctx, bad, "USD")
				wantInvalid(t, err, "AddConversion of "+bad.EventID)
			}

			list, err := s.ListConversions(ctx, w.ws.ID, time.Time{}, time.Time{}, 0)
			noErr(t, err, "ListConversions")
			var events []string
			for _, c := range list {
				events = append(events, c.EventID)
				wantUTC(t, "occurred at", c.OccurredAt)
			}
			same(t, "conversions, newest first", events, []string{"e4", "e3", "e2", "e1"})
			same(t, "the listed conversion", list[3], c1)
			list, err = s.ListConversions(ctx, w.ws.ID, at(30*time.Minute), at(50*time.Minute), 1)
			noErr(t, err, "ListConversions of a span")
			if len(list) != 1 || list[0].EventID != "e3" {
				t.Fatalf("conversions of [30m, 50m), limit 1: %+v, want e3", list)
			}
			list, err = s.ListConversions(ctx, other.ws.ID, time.Time{}, time.Time{}, 0)
			noErr(t, err, "ListConversions of another workspace")
			if len(list) != 2 {
				t.Fatalf("another workspace lists %d conversions, want its 2", len(list))
			}
		}},
		{"ClickSalt", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			salt := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
			get := func(day int64, b byte, want byte) {
				t.Helper()
				got, err := s.ClickSalt(ctx, day, salt(b))
				noErr(t, err, "ClickSalt")
				if !bytes.Equal(got, salt(want)) {
					t.Fatalf("ClickSalt(%d) = %x, want %x", day, got, salt(want))
				}
			}
			get(100, 1, 1) // made by the first caller
			get(100, 2, 1) // shared with the next
			get(101, 3, 3)
			get(103, 4, 4) // deletes the salts of days before 101
			get(101, 5, 3) // kept
			get(100, 6, 6) // deleted: made again
			_, err := s.ClickSalt(ctx, 104, nil)
			wantInvalid(t, err, "ClickSalt without a new salt")
		}},
		{"AnalyticsSettings", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			got, err := s.GetAnalyticsSettings(ctx, w.ws.ID)
			noErr(t, err, "GetAnalyticsSettings")
			same(t, "default settings", got, herald.DefaultAnalyticsSettings(w.ws.ID))
			put := herald.AnalyticsSettings{WorkspaceID: w.ws.ID, TrackLinks: false, RateBy: "impressions", Currency: "EUR",
				ConversionSecret: herald.Sealed{KeyID: "k1", Ciphertext: []byte{1, 2, 3, 0, 255}}, UpdatedAt: at(time.Hour)}
			noErr(t, s.PutAnalyticsSettings(ctx, put), "PutAnalyticsSettings")
			got, err = s.GetAnalyticsSettings(ctx, w.ws.ID)
			noErr(t, err, "GetAnalyticsSettings")
			same(t, "saved settings", got, put)
			wantUTC(t, "updated at", got.UpdatedAt)
			if got.ConversionSecret.KeyID != "k1" || !bytes.Equal(got.ConversionSecret.Ciphertext, put.ConversionSecret.Ciphertext) {
				t.Fatalf("conversion secret = %+v, want %+v", got.ConversionSecret, put.ConversionSecret)
			}
			put.ConversionSecret, put.Currency, put.UpdatedAt = herald.Sealed{}, "GBP", at(2*time.Hour)
			noErr(t, s.PutAnalyticsSettings(ctx, put), "PutAnalyticsSettings again")
			got, err = s.GetAnalyticsSettings(ctx, w.ws.ID)
			noErr(t, err, "GetAnalyticsSettings")
			same(t, "saved again", got, put)
			if !got.ConversionSecret.Empty() {
				t.Fatalf("the secret was cleared, got %+v", got.ConversionSecret)
			}
			other := mustWorld(t, s)
			got, err = s.GetAnalyticsSettings(ctx, other.ws.ID)
			noErr(t, err, "GetAnalyticsSettings of another workspace")
			same(t, "another workspace's settings", got, herald.DefaultAnalyticsSettings(other.ws.ID))
			for _, bad := range []herald.AnalyticsSettings{{WorkspaceID: w.ws.ID, RateBy: "reach", Currency: "USD"},
				{WorkspaceID: w.ws.ID, RateBy: "followers", Currency: "usd"}, {WorkspaceID: w.ws.ID, RateBy: "followers"}} {
				wantInvalid(t, s.PutAnalyticsSettings(ctx, bad), "PutAnalyticsSettings of "+bad.RateBy+" "+bad.Currency)
			}
			wantConflict(t, s.PutAnalyticsSettings(ctx, herald.AnalyticsSettings{WorkspaceID: other.ws.ID + 1000,
				RateBy: "followers", Currency: "USD"}), "PutAnalyticsSettings of no workspace")
		}},
		{"DeletedTarget", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			tg := mustPublished(t, s, w, w.account, "a", at(0))
			tl := targetLink(w, tg, "gone", "https://example.com")
			tl.CreatedAt = at(time.Hour)
			l := mustLinks(t, s, tl)[0]
			noErr(t, s.DeletePost(ctx, w.ws.ID, tg.PostID), "DeletePost")
			// The short link is out in the world: it keeps redirecting and
			// counting, by its own making time.
			got, err := s.LinkByCode(ctx, "gone")
			noErr(t, err, "LinkByCode of a deleted target's link")
			same(t, "a deleted target's link", got, l)
			noErr(t, s.RecordClicks(ctx, []herald.Click{click(l, "c1", herald.ClickHuman, "v1", at(2*time.Hour))}),
				"RecordClicks of a deleted target's link")
			_, added, err := s.AddConversion(ctx, herald.Conversion{WorkspaceID: w.ws.ID, ClickID: "c1", LinkID: l.ID,
				EventID: "e1", Value: 500, Currency: "USD", Source: "server", OccurredAt: at(3 * time.Hour)}, "USD")
			noErr(t, err, "AddConversion of a deleted target's link")
			if !added {
				t.Fatal("the conversion was not added")
			}
			list, err := s.ListLinks(ctx, w.ws.ID, at(time.Hour), at(2*time.Hour), 0)
			noErr(t, err, "ListLinks")
			same(t, "a deleted target's link, listed", list, []herald.LinkStats{{Link: l,
				LinkCounts: herald.LinkCounts{Clicks: 1, Unique: 1, Conversions: 1, Revenue: 500}}})
		}},
		{"DeleteWorkspace", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, keep := mustWorld(t, s), mustWorld(t, s)
			codes := map[int64]string{}
			for _, x := range []world{w, keep} {
				tg := mustPublished(t, s, x, x.account, "a", at(0))
				code := "t" + unique()
				codes[x.ws.ID] = code
				l := mustLinks(t, s, targetLink(x, tg, code, "https://example.com"))[0]
				noErr(t, s.RecordClicks(ctx, []herald.Click{click(l, code, herald.ClickHuman, "v", at(time.Minute))}), "RecordClicks")
				_, _, err := s.AddConversion(ctx, herald.Conversion{WorkspaceID: x.ws.ID, ClickID: code, LinkID: l.ID,
					EventID: "e", Source: "pixel", OccurredAt: at(time.Hour)}, "USD")
				noErr(t, err, "AddConversion")
				noErr(t, s.PutAnalyticsSettings(ctx, herald.AnalyticsSettings{WorkspaceID: x.ws.ID, RateBy: "impressions",
					Currency: "EUR"}), "PutAnalyticsSettings")
			}
			noErr(t, s.DeleteWorkspace(ctx, w.ws.ID), "DeleteWorkspace")
			_, err := s.LinkByCode(ctx, codes[w.ws.ID])
			wantNotFound(t, err, "LinkByCode of a deleted workspace's link")
			_, err = s.ClickByID(ctx, codes[w.ws.ID])
			wantNotFound(t, err, "ClickByID of a deleted workspace's click")
			list, err := s.ListLinks(ctx, w.ws.ID, time.Time{}, time.Time{}, 0)
			noErr(t, err, "ListLinks")
			convs, err := s.ListConversions(ctx, w.ws.ID, time.Time{}, time.Time{}, 0)
			noErr(t, err, "ListConversions")
			settings, err := s.GetAnalyticsSettings(ctx, w.ws.ID)
			noErr(t, err, "GetAnalyticsSettings")
			if len(list) != 0 || len(convs) != 0 || settings.Currency != "USD" {
				t.Fatalf("a deleted workspace keeps %d links, %d conversions, settings %+v", len(list), len(convs), settings)
			}
			list, err = s.ListLinks(ctx, keep.ws.ID, time.Time{}, time.Time{}, 0)
			noErr(t, err, "ListLinks of the other workspace")
			if len(list) != 1 || list[0].Clicks != 1 || list[0].Conversions != 1 {
				t.Fatalf("the other workspace's links: %+v", list)
			}
			_, err = s.LinkByCode(ctx, list[0].Code)
			noErr(t, err, "LinkByCode of the other workspace's link")
			_, err = s.ClickByID(ctx, list[0].Code)
			noErr(t, err, "ClickByID of the other workspace's click")
		}},
	}
}
