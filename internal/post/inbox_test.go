package post_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// notes records notifications.
type notes struct {
	mu  sync.Mutex
	got []herald.Notification
}

func (n *notes) Notify(_ context.Context, x herald.Notification) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.got = append(n.got, x)
}

func (n *notes) take() []herald.Notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.got
	n.got = nil
	return out
}

// TestInboxAssignmentNotifies: the assignee hears of items newly theirs,
// unless they took them themselves; only members can be assigned.
func TestInboxAssignmentNotifies(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		rec := &notes{}
		svc := post.New(st, herald.SystemClock{}, nil, post.WithNotifier(rec))
		now := time.Now().UTC().Truncate(time.Microsecond)
		items := []herald.InboxItem{
			{WorkspaceID: w.ws.ID, AccountID: w.acct.ID, RemoteID: "n1", AuthorID: "dan", AuthorHandle: "@dan",
				Text: "@acme where is my order?", CreatedAt: now, FetchedAt: now},
			{WorkspaceID: w.ws.ID, AccountID: w.acct.ID, RemoteID: "n2", AuthorID: "eve", AuthorHandle: "@eve",
				Text: "@acme hi", CreatedAt: now, FetchedAt: now},
		}
		if _, err := st.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		manager, editor := w.actors[herald.RoleManager], w.actors[herald.RoleEditor]

		if err := svc.AssignInbox(ctx, manager, []int64{items[0].ID}, editor.UserID); err != nil {
			t.Fatal(err)
		}
		got := rec.take()
		if len(got) != 1 || got[0].Kind != herald.NotifyInboxAssigned || len(got[0].UserIDs) != 1 ||
			got[0].UserIDs[0] != editor.UserID || got[0].InboxItemID != items[0].ID ||
			got[0].Link != post.InboxLink(w.ws.ID, items[0].ID) || !strings.Contains(got[0].Message, "where is my order") {
			t.Fatalf("notifications %+v, want one inbox_assigned for the editor", got)
		}
		// Already theirs: nothing new. Both, one new: one notification of one item.
		if err := svc.AssignInbox(ctx, manager, []int64{items[0].ID}, editor.UserID); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("assigning again notified %+v", got)
		}
		if err := svc.AssignInbox(ctx, manager, []int64{items[0].ID, items[1].ID}, editor.UserID); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 1 || got[0].InboxItemID != items[1].ID {
			t.Fatalf("bulk assignment notified %+v, want item %d only", got, items[1].ID)
		}
		// Taking items oneself is not news; two at once link to the filtered inbox.
		if err := svc.AssignInbox(ctx, editor, []int64{items[0].ID, items[1].ID}, manager.UserID); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 1 || got[0].InboxItemID != 0 || !strings.HasSuffix(got[0].Link, "/inbox?assignee=me") {
			t.Fatalf("bulk of two notified %+v", got)
		}
		if err := svc.AssignInbox(ctx, editor, []int64{items[0].ID}, editor.UserID); err != nil {
			t.Fatal(err)
		}
		if got := rec.take(); len(got) != 0 {
			t.Fatalf("self-assignment notified %+v", got)
		}

		stranger := herald.User{Email: "stranger@example.com", Name: "S", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, &stranger); err != nil {
			t.Fatal(err)
		}
		if err := svc.AssignInbox(ctx, manager, []int64{items[0].ID}, stranger.ID); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("assigning to a non-member = %v, want invalid", err)
		}
		for _, r := range []herald.Role{herald.RoleContributor, herald.RoleAnalyst, herald.RoleClient} {
			if err := svc.AssignInbox(ctx, w.actors[r], []int64{items[0].ID}, 0); herald.ErrorCode(err) != herald.CodeForbidden {
				t.Fatalf("%s assigning = %v, want forbidden", r, err)
			}
			if err := svc.SetInboxState(ctx, w.actors[r], []int64{items[0].ID}, herald.InboxDone); herald.ErrorCode(err) != herald.CodeForbidden {
				t.Fatalf("%s changing the state = %v, want forbidden", r, err)
			}
		}
		if err := svc.SetInboxState(ctx, editor, []int64{items[0].ID}, herald.InboxDone); err != nil {
			t.Fatal(err)
		}
		entries, _, err := st.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID, ObjectType: "inbox_item", ObjectID: items[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 || entries[0].Action != "inbox.state" {
			t.Fatalf("the state change is not audited: %+v", entries)
		}
	})
}
