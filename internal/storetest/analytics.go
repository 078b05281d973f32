package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func analyticsTests() []test {
	return []test{
		{"AccountSnapshots", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			day := 24 * time.Hour
			put := func(at time.Time, followers int64) {
				t.Helper()
				noErr(t, s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: w.account.ID,
					At: at, Followers: followers, Following: 7, Posts: -1}), "PutAccountSnapshot")
			}
			put(at(0), 100)
			put(at(2*time.Hour), 104) // the same UTC day, later: replaces
			put(at(time.Hour), 102)   // the same day, earlier than the kept one: ignored
			put(at(day), 110)         // the next day
			put(at(3*day), 90)        // a gap, then a loss
			got, err := s.ListAccountSnapshots(ctx, w.ws.ID, w.account.ID, at(-day), at(10*day))
			noErr(t, err, "ListAccountSnapshots")
			var followers []int64
			for _, g := range got {
				followers = append(followers, g.Followers)
				wantUTC(t, "snapshot time", g.At)
			}
			same(t, "followers per day", followers, []int64{104, 110, 90})
			same(t, "the day's reading", got[0], herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: w.account.ID,
				At: at(2 * time.Hour), Followers: 104, Following: 7, Posts: -1})
			got, err = s.ListAccountSnapshots(ctx, w.ws.ID, w.account.ID, at(day), at(3*day))
			noErr(t, err, "ListAccountSnapshots of a span")
			if len(got) != 1 || got[0].Followers != 110 {
				t.Fatalf("[day 1, day 3) gave %+v, want day 1's only", got)
			}
			second := mustAccount(t, s, w.ws.ID)
			noErr(t, s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: second.ID,
				At: at(time.Hour), Followers: 3, Following: 0, Posts: 0}), "PutAccountSnapshot of a second account")
			all, err := s.ListAccountSnapshots(ctx, w.ws.ID, 0, at(-day), at(10*day))
			noErr(t, err, "ListAccountSnapshots of every account")
			followers = nil
			for _, g := range all {
				followers = append(followers, g.Followers)
			}
			same(t, "every account's followers, by account then day", followers, []int64{104, 110, 90, 3})
			latest, err := s.LatestAccountSnapshots(ctx, w.ws.ID)
			noErr(t, err, "LatestAccountSnapshots")
			if len(latest) != 2 || latest[w.account.ID].Followers != 90 || latest[second.ID].Followers != 3 {
				t.Fatalf("latest = %+v, want the account's day-3 reading", latest)
			}
			other := mustWorld(t, s)
			got, err = s.ListAccountSnapshots(ctx, other.ws.ID, w.account.ID, at(-day), at(10*day))
			noErr(t, err, "ListAccountSnapshots of another workspace")
			if len(got) != 0 {
				t.Fatalf("another workspace sees %d snapshots", len(got))
			}
			latest, err = s.LatestAccountSnapshots(ctx, other.ws.ID)
			noErr(t, err, "LatestAccountSnapshots of another workspace")
			if len(latest) != 0 {
				t.Fatalf("another workspace's latest = %+v", latest)
			}
			wantConflict(t, s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: other.ws.ID,
				AccountID: w.account.ID, At: at(0), Followers: 1}), "snapshot of another workspace's account")
			err = s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: w.account.ID,
				At: at(0), Followers: -5})
			if herald.ErrorCode(err) != herald.CodeInvalid {
				t.Fatalf("a count of -5: got %v, want invalid", err)
			}
		}},
		{"AccountsDueForSnapshot", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			now := at(50 * 24 * time.Hour)
			w := mustWorld(t, s)
			measuredBefore := mustAccount(t, s, w.ws.ID)
			doneToday := mustAccount(t, s, w.ws.ID)
			revoked := mustAccount(t, s, w.ws.ID)
			revoked.Status = herald.AccountRevoked
			noErr(t, s.UpdateAccount(ctx, &revoked), "UpdateAccount")
			for _, p := range []struct {
				a  herald.Account
				at time.Time
			}{{measuredBefore, now.Add(-24 * time.Hour)}, {doneToday, now.Add(-time.Minute)}} {
				noErr(t, s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: p.a.ID,
					At: p.at, Followers: 1, Following: 1, Posts: 1}), "PutAccountSnapshot")
			}
			mine := map[int64]bool{w.account.ID: true, measuredBefore.ID: true, doneToday.ID: true, revoked.ID: true}
			got, err := s.AccountsDueForSnapshot(ctx, now, mastodon, 100)
			noErr(t, err, "AccountsDueForSnapshot")
			var ids []int64
			for _, a := range got {
				if mine[a.ID] {
					ids = append(ids, a.ID)
				}
			}
			// Never measured first, then the one measured yesterday.
			wantIDs(t, "accounts due", ids, []int64{w.account.ID, measuredBefore.ID})
			got, err = s.AccountsDueForSnapshot(ctx, now, []herald.Platform{herald.PlatformBluesky}, 100)
			noErr(t, err, "AccountsDueForSnapshot of another platform")
			for _, a := range got {
				if mine[a.ID] {
					t.Fatalf("a Bluesky query gave Mastodon account %d", a.ID)
				}
			}
			if _, err := s.AccountsDueForSnapshot(ctx, now, mastodon, 0); herald.ErrorCode(err) != herald.CodeInvalid {
				t.Fatalf("limit 0: got %v, want invalid", err)
			}
		}},
		{"TargetStats", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			day := 24 * time.Hour
			// The account's daily counts: 500 the day before publishing.
			noErr(t, s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: w.account.ID,
				At: at(-day), Followers: 500, Following: 1, Posts: 1}), "PutAccountSnapshot")
			a := mustPublished(t, s, w, w.account, "a", at(0))
			b := mustPublished(t, s, w, w.account, "b", at(time.Hour))
			unmeasured := mustPublished(t, s, w, w.account, "c", at(2*time.Hour))
			outside := mustPublished(t, s, w, w.account, "d", at(5*day))
			camp := mustCampaign(t, s, w.ws.ID, "Launch")
			bp, err := s.GetPost(ctx, w.ws.ID, b.PostID)
			noErr(t, err, "GetPost")
			bp.CampaignID = &camp.ID
			l1, l2 := mustLabel(t, s, w.ws.ID, "Promo"), mustLabel(t, s, w.ws.ID, "Tips")
			bp.LabelIDs = []int64{l2.ID, l1.ID}
			noErr(t, s.UpdatePost(ctx, &bp, bp.Version), "UpdatePost")
			snap := func(tg herald.Target, when time.Time, likes, impressions int64) {
				t.Helper()
				noErr(t, s.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ws.ID, TargetID: tg.ID,
					At: when, Likes: likes, Reposts: 2, Replies: 1, Quotes: -1, Impressions: impressions}}), "AddMetricSnapshots")
			}
			snap(a, at(time.Hour), 10, -1)
			snap(a, at(3*time.Hour), 15, -1)
			snap(a, at(2*time.Hour), 12, -1) // older than the kept reading: not the latest
			snap(b, at(2*time.Hour), 4, 80)
			snap(outside, at(5*day+time.Hour), 99, 99)
			// b's followers read 10 minutes after publishing: closer than
			// the day-old snapshot; a later reading does not replace it.
			noErr(t, s.SetTargetFollowers(ctx, w.ws.ID, []int64{b.ID}, 520, at(time.Hour+10*time.Minute)), "SetTargetFollowers")
			noErr(t, s.SetTargetFollowers(ctx, w.ws.ID, []int64{b.ID}, 600, at(3*time.Hour)), "SetTargetFollowers later")
			// c's, set before any reading of its counts.
			noErr(t, s.SetTargetFollowers(ctx, w.ws.ID, []int64{unmeasured.ID}, -1, at(2*time.Hour)), "SetTargetFollowers not given")
			other := mustWorld(t, s)
			noErr(t, s.SetTargetFollowers(ctx, other.ws.ID, []int64{a.ID}, 1, at(0)), "SetTargetFollowers of another workspace")

			got, err := s.ListTargetStats(ctx, w.ws.ID, at(0), at(day))
			noErr(t, err, "ListTargetStats")
			for i := range got {
				wantUTC(t, "published at", got[i].PublishedAt)
			}
			same(t, "stats", got, []herald.TargetStats{
				{TargetID: a.ID, PostID: a.PostID, AccountID: w.account.ID, Platform: herald.PlatformMastodon,
					PublishedAt: at(0), Measured: true, Likes: 15, Reposts: 2, Replies: 1, Quotes: -1, Impressions: -1, Followers: 500},
				{TargetID: b.ID, PostID: b.PostID, CampaignID: camp.ID, LabelIDs: []int64{l1.ID, l2.ID}, AccountID: w.account.ID, Platform: herald.PlatformMastodon,
					PublishedAt: at(time.Hour), Measured: true, Likes: 4, Reposts: 2, Replies: 1, Quotes: -1, Impressions: 80, Followers: 520},
				{TargetID: unmeasured.ID, PostID: unmeasured.PostID, AccountID: w.account.ID, Platform: herald.PlatformMastodon,
					PublishedAt: at(2 * time.Hour), Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, Followers: -1},
			})
			got, err = s.ListTargetStats(ctx, other.ws.ID, at(-day), at(10*day))
			noErr(t, err, "ListTargetStats of another workspace")
			if len(got) != 0 {
				t.Fatalf("another workspace sees %d targets", len(got))
			}
		}},
		{"AccountSnapshotsBefore", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			day := 24 * time.Hour
			second, unmeasured := mustAccount(t, s, w.ws.ID), mustAccount(t, s, w.ws.ID)
			put := func(a herald.Account, at time.Time, followers int64) {
				t.Helper()
				noErr(t, s.PutAccountSnapshot(ctx, herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: a.ID,
					At: at, Followers: followers, Following: 3, Posts: -1}), "PutAccountSnapshot")
			}
			put(w.account, at(-2*day), 100)
			put(w.account, at(-day+time.Hour), 110)
			put(w.account, at(time.Hour), 120) // the day of the boundaries below
			put(w.account, at(day), 130)
			put(second, at(-40*day), 7)
			followers := func(got map[int64]herald.AccountSnapshot) map[int64]int64 {
				out := map[int64]int64{}
				for id, a := range got {
					if id != a.AccountID || a.WorkspaceID != w.ws.ID {
						t.Fatalf("snapshot %+v under account %d", a, id)
					}
					wantUTC(t, "snapshot time", a.At)
					out[id] = a.Followers
				}
				return out
			}
			for _, c := range []struct {
				what    string
				account int64
				at      time.Time
				want    map[int64]int64
			}{
				{"every account", 0, at(2 * time.Hour), map[int64]int64{w.account.ID: 120, second.ID: 7}},
				{"before a snapshot's very time", 0, at(time.Hour), map[int64]int64{w.account.ID: 110, second.ID: 7}},
				{"the next day", 0, at(day), map[int64]int64{w.account.ID: 120, second.ID: 7}},
				{"after the last", 0, at(2 * day), map[int64]int64{w.account.ID: 130, second.ID: 7}},
				{"one account", w.account.ID, at(-day), map[int64]int64{w.account.ID: 100}},
				{"an account without one", unmeasured.ID, at(day), map[int64]int64{}},
				{"before every snapshot", 0, at(-50 * day), map[int64]int64{}},
			} {
				got, err := s.AccountSnapshotsBefore(ctx, w.ws.ID, c.account, c.at)
				noErr(t, err, "AccountSnapshotsBefore: "+c.what)
				same(t, c.what, followers(got), c.want)
			}
			got, err := s.AccountSnapshotsBefore(ctx, w.ws.ID, 0, at(2*time.Hour))
			noErr(t, err, "AccountSnapshotsBefore")
			same(t, "the snapshot", got[w.account.ID], herald.AccountSnapshot{WorkspaceID: w.ws.ID, AccountID: w.account.ID,
				At: at(time.Hour), Followers: 120, Following: 3, Posts: -1})
			other := mustWorld(t, s)
			for _, account := range []int64{0, w.account.ID} {
				got, err := s.AccountSnapshotsBefore(ctx, other.ws.ID, account, at(day))
				noErr(t, err, "AccountSnapshotsBefore of another workspace")
				if len(got) != 0 {
					t.Fatalf("another workspace sees %+v", got)
				}
			}
		}},
		{"TargetStatsWithoutRows", func(t *testing.T, s herald.Store) {
			// Published targets are listed whether or not anything wrote
			// their figures yet, and whenever it did; each keeps its
			// post's campaign as it is now.
			ctx := t.Context()
			w := mustWorld(t, s)
			day := 24 * time.Hour
			second := mustAccount(t, s, w.ws.ID)
			publish := func(tg herald.Target, when time.Time) herald.Target {
				t.Helper()
				sched := when.Add(-time.Minute)
				tg.ScheduledAt = &sched
				for _, to := range []herald.TargetState{herald.StateScheduled, herald.StatePublishing, herald.StatePublished} {
					if to == herald.StatePublished {
						tg.RemoteID, tg.PublishedAt = "r"+unique(), &when
					}
					tr, err := tg.Transition(to, nil, "", when)
					noErr(t, err, "Transition")
					noErr(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget")
				}
				return tg
			}
			snap := func(tg herald.Target, when time.Time, likes int64) {
				t.Helper()
				noErr(t, s.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ws.ID, TargetID: tg.ID,
					At: when, Likes: likes, Reposts: -1, Replies: 2, Quotes: -1, Impressions: 50}}), "AddMetricSnapshots")
			}
			measured := mustPublished(t, s, w, w.account, "m", at(0))
			snap(measured, at(time.Hour), 10)
			// Counted before it was published.
			early := mustPost(t, s, w.ws.ID, w.owner.ID, second.ID).Targets[0]
			snap(early, at(-time.Hour), 4)
			early = publish(early, at(30*time.Minute))
			never := mustPublished(t, s, w, w.account, "n", at(time.Hour))
			// A labelled post of another workspace among this one's.
			other := mustWorld(t, s)
			op := mustPublished(t, s, other, other.account, "o", at(time.Hour))
			otherPost, err := s.GetPost(ctx, other.ws.ID, op.PostID)
			noErr(t, err, "GetPost")
			otherPost.LabelIDs = []int64{mustLabel(t, s, other.ws.ID, "Theirs").ID}
			noErr(t, s.UpdatePost(ctx, &otherPost, otherPost.Version), "UpdatePost")
			// Two days later, two at the same time, one of them measured.
			late := mustPublished(t, s, w, second, "l", at(2*day))
			tie := mustPublished(t, s, w, w.account, "t", at(2*day))
			snap(tie, at(2*day+time.Hour), 7)
			// Not published, whatever its publishing time says.
			odd := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID).Targets[0]
			for _, to := range []herald.TargetState{herald.StateScheduled, herald.StatePublishing} {
				if to == herald.StatePublishing {
					odd.PublishedAt = ptr(at(time.Hour))
				}
				tr, err := odd.Transition(to, nil, "", at(0))
				noErr(t, err, "Transition")
				noErr(t, s.TransitionTarget(ctx, &odd, tr), "TransitionTarget")
			}
			snap(odd, at(2*time.Hour), 99)
			// The campaign of a post set after its figures were.
			camp := mustCampaign(t, s, w.ws.ID, "Spring")
			label := mustLabel(t, s, w.ws.ID, "Promo")
			for _, tg := range []herald.Target{measured, never} {
				p, err := s.GetPost(ctx, w.ws.ID, tg.PostID)
				noErr(t, err, "GetPost")
				p.CampaignID, p.LabelIDs = &camp.ID, []int64{label.ID}
				noErr(t, s.UpdatePost(ctx, &p, p.Version), "UpdatePost")
			}
			// The rows expected with the post's campaign and labels, when
			// listed.
			want := func(campaign int64, labels bool) []herald.TargetStats {
				row := func(tg herald.Target, acct herald.Account, inCampaign bool, likes int64) herald.TargetStats {
					st := herald.TargetStats{TargetID: tg.ID, PostID: tg.PostID, AccountID: acct.ID, Platform: acct.Platform,
						PublishedAt: *tg.PublishedAt, Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1,
						Followers: -1}
					if likes >= 0 {
						st.Measured, st.Likes, st.Replies, st.Impressions = true, likes, 2, 50
					}
					if inCampaign {
						st.CampaignID = campaign
						if labels {
							st.LabelIDs = []int64{label.ID}
						}
					}
					return st
				}
				rows := []herald.TargetStats{row(measured, w.account, true, 10), row(early, second, false, 4),
					row(never, w.account, true, -1), row(tie, w.account, false, 7), row(late, second, false, -1)}
				if late.ID < tie.ID {
					rows[3], rows[4] = rows[4], rows[3]
				}
				return rows
			}
			check := func(what string, campaign int64) {
				t.Helper()
				for _, span := range []struct{ from, to time.Time }{{at(-day), at(3 * day)}, {at(-1000 * day), at(1000 * day)}} {
					got, err := s.ListTargetStats(ctx, w.ws.ID, span.from, span.to)
					noErr(t, err, "ListTargetStats")
					same(t, what, got, want(campaign, true))
					got, err = s.ListTargetStatsUnlabelled(ctx, w.ws.ID, span.from, span.to)
					noErr(t, err, "ListTargetStatsUnlabelled")
					same(t, what+" without labels", got, want(campaign, false))
				}
				got, err := s.ListTargetStats(ctx, w.ws.ID, at(time.Minute), at(day))
				noErr(t, err, "ListTargetStats of a part")
				same(t, what+", from a minute on", got, want(campaign, true)[1:3])
			}
			check("stats", camp.ID)
			noErr(t, s.DeleteCampaign(ctx, w.ws.ID, camp.ID), "DeleteCampaign")
			check("stats once the campaign is deleted", 0)
		}},
	}
}
