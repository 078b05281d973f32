package post_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// dmPlatform answers direct messages: it stores every message sent and,
// while hanging, gives no answer (the caller sees an ambiguous error). Its
// Reply (a public post) must never be used for a direct item.
type dmPlatform struct {
	mu      sync.Mutex
	sent    []string // conversation + text
	replies int
	hanging bool
	finder  bool
}

func (p *dmPlatform) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "not used"}
}

func (p *dmPlatform) Reply(context.Context, connector.Account, herald.RemoteRef, connector.Part) (herald.RemoteRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replies++
	return herald.RemoteRef{ID: "public"}, nil
}

func (p *dmPlatform) SendDM(_ context.Context, _ connector.Account, conv string, _ herald.RemoteRef, part connector.Part) (herald.RemoteRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, conv+"|"+part.Text)
	if p.hanging {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Message: "no answer in time"}
	}
	return herald.RemoteRef{ID: "dm-sent"}, nil
}

type dmFinderPlatform struct{ *dmPlatform }

func (p dmFinderPlatform) FindDM(_ context.Context, _ connector.Account, conv, text string, _ time.Time) (herald.RemoteRef, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.sent {
		if s == conv+"|"+text {
			return herald.RemoteRef{ID: "found"}, true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

func (p *dmPlatform) counts() (int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent), p.replies
}

// TestReplyToDirectMessage: answering a direct item goes to its
// conversation through the platform's sender, never as a public reply, and
// an answer without a reply is found in the conversation (or left to a
// person) rather than sent twice.
func TestReplyToDirectMessage(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		ctx := context.Background()
		editor := w.actors[herald.RoleEditor]
		for _, tc := range []struct {
			name      string
			finder    bool
			wantState herald.ReplyState
			wantSends int
		}{
			{"with a finder", true, herald.ReplySent, 1},
			{"without a finder", false, herald.ReplyUnconfirmed, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				plat := &dmPlatform{hanging: true}
				var c connector.Publisher = plat
				if tc.finder {
					c = dmFinderPlatform{plat}
				}
				svc, id := replyWorld(t, st, w, c, "dm-"+tc.name)
				it, err := st.GetInboxItem(ctx, w.ws.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				// replyWorld adds a mention; make a direct item beside it.
				dm := []herald.InboxItem{{WorkspaceID: it.WorkspaceID, AccountID: it.AccountID, RemoteID: "d-" + tc.name,
					AuthorID: "dan", Text: "psst", CreatedAt: it.CreatedAt, FetchedAt: it.FetchedAt, Direct: true, ConversationID: "conv-9"}}
				if _, err := st.AddInboxItems(ctx, dm); err != nil {
					t.Fatal(err)
				}
				r, err := svc.Reply(ctx, editor, dm[0].ID, "write me here", "")
				if err != nil || r.State != herald.ReplyUnsettled {
					t.Fatalf("first answer = %+v, %v; want unsettled", r, err)
				}
				r2, err := svc.Reply(ctx, editor, dm[0].ID, "write me here", "")
				if r2.State != tc.wantState {
					t.Fatalf("second answer = %+v, %v; want %q", r2, err, tc.wantState)
				}
				sends, replies := plat.counts()
				if sends != tc.wantSends || replies != 0 {
					t.Fatalf("the platform got %d messages and %d public replies; want %d and none", sends, replies, tc.wantSends)
				}
				if plat.sent[0] != "conv-9|write me here" {
					t.Fatalf("sent %q, want the answer in conv-9", plat.sent[0])
				}
			})
		}
		// A direct item on a platform that cannot send messages is refused.
		svc, id := replyWorld(t, st, w, &hangingReplier{}, "public-only")
		it, err := st.GetInboxItem(ctx, w.ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		dm := []herald.InboxItem{{WorkspaceID: it.WorkspaceID, AccountID: it.AccountID, RemoteID: "d-public-only",
			AuthorID: "dan", Text: "psst", CreatedAt: it.CreatedAt, FetchedAt: it.FetchedAt, Direct: true, ConversationID: "c"}}
		if _, err := st.AddInboxItems(ctx, dm); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Reply(ctx, editor, dm[0].ID, "hello", ""); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("answering a DM on a platform without a sender: %v, want invalid", err)
		}
	})
}
