package storetest

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustPublished creates a post on acct whose one target is published at
// publishedAt with remoteID.
func mustPublished(t *testing.T, s herald.Tx, w world, acct herald.Account, remoteID string, publishedAt time.Time) herald.Target {
	t.Helper()
	ctx := t.Context()
	p := mustPost(t, s, w.ws.ID, w.owner.ID, acct.ID)
	tg := p.Targets[0]
	sched := publishedAt.Add(-time.Minute)
	tg.ScheduledAt = &sched
	for _, to := range []herald.TargetState{herald.StateScheduled, herald.StatePublishing, herald.StatePublished} {
		if to == herald.StatePublished {
			tg.RemoteID, tg.RemoteURL = remoteID, "https://example.social/@a/"+remoteID
			tg.PublishedAt = &publishedAt
		}
		tr, err := tg.Transition(to, nil, "", publishedAt)
		noErr(t, err, "Transition")
		noErr(t, s.TransitionTarget(ctx, &tg, tr), "TransitionTarget")
	}
	return tg
}

func connectTests() []test {
	return []test{
		{"OAuthStateIsSingleUse", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			st := herald.OAuthState{StateHash: hash("state-1"), WorkspaceID: w.ws.ID, UserID: w.owner.ID,
				Platform: herald.PlatformMastodon, Instance: "https://example.social",
				Secret:      herald.Sealed{KeyID: "k1", Ciphertext: []byte{9, 8, 7}},
				RedirectURL: "https://herald.example/api/v1/connect/callback", CreatedAt: at(0), ExpiresAt: at(15 * time.Minute)}
			noErr(t, s.CreateOAuthState(ctx, &st), "CreateOAuthState")
			dup := st
			wantConflict(t, s.CreateOAuthState(ctx, &dup), "CreateOAuthState with the same hash")
			got, err := s.TakeOAuthState(ctx, hash("state-1"))
			noErr(t, err, "TakeOAuthState")
			same(t, "state", got, st)
			if !bytes.Equal(got.StateHash, st.StateHash) || got.Secret.KeyID != "k1" || !bytes.Equal(got.Secret.Ciphertext, []byte{9, 8, 7}) {
				t.Fatalf("hash or secret did not round-trip: %+v", got)
			}
			_, err = s.TakeOAuthState(ctx, hash("state-1"))
			wantNotFound(t, err, "TakeOAuthState a second time")
			_, err = s.TakeOAuthState(ctx, hash("never issued"))
			wantNotFound(t, err, "TakeOAuthState of an unknown state")
		}},
		{"OAuthStatesExpire", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			for i, exp := range []time.Time{at(-time.Minute), at(time.Minute)} {
				st := herald.OAuthState{StateHash: hash("s" + string(rune('a'+i))), WorkspaceID: w.ws.ID, UserID: w.owner.ID,
					Platform: herald.PlatformX, RedirectURL: "https://h.example/cb", CreatedAt: at(-time.Hour), ExpiresAt: exp}
				noErr(t, s.CreateOAuthState(ctx, &st), "CreateOAuthState")
			}
			n, err := s.DeleteExpiredOAuthStates(ctx, at(0))
			noErr(t, err, "DeleteExpiredOAuthStates")
			if n != 1 {
				t.Fatalf("deleted %d states, want 1", n)
			}
			_, err = s.TakeOAuthState(ctx, hash("sa"))
			wantNotFound(t, err, "expired state")
			_, err = s.TakeOAuthState(ctx, hash("sb"))
			noErr(t, err, "state still valid")
		}},
		{"OAuthStateNeedsWorkspace", func(t *testing.T, s herald.Store) {
			w := mustWorld(t, s)
			st := herald.OAuthState{StateHash: hash("x"), WorkspaceID: w.ws.ID + 1000, UserID: w.owner.ID,
				Platform: herald.PlatformX, RedirectURL: "https://h.example/cb", ExpiresAt: at(time.Minute)}
			wantConflict(t, s.CreateOAuthState(t.Context(), &st), "state in a missing workspace")
		}},
		{"AppRegistrations", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			_, err := s.GetAppRegistration(ctx, herald.PlatformMastodon, "https://a.social")
			wantNotFound(t, err, "GetAppRegistration before any")
			r := herald.AppRegistration{Platform: herald.PlatformMastodon, Instance: "https://a.social", ClientID: "c1",
				ClientSecret: herald.Sealed{KeyID: "k1", Ciphertext: []byte("s1")}, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.SaveAppRegistration(ctx, &r), "SaveAppRegistration")
			other := herald.AppRegistration{Platform: herald.PlatformMastodon, Instance: "https://b.social", ClientID: "c9",
				ClientSecret: herald.Sealed{KeyID: "k1", Ciphertext: []byte("s9")}, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.SaveAppRegistration(ctx, &other), "SaveAppRegistration other instance")
			r2 := herald.AppRegistration{Platform: herald.PlatformMastodon, Instance: "https://a.social", ClientID: "c2",
				ClientSecret: herald.Sealed{KeyID: "k2", Ciphertext: []byte("s2")}, CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
			noErr(t, s.SaveAppRegistration(ctx, &r2), "SaveAppRegistration again")
			got, err := s.GetAppRegistration(ctx, herald.PlatformMastodon, "https://a.social")
			noErr(t, err, "GetAppRegistration")
			if got.ClientID != "c2" || got.ClientSecret.KeyID != "k2" || string(got.ClientSecret.Ciphertext) != "s2" {
				t.Fatalf("registration not replaced: %+v", got)
			}
			wantTime(t, "created_at kept", got.CreatedAt, at(0))
			wantTime(t, "updated_at", got.UpdatedAt, at(time.Hour))
			_, err = s.GetAppRegistration(ctx, herald.PlatformBluesky, "https://a.social")
			wantNotFound(t, err, "another platform's registration")
		}},
		{"InstanceSoftware", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			_, err := s.GetInstanceSoftware(ctx, herald.PlatformMastodon, "https://a.social")
			wantNotFound(t, err, "GetInstanceSoftware before any")
			sw := herald.InstanceSoftware{Platform: herald.PlatformMastodon, Instance: "https://a.social",
				Name: "gotosocial", Version: "0.17.3", CheckedAt: at(0)}
			noErr(t, s.SaveInstanceSoftware(ctx, &sw), "SaveInstanceSoftware")
			other := herald.InstanceSoftware{Platform: herald.PlatformMastodon, Instance: "https://b.social",
				Name: "mastodon", Version: "4.3.0", Deduplicates: true, CheckedAt: at(0)}
			noErr(t, s.SaveInstanceSoftware(ctx, &other), "SaveInstanceSoftware other instance")
			sw2 := herald.InstanceSoftware{Platform: herald.PlatformMastodon, Instance: "https://a.social",
				Name: "pleroma", Version: "2.5.0", Deduplicates: true, CheckedAt: at(time.Hour)}
			noErr(t, s.SaveInstanceSoftware(ctx, &sw2), "SaveInstanceSoftware again")
			got, err := s.GetInstanceSoftware(ctx, herald.PlatformMastodon, "https://a.social")
			noErr(t, err, "GetInstanceSoftware")
			if got.Name != "pleroma" || got.Version != "2.5.0" || !got.Deduplicates || got.Instance != "https://a.social" {
				t.Fatalf("software not replaced: %+v", got)
			}
			wantTime(t, "checked_at", got.CheckedAt, at(time.Hour))
			got, err = s.GetInstanceSoftware(ctx, herald.PlatformMastodon, "https://b.social")
			noErr(t, err, "GetInstanceSoftware other")
			if got.Name != "mastodon" || !got.Deduplicates {
				t.Fatalf("other instance: %+v", got)
			}
			_, err = s.GetInstanceSoftware(ctx, herald.PlatformBluesky, "https://a.social")
			wantNotFound(t, err, "another platform's software")
		}},
	}
}

// mastodon is the platform mustAccount connects.
var mastodon = []herald.Platform{herald.PlatformMastodon}

func metricsTests() []test {
	return []test{
		{"SnapshotsRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			tg := mustPublished(t, s, w, w.account, "r1", at(-time.Hour))
			snaps := []herald.MetricSnapshot{
				{WorkspaceID: w.ws.ID, TargetID: tg.ID, At: at(time.Hour), Likes: 5, Reposts: 1, Replies: 2, Quotes: -1, Impressions: -1},
				{WorkspaceID: w.ws.ID, TargetID: tg.ID, At: at(0), Likes: 3, Reposts: 0, Replies: 1, Quotes: -1, Impressions: -1},
			}
			noErr(t, s.AddMetricSnapshots(ctx, snaps), "AddMetricSnapshots")
			if snaps[0].ID == 0 || snaps[1].ID == 0 {
				t.Fatal("AddMetricSnapshots did not set IDs")
			}
			got, err := s.ListMetricSnapshots(ctx, w.ws.ID, tg.ID)
			noErr(t, err, "ListMetricSnapshots")
			same(t, "snapshots oldest first", got, []herald.MetricSnapshot{snaps[1], snaps[0]})
			other := mustWorld(t, s)
			got, err = s.ListMetricSnapshots(ctx, other.ws.ID, tg.ID)
			noErr(t, err, "ListMetricSnapshots of another workspace")
			if len(got) != 0 {
				t.Fatalf("another workspace sees %d snapshots", len(got))
			}
			bad := []herald.MetricSnapshot{{WorkspaceID: other.ws.ID, TargetID: tg.ID, At: at(0)}}
			wantConflict(t, s.AddMetricSnapshots(ctx, bad), "snapshot of another workspace's target")
		}},
		{"TargetsDueForMetrics", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			now := at(100 * 24 * time.Hour)
			w := mustWorld(t, s)
			revoked := mustAccount(t, s, w.ws.ID)
			revoked.Status = herald.AccountRevoked
			noErr(t, s.UpdateAccount(ctx, &revoked), "UpdateAccount")
			snap := func(tg herald.Target, ago time.Duration) {
				t.Helper()
				noErr(t, s.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ws.ID, TargetID: tg.ID,
					At: now.Add(-ago), Likes: 1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1}}), "AddMetricSnapshots")
			}
			pub := func(name string, age time.Duration) herald.Target {
				return mustPublished(t, s, w, w.account, name, now.Add(-age))
			}
			tooFresh := pub("fresh", 5*time.Minute)
			first := pub("first", 20*time.Minute) // milestone 10m ago, no snapshot: due
			firstDone := pub("first-done", 20*time.Minute)
			snap(firstDone, 5*time.Minute) // after the 10-minute milestone
			hour := pub("hour", 2*time.Hour)
			snap(hour, 100*time.Minute) // taken at 20 minutes: the 1-hour milestone is missing
			sixDone := pub("six-done", 7*time.Hour)
			snap(sixDone, 30*time.Minute) // taken after 6h
			daily := pub("daily", 3*24*time.Hour+time.Hour)
			snap(daily, 25*time.Hour) // before the 3-day milestone
			old := pub("old", 31*24*time.Hour)
			noRemote := pub("", 2*time.Hour)
			onRevoked := mustPublished(t, s, w, revoked, "rv", now.Add(-2*time.Hour))
			deleted := pub("deleted", 2*time.Hour)
			gone := now.Add(-time.Hour)
			noErr(t, s.MarkTargetRemote(ctx, w.ws.ID, deleted.ID, &gone, nil, ""), "MarkTargetRemote")
			_ = []herald.Target{tooFresh, old, noRemote, onRevoked, deleted}

			got, err := s.TargetsDueForMetrics(ctx, now, mastodon, 100)
			noErr(t, err, "TargetsDueForMetrics")
			var ids []int64
			for _, tg := range got {
				ids = append(ids, tg.ID)
			}
			// Longest overdue first: hour's and daily's milestones were both
			// 1h ago (then by id), first's 10m ago.
			want := []int64{hour.ID, daily.ID, first.ID}
			wantIDs(t, "due targets", ids, want)
			got, err = s.TargetsDueForMetrics(ctx, now, mastodon, 1)
			noErr(t, err, "TargetsDueForMetrics limit 1")
			if len(got) != 1 || got[0].ID != want[0] {
				t.Fatalf("limit 1 gave %v, want the first of %v", got, want)
			}
			if _, err := s.TargetsDueForMetrics(ctx, now, mastodon, 0); herald.ErrorCode(err) != herald.CodeInvalid {
				t.Fatalf("limit 0: got %v, want invalid", err)
			}
			got, err = s.TargetsDueForMetrics(ctx, now, []herald.Platform{herald.PlatformBluesky}, 100)
			noErr(t, err, "TargetsDueForMetrics of another platform")
			if len(got) != 0 {
				t.Fatalf("another platform's query gave %d targets", len(got))
			}
			snap(first, 0)
			got, err = s.TargetsDueForMetrics(ctx, now, mastodon, 100)
			noErr(t, err, "TargetsDueForMetrics after a snapshot")
			if slices.ContainsFunc(got, func(tg herald.Target) bool { return tg.ID == first.ID }) {
				t.Fatal("a target measured just now is still due")
			}
		}},
		{"MilestonesMatchTheDomain", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			now := at(50 * 24 * time.Hour)
			w := mustWorld(t, s)
			for _, age := range []time.Duration{11 * time.Minute, 59 * time.Minute, 61 * time.Minute, 5 * time.Hour,
				6*time.Hour + time.Second, 23 * time.Hour, 24 * time.Hour, 49 * time.Hour, 29 * 24 * time.Hour} {
				tg := mustPublished(t, s, w, w.account, "m"+age.String(), now.Add(-age))
				ms, ok := herald.MetricsMilestone(*tg.PublishedAt, now)
				if !ok {
					t.Fatalf("age %s has no milestone", age)
				}
				// Just before the milestone: due; at it: not.
				noErr(t, s.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ws.ID, TargetID: tg.ID,
					At: ms.Add(-time.Microsecond)}}), "AddMetricSnapshots")
				got, err := s.TargetsDueForMetrics(ctx, now, mastodon, 100)
				noErr(t, err, "TargetsDueForMetrics")
				if !slices.ContainsFunc(got, func(x herald.Target) bool { return x.ID == tg.ID }) {
					t.Fatalf("age %s: snapshot just before the milestone %s, yet not due", age, ms)
				}
				noErr(t, s.AddMetricSnapshots(ctx, []herald.MetricSnapshot{{WorkspaceID: w.ws.ID, TargetID: tg.ID,
					At: ms}}), "AddMetricSnapshots")
				got, err = s.TargetsDueForMetrics(ctx, now, mastodon, 100)
				noErr(t, err, "TargetsDueForMetrics")
				if slices.ContainsFunc(got, func(x herald.Target) bool { return x.ID == tg.ID }) {
					t.Fatalf("age %s: snapshot at the milestone %s, yet still due", age, ms)
				}
			}
		}},
	}
}

func inboxTests() []test {
	return []test{
		{"AddListGet", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			second := mustAccount(t, s, w.ws.ID)
			tg := mustPublished(t, s, w, w.account, "ours-1", at(-time.Hour))
			items := []herald.InboxItem{
				{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "m1", URL: "https://x/m1", AuthorID: "a1",
					AuthorHandle: "@ana", AuthorName: "Ana", Text: "hi", ReplyToRemoteID: "ours-1", CreatedAt: at(0),
					FetchedAt: at(time.Minute), Meta: map[string]string{"cid": "c1"}},
				{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "m2", AuthorID: "a2", AuthorHandle: "@bo",
					Text: "hello", ReplyToRemoteID: "someone-else", CreatedAt: at(time.Second), FetchedAt: at(time.Minute)},
				{WorkspaceID: w.ws.ID, AccountID: second.ID, RemoteID: "m1", AuthorID: "a3", AuthorHandle: "@cy",
					Text: "same remote id, other account", CreatedAt: at(2 * time.Second), FetchedAt: at(time.Minute)},
			}
			n, err := s.AddInboxItems(ctx, items)
			noErr(t, err, "AddInboxItems")
			if n != 3 {
				t.Fatalf("added %d, want 3", n)
			}
			if items[0].TargetID == nil || *items[0].TargetID != tg.ID {
				t.Fatalf("the reply to our post was not matched to target %d: %v", tg.ID, items[0].TargetID)
			}
			if items[1].TargetID != nil {
				t.Fatalf("a reply to someone else matched target %d", *items[1].TargetID)
			}
			again := []herald.InboxItem{items[0], {WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "m3",
				AuthorHandle: "@dee", Text: "new", CreatedAt: at(3 * time.Second), FetchedAt: at(2 * time.Minute)}}
			again[0].ID, again[0].Text = 0, "changed"
			n, err = s.AddInboxItems(ctx, again)
			noErr(t, err, "AddInboxItems again")
			if n != 1 || again[0].ID != 0 || again[1].ID == 0 {
				t.Fatalf("second add: n=%d ids %d %d; want 1 added, the known one left alone", n, again[0].ID, again[1].ID)
			}
			got, err := s.GetInboxItem(ctx, w.ws.ID, items[0].ID)
			noErr(t, err, "GetInboxItem")
			same(t, "item", got, items[0])
			other := mustWorld(t, s)
			_, err = s.GetInboxItem(ctx, other.ws.ID, items[0].ID)
			wantNotFound(t, err, "GetInboxItem from another workspace")

			all := walk(t, "ListInbox", 2, func(p herald.Page) ([]herald.InboxItem, string, error) {
				return s.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ws.ID, Page: p})
			})
			var ids []int64
			for _, it := range all {
				ids = append(ids, it.ID)
			}
			wantIDs(t, "inbox newest first", ids, []int64{again[1].ID, items[2].ID, items[1].ID, items[0].ID})
			one, _, err := s.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ws.ID, AccountID: second.ID})
			noErr(t, err, "ListInbox of one account")
			if len(one) != 1 || one[0].ID != items[2].ID {
				t.Fatalf("account filter gave %v", one)
			}
			none, next, err := s.ListInbox(ctx, herald.InboxFilter{WorkspaceID: other.ws.ID})
			noErr(t, err, "ListInbox of another workspace")
			if len(none) != 0 || next != "" {
				t.Fatalf("another workspace sees %d items", len(none))
			}
			for _, c := range garbageCursors() {
				_, _, err := s.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Cursor: c}})
				wantBadCursor(t, err, "ListInbox with cursor "+c)
			}
			bad := []herald.InboxItem{{WorkspaceID: other.ws.ID, AccountID: w.account.ID, RemoteID: "zz", CreatedAt: at(0)}}
			_, err = s.AddInboxItems(ctx, bad)
			wantConflict(t, err, "item on another workspace's account")
		}},
		{"CursorAndAccounts", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s) // a connected Mastodon account
			fake := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "f1", Handle: "@f1",
				Status: herald.AccountExpiring, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte{1}}}
			noErr(t, s.CreateAccount(ctx, &fake), "CreateAccount")
			revoked := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "f2", Handle: "@f2",
				Status: herald.AccountRevoked, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte{1}}}
			noErr(t, s.CreateAccount(ctx, &revoked), "CreateAccount")
			noCreds := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "f3", Handle: "@f3",
				Status: herald.AccountConnected}
			noErr(t, s.CreateAccount(ctx, &noCreds), "CreateAccount")

			got, err := s.InboxAccounts(ctx, []herald.Platform{herald.PlatformFake, herald.PlatformMastodon})
			noErr(t, err, "InboxAccounts")
			var ids []int64
			for _, a := range got {
				ids = append(ids, a.ID)
			}
			wantIDs(t, "inbox accounts", ids, []int64{w.account.ID, fake.ID})
			got, err = s.InboxAccounts(ctx, nil)
			noErr(t, err, "InboxAccounts of no platform")
			if len(got) != 0 {
				t.Fatalf("no platform gave %d accounts", len(got))
			}

			noErr(t, s.SetInboxCursor(ctx, w.ws.ID, fake.ID, "cursor-1"), "SetInboxCursor")
			a, err := s.GetAccount(ctx, w.ws.ID, fake.ID)
			noErr(t, err, "GetAccount")
			if a.InboxCursor != "cursor-1" {
				t.Fatalf("inbox cursor %q, want cursor-1", a.InboxCursor)
			}
			// UpdateAccount leaves the cursor alone.
			a.InboxCursor = ""
			a.DisplayName = "renamed"
			noErr(t, s.UpdateAccount(ctx, &a), "UpdateAccount")
			a, err = s.GetAccount(ctx, w.ws.ID, fake.ID)
			noErr(t, err, "GetAccount")
			if a.InboxCursor != "cursor-1" {
				t.Fatalf("UpdateAccount changed the inbox cursor to %q", a.InboxCursor)
			}
			other := mustWorld(t, s)
			wantNotFound(t, s.SetInboxCursor(ctx, other.ws.ID, fake.ID, "x"), "SetInboxCursor in another workspace")
		}},
	}
}
