package post_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// serverReplier is a platform of servers (as Mastodon): status ids are
// known only on their own server, so an account answers as another only
// on the same one. It records which account sent each reply; the first
// reply of each account gets no answer in time (it is stored all the same).
type serverReplier struct {
	mu       sync.Mutex
	sent     map[int64][]connector.Part // by sending account
	answered map[int64]bool
	finds    []int64 // accounts asked whether they have a reply
}

func (p *serverReplier) Publish(context.Context, connector.Account, connector.Part) (herald.RemoteRef, error) {
	return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "not used"}
}

func (p *serverReplier) Reply(_ context.Context, acct connector.Account, to herald.RemoteRef, part connector.Part) (herald.RemoteRef, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	part.ReplyTo = &to
	p.sent[acct.ID] = append(p.sent[acct.ID], part)
	if !p.answered[acct.ID] {
		p.answered[acct.ID] = true
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Message: "no answer in time"}
	}
	return herald.RemoteRef{ID: "reply-" + part.Text}, nil
}

func (p *serverReplier) Find(_ context.Context, acct connector.Account, part connector.Part) (herald.RemoteRef, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finds = append(p.finds, acct.ID)
	for _, s := range p.sent[acct.ID] {
		if s.Text == part.Text && part.ReplyTo != nil && s.ReplyTo.ID == part.ReplyTo.ID {
			return herald.RemoteRef{ID: "found-" + s.Text}, true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

func (p *serverReplier) CanAnswerAs(item, other herald.Account) bool {
	return item.InstanceURL == other.InstanceURL
}

func (p *serverReplier) count(account int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent[account])
}

// TestAnswerAs: an item is answered from another account of the workspace
// that knows the post under the same reference (same server), never from
// one that does not, another platform's, a revoked one, or for a direct
// message; the reply is recorded with its account, sent once, and settled
// by asking that account.
func TestAnswerAs(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		plat := &serverReplier{sent: map[int64][]connector.Part{}, answered: map[int64]bool{}}
		w.acct.InstanceURL = "https://one.example"
		if err := st.UpdateAccount(ctx, &w.acct); err != nil {
			t.Fatal(err)
		}
		svc, id := replyWorld(t, st, w, plat, "m-1")
		now := time.Now().UTC().Truncate(time.Microsecond)
		add := func(handle, instance string, p herald.Platform, status herald.AccountStatus) herald.Account {
			a := herald.Account{WorkspaceID: w.ws.ID, Platform: p, RemoteID: handle, Handle: handle, InstanceURL: instance,
				Status: status, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)}, CreatedAt: now, UpdatedAt: now}
			if err := st.CreateAccount(ctx, &a); err != nil {
				t.Fatal(err)
			}
			return a
		}
		support := add("@support", "https://one.example", herald.PlatformFake, herald.AccountConnected)
		elsewhere := add("@elsewhere", "https://two.example", herald.PlatformFake, herald.AccountConnected)
		gone := add("@gone", "https://one.example", herald.PlatformFake, herald.AccountRevoked)
		other := add("@bsky", "https://one.example", herald.PlatformBluesky, herald.AccountConnected)
		editor := w.actors[herald.RoleEditor]

		as, err := svc.AnswerAccounts(ctx, editor, id)
		if err != nil {
			t.Fatal(err)
		}
		var handles []string
		for _, a := range as {
			handles = append(handles, a.Handle)
		}
		if strings.Join(handles, " ") != "@acme @support" {
			t.Fatalf("accounts that can answer: %v, want @acme @support", handles)
		}

		// Refused: another server, another platform, a revoked account.
		for _, bad := range []struct {
			id   int64
			want string
		}{{elsewhere.ID, "same server"}, {other.ID, "another platform"}, {gone.ID, "reconnected"}} {
			_, err := svc.ReplyAs(ctx, editor, id, bad.id, "hello", "")
			if herald.ErrorCode(err) != herald.CodeInvalid || !strings.Contains(err.Error(), bad.want) {
				t.Fatalf("answer as account %d: %v, want invalid saying %q", bad.id, err, bad.want)
			}
		}

		// As @support: no answer in time, then asked again (double
		// click): still one send, checked on @support.
		r, err := svc.ReplyAs(ctx, editor, id, support.ID, "We are on it", "req-1")
		if err != nil || r.State != herald.ReplyUnsettled || r.AccountID == nil || *r.AccountID != support.ID {
			t.Fatalf("reply as @support = %+v, %v; want unsettled from @support", r, err)
		}
		r2, err := svc.ReplyAs(ctx, editor, id, support.ID, "We are on it", "req-1")
		if err != nil || r2.ID != r.ID || r2.State != herald.ReplySent {
			t.Fatalf("asked again = %+v, %v; want the same reply, found sent", r2, err)
		}
		if plat.count(support.ID) != 1 || plat.count(w.acct.ID) != 0 {
			t.Fatalf("sends: @support %d, @acme %d; want 1 and 0", plat.count(support.ID), plat.count(w.acct.ID))
		}
		if len(plat.finds) != 1 || plat.finds[0] != support.ID {
			t.Fatalf("looked up on accounts %v, want only @support", plat.finds)
		}
		// The same words from the item's own account are another reply.
		if _, err := svc.ReplyAs(ctx, editor, id, 0, "We are on it", "req-1"); err != nil {
			t.Fatal(err)
		}
		if plat.count(w.acct.ID) != 1 {
			t.Fatalf("@acme sent %d replies, want 1", plat.count(w.acct.ID))
		}

		// The post is deleted on the platform: asking again for the reply
		// already sent returns it; a new reply is refused, recording nothing.
		deleted := now.Add(time.Minute)
		if err := st.ChangeInboxRemote(ctx, w.ws.ID, id, herald.InboxRemoteChange{DeletedAt: &deleted}); err != nil {
			t.Fatal(err)
		}
		if again, err := svc.ReplyAs(ctx, editor, id, support.ID, "We are on it", "req-1"); err != nil || again.ID != r.ID {
			t.Fatalf("asked again after the post was deleted = %+v, %v; want reply %d", again, err, r.ID)
		}
		if _, err := svc.ReplyAs(ctx, editor, id, support.ID, "Still there?", ""); herald.ErrorCode(err) != herald.CodeConflict ||
			!strings.Contains(err.Error(), "no longer on the platform") {
			t.Fatalf("a new reply to a deleted post: %v, want a conflict saying it is gone", err)
		}
		if rs, err := st.ListReplies(ctx, w.ws.ID, id); err != nil || len(rs) != 2 {
			t.Fatalf("replies after the refusal: %d, %v; want the 2 sent before", len(rs), err)
		}

		// A direct message is answered only from its own account.
		dm := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: w.acct.ID, RemoteID: "dm-1", AuthorID: "dan",
			Text: "psst", Direct: true, ConversationID: "c1", CreatedAt: now, FetchedAt: now}}
		if _, err := st.AddInboxItems(ctx, dm); err != nil {
			t.Fatal(err)
		}
		if as, err := svc.AnswerAccounts(ctx, editor, dm[0].ID); err != nil || len(as) != 1 || as[0].ID != w.acct.ID {
			t.Fatalf("accounts that can answer a DM: %v, %v", as, err)
		}
		if _, err := svc.ReplyAs(ctx, editor, dm[0].ID, support.ID, "hi", ""); herald.ErrorCode(err) != herald.CodeInvalid ||
			!strings.Contains(err.Error(), "direct message") {
			t.Fatalf("answering a DM as another account: %v", err)
		}
	})
}
