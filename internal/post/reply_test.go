package post_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// hangingReplier is a platform that stores every reply and never answers
// (the caller sees an ambiguous error), ignores keys and, unless
// searchable, cannot be searched.
type hangingReplier struct {
	mu         sync.Mutex
	stored     []connector.Part
	searchable bool
	idempotent bool
}

func (h *hangingReplier) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "not used"}
}

func (h *hangingReplier) Reply(_ context.Context, _ connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p.ReplyTo = &to
	h.stored = append(h.stored, p)
	return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Message: "no answer in time"}
}

func (h *hangingReplier) Find(_ context.Context, _ connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.searchable {
		return herald.RemoteRef{}, false, &connector.Error{Class: connector.Invalid, Status: 404, Message: "cannot list the account's posts"}
	}
	for i, s := range h.stored {
		if s.Text == p.Text && p.ReplyTo != nil && s.ReplyTo.ID == p.ReplyTo.ID {
			return herald.RemoteRef{ID: fmt.Sprintf("r%d", i)}, true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

func (h *hangingReplier) Idempotent(context.Context, connector.Account) bool { return h.idempotent }

func (h *hangingReplier) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.stored)
}

type plainKeys struct{}

func (plainKeys) Open(s herald.Sealed, _ []byte) ([]byte, error) { return s.Ciphertext, nil }

// TestReplyWithoutAnswerIsNeverSentTwice: a reply whose send had no answer
// is sent again only where the platform deduplicates it; otherwise it is
// looked up (found: it is out, nothing is sent) or, when nothing can tell,
// refused with words that say what to do.
func TestReplyWithoutAnswerIsNeverSentTwice(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		for _, tc := range []struct {
			name                   string
			searchable, idempotent bool
			wantSent               int
			wantSecond             herald.Code // "" when the second try succeeds
		}{
			{"cannot be searched", false, false, 1, herald.CodeConflict},
			{"searchable", true, false, 1, ""},
			{"deduplicates keys", false, true, 2, herald.CodeUnavailable},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				plat := &hangingReplier{searchable: tc.searchable, idempotent: tc.idempotent}
				reg := connector.NewRegistry()
				reg.Register(herald.PlatformFake, plat)
				svc := post.New(st, herald.SystemClock{}, nil, post.WithConnectors(reg, plainKeys{}))
				acct := w.acct
				acct.Credentials = herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)}
				if err := st.UpdateAccount(ctx, &acct); err != nil {
					t.Fatal(err)
				}
				now := time.Now().UTC().Truncate(time.Microsecond)
				item := herald.InboxItem{WorkspaceID: w.ws.ID, AccountID: acct.ID, RemoteID: "m-" + tc.name,
					AuthorID: "dan", AuthorHandle: "@dan", Text: "@acme hello", CreatedAt: now, FetchedAt: now}
				if _, err := st.AddInboxItems(ctx, []herald.InboxItem{item}); err != nil {
					t.Fatal(err)
				}
				items, _, err := st.ListInbox(ctx, herald.InboxFilter{WorkspaceID: w.ws.ID})
				if err != nil || len(items) == 0 {
					t.Fatalf("ListInbox: %v, %d items", err, len(items))
				}
				id := items[0].ID
				editor := w.actors[herald.RoleEditor]

				_, err = svc.Reply(ctx, editor, id, "thanks Dan!")
				if herald.ErrorCode(err) != herald.CodeUnavailable {
					t.Fatalf("first reply = %v, want unavailable (may have gone through)", err)
				}
				_, err = svc.Reply(ctx, editor, id, "thanks Dan!")
				if got := herald.ErrorCode(err); got != tc.wantSecond {
					t.Fatalf("second reply = %v (code %q), want code %q", err, got, tc.wantSecond)
				}
				if n := plat.count(); n != tc.wantSent {
					t.Fatalf("the platform got the reply %d times, want %d", n, tc.wantSent)
				}
				if tc.searchable {
					// Settled by the lookup: a third try finds nothing unsettled
					// and sends as usual.
					_, _ = svc.Reply(ctx, editor, id, "thanks Dan!")
					if n := plat.count(); n != 2 {
						t.Fatalf("after the settled reply, a new one was sent %d times in all, want 2", n)
					}
				}
				// Other words are another reply: sent as usual.
				_, _ = svc.Reply(ctx, editor, id, "thanks again, Dan")
				if n, want := plat.count(), tc.wantSent+1+btoi(tc.searchable); n != want {
					t.Fatalf("a reply with other words: %d sends in all, want %d", n, want)
				}
			})
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
