package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func evergreenTests() []test {
	return []test{
		{"SettingsRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			_, err := s.GetEvergreenSettings(ctx, w.ws.ID)
			wantNotFound(t, err, "GetEvergreenSettings before any")
			st := herald.EvergreenSettings{WorkspaceID: w.ws.ID, Enabled: true, CooldownDays: 14,
				MaxSharePercent: 40, AccountIDs: []int64{w.account.ID}, UpdatedAt: at(time.Hour)}
			noErr(t, s.PutEvergreenSettings(ctx, &st), "PutEvergreenSettings")
			got, err := s.GetEvergreenSettings(ctx, w.ws.ID)
			noErr(t, err, "GetEvergreenSettings")
			same(t, "settings", got, st)
			st.Enabled, st.AccountIDs, st.UpdatedAt = false, []int64{}, at(2*time.Hour)
			noErr(t, s.PutEvergreenSettings(ctx, &st), "PutEvergreenSettings again")
			got, err = s.GetEvergreenSettings(ctx, w.ws.ID)
			noErr(t, err, "GetEvergreenSettings")
			same(t, "replaced settings", got, st)
			ids, err := s.ListEvergreenWorkspaces(ctx)
			noErr(t, err, "ListEvergreenWorkspaces")
			for _, id := range ids {
				if id == w.ws.ID {
					t.Fatalf("a disabled workspace is listed: %v", ids)
				}
			}
			st.Enabled = true
			noErr(t, s.PutEvergreenSettings(ctx, &st), "PutEvergreenSettings enabled")
			ids, err = s.ListEvergreenWorkspaces(ctx)
			noErr(t, err, "ListEvergreenWorkspaces")
			same(t, "enabled workspaces", ids, []int64{w.ws.ID})
			bad := herald.EvergreenSettings{WorkspaceID: w.ws.ID + 1000, CooldownDays: 1, MaxSharePercent: 1}
			wantConflict(t, s.PutEvergreenSettings(ctx, &bad), "settings of a missing workspace")
		}},
		{"MarkAndList", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p1 := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			p2 := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			e := herald.EvergreenPost{WorkspaceID: w.ws.ID, PostID: p2.ID, Variants: []string{"one", "two"},
				MarkedBy: &w.owner.ID, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.PutEvergreen(ctx, &e), "PutEvergreen")
			e1 := herald.EvergreenPost{WorkspaceID: w.ws.ID, PostID: p1.ID, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.PutEvergreen(ctx, &e1), "PutEvergreen without variants")
			again := herald.EvergreenPost{WorkspaceID: w.ws.ID, PostID: p2.ID, Variants: []string{"three"},
				CreatedAt: at(time.Hour), UpdatedAt: at(time.Hour)}
			noErr(t, s.PutEvergreen(ctx, &again), "PutEvergreen again")
			wantTime(t, "first marking kept", again.CreatedAt, at(0))
			same(t, "marked by kept", again.MarkedBy, &w.owner.ID)
			got, err := s.GetEvergreen(ctx, w.ws.ID, p2.ID)
			noErr(t, err, "GetEvergreen")
			same(t, "variants", got.Variants, []string{"three"})
			wantTime(t, "updated", got.UpdatedAt, at(time.Hour))
			list, err := s.ListEvergreen(ctx, w.ws.ID)
			noErr(t, err, "ListEvergreen")
			if len(list) != 2 || list[0].PostID != p1.ID || list[1].PostID != p2.ID {
				t.Fatalf("ListEvergreen = %+v, want posts %d then %d", list, p1.ID, p2.ID)
			}
			same(t, "no variants", list[0].Variants, []string{})
			other := mustWorkspace(t, s)
			_, err = s.GetEvergreen(ctx, other.ID, p2.ID)
			wantNotFound(t, err, "GetEvergreen in another workspace")
			wantNotFound(t, s.DeleteEvergreen(ctx, other.ID, p2.ID), "DeleteEvergreen in another workspace")
			foreign := herald.EvergreenPost{WorkspaceID: other.ID, PostID: p1.ID}
			wantConflict(t, s.PutEvergreen(ctx, &foreign), "PutEvergreen of another workspace's post")
			noErr(t, s.DeleteEvergreen(ctx, w.ws.ID, p2.ID), "DeleteEvergreen")
			_, err = s.GetEvergreen(ctx, w.ws.ID, p2.ID)
			wantNotFound(t, err, "GetEvergreen after delete")
			noErr(t, s.DeletePost(ctx, w.ws.ID, p1.ID), "DeletePost")
			_, err = s.GetEvergreen(ctx, w.ws.ID, p1.ID)
			wantNotFound(t, err, "GetEvergreen of a deleted post")
		}},
		{"CopiesUniquePerSlot", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			origin := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			other := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			copyPost := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			slot := at(48 * time.Hour)
			c := herald.EvergreenCopy{WorkspaceID: w.ws.ID, OriginID: origin.ID, AccountID: w.account.ID, SlotAt: slot,
				PostID: &copyPost.ID, Variant: 1, Text: "again", CreatedAt: at(time.Hour)}
			noErr(t, s.CreateEvergreenCopy(ctx, &c), "CreateEvergreenCopy")
			if c.ID == 0 {
				t.Fatal("CreateEvergreenCopy did not set the ID")
			}
			dup := c
			dup.ID, dup.PostID = 0, nil
			wantConflict(t, s.CreateEvergreenCopy(ctx, &dup), "a second copy of the origin at the slot")
			dup.OriginID = other.ID
			wantConflict(t, s.CreateEvergreenCopy(ctx, &dup), "another origin's copy at the same slot")
			later := herald.EvergreenCopy{WorkspaceID: w.ws.ID, OriginID: origin.ID, AccountID: w.account.ID,
				SlotAt: at(96 * time.Hour), CreatedAt: at(time.Hour)}
			noErr(t, s.CreateEvergreenCopy(ctx, &later), "a copy at another slot")
			foreignWS := mustWorkspace(t, s)
			foreignAcct := mustAccount(t, s, foreignWS.ID)
			bad := herald.EvergreenCopy{WorkspaceID: w.ws.ID, OriginID: origin.ID, AccountID: foreignAcct.ID, SlotAt: slot}
			wantConflict(t, s.CreateEvergreenCopy(ctx, &bad), "a copy on another workspace's account")
			foreignPost := mustPost(t, s, foreignWS.ID, w.owner.ID, foreignAcct.ID)
			bad = herald.EvergreenCopy{WorkspaceID: w.ws.ID, OriginID: origin.ID, AccountID: w.account.ID,
				SlotAt: at(200 * time.Hour), PostID: &foreignPost.ID}
			wantConflict(t, s.CreateEvergreenCopy(ctx, &bad), "a copy whose post is in another workspace")

			list, err := s.ListEvergreenCopies(ctx, w.ws.ID, origin.ID)
			noErr(t, err, "ListEvergreenCopies")
			if len(list) != 2 || list[0].ID != c.ID || list[1].ID != later.ID {
				t.Fatalf("ListEvergreenCopies = %+v", list)
			}
			same(t, "copy", list[0], c)
			all, err := s.ListEvergreenCopies(ctx, w.ws.ID, 0)
			noErr(t, err, "ListEvergreenCopies all")
			same(t, "every copy", len(all), 2)
			win, err := s.ListAccountEvergreenCopies(ctx, w.ws.ID, w.account.ID, slot, at(96*time.Hour))
			noErr(t, err, "ListAccountEvergreenCopies")
			if len(win) != 1 || win[0].ID != c.ID {
				t.Fatalf("ListAccountEvergreenCopies [slot, later) = %+v, want only the first copy", win)
			}
			byPost, err := s.GetEvergreenCopyByPost(ctx, w.ws.ID, copyPost.ID)
			noErr(t, err, "GetEvergreenCopyByPost")
			same(t, "copy by post", byPost.ID, c.ID)
			_, err = s.GetEvergreenCopyByPost(ctx, foreignWS.ID, copyPost.ID)
			wantNotFound(t, err, "GetEvergreenCopyByPost in another workspace")

			// Deleting the copy's post keeps the slot used.
			noErr(t, s.DeletePost(ctx, w.ws.ID, copyPost.ID), "DeletePost of the copy")
			list, err = s.ListEvergreenCopies(ctx, w.ws.ID, origin.ID)
			noErr(t, err, "ListEvergreenCopies after deleting the copy's post")
			if len(list) != 2 || list[0].PostID != nil {
				t.Fatalf("after deleting the copy's post: %+v, want the row kept without a post", list)
			}
			dup = herald.EvergreenCopy{WorkspaceID: w.ws.ID, OriginID: origin.ID, AccountID: w.account.ID, SlotAt: slot}
			wantConflict(t, s.CreateEvergreenCopy(ctx, &dup), "refilling a slot whose copy was deleted")
		}},
		{"CopiesRacing", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			origin := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			slot := at(72 * time.Hour)
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for i := range errs {
				wg.Go(func() {
					errs[i] = s.InTx(ctx, func(tx herald.Tx) error {
						p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "copy", CreatedAt: at(0), UpdatedAt: at(0),
							Targets: []herald.Target{{AccountID: w.account.ID, State: herald.StateScheduled, ScheduledAt: &slot}}}
						if err := tx.CreatePost(ctx, &p); err != nil {
							return err
						}
						c := herald.EvergreenCopy{WorkspaceID: w.ws.ID, OriginID: origin.ID, AccountID: w.account.ID,
							SlotAt: slot, PostID: &p.ID}
						return tx.CreateEvergreenCopy(ctx, &c)
					})
				})
			}
			wg.Wait()
			made := 0
			for _, err := range errs {
				if err == nil {
					made++
				} else {
					wantConflict(t, err, "a racing copy")
				}
			}
			same(t, "copies made by racing writers", made, 1)
			posts, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, States: []herald.TargetState{herald.StateScheduled}})
			noErr(t, err, "ListPosts")
			same(t, "scheduled copies left by racing writers", len(posts), 1)
		}},
		{"CalendarFeeds", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			_, err := s.GetCalendarFeed(ctx, w.ws.ID, w.owner.ID)
			wantNotFound(t, err, "GetCalendarFeed before any")
			f := herald.CalendarFeed{WorkspaceID: w.ws.ID, UserID: w.owner.ID, TokenHash: hash("feed-" + unique()), CreatedAt: at(0)}
			noErr(t, s.CreateCalendarFeed(ctx, &f), "CreateCalendarFeed")
			if f.ID == 0 {
				t.Fatal("CreateCalendarFeed did not set the ID")
			}
			got, err := s.GetCalendarFeed(ctx, w.ws.ID, w.owner.ID)
			noErr(t, err, "GetCalendarFeed")
			same(t, "feed", got, f)
			byHash, err := s.GetCalendarFeedByHash(ctx, f.TokenHash)
			noErr(t, err, "GetCalendarFeedByHash")
			same(t, "feed by hash", byHash, f)
			dup := herald.CalendarFeed{WorkspaceID: w.ws.ID, UserID: w.owner.ID, TokenHash: f.TokenHash}
			wantConflict(t, s.CreateCalendarFeed(ctx, &dup), "a second feed with the same hash")
			n, err := s.RevokeCalendarFeeds(ctx, w.ws.ID, w.owner.ID, at(time.Hour))
			noErr(t, err, "RevokeCalendarFeeds")
			same(t, "revoked", n, int64(1))
			n, err = s.RevokeCalendarFeeds(ctx, w.ws.ID, w.owner.ID, at(2*time.Hour))
			noErr(t, err, "RevokeCalendarFeeds again")
			same(t, "revoked again", n, int64(0))
			_, err = s.GetCalendarFeed(ctx, w.ws.ID, w.owner.ID)
			wantNotFound(t, err, "GetCalendarFeed after revoking")
			byHash, err = s.GetCalendarFeedByHash(ctx, f.TokenHash)
			noErr(t, err, "GetCalendarFeedByHash of a revoked feed")
			if byHash.RevokedAt == nil {
				t.Fatal("a revoked feed has no RevokedAt")
			}
			wantTime(t, "revoked at", *byHash.RevokedAt, at(time.Hour))
			_, err = s.GetCalendarFeedByHash(ctx, hash("nothing"))
			wantNotFound(t, err, "GetCalendarFeedByHash of an unknown hash")
			other := mustUser(t, s)
			bad := herald.CalendarFeed{WorkspaceID: w.ws.ID + 1000, UserID: other.ID, TokenHash: hash(unique())}
			wantConflict(t, s.CreateCalendarFeed(ctx, &bad), "a feed in a missing workspace")
		}},
	}
}
