package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestComposePlatformOptions: the options a connector describes are
// fields of the account's tab, saved in the variant and shown again; the live
// check gives the platform's rule for a bad value.
func TestComposePlatformOptions(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	base := fmt.Sprintf("/w/%d/compose", w.ID)
	field := fmt.Sprintf("v_opt_%d_language", acct.ID)

	want(t, b.get(base), http.StatusOK, `id="v-opt-`+strconv.FormatInt(acct.ID, 10)+`-language"`, `name="`+field+`"`,
		"An ISO 639 code such as en or fr.")

	form := composeValues("Bonjour", acct)
	form.Set(field, "english")
	want(t, b.post(base+"/check", form), http.StatusOK, `is not an ISO 639 language code like en or fr`)

	form.Set(field, "fr")
	form.Set("action", "draft")
	id := idFrom(t, b.post(base, form), editPath)
	p, err := e.posts.Get(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Targets[0].Variant.Options["language"]; got != "fr" {
		t.Fatalf("saved options %v, want language fr", p.Targets[0].Variant.Options)
	}
	want(t, b.get(fmt.Sprintf("/w/%d/posts/%d/edit", w.ID, id)), http.StatusOK, `name="`+field+`" value="fr"`)
}

// TestComposeOwnOptionFieldsWin checks that on a platform whose
// visibility has a field of its own (the test platform, like Mastodon),
// that field is what is saved, whatever a described option of the same
// key says; LinkedIn's described visibility is kept by
// TestBrowserConnectOAuth.
func TestComposeOwnOptionFieldsWin(t *testing.T) {
	e := newComposeEnv(t)
	owner, w := e.owner("ana@example.com", "Acme")
	acct := e.connect(owner, w, herald.PlatformFake, "acme")
	b := e.browser()
	b.signIn("ana@example.com")
	form := composeValues("Bonjour", acct)
	form.Set(fmt.Sprintf("v_visibility_%d", acct.ID), "unlisted")
	form.Set(fmt.Sprintf("v_opt_%d_visibility", acct.ID), "direct")
	form.Set("action", "draft")
	id := idFrom(t, b.post(fmt.Sprintf("/w/%d/compose", w.ID), form), editPath)
	p, err := e.posts.Get(context.Background(), herald.Actor{UserID: owner.ID, WorkspaceID: w.ID, Role: herald.RoleOwner}, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Targets[0].Variant.Options["visibility"]; got != "unlisted" {
		t.Fatalf("saved options %v, want the visibility field's unlisted", p.Targets[0].Variant.Options)
	}
}
