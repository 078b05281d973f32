package bluesky_test

import (
	"context"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/bluesky"
	"github.com/heraldsocial/herald/internal/connector/bluesky/blueskytest"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/teststore"
)

// openKeys hands back credentials stored unsealed, for tests.
type openKeys struct{}

func (openKeys) Open(s herald.Sealed, _ []byte) ([]byte, error) { return s.Ciphertext, nil }

// replyFromInbox stores the mention in an inbox as the sync does and
// answers it through Herald's reply path: clicked twice at once and asked
// once more afterwards, it must be one reply on the PDS, in the mention's
// thread. It returns the reply.
func replyFromInbox(t *testing.T, c *bluesky.Connector, alice, bob connector.Account, mn connector.Mention, text string) herald.RemoteRef {
	t.Helper()
	ctx := context.Background()
	st := teststore.SQLite(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Interop", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatal(err)
	}
	u := herald.User{Email: "support@example.com", Name: "Support", PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: herald.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	a := alice.Account
	a.ID, a.WorkspaceID, a.Status, a.CreatedAt, a.UpdatedAt = 0, ws.ID, herald.AccountConnected, now, now
	a.Credentials = herald.Sealed{KeyID: "plain", Ciphertext: alice.Credentials}
	if err := st.CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	item := []herald.InboxItem{{WorkspaceID: ws.ID, AccountID: a.ID, RemoteID: mn.RemoteID, URL: mn.URL, AuthorID: mn.AuthorID,
		AuthorHandle: mn.AuthorHandle, Text: mn.Text, CreatedAt: mn.CreatedAt, FetchedAt: now, Meta: mn.Meta}}
	if _, err := st.AddInboxItems(ctx, item); err != nil || item[0].ID == 0 {
		t.Fatalf("AddInboxItems: %v", err)
	}
	reg := connector.NewRegistry()
	reg.Register(herald.PlatformBluesky, c)
	svc := post.New(st, herald.SystemClock{}, nil, post.WithConnectors(reg, openKeys{}))
	editor := herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: herald.RoleEditor}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var sent []herald.Reply
	for range 2 {
		wg.Go(func() {
			r, err := svc.Reply(ctx, editor, item[0].ID, text, "")
			if err != nil && herald.ErrorCode(err) != herald.CodeConflict {
				t.Errorf("reply from the inbox: %v", err)
			}
			if err == nil {
				mu.Lock()
				sent = append(sent, r)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(sent) == 0 {
		t.Fatal("neither click sent the reply")
	}
	again, err := svc.Reply(ctx, editor, item[0].ID, text, "")
	if err != nil || again.State != herald.ReplySent || again.RemoteID != sent[0].RemoteID {
		t.Fatalf("the same reply asked again = %+v, %v; want the first, sent", again, err)
	}

	// The thread on the AppView: exactly one reply by alice under bob's
	// mention, with the text.
	var thread struct {
		Thread struct {
			Replies []struct {
				Post struct {
					URI    string `json:"uri"`
					Author struct {
						DID string `json:"did"`
					} `json:"author"`
					Record struct {
						Text  string `json:"text"`
						Reply struct {
							Parent struct {
								URI string `json:"uri"`
							} `json:"parent"`
						} `json:"reply"`
					} `json:"record"`
				} `json:"post"`
			} `json:"replies"`
		} `json:"thread"`
	}
	blueskytest.Eventually(t, time.Minute, "Herald's reply in the mention's thread", func() (bool, error) {
		err := blueskytest.Query(ctx, bob, "app.bsky.feed.getPostThread", url.Values{"uri": {mn.RemoteID}, "depth": {"1"}}, &thread)
		return err == nil && len(thread.Thread.Replies) > 0, err
	})
	time.Sleep(time.Second) // a second reply, were there one, is indexed by now too
	if err := blueskytest.Query(ctx, bob, "app.bsky.feed.getPostThread", url.Values{"uri": {mn.RemoteID}, "depth": {"1"}}, &thread); err != nil {
		t.Fatal(err)
	}
	ours := 0
	for _, r := range thread.Thread.Replies {
		if r.Post.Author.DID == alice.RemoteID {
			ours++
			if r.Post.Record.Text != text || r.Post.Record.Reply.Parent.URI != mn.RemoteID || r.Post.URI != sent[0].RemoteID {
				t.Errorf("reply in the thread = %+v", r.Post)
			}
		}
	}
	if ours != 1 {
		t.Fatalf("the mention's thread has %d replies by alice, want exactly 1", ours)
	}
	rs, err := svc.ListReplies(ctx, editor, item[0].ID)
	if err != nil || len(rs) != 1 || rs[0].State != herald.ReplySent {
		t.Fatalf("Herald's record of the replies = %+v, %v", rs, err)
	}
	return sent[0].Ref()
}
