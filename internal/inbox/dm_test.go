package inbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
	"github.com/heraldsocial/herald/internal/teststore"
)

// dmReader is a platform that gives direct messages (none here).
type dmReader struct{}

func (dmReader) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, nil
}

func (dmReader) DirectMessages(context.Context, connector.Account, string) ([]connector.DirectMessage, string, error) {
	return nil, "", nil
}

// publisher is a platform that does not give direct messages.
type publisher struct{}

func (publisher) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, nil
}

func TestConversationAndAccountsWithoutDMs(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		now := time.Now().UTC().Truncate(time.Microsecond)
		ws := herald.Workspace{Name: "Acme", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateWorkspace(ctx, &ws); err != nil {
			t.Fatal(err)
		}
		acct := func(p herald.Platform, handle string) herald.Account {
			a := herald.Account{WorkspaceID: ws.ID, Platform: p, RemoteID: handle, Handle: handle, DisplayName: handle,
				Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte("x")}, Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
			if err := st.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			return a
		}
		masto := acct(herald.PlatformMastodon, "@m")
		x := acct(herald.PlatformX, "@x")
		li := acct(herald.PlatformLinkedIn, "li")
		reg := connector.NewRegistry()
		reg.Register(herald.PlatformMastodon, dmReader{})
		reg.Register(herald.PlatformX, dmReader{})
		reg.Register(herald.PlatformLinkedIn, publisher{})
		svc := inbox.New(st, nil, nil, inbox.WithDMPlatforms(reg))
		viewer := herald.Actor{UserID: 1, WorkspaceID: ws.ID, Role: herald.RoleAnalyst}

		if err := st.SetDMRefused(ctx, ws.ID, x.ID, "reconnect to allow direct messages"); err != nil {
			t.Fatal(err)
		}
		no, err := svc.AccountsWithoutDMs(ctx, viewer)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]string{}
		for _, n := range no {
			got[n.Account.ID] = n.Reason
		}
		if len(got) != 2 || got[x.ID] != "reconnect to allow direct messages" || got[li.ID] != connector.NoDMsReason {
			t.Fatalf("accounts without DMs %v; want X to reconnect and LinkedIn not giving messages (Mastodon %d reads them)", got, masto.ID)
		}

		items := []herald.InboxItem{
			{WorkspaceID: ws.ID, AccountID: masto.ID, RemoteID: "2", AuthorID: "a", Text: "second", CreatedAt: now.Add(time.Second), FetchedAt: now, Direct: true, ConversationID: "c"},
			{WorkspaceID: ws.ID, AccountID: masto.ID, RemoteID: "1", AuthorID: "a", Text: "first", CreatedAt: now, FetchedAt: now, Direct: true, ConversationID: "c"},
			{WorkspaceID: ws.ID, AccountID: masto.ID, RemoteID: "3", AuthorID: "a", Text: "public", CreatedAt: now, FetchedAt: now},
		}
		if _, err := st.AddInboxItems(ctx, items); err != nil {
			t.Fatal(err)
		}
		msgs, err := svc.Conversation(ctx, viewer, items[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 2 || msgs[0].Text != "first" || msgs[1].Text != "second" {
			t.Fatalf("conversation %+v, want first then second", msgs)
		}
		if msgs, err := svc.Conversation(ctx, viewer, items[2].ID); err != nil || len(msgs) != 0 {
			t.Fatalf("a public item's conversation: %+v, %v; want none", msgs, err)
		}
		other := herald.Actor{UserID: 1, WorkspaceID: ws.ID + 1000, Role: herald.RoleOwner}
		if _, err := svc.Conversation(ctx, other, items[0].ID); herald.ErrorCode(err) != herald.CodeNotFound {
			t.Fatalf("another workspace reading the conversation: %v, want not found", err)
		}
	})
}
