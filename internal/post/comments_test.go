package post_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// commentWorld is a workspace with members of several roles, an account
// and a post, and a second workspace with a post of its own.
type commentWorld struct {
	svc                                 *post.Service
	db                                  *sqlite.DB
	ws, other                           herald.Workspace
	owner, admin, editor, analyst, anna herald.User
	outsider                            herald.User
	p, otherPost                        herald.Post
}

func (w commentWorld) actor(u herald.User, role herald.Role) herald.Actor {
	return herald.Actor{UserID: u.ID, WorkspaceID: w.ws.ID, Role: role}
}

func newCommentWorld(t *testing.T) commentWorld {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := commentWorld{db: db, svc: post.New(db, herald.SystemClock{}, slog.New(slog.DiscardHandler))}
	user := func(email, name string) herald.User {
		u := herald.User{Email: email, Name: name, PasswordHash: "x"}
		if err := db.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		return u
	}
	member := func(ws herald.Workspace, u herald.User, role herald.Role) {
		if err := db.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	w.ws = herald.Workspace{Name: "Acme", TimeZone: "UTC"}
	w.other = herald.Workspace{Name: "Other", TimeZone: "UTC"}
	for _, ws := range []*herald.Workspace{&w.ws, &w.other} {
		if err := db.CreateWorkspace(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	w.owner = user("olga@example.com", "Olga Owner")
	w.admin = user("adam@example.com", "Adam")
	w.editor = user("ed.itor@example.com", "Eddie Smith")
	w.analyst = user("ann@example.com", "Ann")
	w.anna = user("anna@example.com", "Anna")
	w.outsider = user("otto@example.com", "Otto")
	member(w.ws, w.owner, herald.RoleOwner)
	member(w.ws, w.admin, herald.RoleAdmin)
	member(w.ws, w.editor, herald.RoleEditor)
	member(w.ws, w.analyst, herald.RoleAnalyst)
	member(w.ws, w.anna, herald.RoleContributor)
	member(w.other, w.outsider, herald.RoleOwner)
	mk := func(ws herald.Workspace, author herald.User) herald.Post {
		p, err := w.svc.Create(ctx, herald.Actor{UserID: author.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner},
			herald.Post{Text: "Hello"}, post.ActionDraft)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	w.p = mk(w.ws, w.owner)
	w.otherPost = mk(w.other, w.outsider)
	return w
}

func TestMentions(t *testing.T) {
	people := []post.Person{
		{UserID: 1, Name: "Ana Owner", Handle: "anaowner", Alias: "ana"},
		{UserID: 2, Name: "Bo", Handle: "bo", Alias: "bo.b"},
	}
	cases := []struct {
		body string
		want []int64
	}{
		{"@AnaOwner please check", []int64{1}},
		{"cc @ana and @bo.b.", []int64{1, 2}},
		{"@bo, @BO and @bo again", []int64{2}},
		{"write to ana@example.com or x@ana", []int64{}},
		{"@nobody here, @", []int64{}},
		{"(@bo)", []int64{2}},
	}
	for _, c := range cases {
		if got := post.Mentions(c.body, people); !slices.Equal(got, c.want) {
			t.Errorf("Mentions(%q) = %v, want %v", c.body, got, c.want)
		}
	}
	segs := post.Segments("Hi @ana, ask @nobody and @bo.b.", people)
	var texts []string
	var who []int64
	for _, s := range segs {
		texts = append(texts, s.Text)
		if s.Mention != nil {
			who = append(who, s.Mention.UserID)
		}
	}
	if want := []string{"Hi ", "@ana", ", ask @nobody and ", "@bo.b", "."}; !slices.Equal(texts, want) {
		t.Errorf("segments %q, want %q", texts, want)
	}
	if !slices.Equal(who, []int64{1, 2}) {
		t.Errorf("segment mentions %v", who)
	}
}

func TestComments(t *testing.T) {
	ctx := context.Background()
	w := newCommentWorld(t)
	owner := w.actor(w.owner, herald.RoleOwner)
	editor := w.actor(w.editor, herald.RoleEditor)

	// Mentions resolve by name without spaces or e-mail local part, ignoring
	// case; a member of another workspace and unknown names stay text.
	c, err := w.svc.AddComment(ctx, editor, w.p.ID, "  @OlgaOwner and @anna, see @ed.itor; not @otto or @ghost  ")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{w.owner.ID, w.editor.ID, w.anna.ID}; !slices.Equal(c.Mentions, want) {
		t.Fatalf("mentions %v, want %v", c.Mentions, want)
	}
	if c.Body != "@OlgaOwner and @anna, see @ed.itor; not @otto or @ghost" || c.AuthorName != "Eddie Smith" {
		t.Fatalf("comment %+v", c)
	}
	mine, err := w.svc.MentionsOfMe(ctx, w.actor(w.anna, herald.RoleContributor), 5)
	if err != nil || len(mine) != 1 || mine[0].ID != c.ID {
		t.Fatalf("mentions of anna = %+v, %v", mine, err)
	}
	if none, err := w.svc.MentionsOfMe(ctx, w.actor(w.admin, herald.RoleAdmin), 5); err != nil || len(none) != 0 {
		t.Fatalf("mentions of adam = %+v, %v", none, err)
	}

	for _, tc := range []struct {
		name  string
		actor herald.Actor
		post  int64
		body  string
		code  herald.Code
	}{
		{"an analyst only reads", w.actor(w.analyst, herald.RoleAnalyst), w.p.ID, "hi", herald.CodeForbidden},
		{"a client approves, so comments", w.actor(w.analyst, herald.RoleClient), w.p.ID, "ok for us", ""},
		{"empty", owner, w.p.ID, "   ", herald.CodeInvalid},
		{"too long", owner, w.p.ID, string(make([]byte, herald.MaxCommentLen+1)), herald.CodeInvalid},
		{"another workspace's post", owner, w.otherPost.ID, "hi", herald.CodeNotFound},
		{"an outsider's actor", herald.Actor{UserID: w.outsider.ID, WorkspaceID: w.other.ID, Role: herald.RoleOwner}, w.p.ID, "hi", herald.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.svc.AddComment(ctx, tc.actor, tc.post, tc.body)
			if got := herald.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
		})
	}

	list, next, err := w.svc.ListComments(ctx, w.actor(w.analyst, herald.RoleAnalyst), w.p.ID, herald.Page{})
	if err != nil || next != "" || len(list) != 2 || list[0].ID != c.ID {
		t.Fatalf("comments = %+v, %q, %v", list, next, err)
	}
	if _, _, err := w.svc.ListComments(ctx, owner, w.otherPost.ID, herald.Page{}); herald.ErrorCode(err) != herald.CodeNotFound {
		t.Fatalf("listing another workspace's post: %v", err)
	}

	// Only the author or an admin deletes; through the right post only.
	clientComment := list[1]
	for _, tc := range []struct {
		name    string
		actor   herald.Actor
		post, c int64
		code    herald.Code
	}{
		{"someone else's", w.actor(w.anna, herald.RoleContributor), w.p.ID, c.ID, herald.CodeForbidden},
		{"a manager is not an admin", w.actor(w.anna, herald.RoleManager), w.p.ID, c.ID, herald.CodeForbidden},
		{"through another post", editor, w.p.ID + 100, c.ID, herald.CodeNotFound},
		{"from another workspace", herald.Actor{UserID: w.outsider.ID, WorkspaceID: w.other.ID, Role: herald.RoleOwner}, w.p.ID, c.ID, herald.CodeNotFound},
		{"the author", editor, w.p.ID, c.ID, ""},
		{"twice", editor, w.p.ID, c.ID, herald.CodeNotFound},
		{"an admin, anyone's", w.actor(w.admin, herald.RoleAdmin), w.p.ID, clientComment.ID, ""},
	} {
		t.Run("delete "+tc.name, func(t *testing.T) {
			err := w.svc.DeleteComment(ctx, tc.actor, tc.post, tc.c)
			if got := herald.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
		})
	}
	entries, _, err := w.db.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ws.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if !slices.Contains(actions, "post.comment") || !slices.Contains(actions, "post.comment_delete") {
		t.Fatalf("audit actions %v lack the comments", actions)
	}
}

func TestReviewCommentsJoinTheThread(t *testing.T) {
	ctx := context.Background()
	w := newCommentWorld(t)
	at := time.Now().Add(time.Hour)
	acct := herald.Account{WorkspaceID: w.ws.ID, Platform: herald.PlatformFake, RemoteID: "r", Handle: "@acme",
		Status: herald.AccountConnected}
	if err := w.db.CreateAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	contributor := w.actor(w.anna, herald.RoleContributor)
	p, err := w.svc.Create(ctx, contributor, herald.Post{Text: "Check me",
		Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSubmit)
	if err != nil {
		t.Fatal(err)
	}
	admin := w.actor(w.admin, herald.RoleAdmin)
	if _, err := w.svc.RequestChanges(ctx, admin, p.ID, "Shorter please, @anna"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Submit(ctx, contributor, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Approve(ctx, admin, p.ID, ""); err != nil {
		t.Fatal(err)
	}
	list, _, err := w.svc.ListComments(ctx, admin, p.ID, herald.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Body != "Changes requested: Shorter please, @anna" ||
		!slices.Equal(list[0].Mentions, []int64{w.anna.ID}) || list[0].AuthorID != w.admin.ID {
		t.Fatalf("thread = %+v (an approval without a comment adds nothing)", list)
	}
}
