package post_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/post"
)

// TestReviewNotifies: a post sent for review reaches the feeds of those
// who approve (not its author); its approval reaches the author.
func TestReviewNotifies(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		svc := post.New(st, herald.SystemClock{}, slog.New(slog.DiscardHandler),
			post.WithNotifier(notify.NewService(notify.ServiceDeps{Store: st})))
		feed := func(r herald.Role, k herald.NotificationKind) []herald.UserNotification {
			t.Helper()
			a := w.actors[r]
			p, err := st.ListNotifications(ctx, w.ws.ID, a.UserID, herald.NotificationFilter{Kinds: []herald.NotificationKind{k}})
			if err != nil {
				t.Fatal(err)
			}
			return p.Items
		}
		at := time.Now().Add(48 * time.Hour).UTC()
		p, err := svc.Create(ctx, w.actors[herald.RoleContributor], herald.Post{Text: "Spring launch\nis here",
			Targets: []herald.Target{{AccountID: w.acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
		if err != nil {
			t.Fatal(err)
		}
		var told []herald.Role
		for _, r := range herald.Roles {
			if ns := feed(r, herald.NotifyApprovalRequested); len(ns) == 1 {
				told = append(told, r)
				if n := ns[0]; n.PostID != p.ID || !strings.Contains(n.Title, "Spring launch is here") || !strings.HasSuffix(n.Link, fmt.Sprintf("/posts/%d", p.ID)) {
					t.Fatalf("approval request = %+v", n.Notification)
				}
			}
		}
		want := []herald.Role{herald.RoleOwner, herald.RoleAdmin, herald.RoleManager, herald.RoleClient}
		if !slices.Equal(told, want) {
			t.Fatalf("approval request reached %v, want %v", told, want)
		}
		if _, err := svc.Approve(ctx, w.actors[herald.RoleManager], p.ID, "Lovely"); err != nil {
			t.Fatal(err)
		}
		got := feed(herald.RoleContributor, herald.NotifyApprovalGiven)
		if len(got) != 1 || !strings.Contains(got[0].Message, "Lovely") || got[0].ActorID != w.actors[herald.RoleManager].UserID {
			t.Fatalf("the author's approvals = %+v", got)
		}
		if n := feed(herald.RoleManager, herald.NotifyApprovalGiven); len(n) != 0 {
			t.Fatalf("the approver was told of their own approval: %+v", n)
		}
	})
}
