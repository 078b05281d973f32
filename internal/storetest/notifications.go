package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// feedNote is a notification for userID in w's workspace.
func feedNote(w world, userID int64, kind herald.NotificationKind, key string, after time.Duration) herald.UserNotification {
	return herald.UserNotification{UserID: userID, Notification: herald.Notification{Kind: kind, WorkspaceID: w.ws.ID,
		InboxItemID: 7, Title: "About " + key, Message: "Something about " + key + ".", Link: "/w/1/inbox/7",
		Key: key, At: at(after)}}
}

// notificationTests check the members' notification feeds.
func notificationTests() []test {
	return []test{
		{"FeedRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			other := mustUser(t, s)
			mustMember(t, s, w.ws.ID, other.ID, herald.RoleEditor)
			ns := []herald.UserNotification{
				feedNote(w, w.owner.ID, herald.NotifyInboxAssigned, "a", 0),
				feedNote(w, other.ID, herald.NotifyInboxAssigned, "a", 0), // the same event, another person
				feedNote(w, w.owner.ID, herald.NotifyMentioned, "b", time.Minute),
				feedNote(w, w.owner.ID, herald.NotifyMentioned, "b", time.Minute), // a repeat within the batch
			}
			ns[0].UserIDs = []int64{w.owner.ID, other.ID}
			n, err := s.AddNotifications(ctx, ns)
			noErr(t, err, "AddNotifications")
			if n != 3 || ns[0].ID == 0 || ns[1].ID == 0 || ns[2].ID == 0 || ns[3].ID != 0 {
				t.Fatalf("added %d, ids %d %d %d %d; want 3 with ids and the repeat without", n, ns[0].ID, ns[1].ID, ns[2].ID, ns[3].ID)
			}
			// The same events again are not new.
			again := []herald.UserNotification{feedNote(w, w.owner.ID, herald.NotifyInboxAssigned, "a", time.Hour)}
			if n, err := s.AddNotifications(ctx, again); err != nil || n != 0 || again[0].ID != 0 {
				t.Fatalf("adding an event again: %d, %v, id %d; want nothing added", n, err, again[0].ID)
			}

			p, err := s.ListNotifications(ctx, w.ws.ID, w.owner.ID, herald.NotificationFilter{})
			noErr(t, err, "ListNotifications")
			if len(p.Items) != 2 || p.Next != "" || p.Items[0].ID != ns[2].ID || p.Items[1].ID != ns[0].ID {
				t.Fatalf("owner's feed = %+v, want b then a", p)
			}
			got := p.Items[1]
			want := ns[0]
			want.UserIDs = nil
			same(t, "notification", got, want)
			if got.ReadAt != nil || got.UserIDs != nil || got.InboxItemID != 7 || got.Link != "/w/1/inbox/7" {
				t.Fatalf("stored notification = %+v", got)
			}
			unread, err := s.CountUnreadNotifications(ctx, w.ws.ID, w.owner.ID)
			if err != nil || unread != 2 {
				t.Fatalf("owner's unread = %d, %v; want 2", unread, err)
			}
			// Another workspace's feed is apart.
			if p, err := s.ListNotifications(ctx, w.ws.ID+1000, w.owner.ID, herald.NotificationFilter{}); err != nil || len(p.Items) != 0 {
				t.Fatalf("another workspace's feed = %+v, %v", p, err)
			}

			// Kinds and unread filters.
			p, err = s.ListNotifications(ctx, w.ws.ID, w.owner.ID, herald.NotificationFilter{Kinds: []herald.NotificationKind{herald.NotifyMentioned}})
			if err != nil || len(p.Items) != 1 || p.Items[0].Kind != herald.NotifyMentioned {
				t.Fatalf("mentions only = %+v, %v", p, err)
			}

			// Read one; someone else's id is left alone.
			n, err = s.MarkNotifications(ctx, w.ws.ID, w.owner.ID, []int64{ns[0].ID, ns[1].ID}, true, at(2*time.Minute))
			if err != nil || n != 1 {
				t.Fatalf("marked %d read, %v; want only the owner's 1", n, err)
			}
			p, err = s.ListNotifications(ctx, w.ws.ID, w.owner.ID, herald.NotificationFilter{UnreadOnly: true})
			if err != nil || len(p.Items) != 1 || p.Items[0].ID != ns[2].ID {
				t.Fatalf("unread after reading a = %+v, %v", p, err)
			}
			p, err = s.ListNotifications(ctx, w.ws.ID, w.owner.ID, herald.NotificationFilter{})
			noErr(t, err, "ListNotifications")
			if r := p.Items[1].ReadAt; r == nil || !r.Equal(at(2*time.Minute)) {
				t.Fatalf("read at = %v, want %v", r, at(2*time.Minute))
			}
			if u, _ := s.CountUnreadNotifications(ctx, w.ws.ID, other.ID); u != 1 {
				t.Fatalf("the other person's unread = %d, want 1 still", u)
			}
			// Unread again, then everything read.
			if n, err := s.MarkNotifications(ctx, w.ws.ID, w.owner.ID, []int64{ns[0].ID}, false, at(3*time.Minute)); err != nil || n != 1 {
				t.Fatalf("marked %d unread, %v; want 1", n, err)
			}
			if n, err := s.MarkNotifications(ctx, w.ws.ID, w.owner.ID, nil, true, at(4*time.Minute)); err != nil || n != 2 {
				t.Fatalf("marked all: %d, %v; want 2", n, err)
			}
			if u, _ := s.CountUnreadNotifications(ctx, w.ws.ID, w.owner.ID); u != 0 {
				t.Fatalf("unread after marking all = %d", u)
			}
		}},
		{"FeedPages", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			var ns []herald.UserNotification
			for i := range 7 {
				ns = append(ns, feedNote(w, w.owner.ID, herald.NotifyTaskDueSoon, "k"+string(rune('a'+i)), time.Duration(i)*time.Minute))
			}
			if n, err := s.AddNotifications(ctx, ns); err != nil || n != 7 {
				t.Fatalf("added %d, %v", n, err)
			}
			var seen []int64
			f := herald.NotificationFilter{Page: herald.Page{Limit: 3}}
			for range 4 {
				p, err := s.ListNotifications(ctx, w.ws.ID, w.owner.ID, f)
				noErr(t, err, "ListNotifications")
				for _, n := range p.Items {
					seen = append(seen, n.ID)
				}
				if p.Next == "" {
					break
				}
				f.Cursor = p.Next
			}
			if len(seen) != 7 {
				t.Fatalf("paged through %d notifications, want 7", len(seen))
			}
			for i := range seen {
				if seen[i] != ns[6-i].ID {
					t.Fatalf("page order %v, want newest first", seen)
				}
			}
			if _, err := s.ListNotifications(ctx, w.ws.ID, w.owner.ID, herald.NotificationFilter{Page: herald.Page{Cursor: "zz"}}); herald.ErrorCode(err) != herald.CodeInvalid {
				t.Fatalf("a bad cursor: %v, want invalid", err)
			}
		}},
		{"FeedPrune", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			ns := []herald.UserNotification{
				feedNote(w, w.owner.ID, herald.NotifyMentioned, "old-read", 0),
				feedNote(w, w.owner.ID, herald.NotifyMentioned, "old-unread", 0),
				feedNote(w, w.owner.ID, herald.NotifyMentioned, "ancient", -time.Hour),
				feedNote(w, w.owner.ID, herald.NotifyMentioned, "new-read", 2*time.Hour),
			}
			if _, err := s.AddNotifications(ctx, ns); err != nil {
				t.Fatal(err)
			}
			if _, err := s.MarkNotifications(ctx, w.ws.ID, w.owner.ID, []int64{ns[0].ID, ns[3].ID}, true, at(3*time.Hour)); err != nil {
				t.Fatal(err)
			}
			n, err := s.PruneNotifications(ctx, at(time.Hour), at(-time.Minute), 100)
			if err != nil || n != 2 {
				t.Fatalf("pruned %d, %v; want the old read one and the ancient one", n, err)
			}
			p, err := s.ListNotifications(ctx, w.ws.ID, w.owner.ID, herald.NotificationFilter{})
			noErr(t, err, "ListNotifications")
			if len(p.Items) != 2 || p.Items[0].Key != "new-read" || p.Items[1].Key != "old-unread" {
				t.Fatalf("left after pruning: %+v", p.Items)
			}
		}},
	}
}
