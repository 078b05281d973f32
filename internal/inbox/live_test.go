package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/teststore"
)

func TestWatch(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		ws := herald.Workspace{Name: "Acme", TimeZone: "UTC"}
		if err := st.CreateWorkspace(ctx, &ws); err != nil {
			t.Fatal(err)
		}
		acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
			Status: herald.AccountConnected}
		if err := st.CreateAccount(ctx, &acct); err != nil {
			t.Fatal(err)
		}
		s := inbox.New(st, nil, nil)
		if _, err := s.Watch(ctx, herald.Actor{WorkspaceID: ws.ID, Role: herald.Role("nobody")}); herald.ErrorCode(err) != herald.CodeForbidden {
			t.Fatalf("Watch without a role = %v; want forbidden", err)
		}
		wctx, cancel := context.WithCancel(ctx)
		ch, err := s.Watch(wctx, herald.Actor{UserID: 1, WorkspaceID: ws.ID, Role: herald.RoleClient})
		if err != nil {
			t.Fatal(err)
		}
		items := []herald.InboxItem{{WorkspaceID: ws.ID, AccountID: acct.ID, RemoteID: "r1", AuthorID: "dan",
			Text: "hi", CreatedAt: time.Now()}}
		if _, err := st.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-ch:
			if ev != (herald.InboxEvent{WorkspaceID: ws.ID, ItemID: items[0].ID, Kind: herald.InboxEventAdded}) {
				t.Fatalf("Watch sent %+v", ev)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no event for the new item")
		}
		cancel()
		for range ch {
		}
	})
}
