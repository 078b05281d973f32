package workspace_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
	"github.com/heraldsocial/herald/internal/workspace"
)

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type fixture struct {
	store herald.Store
	clock *clock
	auth  *auth.Service
	svc   *workspace.Service
	owner herald.User
	ws    herald.Workspace
}

func (f *fixture) actor(u herald.User, role herald.Role) herald.Actor {
	return herald.Actor{UserID: u.ID, WorkspaceID: f.ws.ID, Role: role}
}

func newFixture(t *testing.T) *fixture {
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
	c := &clock{now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	logger := slog.New(slog.DiscardHandler)
	f := &fixture{store: db, clock: c, auth: auth.New(db, c, logger), svc: workspace.New(db, c, logger)}
	f.owner = f.user(t, "owner@example.com")
	if f.ws, err = f.svc.Create(ctx, f.owner.ID, herald.Workspace{Name: "Acme", TimeZone: "Europe/Paris"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) user(t *testing.T, email string) herald.User {
	t.Helper()
	u, err := f.auth.CreateUser(context.Background(), email, strings.Split(email, "@")[0], "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) member(t *testing.T, email string, role herald.Role) herald.User {
	t.Helper()
	u := f.user(t, email)
	if err := f.store.AddMember(context.Background(), &herald.Membership{WorkspaceID: f.ws.ID, UserID: u.ID, Role: role}); err != nil {
		t.Fatal(err)
	}
	return u
}

func wantCode(t *testing.T, err error, code herald.Code) {
	t.Helper()
	if got := herald.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func TestCreate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		owner int64
		w     herald.Workspace
		code  herald.Code
	}{
		{"valid", f.owner.ID, herald.Workspace{Name: "Beta", TimeZone: "Asia/Tokyo"}, ""},
		{"no name", f.owner.ID, herald.Workspace{TimeZone: "UTC"}, herald.CodeInvalid},
		{"local zone", f.owner.ID, herald.Workspace{Name: "X", TimeZone: "Local"}, herald.CodeInvalid},
		{"unknown owner", 99999, herald.Workspace{Name: "X", TimeZone: "UTC"}, herald.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := f.svc.Create(ctx, tc.owner, tc.w)
			wantCode(t, err, tc.code)
			if err != nil {
				return
			}
			m, err := f.store.GetMembership(ctx, w.ID, tc.owner)
			if err != nil || m.Role != herald.RoleOwner {
				t.Fatalf("owner membership %+v, %v", m, err)
			}
			if !w.CreatedAt.Equal(f.clock.Now()) {
				t.Fatalf("created at %v", w.CreatedAt)
			}
		})
	}
}

func TestMeWithToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := f.svc.Create(ctx, f.owner.ID, herald.Workspace{Name: "Beta", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, err := f.auth.CreateToken(ctx, f.actor(f.owner, herald.RoleOwner), "bot", herald.RoleAnalyst, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, all, err := f.svc.Me(ctx, herald.Principal{UserID: f.owner.ID})
	if err != nil || len(all) != 2 {
		t.Fatalf("session sees %+v, %v", all, err)
	}
	u, some, err := f.svc.Me(ctx, herald.Principal{UserID: f.owner.ID, Token: &tok})
	if err != nil || u.ID != f.owner.ID || len(some) != 1 || some[0].ID != f.ws.ID || some[0].Role != herald.RoleAnalyst {
		t.Fatalf("token sees %+v, %v (other workspace %d)", some, err, other.ID)
	}
}

func TestMemberRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.member(t, "admin@example.com", herald.RoleAdmin)
	editor := f.member(t, "editor@example.com", herald.RoleEditor)
	for _, tc := range []struct {
		name   string
		actor  herald.Actor
		target herald.User
		role   herald.Role // "" removes the member
		code   herald.Code
	}{
		{"editor cannot change roles", f.actor(editor, herald.RoleEditor), admin, herald.RoleClient, herald.CodeForbidden},
		{"admin cannot grant owner", f.actor(admin, herald.RoleAdmin), editor, herald.RoleOwner, herald.CodeForbidden},
		{"admin cannot demote the owner", f.actor(admin, herald.RoleAdmin), f.owner, herald.RoleEditor, herald.CodeForbidden},
		{"admin cannot remove the owner", f.actor(admin, herald.RoleAdmin), f.owner, "", herald.CodeForbidden},
		{"last owner cannot step down", f.actor(f.owner, herald.RoleOwner), f.owner, herald.RoleAdmin, herald.CodeConflict},
		{"last owner cannot leave", f.actor(f.owner, herald.RoleOwner), f.owner, "", herald.CodeConflict},
		{"unknown role", f.actor(f.owner, herald.RoleOwner), editor, "chief", herald.CodeInvalid},
		{"admin promotes editor to admin", f.actor(admin, herald.RoleAdmin), editor, herald.RoleAdmin, ""},
		{"same role again is fine", f.actor(admin, herald.RoleAdmin), editor, herald.RoleAdmin, ""},
		{"owner adds a second owner", f.actor(f.owner, herald.RoleOwner), admin, herald.RoleOwner, ""},
		{"now the first owner may leave", f.actor(f.owner, herald.RoleOwner), f.owner, "", ""},
		{"a non-member is not found", f.actor(admin, herald.RoleOwner), f.owner, herald.RoleEditor, herald.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.role == "" {
				err = f.svc.RemoveMember(ctx, tc.actor, tc.target.ID)
			} else {
				_, err = f.svc.UpdateMemberRole(ctx, tc.actor, tc.target.ID, tc.role)
			}
			wantCode(t, err, tc.code)
		})
	}
	ms, err := f.svc.ListMembers(ctx, f.actor(admin, herald.RoleOwner))
	if err != nil || len(ms) != 2 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	entries, _, err := f.svc.Audit(ctx, f.actor(admin, herald.RoleOwner), herald.AuditFilter{ObjectType: "user"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); got != "member.leave,member.role,member.role" {
		t.Fatalf("audit actions %s", got)
	}
}

func TestInvitations(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner := f.actor(f.owner, herald.RoleOwner)

	first, inv1, err := f.svc.Invite(ctx, owner, "Ann@Example.com", herald.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first, workspace.InvitationPrefix) || inv1.Email != "ann@example.com" ||
		!inv1.ExpiresAt.Equal(f.clock.Now().Add(7*24*time.Hour)) || len(inv1.TokenHash) != 32 {
		t.Fatalf("invitation %+v", inv1)
	}
	// Inviting again replaces the pending invitation: the first secret dies.
	second, _, err := f.svc.Invite(ctx, owner, "ann@example.com", herald.RoleContributor)
	if err != nil {
		t.Fatal(err)
	}
	invs, err := f.svc.ListInvitations(ctx, owner)
	if err != nil || len(invs) != 1 || invs[0].Role != herald.RoleContributor {
		t.Fatalf("pending %+v, %v", invs, err)
	}
	_, _, err = f.svc.Accept(ctx, nil, first, "Ann", "correct horse battery")
	wantCode(t, err, herald.CodeNotFound)

	// Expired: a clear message.
	f.clock.advance(7*24*time.Hour + time.Second)
	_, _, err = f.svc.Accept(ctx, nil, second, "Ann", "correct horse battery")
	wantCode(t, err, herald.CodeInvalid)
	if !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired error %v", err)
	}

	third, _, err := f.svc.Invite(ctx, owner, "ann@example.com", herald.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	u, w, err := f.svc.Accept(ctx, nil, third, "Ann", "correct horse battery")
	if err != nil || u.Email != "ann@example.com" || w.ID != f.ws.ID {
		t.Fatalf("accept: %+v %+v %v", u, w, err)
	}
	m, err := f.store.GetMembership(ctx, f.ws.ID, u.ID)
	if err != nil || m.Role != herald.RoleEditor {
		t.Fatalf("membership %+v, %v", m, err)
	}
	_, _, err = f.svc.Accept(ctx, nil, third, "Ann", "correct horse battery")
	wantCode(t, err, herald.CodeConflict)
	if _, err := f.auth.Login(ctx, "ann@example.com", "correct horse battery", "127.0.0.1"); err != nil {
		t.Fatalf("the new user cannot sign in: %v", err)
	}

	// A member cannot be invited again, and a token cannot accept.
	_, _, err = f.svc.Invite(ctx, owner, "ann@example.com", herald.RoleEditor)
	wantCode(t, err, herald.CodeConflict)
	bob := f.user(t, "bob@example.com")
	secret, _, err := f.svc.Invite(ctx, owner, "bob@example.com", herald.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Accept(ctx, &herald.Principal{UserID: bob.ID, Token: &herald.APIToken{ID: 1}}, secret, "", "")
	wantCode(t, err, herald.CodeForbidden)
	_, _, err = f.svc.Accept(ctx, &herald.Principal{UserID: u.ID}, secret, "", "")
	wantCode(t, err, herald.CodeForbidden)
	if _, _, err = f.svc.Accept(ctx, &herald.Principal{UserID: bob.ID}, secret, "", ""); err != nil {
		t.Fatal(err)
	}

	// Revoking: only pending invitations of this workspace.
	_, pending, err := f.svc.Invite(ctx, owner, "cy@example.com", herald.RoleClient)
	if err != nil {
		t.Fatal(err)
	}
	editor := f.member(t, "editor@example.com", herald.RoleEditor)
	wantCode(t, f.svc.RevokeInvitation(ctx, f.actor(editor, herald.RoleEditor), pending.ID), herald.CodeForbidden)
	if err := f.svc.RevokeInvitation(ctx, owner, pending.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.RevokeInvitation(ctx, owner, pending.ID), herald.CodeNotFound)
}

func TestDeleteIsOwnerOnlyAndAudited(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.member(t, "admin@example.com", herald.RoleAdmin)
	wantCode(t, f.svc.Delete(ctx, f.actor(admin, herald.RoleAdmin)), herald.CodeForbidden)
	if err := f.svc.Delete(ctx, f.actor(f.owner, herald.RoleOwner)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.GetWorkspace(ctx, f.ws.ID); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("workspace still there: %v", err)
	}
	entries, _, err := f.store.ListAudit(ctx, herald.AuditFilter{ObjectType: "workspace", ObjectID: f.ws.ID})
	if err != nil || len(entries) != 1 || entries[0].Action != "workspace.delete" {
		t.Fatalf("audit %+v, %v", entries, err)
	}
}
