package post_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/mastodon"
	"github.com/heraldsocial/herald/internal/connector/mastodon/mastodonfake"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
)

// TestAnswerAsOnAnotherMastodonServer: a mention that came to @acme on
// one Mastodon server is answered as @support on another; the reply is
// found on @support's server in the right thread, once, even when asked
// for twice.
func TestAnswerAsOnAnotherMastodonServer(t *testing.T) {
	forEachStore(t, func(t *testing.T, st herald.Store) {
		ctx := context.Background()
		w := newRoleWorld(t, st)
		serve := func() (*mastodonfake.Server, string) {
			srv := mastodonfake.New(mastodonfake.DefaultConfig())
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			return srv, ts.URL
		}
		a, aURL := serve()
		b, bURL := serve()
		acme, acmeToken := a.AddAccount("acme", "Acme")
		support, supportToken := b.AddAccount("support", "Acme Support")
		fan, _ := a.AddAccount("fan", "A Fan")
		c := mastodon.New(&http.Client{Timeout: 10 * time.Second})
		reg := connector.NewRegistry()
		reg.Register(herald.PlatformMastodon, c)
		svc := post.New(st, herald.SystemClock{}, nil, post.WithConnectors(reg, plainKeys{}))
		now := time.Now().UTC().Truncate(time.Microsecond)
		account := func(handle, instance, remoteID, token string) herald.Account {
			x := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformMastodon, RemoteID: remoteID, Handle: handle,
				InstanceURL: instance, Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now,
				Credentials: herald.Sealed{KeyID: "k", Ciphertext: mastodon.MarshalCredentials(mastodon.Credentials{Instance: instance, AccessToken: token})}}
			if err := st.CreateAccount(ctx, &x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		own := account("@acme", aURL, acme.ID, acmeToken)
		other := account("@support", bURL, support.ID, supportToken)

		a.Post(fan.ID, "@acme is the shop open on Sunday?", "")
		ms, _, err := c.Mentions(ctx, connector.Account{Account: own, Credentials: own.Credentials.Ciphertext}, "")
		if err != nil || len(ms) != 1 {
			t.Fatalf("mentions: %+v, %v", ms, err)
		}
		item := []herald.InboxItem{{WorkspaceID: w.ws.ID, AccountID: own.ID, RemoteID: ms[0].RemoteID, URL: ms[0].URL,
			AuthorID: ms[0].AuthorID, AuthorHandle: ms[0].AuthorHandle, Text: ms[0].Text, Meta: ms[0].Meta,
			CreatedAt: now, FetchedAt: now}}
		if _, err := st.AddInboxItems(ctx, item); err != nil {
			t.Fatal(err)
		}
		editor := w.actors[herald.RoleEditor]
		as, err := svc.AnswerAccounts(ctx, editor, item[0].ID)
		if err != nil || len(as) != 2 || as[1].ID != other.ID {
			t.Fatalf("accounts that can answer: %+v, %v", as, err)
		}
		r, err := svc.ReplyAs(ctx, editor, item[0].ID, other.ID, "Yes, from 8 to 12!", "req-1")
		if err != nil || r.State != herald.ReplySent {
			t.Fatalf("reply as @support = %+v, %v", r, err)
		}
		again, err := svc.ReplyAs(ctx, editor, item[0].ID, other.ID, "Yes, from 8 to 12!", "req-1")
		if err != nil || again.ID != r.ID {
			t.Fatalf("asked again = %+v, %v", again, err)
		}
		var copyID string
		replies := 0
		for _, s := range b.Statuses() {
			if s.URI != "" {
				copyID = s.ID
			}
		}
		for _, s := range b.Statuses() {
			if s.InReplyToID == copyID && copyID != "" {
				replies++
				if s.AccountID != support.ID || !strings.HasSuffix(s.Text, "Yes, from 8 to 12!") || s.ID != r.RemoteID {
					t.Errorf("the reply on @support's server: %+v", s)
				}
			}
		}
		if replies != 1 {
			t.Fatalf("@support's server has %d replies to its copy of the mention, want 1", replies)
		}
		for _, s := range a.Statuses() {
			if s.AccountID == acme.ID {
				t.Fatalf("@acme posted %+v; the answer was to come from @support", s)
			}
		}
	})
}
