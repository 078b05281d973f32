package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustComment adds a comment by authorID on postID with mentions.
func mustComment(t *testing.T, s herald.Tx, workspaceID, postID, authorID int64, body string, d time.Duration, mentions ...int64) herald.PostComment {
	t.Helper()
	c := herald.PostComment{WorkspaceID: workspaceID, PostID: postID, AuthorID: authorID, Body: body,
		Mentions: mentions, CreatedAt: at(d)}
	noErr(t, s.CreateComment(t.Context(), &c), "CreateComment")
	if c.ID == 0 {
		t.Fatal("CreateComment did not set the ID")
	}
	return c
}

func commentIDs(cs []herald.PostComment) []int64 {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	return ids
}

func commentTests() []test {
	return []test{
		{"RoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			bea := mustUser(t, s)
			mustMember(t, s, w.ws.ID, bea.ID, herald.RoleEditor)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			c := mustComment(t, s, w.ws.ID, p.ID, w.owner.ID, "Looks good, @bea?", 0, bea.ID, w.owner.ID, bea.ID)
			same(t, "Mentions after create", c.Mentions, sortedIDs(bea.ID, w.owner.ID))

			got, err := s.GetComment(ctx, w.ws.ID, c.ID)
			noErr(t, err, "GetComment")
			same(t, "Body", got.Body, "Looks good, @bea?")
			same(t, "PostID", got.PostID, p.ID)
			same(t, "AuthorID", got.AuthorID, w.owner.ID)
			same(t, "AuthorName", got.AuthorName, w.owner.Name)
			same(t, "Mentions", got.Mentions, sortedIDs(bea.ID, w.owner.ID))
			wantTime(t, "CreatedAt", got.CreatedAt, at(0))

			plain := mustComment(t, s, w.ws.ID, p.ID, bea.ID, "No mentions here", time.Minute)
			got, err = s.GetComment(ctx, w.ws.ID, plain.ID)
			noErr(t, err, "GetComment without mentions")
			if got.Mentions == nil || len(got.Mentions) != 0 {
				t.Fatalf("a comment without mentions has mentions %#v, want an empty list", got.Mentions)
			}

			// Inside a transaction, too.
			var inTx herald.PostComment
			noErr(t, s.InTx(ctx, func(tx herald.Tx) error {
				inTx = herald.PostComment{WorkspaceID: w.ws.ID, PostID: p.ID, AuthorID: bea.ID, Body: "in a tx",
					Mentions: []int64{w.owner.ID}, CreatedAt: at(2 * time.Minute)}
				return tx.CreateComment(ctx, &inTx)
			}), "CreateComment in a transaction")
			all := walk(t, "ListComments", 2, func(pg herald.Page) ([]herald.PostComment, string, error) {
				return s.ListComments(ctx, w.ws.ID, p.ID, pg)
			})
			wantIDs(t, "ListComments, oldest first", commentIDs(all), []int64{c.ID, plain.ID, inTx.ID})
			same(t, "listed mentions", all[2].Mentions, []int64{w.owner.ID})
			same(t, "listed author", all[1].AuthorName, bea.Name)
		}},
		{"IsWorkspaceScoped", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			otherPost := mustPost(t, s, other.ws.ID, other.owner.ID, other.account.ID)
			c := mustComment(t, s, w.ws.ID, p.ID, w.owner.ID, "mine", 0)

			bad := herald.PostComment{WorkspaceID: w.ws.ID, PostID: otherPost.ID, AuthorID: w.owner.ID, Body: "x", CreatedAt: at(0)}
			wantConflict(t, s.CreateComment(ctx, &bad), "CreateComment on another workspace's post")
			if bad.ID != 0 {
				t.Fatalf("a refused comment got id %d", bad.ID)
			}
			ghost := herald.PostComment{WorkspaceID: w.ws.ID, PostID: p.ID, AuthorID: w.owner.ID, Body: "x",
				Mentions: []int64{w.owner.ID + other.owner.ID + 1000}, CreatedAt: at(0)}
			wantConflict(t, s.CreateComment(ctx, &ghost), "CreateComment mentioning an unknown user")
			_, err := s.GetComment(ctx, other.ws.ID, c.ID)
			wantNotFound(t, err, "GetComment from another workspace")
			_, _, err = s.ListComments(ctx, other.ws.ID, p.ID, herald.Page{})
			wantNotFound(t, err, "ListComments of another workspace's post")
			_, _, err = s.ListComments(ctx, w.ws.ID, p.ID+1000, herald.Page{})
			wantNotFound(t, err, "ListComments of an unknown post")
			wantNotFound(t, s.DeleteComment(ctx, other.ws.ID, c.ID), "DeleteComment from another workspace")
			list, _, err := s.ListComments(ctx, w.ws.ID, p.ID, herald.Page{})
			noErr(t, err, "ListComments")
			wantIDs(t, "comments after the refusals", commentIDs(list), []int64{c.ID})
			for _, cur := range garbageCursors() {
				_, _, err := s.ListComments(ctx, w.ws.ID, p.ID, herald.Page{Cursor: cur})
				wantBadCursor(t, err, "ListComments with cursor "+cur)
			}
		}},
		{"MentionsAndDeletion", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustWorld(t, s)
			bea := mustUser(t, s)
			mustMember(t, s, w.ws.ID, bea.ID, herald.RoleEditor)
			mustMember(t, s, other.ws.ID, bea.ID, herald.RoleEditor)
			p := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			q := mustPost(t, s, w.ws.ID, w.owner.ID, w.account.ID)
			op := mustPost(t, s, other.ws.ID, other.owner.ID, other.account.ID)
			m1 := mustComment(t, s, w.ws.ID, p.ID, w.owner.ID, "first @bea", 0, bea.ID)
			mustComment(t, s, w.ws.ID, p.ID, w.owner.ID, "not her", time.Minute, w.owner.ID)
			m2 := mustComment(t, s, w.ws.ID, q.ID, w.owner.ID, "second @bea", 2*time.Minute, bea.ID)
			mustComment(t, s, other.ws.ID, op.ID, other.owner.ID, "elsewhere @bea", 3*time.Minute, bea.ID)

			got, err := s.ListMentions(ctx, w.ws.ID, bea.ID, 10)
			noErr(t, err, "ListMentions")
			wantIDs(t, "mentions of bea, newest first, this workspace only", commentIDs(got), []int64{m2.ID, m1.ID})
			got, err = s.ListMentions(ctx, w.ws.ID, bea.ID, 1)
			noErr(t, err, "ListMentions limited")
			wantIDs(t, "the newest mention", commentIDs(got), []int64{m2.ID})

			noErr(t, s.DeleteComment(ctx, w.ws.ID, m2.ID), "DeleteComment")
			_, err = s.GetComment(ctx, w.ws.ID, m2.ID)
			wantNotFound(t, err, "GetComment after delete")
			wantNotFound(t, s.DeleteComment(ctx, w.ws.ID, m2.ID), "DeleteComment twice")
			got, err = s.ListMentions(ctx, w.ws.ID, bea.ID, 10)
			noErr(t, err, "ListMentions after delete")
			wantIDs(t, "mentions after the delete", commentIDs(got), []int64{m1.ID})

			// Deleting the post takes its comments and their mentions.
			noErr(t, s.DeletePost(ctx, w.ws.ID, p.ID), "DeletePost")
			_, err = s.GetComment(ctx, w.ws.ID, m1.ID)
			wantNotFound(t, err, "a comment of a deleted post")
			got, err = s.ListMentions(ctx, w.ws.ID, bea.ID, 10)
			noErr(t, err, "ListMentions after the post is deleted")
			if len(got) != 0 {
				t.Fatalf("mentions outlive their post: %v", commentIDs(got))
			}
		}},
	}
}

// sortedIDs returns ids in ascending order.
func sortedIDs(ids ...int64) []int64 {
	return slices.Sorted(slices.Values(ids))
}
