package notify_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/notify"
	"github.com/heraldsocial/herald/internal/teststore"
)

// channels records what the service hands to the workspace's channels.
type channels struct {
	mu  sync.Mutex
	got []herald.Notification
}

func (c *channels) Deliver(_ context.Context, n herald.Notification) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, n)
	return nil
}

// feedWorld is a workspace with one member of each role that matters.
type feedWorld struct {
	st      herald.Store
	ws      herald.Workspace
	members map[herald.Role]herald.User
	acct    herald.Account
}

func newFeedWorld(t *testing.T, st herald.Store) *feedWorld {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	w := &feedWorld{st: st, ws: herald.Workspace{Name: "Acme", TimeZone: "UTC"}, members: map[herald.Role]herald.User{}}
	must(t, st.CreateWorkspace(ctx, &w.ws))
	for _, r := range []herald.Role{herald.RoleOwner, herald.RoleManager, herald.RoleEditor, herald.RoleContributor,
		herald.RoleClient} {
		u := herald.User{Email: string(r) + fmt.Sprintf("-%d@example.com", w.ws.ID), Name: string(r)}
		must(t, st.CreateUser(ctx, &u))
		must(t, st.AddMember(ctx, &herald.Membership{WorkspaceID: w.ws.ID, UserID: u.ID, Role: r, CreatedAt: now}))
		w.members[r] = u
	}
	w.acct = herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k", Ciphertext: []byte(`{}`)},
		CreatedAt: now, UpdatedAt: now}
	must(t, st.CreateAccount(ctx, &w.acct))
	return w
}

// target stores a draft post by author with one target.
func (w *feedWorld) target(t *testing.T, author herald.Role) herald.Target {
	t.Helper()
	p := herald.Post{WorkspaceID: w.ws.ID, AuthorID: w.members[author].ID, Text: "launch",
		Targets: []herald.Target{{AccountID: w.acct.ID, State: herald.StateDraft}}}
	must(t, w.st.CreatePost(t.Context(), &p))
	return p.Targets[0]
}

// feed is who has a notification with key, by role.
func (w *feedWorld) feed(t *testing.T, key string) []herald.Role {
	t.Helper()
	var out []herald.Role
	for _, r := range []herald.Role{herald.RoleOwner, herald.RoleManager, herald.RoleEditor, herald.RoleContributor,
		herald.RoleClient} {
		p, err := w.st.ListNotifications(t.Context(), w.ws.ID, w.members[r].ID, herald.NotificationFilter{Page: herald.Page{Limit: 200}})
		must(t, err)
		for _, n := range p.Items {
			if n.Key == key {
				out = append(out, r)
			}
		}
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestNotifyFeeds(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newFeedWorld(t, st)
		ch := &channels{}
		svc := notify.NewService(notify.ServiceDeps{Store: st, Channels: ch})
		m := w.members

		// Named people: only members, never the one who did it.
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyInboxAssigned, WorkspaceID: w.ws.ID,
			UserIDs: []int64{m[herald.RoleEditor].ID, m[herald.RoleManager].ID, 999999}, ActorID: m[herald.RoleManager].ID,
			Title: "Yours", Message: "Answer it.", Link: "/w/1/inbox/3", Key: "assigned-1"})
		if got := w.feed(t, "assigned-1"); !slices.Equal(got, []herald.Role{herald.RoleEditor}) {
			t.Fatalf("assigned reached %v, want the editor only", got)
		}
		// Told again: still one.
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyInboxAssigned, WorkspaceID: w.ws.ID,
			UserIDs: []int64{m[herald.RoleEditor].ID}, Message: "Answer it.", Key: "assigned-1"})
		if n, _ := st.CountUnreadNotifications(ctx, w.ws.ID, m[herald.RoleEditor].ID); n != 1 {
			t.Fatalf("the editor has %d unread, want 1 after the same event twice", n)
		}

		// A failed post of an author who can schedule: the author alone,
		// with a link to the post found from the target.
		tg := w.target(t, herald.RoleEditor)
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyTargetFailed, WorkspaceID: w.ws.ID, TargetID: tg.ID,
			AccountID: w.acct.ID, Message: "refused", Key: "failed-1"})
		if got := w.feed(t, "failed-1"); !slices.Equal(got, []herald.Role{herald.RoleEditor}) {
			t.Fatalf("failed post reached %v, want its author", got)
		}
		p, err := st.ListNotifications(ctx, w.ws.ID, m[herald.RoleEditor].ID, herald.NotificationFilter{Page: herald.Page{Limit: 1}})
		must(t, err)
		if got := p.Items[0]; got.PostID != tg.PostID || got.Link != fmt.Sprintf("/w/%d/posts/%d", w.ws.ID, tg.PostID) {
			t.Fatalf("failed notification = %+v, want post %d and its link", got.Notification, tg.PostID)
		}
		// A contributor's failed post: the author and those who can
		// schedule it again.
		tg = w.target(t, herald.RoleContributor)
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyTargetUnconfirmed, WorkspaceID: w.ws.ID, TargetID: tg.ID,
			Message: "cannot tell", Key: "unconfirmed-1"})
		want := []herald.Role{herald.RoleOwner, herald.RoleManager, herald.RoleEditor, herald.RoleContributor}
		if got := w.feed(t, "unconfirmed-1"); !slices.Equal(got, want) {
			t.Fatalf("a contributor's unconfirmed post reached %v, want %v", got, want)
		}
		// An account to reconnect: those who manage accounts.
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyAccountRevoked, WorkspaceID: w.ws.ID, AccountID: w.acct.ID,
			Message: "reconnect", Key: "revoked-1"})
		if got := w.feed(t, "revoked-1"); !slices.Equal(got, []herald.Role{herald.RoleOwner, herald.RoleManager}) {
			t.Fatalf("revoked account reached %v, want owner and manager", got)
		}
		// No key: each call is its own event, in the feed and the channels.
		for range 2 {
			svc.Notify(ctx, herald.Notification{Kind: herald.NotifyBudgetOverPlan, WorkspaceID: w.ws.ID, Message: "over"})
		}
		if n, _ := st.CountUnreadNotifications(ctx, w.ws.ID, m[herald.RoleManager].ID); n != 4 {
			t.Fatalf("the manager has %d unread, want 4 (unconfirmed, revoked, two budget)", n)
		}
		// A notification of no workspace goes to the log only.
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyTargetOverdue, Message: "3 more late"})

		ch.mu.Lock()
		var keys []string
		for _, n := range ch.got {
			keys = append(keys, n.Key)
			if n.Key == "" || n.At.IsZero() {
				t.Errorf("channels got %+v without a key or a time", n)
			}
		}
		ch.mu.Unlock()
		if len(keys) != 7 || keys[0] != "assigned-1" || keys[2] != "failed-1" || keys[4] != "revoked-1" {
			t.Fatalf("channels got %v, want every workspace notification (the repeat too: the channels keep it once)", keys)
		}
	})
}

func TestNotifyOwnFeed(t *testing.T) {
	teststore.Each(t, func(t *testing.T, st herald.Store) {
		ctx := t.Context()
		w := newFeedWorld(t, st)
		svc := notify.NewService(notify.ServiceDeps{Store: st})
		ed := w.members[herald.RoleEditor]
		for i := range 3 {
			svc.Notify(ctx, herald.Notification{Kind: herald.NotifyMentioned, WorkspaceID: w.ws.ID, UserIDs: []int64{ed.ID},
				Message: "you were mentioned", Key: fmt.Sprintf("m-%d", i)})
		}
		svc.Notify(ctx, herald.Notification{Kind: herald.NotifyAssigned, WorkspaceID: w.ws.ID, UserIDs: []int64{ed.ID},
			Message: "a task", Key: "task-1"})
		actor := herald.Actor{WorkspaceID: w.ws.ID, UserID: ed.ID, Role: herald.RoleEditor}
		if n, err := svc.Unread(ctx, actor); err != nil || n != 4 {
			t.Fatalf("unread = %d, %v; want 4", n, err)
		}
		p, err := svc.List(ctx, actor, herald.NotificationFilter{Kinds: []herald.NotificationKind{herald.NotifyMentioned}, Page: herald.Page{Limit: 2}})
		if err != nil || len(p.Items) != 2 || p.Next == "" || p.Items[0].Key != "m-2" {
			t.Fatalf("first page of mentions = %+v, %v", p, err)
		}
		if _, err := svc.List(ctx, actor, herald.NotificationFilter{Kinds: []herald.NotificationKind{"gossip"}}); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("an unknown kind: %v, want invalid", err)
		}
		// Someone else's ids are not the editor's to mark.
		other := herald.Actor{WorkspaceID: w.ws.ID, UserID: w.members[herald.RoleManager].ID, Role: herald.RoleManager}
		if n, err := svc.Mark(ctx, other, []int64{p.Items[0].ID}, true); err != nil || n != 0 {
			t.Fatalf("marking another's notification: %d, %v; want 0", n, err)
		}
		if n, err := svc.Mark(ctx, actor, []int64{p.Items[0].ID}, true); err != nil || n != 1 {
			t.Fatalf("mark read: %d, %v", n, err)
		}
		if n, err := svc.Mark(ctx, actor, []int64{p.Items[0].ID}, false); err != nil || n != 1 {
			t.Fatalf("mark unread: %d, %v", n, err)
		}
		if _, err := svc.Mark(ctx, actor, nil, true); herald.ErrorCode(err) != herald.CodeInvalid {
			t.Fatalf("marking nothing: %v, want invalid", err)
		}
		if n, err := svc.MarkAllRead(ctx, actor); err != nil || n != 4 {
			t.Fatalf("mark all read: %d, %v; want 4", n, err)
		}
		if n, _ := svc.Unread(ctx, actor); n != 0 {
			t.Fatalf("unread after marking all = %d", n)
		}
		// A token acting for no one has no feed.
		if _, err := svc.Unread(ctx, herald.Actor{WorkspaceID: w.ws.ID, Role: herald.RoleAdmin}); herald.ErrorCode(err) != herald.CodeForbidden {
			t.Fatalf("no person: %v, want forbidden", err)
		}
	})
}
