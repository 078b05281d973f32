package workspace_test

import (
	"context"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/workspace"
)

func TestLookupInvitation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner := f.actor(f.owner, herald.RoleOwner)
	secret, inv, err := f.svc.Invite(ctx, owner, "ann@example.com", herald.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	got, w, err := f.svc.LookupInvitation(ctx, " "+secret+" ")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != inv.ID || got.Email != "ann@example.com" || got.Role != herald.RoleEditor || w.ID != f.ws.ID || w.Name != "Acme" {
		t.Fatalf("lookup = %+v in %+v", got, w)
	}
	for _, bad := range []string{"", "hrld_x", workspace.InvitationPrefix + "nope"} {
		_, _, err := f.svc.LookupInvitation(ctx, bad)
		wantCode(t, err, herald.CodeNotFound)
	}

	f.clock.advance(workspace.InvitationLifetime)
	_, _, err = f.svc.LookupInvitation(ctx, secret)
	wantCode(t, err, herald.CodeInvalid)

	fresh, _, err := f.svc.Invite(ctx, owner, "ann@example.com", herald.RoleEditor)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Accept(ctx, nil, fresh, "Ann", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.LookupInvitation(ctx, fresh)
	wantCode(t, err, herald.CodeConflict)
}
