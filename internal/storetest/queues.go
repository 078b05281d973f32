package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// queueTests check the posting schedule kept on accounts and the series
// fields of posts (recurring posts).
func queueTests() []test {
	return []test{
		{"PostingScheduleRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			got, err := s.GetAccount(ctx, w.ws.ID, w.account.ID)
			noErr(t, err, "GetAccount")
			if got.PostingSchedule.Slots == nil || len(got.PostingSchedule.Slots) != 0 {
				t.Fatalf("new account's slots = %#v, want an empty, non-nil list", got.PostingSchedule.Slots)
			}
			got.PostingSchedule = herald.PostingSchedule{Slots: []herald.PostingSlot{
				{Day: "monday", Time: "09:00"}, {Day: "friday", Time: "17:30"}}}
			got.UpdatedAt = at(time.Hour)
			noErr(t, s.UpdateAccount(ctx, &got), "UpdateAccount")
			again, err := s.GetAccount(ctx, w.ws.ID, w.account.ID)
			noErr(t, err, "GetAccount after update")
			same(t, "posting schedule", again.PostingSchedule, got.PostingSchedule)
			list, err := s.ListAccounts(ctx, w.ws.ID)
			noErr(t, err, "ListAccounts")
			same(t, "listed posting schedule", list[0].PostingSchedule, got.PostingSchedule)

			created := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "r-" + unique(),
				Handle: "@q", Status: herald.AccountConnected, CreatedAt: at(0), UpdatedAt: at(0),
				PostingSchedule: herald.PostingSchedule{Slots: []herald.PostingSlot{{Day: "sunday", Time: "00:00"}}}}
			noErr(t, s.CreateAccount(ctx, &created), "CreateAccount with slots")
			back, err := s.GetAccount(ctx, w.ws.ID, created.ID)
			noErr(t, err, "GetAccount of the created account")
			same(t, "created posting schedule", back.PostingSchedule, created.PostingSchedule)
		}},
		{"SeriesRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			head := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			head.Recurrence = "FREQ=WEEKLY;BYDAY=MO"
			head.SeriesID = ptr(head.ID)
			head.OccurrenceAt = ptr(at(24 * time.Hour))
			head.UpdatedAt = at(time.Minute)
			noErr(t, s.UpdatePost(ctx, &head, head.Version), "UpdatePost(series head)")
			got, err := s.GetPost(ctx, w.ws.ID, head.ID)
			noErr(t, err, "GetPost(head)")
			samePost(t, "series head", got, head)

			occ := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, Text: "again", SeriesID: ptr(head.ID),
				OccurrenceAt: ptr(at(8 * 24 * time.Hour)), CreatedAt: at(0), UpdatedAt: at(0),
				Targets: []herald.Target{{AccountID: w.account.ID, State: herald.StateScheduled,
					ScheduledAt: ptr(at(8 * 24 * time.Hour)), CreatedAt: at(0), UpdatedAt: at(0)}}}
			noErr(t, s.CreatePost(ctx, &occ), "CreatePost(occurrence)")
			got, err = s.GetPost(ctx, w.ws.ID, occ.ID)
			noErr(t, err, "GetPost(occurrence)")
			if got.SeriesID == nil || *got.SeriesID != head.ID || got.OccurrenceAt == nil {
				t.Fatalf("occurrence series = %v at %v, want %d", got.SeriesID, got.OccurrenceAt, head.ID)
			}
			wantTime(t, "OccurrenceAt", *got.OccurrenceAt, at(8*24*time.Hour))
			if got.Targets[0].DueAt == nil || !got.Targets[0].DueAt.Equal(at(8*24*time.Hour)) {
				t.Fatalf("occurrence target due at %v, want its scheduled time", got.Targets[0].DueAt)
			}

			// One post per occurrence: the same instant again is a conflict.
			dup := occ
			dup.ID, dup.Targets = 0, nil
			wantConflict(t, s.CreatePost(ctx, &dup), "CreatePost(same series and occurrence)")
			// Another series may use the same instant.
			other := mustPost(t, s, w.ws.ID, w.owner.ID)
			free := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.owner.ID, SeriesID: ptr(other.ID),
				OccurrenceAt: occ.OccurrenceAt, CreatedAt: at(0), UpdatedAt: at(0)}
			noErr(t, s.CreatePost(ctx, &free), "CreatePost(other series, same instant)")

			// A series of another workspace is refused.
			ow := mustWorld(t, s)
			stray := herald.Post{WorkspaceID: ow.ws.ID, AuthorID: ow.owner.ID, SeriesID: ptr(head.ID),
				OccurrenceAt: ptr(at(time.Hour)), CreatedAt: at(0), UpdatedAt: at(0)}
			wantConflict(t, s.CreatePost(ctx, &stray), "CreatePost(series of another workspace)")

			// The series filter lists the head and its occurrences.
			posts, next, err := s.ListPosts(ctx, herald.PostFilter{WorkspaceID: w.ws.ID, SeriesID: head.ID})
			noErr(t, err, "ListPosts(series)")
			wantIDs(t, "series posts", postIDs(posts), []int64{occ.ID, head.ID})
			if next != "" {
				t.Fatalf("next = %q, want the last page", next)
			}

			// Only heads that still recur are listed, in every workspace.
			rec, err := s.ListRecurringPosts(ctx)
			noErr(t, err, "ListRecurringPosts")
			wantIDs(t, "recurring posts", postIDs(rec), []int64{head.ID})
			if len(rec[0].Targets) != 1 {
				t.Fatalf("recurring head has %d targets, want 1", len(rec[0].Targets))
			}
			head.Recurrence = ""
			noErr(t, s.UpdatePost(ctx, &head, head.Version), "UpdatePost(end the series)")
			rec, err = s.ListRecurringPosts(ctx)
			noErr(t, err, "ListRecurringPosts after the end")
			if len(rec) != 0 {
				t.Fatalf("ended series still listed: %v", postIDs(rec))
			}
			// Deleting the head keeps its occurrences, outside any series.
			noErr(t, s.DeletePost(ctx, w.ws.ID, head.ID), "DeletePost(head)")
			got, err = s.GetPost(ctx, w.ws.ID, occ.ID)
			noErr(t, err, "GetPost(occurrence after the head is deleted)")
			if got.SeriesID != nil {
				t.Fatalf("occurrence still in series %d", *got.SeriesID)
			}
		}},
	}
}
