package label_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/label"
	"github.com/heraldsocial/herald/internal/sqlite"
)

func newService(t *testing.T) (*label.Service, herald.Store, herald.Actor) {
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
	u := herald.User{Email: "ana@example.com", Name: "Ana"}
	if err := db.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	w := herald.Workspace{Name: "Acme", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatal(err)
	}
	svc := label.New(db, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	return svc, db, herald.Actor{UserID: u.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}
}

func TestPermissions(t *testing.T) {
	svc, _, owner := newService(t)
	ctx := context.Background()
	l, err := svc.Create(ctx, owner, herald.Label{Name: "Launch"})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range herald.Roles {
		t.Run(string(role), func(t *testing.T) {
			a := owner
			a.Role = role
			_, err := svc.List(ctx, a)
			if (err == nil) != role.Can(herald.ActPostsRead) {
				t.Errorf("list: %v", err)
			}
			name := "Patched"
			_, err = svc.Update(ctx, a, l.ID, label.Patch{Name: &name})
			if (err == nil) != role.Can(herald.ActLabelsManage) {
				t.Errorf("update: %v", err)
			}
			if err != nil && herald.ErrorCode(err) != herald.CodeForbidden {
				t.Errorf("update refused with %v, want forbidden", err)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	svc, store, owner := newService(t)
	ctx := context.Background()
	l, err := svc.Create(ctx, owner, herald.Label{Name: "Launch", Color: "#112233"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, owner, herald.Label{Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	same, empty, other, bad := "Launch", "", "OTHER", "#12345"
	for _, tc := range []struct {
		name string
		p    label.Patch
		code herald.Code
	}{
		{"nothing changes", label.Patch{Name: &same}, ""},
		{"empty colour", label.Patch{Color: &empty}, herald.CodeInvalid},
		{"bad colour", label.Patch{Color: &bad}, herald.CodeInvalid},
		{"empty name", label.Patch{Name: &empty}, herald.CodeInvalid},
		{"duplicate name", label.Patch{Name: &other}, herald.CodeConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Update(ctx, owner, l.ID, tc.p)
			if got := herald.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
		})
	}
	// Only the two creations were audited: refused and empty changes are not.
	entries, _, err := store.ListAudit(ctx, herald.AuditFilter{WorkspaceID: owner.WorkspaceID, ObjectType: "label"})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit %+v, %v", entries, err)
	}
	_, err = svc.Get(ctx, herald.Actor{UserID: owner.UserID, WorkspaceID: owner.WorkspaceID + 1, Role: herald.RoleOwner}, l.ID)
	if herald.ErrorCode(err) != herald.CodeNotFound {
		t.Fatalf("another workspace's label: %v", err)
	}
}
