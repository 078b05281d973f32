package inbox_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/teststore"
)

func TestNotesMentionTheTeam(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		it := w.add(t, "my parcel never came")[0]
		*w.notes = nil

		// @editor mentions the editor (display name "editor"); @owner is the
		// author and is not told about their own note; @nobody stays text.
		n, err := w.svc.AddNote(ctx, w.owner, it.ID, "  @editor can you check the courier? cc @owner @nobody ")
		if err != nil {
			t.Fatal(err)
		}
		if n.Body != "@editor can you check the courier? cc @owner @nobody" || n.AuthorName != "owner" {
			t.Fatalf("note %+v", n)
		}
		if !slices.Equal(n.Mentions, sortedIDs(w.editor.UserID, w.owner.UserID)) {
			t.Fatalf("mentions %v, want editor and owner", n.Mentions)
		}
		if len(*w.notes) != 1 {
			t.Fatalf("notifications %+v, want one", *w.notes)
		}
		got := (*w.notes)[0]
		if got.Kind != herald.NotifyMentioned || !slices.Equal(got.UserIDs, []int64{w.editor.UserID}) ||
			got.InboxItemID != it.ID || !strings.HasSuffix(got.Link, "/inbox/"+itoa(it.ID)) || got.Key == "" {
			t.Fatalf("notification %+v", got)
		}

		// Bad input: empty, too long, another workspace's item, a client.
		_, err = w.svc.AddNote(ctx, w.owner, it.ID, "   ")
		wantCode(t, err, herald.CodeInvalid, "empty note")
		_, err = w.svc.AddNote(ctx, w.owner, it.ID, strings.Repeat("x", herald.MaxCommentLen+1))
		wantCode(t, err, herald.CodeInvalid, "long note")
		_, err = w.svc.AddNote(ctx, w.client, it.ID, "hi")
		wantCode(t, err, herald.CodeForbidden, "client writes a note")
		ows := herald.Workspace{Name: "Other", TimeZone: "UTC"}
		if err := st.CreateWorkspace(ctx, &ows); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.AddNote(ctx, herald.Actor{UserID: w.owner.UserID, WorkspaceID: ows.ID, Role: herald.RoleOwner}, it.ID, "hi")
		wantCode(t, err, herald.CodeNotFound, "note on another workspace's item")

		ns, err := w.svc.Notes(ctx, w.client, it.ID)
		if err != nil || len(ns) != 1 || ns[0].ID != n.ID {
			t.Fatalf("client reads notes %+v, %v", ns, err)
		}
		// Only the author or an admin deletes a note.
		m, err := w.svc.AddNote(ctx, w.editor, it.ID, "checked: lost in transit")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, w.svc.DeleteNote(ctx, w.editor, it.ID, n.ID), herald.CodeForbidden, "editor deletes the owner's note")
		wantCode(t, w.svc.DeleteNote(ctx, w.owner, it.ID+1000, m.ID), herald.CodeNotFound, "note under the wrong item")
		if err := w.svc.DeleteNote(ctx, w.editor, it.ID, m.ID); err != nil {
			t.Fatalf("author deletes own note: %v", err)
		}
		if err := w.svc.DeleteNote(ctx, w.owner, it.ID, n.ID); err != nil {
			t.Fatalf("owner deletes a note: %v", err)
		}
		ns, err = w.svc.Notes(ctx, w.owner, it.ID)
		if err != nil || len(ns) != 0 {
			t.Fatalf("after deletes %+v, %v", ns, err)
		}
	})
}

func TestSavedRepliesFillVariables(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := mustWorld(t, st)
		items := w.add(t, "where is my refund?")
		it := items[0]

		r, err := w.svc.CreateSavedReply(ctx, w.editor, inbox.SavedReplyInput{Name: " Refund ",
			Body: "Hi {{author.name}} ({{ author.handle }}), {{me.name}} from {{workspace.name}} here, answering as {{account.handle}}."})
		if err != nil {
			t.Fatal(err)
		}
		if r.Name != "Refund" {
			t.Fatalf("name %q, want trimmed", r.Name)
		}
		f, err := w.svc.FillSavedReply(ctx, w.owner, r.ID, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The item has no display name: its handle stands in.
		want := "Hi @Someone (@Someone), owner from Brand here, answering as acct."
		if f.Text != want {
			t.Fatalf("filled %q, want %q", f.Text, want)
		}
		all, err := w.svc.FillSavedReplies(ctx, w.editor, it.ID)
		if err != nil || len(all) != 1 || all[0].Text != strings.Replace(want, "owner from", "editor from", 1) {
			t.Fatalf("filled for the editor %+v, %v", all, err)
		}

		// Bad input: an unknown variable, a stray brace, a duplicate name,
		// no name; nothing already saved changes.
		_, err = w.svc.CreateSavedReply(ctx, w.owner, inbox.SavedReplyInput{Name: "x", Body: "Hi {{author.nickname}}"})
		he := wantCode(t, err, herald.CodeInvalid, "unknown variable")
		if len(he.Details) != 1 || !strings.Contains(he.Details[0].Problem, "{{author.nickname}}") ||
			!strings.Contains(he.Details[0].Problem, "{{author.name}}") {
			t.Fatalf("unknown variable details %+v", he.Details)
		}
		_, err = w.svc.CreateSavedReply(ctx, w.owner, inbox.SavedReplyInput{Name: "y", Body: "Hi {{author.name"})
		wantCode(t, err, herald.CodeInvalid, "unclosed variable")
		_, err = w.svc.CreateSavedReply(ctx, w.owner, inbox.SavedReplyInput{Name: "REFUND", Body: "again"})
		wantCode(t, err, herald.CodeConflict, "duplicate name")
		_, err = w.svc.UpdateSavedReply(ctx, w.owner, r.ID, inbox.SavedReplyInput{Name: "", Body: "{{me}}"})
		he = wantCode(t, err, herald.CodeInvalid, "update with no name and a bad variable")
		if len(he.Details) != 2 {
			t.Fatalf("details %+v, want name and body", he.Details)
		}
		_, err = w.svc.CreateSavedReply(ctx, w.client, inbox.SavedReplyInput{Name: "c", Body: "c"})
		wantCode(t, err, herald.CodeForbidden, "client creates a saved reply")
		got, err := w.svc.SavedReply(ctx, w.client, r.ID)
		if err != nil || got.Body != r.Body {
			t.Fatalf("after refused changes %+v, %v", got, err)
		}
		up, err := w.svc.UpdateSavedReply(ctx, w.owner, r.ID, inbox.SavedReplyInput{Name: "Refund", Body: "Thanks {{author.name}}!"})
		if err != nil || up.Body != "Thanks {{author.name}}!" {
			t.Fatalf("update %+v, %v", up, err)
		}
		if err := w.svc.DeleteSavedReply(ctx, w.owner, r.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.FillSavedReply(ctx, w.owner, r.ID, it.ID)
		wantCode(t, err, herald.CodeNotFound, "deleted saved reply")
	})
}

func sortedIDs(ids ...int64) []int64 { return slices.Sorted(slices.Values(ids)) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
