package campaign_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/heraldsocial/herald/internal/campaign"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/sqlite"
)

func TestCampaigns(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	w := herald.Workspace{Name: "Acme", TimeZone: "UTC"}
	if err := db.CreateWorkspace(ctx, &w); err != nil {
		t.Fatal(err)
	}
	svc := campaign.New(db, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	manager := herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleManager}
	c, err := svc.Create(ctx, manager, herald.Campaign{Name: "Spring", StartDate: "2026-03-01", EndDate: "2026-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	early, clear, goal := "2026-02-01", "", "Grow"
	for _, tc := range []struct {
		name  string
		actor herald.Actor
		p     campaign.Patch
		code  herald.Code
	}{
		{"editor may not", herald.Actor{UserID: 2, WorkspaceID: w.ID, Role: herald.RoleEditor}, campaign.Patch{Goal: &goal}, herald.CodeForbidden},
		{"end before start", manager, campaign.Patch{EndDate: &early}, herald.CodeInvalid},
		{"goal only", manager, campaign.Patch{Goal: &goal}, ""},
		{"clear both dates", manager, campaign.Patch{StartDate: &clear, EndDate: &clear}, ""},
		{"another workspace", herald.Actor{UserID: 1, WorkspaceID: w.ID + 1, Role: herald.RoleOwner}, campaign.Patch{Goal: &goal}, herald.CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Update(ctx, tc.actor, c.ID, tc.p)
			if got := herald.ErrorCode(err); got != tc.code {
				t.Fatalf("error %v, want code %q", err, tc.code)
			}
		})
	}
	got, err := svc.Get(ctx, herald.Actor{WorkspaceID: w.ID, Role: herald.RoleClient}, c.ID)
	if err != nil || got.Goal != "Grow" || got.StartDate != "" || got.EndDate != "" || got.Name != "Spring" {
		t.Fatalf("campaign %+v, %v", got, err)
	}
	if err := svc.Delete(ctx, manager, c.ID); err != nil {
		t.Fatal(err)
	}
	entries, _, err := db.ListAudit(ctx, herald.AuditFilter{WorkspaceID: w.ID, ObjectType: "campaign", ObjectID: c.ID})
	if err != nil || len(entries) != 4 || entries[0].Action != "campaign.delete" || entries[3].Action != "campaign.create" {
		t.Fatalf("audit %+v, %v", entries, err)
	}
}

func TestCampaignNamesAreUnique(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var ws [2]herald.Workspace
	for i := range ws {
		ws[i] = herald.Workspace{Name: "Acme", TimeZone: "UTC"}
		if err := db.CreateWorkspace(ctx, &ws[i]); err != nil {
			t.Fatal(err)
		}
	}
	svc := campaign.New(db, herald.SystemClock{}, slog.New(slog.DiscardHandler))
	a := herald.Actor{UserID: 1, WorkspaceID: ws[0].ID, Role: herald.RoleManager}
	spring, err := svc.Create(ctx, a, herald.Campaign{Name: "Spring"})
	if err != nil {
		t.Fatal(err)
	}
	autumn, err := svc.Create(ctx, a, herald.Campaign{Name: "Autumn"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Create(ctx, a, herald.Campaign{Name: " spring "})
	if herald.ErrorCode(err) != herald.CodeConflict {
		t.Fatalf("a second Spring: %v, want a conflict", err)
	}
	rename := "SPRING"
	if _, err := svc.Update(ctx, a, autumn.ID, campaign.Patch{Name: &rename}); herald.ErrorCode(err) != herald.CodeConflict {
		t.Fatalf("renaming Autumn to SPRING: %v, want a conflict", err)
	}
	// A campaign may change the case of its own name, and another
	// workspace may use the name.
	if _, err := svc.Update(ctx, a, spring.ID, campaign.Patch{Name: &rename}); err != nil {
		t.Fatalf("renaming Spring to SPRING: %v", err)
	}
	other := herald.Actor{UserID: 1, WorkspaceID: ws[1].ID, Role: herald.RoleManager}
	if _, err := svc.Create(ctx, other, herald.Campaign{Name: "Spring"}); err != nil {
		t.Fatalf("Spring in another workspace: %v", err)
	}
}
