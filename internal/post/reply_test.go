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

// replyWorld is a workspace whose account's platform is plat, with one
// inbox item.
func replyWorld(t *testing.T, st herald.Store, w *roleWorld, plat connector.Publisher, remoteID string, opts ...post.Option) (*post.Service, int64) {
	t.Helper()
	ctx := context.Background()
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformFake, plat)
	svc := post.New(st, herald.SystemClock{}, nil, append([]post.Option{post.WithConnectors(reg, plainKeys{})}, opts...)...)
	acct := w.acct
	acct.Credentials = herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)}
	if err := st.UpdateAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	item := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: acct.ID, RemoteID: remoteID,
		AuthorID: "dan", AuthorHandle: "@dan", Text: "@acme hello", CreatedAt: now, FetchedAt: now}}
	if _, err := st.AddInboxItems(ctx, item); err != nil || item[0].ID == 0 {
		t.Fatalf("AddInboxItems: %v, id %d", err, item[0].ID)
	}
	return svc, item[0].ID
}

// TestReplyWithoutAnswerIsNeverSentTwice: a reply whose send had no answer
// is unsettled; asked for again, it is sent again only where the platform
// deduplicates it; otherwise it is looked up (found: it is out, nothing is
// sent) or, when nothing can tell, left to a person with words that say
// what to do, who may then send it again.
func TestReplyWithoutAnswerIsNeverSentTwice(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		for _, tc := range []struct {
			name                   string
			searchable, idempotent bool
			wantSent               int
			wantSecond             herald.ReplyState
			wantErr                herald.Code
		}{
			{"cannot be searched", false, false, 1, herald.ReplyUnconfirmed, herald.CodeConflict},
			{"searchable", true, false, 1, herald.ReplySent, ""},
			{"deduplicates keys", false, true, 2, herald.ReplyUnsettled, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				plat := &hangingReplier{searchable: tc.searchable, idempotent: tc.idempotent}
				svc, id := replyWorld(t, st, w, plat, "m-"+tc.name)
				editor := w.actors[herald.RoleEditor]

				r, err := svc.Reply(ctx, editor, id, "thanks Dan!", "")
				if err != nil || r.State != herald.ReplyUnsettled {
					t.Fatalf("first reply = %+v, %v; want unsettled", r, err)
				}
				r2, err := svc.Reply(ctx, editor, id, "thanks Dan!", "")
				if got := herald.ErrorCode(err); got != tc.wantErr || r2.State != tc.wantSecond || r2.ID != r.ID {
					t.Fatalf("second reply = %+v, %v (code %q); want state %q, code %q", r2, err, got, tc.wantSecond, tc.wantErr)
				}
				if n := plat.count(); n != tc.wantSent {
					t.Fatalf("the platform got the reply %d times, want %d", n, tc.wantSent)
				}
				if tc.searchable {
					// Settled as sent: asking again returns it, nothing is sent.
					r3, err := svc.Reply(ctx, editor, id, "thanks Dan!", "")
					if err != nil || r3.State != herald.ReplySent || plat.count() != 1 {
						t.Fatalf("after the settled reply: %+v, %v, %d sends", r3, err, plat.count())
					}
				}
				if tc.wantSecond == herald.ReplyUnconfirmed {
					// A person looked: it is missing; send it again.
					r3, err := svc.ResolveReply(ctx, editor, id, r.ID, post.ReplySendAgain)
					if err != nil || r3.State != herald.ReplyUnsettled || plat.count() != 2 {
						t.Fatalf("send again: %+v, %v, %d sends", r3, err, plat.count())
					}
				}
				// Other words are another reply: sent as usual.
				before := plat.count()
				if _, err := svc.Reply(ctx, editor, id, "thanks again, Dan", ""); err != nil {
					t.Fatal(err)
				}
				if n := plat.count(); n != before+1 {
					t.Fatalf("a reply with other words: %d sends in all, want %d", n, before+1)
				}
				rs, err := svc.ListReplies(ctx, editor, id)
				if err != nil || len(rs) != 2 {
					t.Fatalf("ListReplies = %d replies, %v; want 2", len(rs), err)
				}
			})
		}
	})
}

// slowReplier answers every reply after a pause, and counts them.
type slowReplier struct {
	hangingReplier
	pause time.Duration
}

func (s *slowReplier) Reply(_ context.Context, _ connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	time.Sleep(s.pause)
	s.mu.Lock()
	defer s.mu.Unlock()
	p.ReplyTo = &to
	s.stored = append(s.stored, p)
	return herald.RemoteRef{ID: fmt.Sprintf("r%d", len(s.stored))}, nil
}

// TestReplyDoubleClickSendsOnce: the same reply asked for many times at
// once (a double click, a client retrying) is one reply on the platform;
// the request key makes a deliberate second reply with the same words.
func TestReplyDoubleClickSendsOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		w := newRoleWorld(t, st)
		plat := &slowReplier{pause: 50 * time.Millisecond}
		svc, id := replyWorld(t, st, w, plat, "m-double")
		editor := w.actors[herald.RoleEditor]
		var wg sync.WaitGroup
		var mu sync.Mutex
		sent, busy := 0, 0
		for range 8 {
			wg.Go(func() {
				r, err := svc.Reply(context.Background(), editor, id, "on it!", "form-1")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil && r.State == herald.ReplySent:
					sent++
				case herald.ErrorCode(err) == herald.CodeConflict:
					busy++
				default:
					t.Errorf("Reply = %+v, %v", r, err)
				}
			})
		}
		wg.Wait()
		if plat.count() != 1 || sent+busy != 8 || sent == 0 {
			t.Fatalf("8 clicks: %d sends on the platform, %d answered sent, %d busy; want 1 send", plat.count(), sent, busy)
		}
		// Asked again once it is out: the same reply, not a new one.
		r, err := svc.Reply(context.Background(), editor, id, "on it!", "form-1")
		if err != nil || r.State != herald.ReplySent || plat.count() != 1 {
			t.Fatalf("after: %+v, %v, %d sends", r, err, plat.count())
		}
		// The same words under another request key are another reply; a
		// key reused for other words is refused.
		if _, err := svc.Reply(context.Background(), editor, id, "on it!", "form-2"); err != nil || plat.count() != 2 {
			t.Fatalf("another key: %v, %d sends", err, plat.count())
		}
		if _, err := svc.Reply(context.Background(), editor, id, "other words", "form-2"); herald.ErrorCode(err) != herald.CodeConflict {
			t.Fatalf("a key reused for other words = %v, want conflict", err)
		}
	})
}

// TestSettleRepliesAfterACrash: a reply whose sender died mid-call (left
// sending) is looked up and sent once by SettleReplies on a server that
// is alone on its database; running it again sends nothing more.
func TestSettleRepliesAfterACrash(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		plat := &slowReplier{hangingReplier: hangingReplier{searchable: true}}
		svc, id := replyWorld(t, st, w, plat, "m-crash", post.WithSingleInstance(time.Now()))
		// Left by a process that died before the platform answered (or
		// was called): its lease still runs.
		lease := time.Now().Add(time.Hour)
		left := herald.Reply{WorkspaceID: w.ws.ID, ItemID: id, Key: "reply-crash-" + t.Name(), Text: "sorry for the wait",
			LeaseUntil: &lease, CreatedAt: time.Now().Add(-time.Minute)}
		if _, _, err := st.BeginReply(ctx, &left); err != nil {
			t.Fatal(err)
		}
		n, err := svc.SettleReplies(ctx)
		if err != nil || n != 1 || plat.count() != 1 {
			t.Fatalf("SettleReplies = %d, %v; %d sends, want 1", n, err, plat.count())
		}
		n, err = svc.SettleReplies(ctx)
		if err != nil || n != 0 || plat.count() != 1 {
			t.Fatalf("SettleReplies again = %d, %v; %d sends, want still 1", n, err, plat.count())
		}
		rs, err := svc.ListReplies(ctx, w.actors[herald.RoleAnalyst], id)
		if err != nil || len(rs) != 1 || rs[0].State != herald.ReplySent || rs[0].RemoteID == "" {
			t.Fatalf("replies = %+v, %v", rs, err)
		}
		item, err := st.GetInboxItem(ctx, w.ws.ID, id)
		if err != nil || item.FirstResponseAt == nil {
			t.Fatalf("first response not recorded: %+v, %v", item.FirstResponseAt, err)
		}
	})
}
