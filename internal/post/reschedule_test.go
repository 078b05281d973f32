package post_test

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/sqlite"
)

// rescheduleWorld is a workspace with two members (Ana, owner; Bo,
// editor), one account and one scheduled post.
type rescheduleWorld struct {
	svc      *post.Service
	ana, bo  herald.Actor
	post     herald.Post
	original time.Time
}

func newRescheduleWorld(t *testing.T) rescheduleWorld {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	ws := herald.Workspace{Name: "Acme", TimeZone: "Europe/Paris", CreatedAt: now, UpdatedAt: now}
	if err := st.CreateWorkspace(ctx, &ws); err != nil {
		t.Fatal(err)
	}
	var w rescheduleWorld
	for i, who := range []struct {
		name string
		role herald.Role
		dst  *herald.Actor
	}{{"Ana", herald.RoleOwner, &w.ana}, {"Bo", herald.RoleEditor, &w.bo}} {
		u := herald.User{Email: who.name + "@example.com", Name: who.name, PasswordHash: "x", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
		if err := st.AddMember(ctx, &herald.Membership{WorkspaceID: ws.ID, UserID: u.ID, Role: who.role}); err != nil {
			t.Fatal(err)
		}
		*who.dst = herald.Actor{UserID: u.ID, WorkspaceID: ws.ID, Role: who.role}
	}
	acct := herald.Account{WorkspaceID: ws.ID, Platform: herald.PlatformFake, RemoteID: "acme", Handle: "@acme",
		DisplayName: "Acme", Status: herald.AccountConnected, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateAccount(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	w.svc = post.New(st, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	w.original = now.Add(48 * time.Hour).Truncate(time.Second)
	at := w.original
	w.post, err = w.svc.Create(ctx, w.ana, herald.Post{Text: "Launch day",
		Targets: []herald.Target{{AccountID: acct.ID, ScheduledAt: &at}}}, post.ActionSchedule)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestRescheduleIfMatch(t *testing.T) {
	ctx := context.Background()

	t.Run("the version read moves the post", func(t *testing.T) {
		w := newRescheduleWorld(t)
		at := w.original.Add(24 * time.Hour)
		got, err := w.svc.RescheduleIfMatch(ctx, w.bo, w.post.ID, at, nil, w.post.Version)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Targets[0].ScheduledAt.Equal(at) || got.Version != w.post.Version+1 {
			t.Fatalf("after the move: at %v version %d, want %v and %d", got.Targets[0].ScheduledAt, got.Version, at, w.post.Version+1)
		}
	})

	t.Run("a stale version moves nothing and says who changed it", func(t *testing.T) {
		w := newRescheduleWorld(t)
		moved, err := w.svc.Reschedule(ctx, w.bo, w.post.ID, w.original.Add(time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.RescheduleIfMatch(ctx, w.ana, w.post.ID, w.original.Add(72*time.Hour), nil, w.post.Version)
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodePreconditionFailed {
			t.Fatalf("err = %v, want precondition_failed", err)
		}
		var se *post.StaleError
		if !errors.As(err, &se) {
			t.Fatalf("err = %v does not wrap a *StaleError", err)
		}
		if se.By != "Bo" || se.Had != w.post.Version || se.Version != moved.Version || !se.At.Equal(moved.UpdatedAt) {
			t.Fatalf("stale = %+v, want by Bo, had %d, version %d at %v", se, w.post.Version, moved.Version, moved.UpdatedAt)
		}
		got, err := w.svc.Get(ctx, w.ana, w.post.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Targets[0].ScheduledAt.Equal(w.original.Add(time.Hour)) || got.Version != moved.Version {
			t.Fatalf("the refused move changed the post: at %v version %d", got.Targets[0].ScheduledAt, got.Version)
		}
	})

	t.Run("the past is refused even at the right version", func(t *testing.T) {
		w := newRescheduleWorld(t)
		_, err := w.svc.RescheduleIfMatch(ctx, w.bo, w.post.ID, time.Now().Add(-time.Hour), nil, w.post.Version)
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeInvalid {
			t.Fatalf("err = %v, want invalid", err)
		}
	})

	t.Run("a role that cannot write is refused before the version is compared", func(t *testing.T) {
		w := newRescheduleWorld(t)
		analyst := w.bo
		analyst.Role = herald.RoleAnalyst
		_, err := w.svc.RescheduleIfMatch(ctx, analyst, w.post.ID, w.original.Add(time.Hour), nil, w.post.Version+5)
		var he *herald.Error
		if !errors.As(err, &he) || he.Code != herald.CodeForbidden {
			t.Fatalf("err = %v, want forbidden", err)
		}
	})
}
