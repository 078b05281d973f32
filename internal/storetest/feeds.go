package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustFeed creates a feed in w's workspace, due at next.
func mustFeed(t *testing.T, s herald.Tx, w world, next time.Time) herald.Feed {
	t.Helper()
	f := herald.Feed{WorkspaceID: w.ws.ID, URL: "https://news.example/" + unique() + ".xml", Name: "News " + unique(),
		Mode: herald.FeedQueue, AccountIDs: []int64{w.account.ID}, Template: "{{title}} {{url}}", LabelIDs: []int64{},
		OwnerID: w.owner.ID, FeedPoll: herald.FeedPoll{NextPollAt: next}, CreatedAt: at(0), UpdatedAt: at(0)}
	noErr(t, s.CreateFeed(t.Context(), &f), "CreateFeed")
	if f.ID == 0 {
		t.Fatal("CreateFeed did not set the ID")
	}
	return f
}

// feedTests check feeds, their polling state and the seen-set of entries.
func feedTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			c := herald.Campaign{WorkspaceID: w.ws.ID, Name: "Spring " + unique(), CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreateCampaign(ctx, &c), "CreateCampaign")
			f := mustFeed(t, s, w, at(time.Hour))
			got, err := s.GetFeed(ctx, w.ws.ID, f.ID)
			noErr(t, err, "GetFeed")
			same(t, "feed", got, f)

			f.Name, f.Mode, f.Template, f.Paused, f.CampaignID = "Renamed", herald.FeedDraft, "{{summary}}", true, &c.ID
			f.AccountIDs, f.LabelIDs = []int64{w.account.ID, w.account.ID + 1000}, []int64{7}
			f.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdateFeed(ctx, &f), "UpdateFeed")
			polled := at(2 * time.Minute)
			poll := herald.FeedPoll{ETag: `"abc"`, LastModified: "Sun, 01 Mar 2026 09:00:00 GMT", LastPolledAt: &polled,
				LastError: "the server answered 503", NextPollAt: at(3 * time.Hour), Failures: 2}
			noErr(t, s.SaveFeedPoll(ctx, w.ws.ID, f.ID, poll), "SaveFeedPoll")
			f.FeedPoll = poll
			got, err = s.GetFeed(ctx, w.ws.ID, f.ID)
			noErr(t, err, "GetFeed after update")
			same(t, "updated feed", got, f)
			list, err := s.ListFeeds(ctx, w.ws.ID)
			noErr(t, err, "ListFeeds")
			if len(list) != 1 {
				t.Fatalf("ListFeeds = %d feeds, want 1", len(list))
			}
			same(t, "listed feed", list[0], f)

			// The campaign's deletion unlinks it.
			noErr(t, s.DeleteCampaign(ctx, w.ws.ID, c.ID), "DeleteCampaign")
			got, err = s.GetFeed(ctx, w.ws.ID, f.ID)
			noErr(t, err, "GetFeed after the campaign's deletion")
			if got.CampaignID != nil {
				t.Fatalf("campaign = %d after its deletion, want none", *got.CampaignID)
			}
		}},
		{"Isolation", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorld(t, s), mustWorld(t, s)
			f := mustFeed(t, s, w, at(0))
			_, err := s.GetFeed(ctx, other.ws.ID, f.ID)
			wantNotFound(t, err, "GetFeed from another workspace")
			moved := f
			moved.WorkspaceID = other.ws.ID
			wantNotFound(t, s.UpdateFeed(ctx, &moved), "UpdateFeed in another workspace")
			wantNotFound(t, s.SaveFeedPoll(ctx, other.ws.ID, f.ID, herald.FeedPoll{NextPollAt: at(0)}), "SaveFeedPoll in another workspace")
			wantNotFound(t, s.AddFeedEntry(ctx, &herald.FeedEntry{FeedID: f.ID, WorkspaceID: other.ws.ID, Key: "id:1"}),
				"AddFeedEntry in another workspace")
			wantNotFound(t, s.DeleteFeed(ctx, other.ws.ID, f.ID), "DeleteFeed in another workspace")
			list, err := s.ListFeeds(ctx, other.ws.ID)
			noErr(t, err, "ListFeeds of the other workspace")
			if len(list) != 0 {
				t.Fatalf("the other workspace lists %d feeds", len(list))
			}
			noErr(t, s.DeleteFeed(ctx, w.ws.ID, f.ID), "DeleteFeed")
			_, err = s.GetFeed(ctx, w.ws.ID, f.ID)
			wantNotFound(t, err, "GetFeed after delete")
		}},
		{"EntriesUsedOnce", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			f := mustFeed(t, s, w, at(0))
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			pub := at(-time.Hour)
			e := herald.FeedEntry{FeedID: f.ID, WorkspaceID: w.ws.ID, Key: "id:tag:1", Title: "One", URL: "https://x/1",
				PostID: &p.ID, PublishedAt: &pub, CreatedAt: at(time.Minute)}
			noErr(t, s.AddFeedEntry(ctx, &e), "AddFeedEntry")
			again := e
			wantConflict(t, s.AddFeedEntry(ctx, &again), "AddFeedEntry of the same key")
			skipped := herald.FeedEntry{FeedID: f.ID, WorkspaceID: w.ws.ID, Key: "id:tag:0", Skipped: true, CreatedAt: at(0)}
			noErr(t, s.AddFeedEntry(ctx, &skipped), "AddFeedEntry(skipped)")
			seen, err := s.SeenFeedEntries(ctx, w.ws.ID, f.ID, []string{"id:tag:1", "id:tag:0", "id:tag:2"})
			noErr(t, err, "SeenFeedEntries")
			same(t, "seen", seen, map[string]bool{"id:tag:1": true, "id:tag:0": true})
			entries, err := s.ListFeedEntries(ctx, w.ws.ID, f.ID, 10)
			noErr(t, err, "ListFeedEntries")
			same(t, "entries", entries, []herald.FeedEntry{e, skipped})
			got, err := s.GetFeed(ctx, w.ws.ID, f.ID)
			noErr(t, err, "GetFeed")
			if got.EntriesUsed != 1 {
				t.Fatalf("EntriesUsed = %d, want 1 (the skipped entry does not count)", got.EntriesUsed)
			}
			// Another feed may see the same key.
			g := mustFeed(t, s, w, at(0))
			noErr(t, s.AddFeedEntry(ctx, &herald.FeedEntry{FeedID: g.ID, WorkspaceID: w.ws.ID, Key: "id:tag:1", CreatedAt: at(0)}),
				"AddFeedEntry of the key in another feed")
			// Deleting the post keeps the entry used.
			noErr(t, s.DeletePost(ctx, w.ws.ID, p.ID), "DeletePost")
			seen, err = s.SeenFeedEntries(ctx, w.ws.ID, f.ID, []string{"id:tag:1"})
			noErr(t, err, "SeenFeedEntries after the post's deletion")
			if !seen["id:tag:1"] {
				t.Fatal("the entry was forgotten when its post was deleted")
			}
		}},
		{"EntryRollsBackWithItsTransaction", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			f := mustFeed(t, s, w, at(0))
			boom := errors.New("boom")
			err := s.InTx(ctx, func(tx herald.Tx) error {
				p := mustPost(t, tx, w.ws.ID, w.owner.ID, w.account.ID)
				noErr(t, tx.AddFeedEntry(ctx, &herald.FeedEntry{FeedID: f.ID, WorkspaceID: w.ws.ID, Key: "k", PostID: &p.ID,
					CreatedAt: at(0)}), "AddFeedEntry in tx")
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("InTx = %v, want boom", err)
			}
			seen, err := s.SeenFeedEntries(ctx, w.ws.ID, f.ID, []string{"k"})
			noErr(t, err, "SeenFeedEntries")
			if seen["k"] {
				t.Fatal("an entry of a rolled-back transaction was kept")
			}
		}},
		{"RacingTransactionsOneWins", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			f := mustFeed(t, s, w, at(0))
			const racers = 4
			var wg sync.WaitGroup
			errs := make([]error, racers)
			for i := range racers {
				wg.Go(func() {
					errs[i] = s.InTx(ctx, func(tx herald.Tx) error {
						p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "race", CreatedAt: at(0), UpdatedAt: at(0)}
						if err := tx.CreatePost(ctx, &p); err != nil {
							return err
						}
						return tx.AddFeedEntry(ctx, &herald.FeedEntry{FeedID: f.ID, WorkspaceID: w.ws.ID, Key: "id:race",
							PostID: &p.ID, CreatedAt: at(0)})
					})
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, herald.ErrConflict):
					t.Fatalf("a racer failed with %v, want a conflict", err)
				}
			}
			posts, _, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, Page: herald.Page{Limit: 50}})
			noErr(t, err, "ListPosts")
			if won != 1 || len(posts) != 1 {
				t.Fatalf("%d transactions won and %d posts exist, want 1 and 1", won, len(posts))
			}
		}},
		{"DueFeeds", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w, other := mustWorld(t, s), mustWorld(t, s)
			late := mustFeed(t, s, w, at(-time.Hour))
			due := mustFeed(t, s, other, at(0))
			mustFeed(t, s, w, at(time.Hour))
			paused := mustFeed(t, s, w, at(-2*time.Hour))
			paused.Paused = true
			noErr(t, s.UpdateFeed(ctx, &paused), "UpdateFeed(paused)")
			got, err := s.DueFeeds(ctx, at(0), 10)
			noErr(t, err, "DueFeeds")
			if len(got) != 2 || got[0].ID != late.ID || got[1].ID != due.ID {
				t.Fatalf("DueFeeds = %v, want feeds %d then %d", feedIDs(got), late.ID, due.ID)
			}
			got, err = s.DueFeeds(ctx, at(0), 1)
			noErr(t, err, "DueFeeds(limit 1)")
			if len(got) != 1 || got[0].ID != late.ID {
				t.Fatalf("DueFeeds(limit 1) = %v, want %d", feedIDs(got), late.ID)
			}
			_, err = s.DueFeeds(ctx, at(0), 0)
			wantIs(t, err, herald.ErrInvalid, "DueFeeds(limit 0)")
			noErr(t, s.DeleteWorkspace(ctx, other.ws.ID), "DeleteWorkspace")
			got, err = s.DueFeeds(ctx, at(0), 10)
			noErr(t, err, "DueFeeds after the workspace's deletion")
			if len(got) != 1 {
				t.Fatalf("DueFeeds = %v after deleting a workspace, want only %d", feedIDs(got), late.ID)
			}
		}},
	}
}

func feedIDs(fs []herald.Feed) []int64 {
	out := make([]int64, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}
