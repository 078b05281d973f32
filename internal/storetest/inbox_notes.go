package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// inboxNoteTests check internal notes on inbox items and saved replies.
func inboxNoteTests() []test {
	return []test{
		{"Notes", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustUser(t, s)
			it := mustInbox(t, s, w.ws.ID, w.account.ID, "x", "where is my order?", 0)
			a := herald.InboxNote{WorkspaceID: w.ws.ID, ItemID: it.ID, AuthorID: w.owner.ID, Body: "@sam can you look?",
				Mentions: []int64{other.ID, w.owner.ID, other.ID}, CreatedAt: at(time.Minute)}
			noErr(t, s.AddInboxNote(ctx, &a), "AddInboxNote")
			if a.ID == 0 || !slices.Equal(a.Mentions, sortedIDs(other.ID, w.owner.ID)) {
				t.Fatalf("added note %+v", a)
			}
			b := herald.InboxNote{WorkspaceID: w.ws.ID, ItemID: it.ID, AuthorID: other.ID, Body: "on it"}
			noErr(t, s.AddInboxNote(ctx, &b), "AddInboxNote without mentions")
			got, err := s.ListInboxNotes(ctx, w.ws.ID, it.ID)
			noErr(t, err, "ListInboxNotes")
			if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
				t.Fatalf("notes %+v, want a then b", got)
			}
			if got[0].AuthorName != w.owner.Name || got[0].Body != a.Body || !slices.Equal(got[0].Mentions, a.Mentions) {
				t.Fatalf("note read back %+v", got[0])
			}
			wantTime(t, "created at", got[0].CreatedAt, at(time.Minute))
			if got[1].Mentions == nil || len(got[1].Mentions) != 0 {
				t.Fatalf("mentions of a note without any: %#v", got[1].Mentions)
			}
			one, err := s.GetInboxNote(ctx, w.ws.ID, b.ID)
			noErr(t, err, "GetInboxNote")
			if one.AuthorID != other.ID || one.Body != "on it" {
				t.Fatalf("GetInboxNote %+v", one)
			}

			// Another workspace's item, or its notes, are not reachable.
			ow := mustWorld(t, s)
			bad := herald.InboxNote{WorkspaceID: ow.ws.ID, ItemID: it.ID, AuthorID: ow.owner.ID, Body: "sneaky"}
			wantNotFound(t, s.AddInboxNote(ctx, &bad), "note on another workspace's item")
			if bad.ID != 0 {
				t.Fatalf("refused note has id %d", bad.ID)
			}
			wantNotFound(t, func() error { _, err := s.GetInboxNote(ctx, ow.ws.ID, a.ID); return err }(), "get other's note")
			wantNotFound(t, s.DeleteInboxNote(ctx, ow.ws.ID, a.ID), "delete other's note")
			theirs, err := s.ListInboxNotes(ctx, ow.ws.ID, it.ID)
			noErr(t, err, "ListInboxNotes of another workspace")
			if len(theirs) != 0 {
				t.Fatalf("another workspace sees %d notes", len(theirs))
			}

			noErr(t, s.DeleteInboxNote(ctx, w.ws.ID, a.ID), "DeleteInboxNote")
			wantNotFound(t, s.DeleteInboxNote(ctx, w.ws.ID, a.ID), "delete twice")
			got, err = s.ListInboxNotes(ctx, w.ws.ID, it.ID)
			noErr(t, err, "ListInboxNotes after delete")
			if len(got) != 1 || got[0].ID != b.ID {
				t.Fatalf("after delete %+v", got)
			}
		}},
		{"SavedReplies", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			a := herald.SavedReply{WorkspaceID: w.ws.ID, Name: "Thanks", Body: "Thank you, {{author.name}}!",
				CreatedBy: w.owner.ID, CreatedAt: at(0)}
			noErr(t, s.CreateSavedReply(ctx, &a), "CreateSavedReply")
			b := herald.SavedReply{WorkspaceID: w.ws.ID, Name: "apology", Body: "Sorry about that."}
			noErr(t, s.CreateSavedReply(ctx, &b), "CreateSavedReply without creator")
			dup := herald.SavedReply{WorkspaceID: w.ws.ID, Name: "THANKS", Body: "x"}
			wantConflict(t, s.CreateSavedReply(ctx, &dup), "a name that differs only in case")
			list, err := s.ListSavedReplies(ctx, w.ws.ID)
			noErr(t, err, "ListSavedReplies")
			if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
				t.Fatalf("list %+v, want apology then Thanks (by name ignoring case)", list)
			}
			got, err := s.GetSavedReply(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetSavedReply")
			if got.Body != a.Body || got.CreatedBy != w.owner.ID || got.Name != "Thanks" {
				t.Fatalf("read back %+v", got)
			}
			wantTime(t, "created at", got.CreatedAt, at(0))
			got.Name, got.Body, got.UpdatedAt = "Thanks a lot", "Many thanks!", at(time.Hour)
			noErr(t, s.UpdateSavedReply(ctx, &got), "UpdateSavedReply")
			again, err := s.GetSavedReply(ctx, w.ws.ID, a.ID)
			noErr(t, err, "GetSavedReply after update")
			if again.Name != "Thanks a lot" || again.Body != "Many thanks!" {
				t.Fatalf("after update %+v", again)
			}
			wantTime(t, "updated at", again.UpdatedAt, at(time.Hour))
			clash := again
			clash.Name = "Apology"
			wantConflict(t, s.UpdateSavedReply(ctx, &clash), "rename onto another's name")

			ow := mustWorld(t, s)
			same := herald.SavedReply{WorkspaceID: ow.ws.ID, Name: "apology", Body: "ours"}
			noErr(t, s.CreateSavedReply(ctx, &same), "the same name in another workspace")
			wantNotFound(t, func() error { _, err := s.GetSavedReply(ctx, ow.ws.ID, a.ID); return err }(), "get other's")
			o := again
			o.WorkspaceID = ow.ws.ID
			wantNotFound(t, s.UpdateSavedReply(ctx, &o), "update other's")
			wantNotFound(t, s.DeleteSavedReply(ctx, ow.ws.ID, a.ID), "delete other's")
			noErr(t, s.DeleteSavedReply(ctx, w.ws.ID, a.ID), "DeleteSavedReply")
			list, err = s.ListSavedReplies(ctx, w.ws.ID)
			noErr(t, err, "ListSavedReplies after delete")
			if len(list) != 1 || list[0].ID != b.ID {
				t.Fatalf("after delete %+v", list)
			}
		}},
	}
}
