package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustDM adds one direct message of conversation conv from author.
func mustDM(t *testing.T, s herald.Tx, w world, conv, author, text string, created time.Duration) herald.InboxItem {
	t.Helper()
	it := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "dm-" + unique(), AuthorID: author,
		AuthorHandle: "@" + author, Text: text, CreatedAt: at(created), FetchedAt: at(created + time.Minute),
		Direct: true, ConversationID: conv}}
	n, err := s.AddInboxItems(t.Context(), it)
	noErr(t, err, "AddInboxItems direct")
	if n != 1 || it[0].ID == 0 {
		t.Fatalf("AddInboxItems added %d direct items, want 1", n)
	}
	return it[0]
}

func dmTests() []test {
	return []test{
		{"DirectRoundTripAndKindFilter", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			mention := mustInbox(t, s, w.ws.ID, w.account.ID, "m1", "hello @us", 0)
			tg := mustPublished(t, s, w, w.account, "ours-"+unique(), at(-time.Hour))
			reply := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "rp-" + unique(),
				AuthorID: "r1", Text: "nice post", ReplyToRemoteID: tg.RemoteID, CreatedAt: at(time.Second), FetchedAt: at(time.Minute)}}
			_, err := s.AddInboxItems(ctx, reply)
			noErr(t, err, "AddInboxItems reply")
			// A direct message that answers one of our posts is still a DM,
			// not a reply.
			dm := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.account.ID, RemoteID: "dm-" + unique(),
				AuthorID: "d1", Text: "private", ReplyToRemoteID: tg.RemoteID, CreatedAt: at(2 * time.Second),
				FetchedAt: at(time.Minute), Direct: true, ConversationID: "c-1"}}
			_, err = s.AddInboxItems(ctx, dm)
			noErr(t, err, "AddInboxItems dm")

			got, err := s.GetInboxItem(ctx, w.ws.ID, dm[0].ID)
			noErr(t, err, "GetInboxItem")
			if !got.Direct || got.ConversationID != "c-1" || got.Kind() != herald.InboxDM {
				t.Fatalf("direct item came back direct=%v conversation %q kind %q", got.Direct, got.ConversationID, got.Kind())
			}
			got, err = s.GetInboxItem(ctx, w.ws.ID, mention.ID)
			noErr(t, err, "GetInboxItem")
			if got.Direct || got.ConversationID != "" || got.Kind() != herald.InboxMention {
				t.Fatalf("mention came back direct=%v conversation %q kind %q", got.Direct, got.ConversationID, got.Kind())
			}
			for kind, want := range map[herald.InboxKind][]int64{
				herald.InboxDM:      {dm[0].ID},
				herald.InboxReply:   {reply[0].ID},
				herald.InboxMention: {mention.ID},
				"":                  {dm[0].ID, reply[0].ID, mention.ID},
			} {
				ids := inboxList(t, s, herald.InboxFilter{WorkspaceID: w.ws.ID, Kind: kind})
				if !slices.Equal(ids, want) {
					t.Errorf("kind %q lists %v, want %v", kind, ids, want)
				}
			}
		}},
		{"Conversation", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			// Added out of order: the conversation reads by creation time.
			b := mustDM(t, s, w, "c-1", "ann", "second", 2*time.Second)
			a := mustDM(t, s, w, "c-1", "ann", "first", time.Second)
			c := mustDM(t, s, w, "c-1", "ann", "third", 3*time.Second)
			mustDM(t, s, w, "c-2", "bob", "other conversation", 0)
			mustInbox(t, s, w.ws.ID, w.account.ID, "ann", "a public mention", 0)
			other := mustWorld(t, s)
			mustDM(t, s, other, "c-1", "ann", "another workspace", 0)

			items, err := s.ListConversation(ctx, w.ws.ID, w.account.ID, "c-1", 0)
			noErr(t, err, "ListConversation")
			var ids []int64
			for _, it := range items {
				ids = append(ids, it.ID)
			}
			if want := []int64{a.ID, b.ID, c.ID}; !slices.Equal(ids, want) {
				t.Fatalf("conversation lists %v, want %v (oldest first)", ids, want)
			}
			// A limit keeps the latest messages, still oldest first.
			items, err = s.ListConversation(ctx, w.ws.ID, w.account.ID, "c-1", 2)
			noErr(t, err, "ListConversation limited")
			if len(items) != 2 || items[0].ID != b.ID || items[1].ID != c.ID {
				t.Fatalf("limited conversation: %+v, want items %d and %d", items, b.ID, c.ID)
			}
			// Another workspace sees nothing of it.
			items, err = s.ListConversation(ctx, other.ws.ID, w.account.ID, "c-1", 0)
			noErr(t, err, "ListConversation of another workspace")
			if len(items) != 0 {
				t.Fatalf("another workspace read %d messages of the conversation", len(items))
			}
		}},
		{"Cursor", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			c, err := s.DMCursor(ctx, w.ws.ID, w.account.ID)
			noErr(t, err, "DMCursor")
			if c != "" {
				t.Fatalf("new account's dm cursor %q, want empty", c)
			}
			noErr(t, s.SetInboxCursor(ctx, w.ws.ID, w.account.ID, "mentions-1"), "SetInboxCursor")
			noErr(t, s.SetDMCursor(ctx, w.ws.ID, w.account.ID, "dms-1"), "SetDMCursor")
			c, err = s.DMCursor(ctx, w.ws.ID, w.account.ID)
			noErr(t, err, "DMCursor")
			if c != "dms-1" {
				t.Fatalf("dm cursor %q, want dms-1", c)
			}
			a, err := s.GetAccount(ctx, w.ws.ID, w.account.ID)
			noErr(t, err, "GetAccount")
			if a.InboxCursor != "mentions-1" {
				t.Fatalf("inbox cursor %q after setting the dm cursor, want mentions-1", a.InboxCursor)
			}
			refused, err := s.DMRefusals(ctx, w.ws.ID)
			noErr(t, err, "DMRefusals")
			if len(refused) != 0 {
				t.Fatalf("refusals %v of a new workspace, want none", refused)
			}
			noErr(t, s.SetDMRefused(ctx, w.ws.ID, w.account.ID, "reconnect to allow direct messages"), "SetDMRefused")
			refused, err = s.DMRefusals(ctx, w.ws.ID)
			noErr(t, err, "DMRefusals")
			if len(refused) != 1 || refused[w.account.ID] != "reconnect to allow direct messages" {
				t.Fatalf("refusals %v, want the account's reason", refused)
			}
			other := mustWorld(t, s)
			refused, err = s.DMRefusals(ctx, other.ws.ID)
			noErr(t, err, "DMRefusals of another workspace")
			if len(refused) != 0 {
				t.Fatalf("another workspace sees refusals %v", refused)
			}
			wantNotFound(t, s.SetDMRefused(ctx, other.ws.ID, w.account.ID, "x"), "SetDMRefused of another workspace")
			noErr(t, s.SetDMRefused(ctx, w.ws.ID, w.account.ID, ""), "SetDMRefused cleared")
			refused, err = s.DMRefusals(ctx, w.ws.ID)
			noErr(t, err, "DMRefusals")
			if len(refused) != 0 {
				t.Fatalf("refusals %v after clearing, want none", refused)
			}
			wantNotFound(t, s.SetDMCursor(ctx, other.ws.ID, w.account.ID, "x"), "SetDMCursor of another workspace")
			_, err = s.DMCursor(ctx, other.ws.ID, w.account.ID)
			wantNotFound(t, err, "DMCursor of another workspace")
		}},
	}
}
