package workspace_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/workspace"
)

func TestBrandVoice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner := f.actor(f.owner, herald.RoleOwner)
	on := true
	// Rules saved in the older form, and the approval switch.
	old := herald.BrandRules{BannedWords: []string{"cheap"}, RequiredHashtags: []string{"#acme"}}
	if _, err := f.svc.Update(ctx, owner, workspace.Patch{BrandRules: &old, RequireApproval: &on}); err != nil {
		t.Fatal(err)
	}
	editor := f.actor(f.member(t, "editor@example.com", herald.RoleEditor), herald.RoleEditor)
	got, err := f.svc.BrandVoice(ctx, editor)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Banned) != 1 || got.Banned[0].Severity != herald.SeverityBlock || len(got.RequiredTags) != 1 || len(got.BannedWords) != 0 {
		t.Fatalf("older rules not read as blocks: %+v", got)
	}

	label := herald.Label{WorkspaceID: f.ws.ID, Name: "Sponsored", Color: "#112233"}
	if err := f.store.CreateLabel(ctx, &label); err != nil {
		t.Fatal(err)
	}
	rules := herald.BrandRules{
		Banned:       []herald.BannedPhrase{{Phrase: "cheap", Replacement: "affordable", Severity: herald.SeverityWarning}},
		RequiredTags: []herald.RequiredTag{{Tag: "#ad", LabelID: label.ID, Severity: herald.SeverityBlock}},
		Shouting:     &herald.ShoutingRule{MaxPercent: 50, Severity: herald.SeverityWarning},
	}
	manager := f.actor(f.member(t, "manager@example.com", herald.RoleManager), herald.RoleManager)
	_, err = f.svc.SetBrandVoice(ctx, manager, rules)
	wantCode(t, err, herald.CodeForbidden)
	_, err = f.svc.SetBrandVoice(ctx, editor, rules)
	wantCode(t, err, herald.CodeForbidden)

	admin := f.actor(f.member(t, "admin@example.com", herald.RoleAdmin), herald.RoleAdmin)
	saved, err := f.svc.SetBrandVoice(ctx, admin, rules)
	if err != nil {
		t.Fatal(err)
	}
	if !saved.RequireApproval || len(saved.RequiredTags) != 1 || len(saved.RequiredHashtags) != 0 || saved.Shouting == nil {
		t.Fatalf("saved %+v: the approval switch is kept, the rest replaced", saved)
	}
	w, err := f.svc.Get(ctx, editor)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.BrandRules.BannedWords) != 0 || w.BrandRules.Banned[0].Replacement != "affordable" {
		t.Fatalf("stored %+v", w.BrandRules)
	}
	entries, _, err := f.svc.Audit(ctx, owner, herald.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 || entries[0].Action != "workspace.brand_voice" {
		t.Fatalf("audit %+v", entries)
	}

	// A label or campaign of another workspace (or none) is refused, and
	// the rules stay as they were.
	for _, bad := range []herald.RequiredTag{
		{Tag: "#ad", LabelID: label.ID + 100, Severity: herald.SeverityBlock},
		{Tag: "#ad", CampaignID: 999, Severity: herald.SeverityBlock},
	} {
		_, err = f.svc.SetBrandVoice(ctx, admin, herald.BrandRules{RequiredTags: []herald.RequiredTag{bad}})
		wantCode(t, err, herald.CodeInvalid)
		if !strings.Contains(err.Error(), "does not exist in this workspace") {
			t.Errorf("error %v", err)
		}
	}
	_, err = f.svc.SetBrandVoice(ctx, admin, herald.BrandRules{Banned: []herald.BannedPhrase{{Phrase: "x", Severity: "loud"}}})
	wantCode(t, err, herald.CodeInvalid)
	if again, _ := f.svc.BrandVoice(ctx, editor); len(again.RequiredTags) != 1 || again.RequiredTags[0].LabelID != label.ID {
		t.Fatalf("refused rules changed what was saved: %+v", again)
	}

	// A deleted label leaves its rule in place; renaming still works.
	if err := f.store.DeleteLabel(ctx, f.ws.ID, label.ID); err != nil {
		t.Fatal(err)
	}
	name := "Acme Inc"
	if _, err := f.svc.Update(ctx, owner, workspace.Patch{Name: &name}); err != nil {
		t.Fatal(err)
	}
}
