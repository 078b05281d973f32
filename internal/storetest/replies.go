package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func replyTests() []test {
	return []test{
		{"ReplyAsAnotherAccount", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			it := mustInbox(t, s, w.ws.ID, w.account.ID, "a1", "hello?", 0)
			lease := at(time.Minute)
			own := herald.Reply{WorkspaceID: w.ws.ID, ItemID: it.ID, Key: "k-" + unique(), Text: "hi", LeaseUntil: &lease, CreatedAt: at(0)}
			_, _, err := s.BeginReply(ctx, &own)
			noErr(t, err, "BeginReply")
			second := mustAccount(t, s, w.ws.ID)
			as := herald.Reply{WorkspaceID: w.ws.ID, ItemID: it.ID, Key: "k-" + unique(), Text: "hi from the other one",
				AccountID: &second.ID, LeaseUntil: &lease, CreatedAt: at(0)}
			_, _, err = s.BeginReply(ctx, &as)
			noErr(t, err, "BeginReply as another account")
			replies, err := s.ListReplies(ctx, w.ws.ID, it.ID)
			noErr(t, err, "ListReplies")
			if len(replies) != 2 || replies[0].AccountID != nil || replies[1].AccountID == nil || *replies[1].AccountID != second.ID {
				t.Fatalf("replies %+v: want the first from the item's account, the second from account %d", replies, second.ID)
			}
		}},
		{"OneReplyPerKey", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			it := mustInbox(t, s, w.ws.ID, w.account.ID, "a1", "hello?", 0)
			lease := at(time.Minute)
			r := herald.Reply{WorkspaceID: w.ws.ID, ItemID: it.ID, UserID: &w.owner.ID, Key: "k-" + unique(),
				Text: "hi!", LeaseUntil: &lease, CreatedAt: at(0)}
			_, created, err := s.BeginReply(ctx, &r)
			noErr(t, err, "BeginReply")
			if !created || r.ID == 0 || r.State != herald.ReplySending || r.Attempts != 1 {
				t.Fatalf("BeginReply: created %v, %+v", created, r)
			}
			again := herald.Reply{WorkspaceID: w.ws.ID, ItemID: it.ID, Key: r.Key, Text: "hi!", LeaseUntil: &lease}
			got, created, err := s.BeginReply(ctx, &again)
			noErr(t, err, "BeginReply again")
			if created || got.ID != r.ID || got.State != herald.ReplySending || got.LeaseUntil == nil {
				t.Fatalf("BeginReply with the same key: created %v, %+v", created, got)
			}
			wantTime(t, "lease", *got.LeaseUntil, lease)
			// Another workspace's item is not found.
			other := mustWorld(t, s)
			bad := herald.Reply{WorkspaceID: other.ws.ID, ItemID: it.ID, Key: "k-" + unique(), Text: "x", CreatedAt: at(0)}
			if _, _, err := s.BeginReply(ctx, &bad); herald.ErrorCode(err) != herald.CodeNotFound {
				t.Fatalf("BeginReply on another workspace's item = %v, want not found", err)
			}

			// Nobody claims a reply whose lease runs; the attempt holding it
			// records its outcome once.
			if _, ok, err := s.ClaimReply(ctx, w.ws.ID, r.ID, 2, at(2*time.Minute), at(30*time.Second), time.Time{}); err != nil || ok {
				t.Fatalf("ClaimReply under a running lease: ok %v, %v", ok, err)
			}
			ok, err := s.FinishReply(ctx, w.ws.ID, r.ID, 1, herald.ReplyUnsettled, herald.RemoteRef{}, "", at(40*time.Second))
			noErr(t, err, "FinishReply")
			if !ok {
				t.Fatal("FinishReply by the holding attempt: not recorded")
			}
			if ok, _ := s.FinishReply(ctx, w.ws.ID, r.ID, 1, herald.ReplySent, herald.RemoteRef{ID: "x"}, "", at(41*time.Second)); ok {
				t.Fatal("FinishReply twice by one attempt: recorded again")
			}
			settle, err := s.RepliesToSettle(ctx, at(time.Hour), time.Time{}, 10)
			noErr(t, err, "RepliesToSettle")
			if len(settle) != 1 || settle[0].ID != r.ID || settle[0].State != herald.ReplyUnsettled {
				t.Fatalf("RepliesToSettle = %+v, want the unsettled reply", settle)
			}

			// Two attempts at the same number: one gets it.
			c, ok, err := s.ClaimReply(ctx, w.ws.ID, r.ID, 2, at(3*time.Minute), at(time.Minute), time.Time{})
			noErr(t, err, "ClaimReply")
			if !ok || c.Attempts != 2 || c.State != herald.ReplySending {
				t.Fatalf("ClaimReply: ok %v, %+v", ok, c)
			}
			if _, ok, _ := s.ClaimReply(ctx, w.ws.ID, r.ID, 2, at(3*time.Minute), at(time.Minute), time.Time{}); ok {
				t.Fatal("the same attempt claimed twice")
			}
			// The old attempt cannot overwrite the new one's outcome.
			if ok, _ := s.FinishReply(ctx, w.ws.ID, r.ID, 1, herald.ReplyFailed, herald.RemoteRef{}, "late", at(time.Minute)); ok {
				t.Fatal("a superseded attempt recorded its outcome")
			}
			// A lease that ran out is settled; one still running is not,
			// unless it began before the orphaned-before time.
			settle, err = s.RepliesToSettle(ctx, at(2*time.Minute), time.Time{}, 10)
			noErr(t, err, "RepliesToSettle")
			if len(settle) != 0 {
				t.Fatalf("RepliesToSettle under a running lease = %+v, want none", settle)
			}
			settle, err = s.RepliesToSettle(ctx, at(2*time.Minute), at(90*time.Second), 10)
			noErr(t, err, "RepliesToSettle orphaned")
			if len(settle) != 1 {
				t.Fatalf("RepliesToSettle of an orphaned send = %d replies, want 1", len(settle))
			}
			ok, err = s.FinishReply(ctx, w.ws.ID, r.ID, 2, herald.ReplySent, herald.RemoteRef{ID: "rem-1", URL: "https://x/1"}, "", at(2*time.Minute))
			noErr(t, err, "FinishReply sent")
			if !ok {
				t.Fatal("FinishReply sent: not recorded")
			}
			list, err := s.ListReplies(ctx, w.ws.ID, it.ID)
			noErr(t, err, "ListReplies")
			if len(list) != 1 || list[0].State != herald.ReplySent || list[0].RemoteID != "rem-1" || list[0].SentAt == nil ||
				list[0].LeaseUntil != nil || list[0].UserID == nil || *list[0].UserID != w.owner.ID {
				t.Fatalf("ListReplies = %+v", list)
			}
			wantTime(t, "sent at", *list[0].SentAt, at(2*time.Minute))
			if _, ok, _ := s.ClaimReply(ctx, w.ws.ID, r.ID, 3, at(time.Hour), at(time.Hour), time.Time{}); ok {
				t.Fatal("a sent reply was claimed again")
			}
			if list, _ := s.ListReplies(ctx, other.ws.ID, it.ID); len(list) != 0 {
				t.Fatalf("another workspace lists %d replies of the item", len(list))
			}
			settle, err = s.RepliesToSettle(ctx, at(time.Hour), at(time.Hour), 10)
			noErr(t, err, "RepliesToSettle after sent")
			if len(settle) != 0 {
				t.Fatalf("RepliesToSettle after sent = %+v", settle)
			}
		}},
	}
}
