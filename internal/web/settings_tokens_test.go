package web

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestTokenFormLeastRole checks the new-token form starts at the weakest
// role the viewer may give and says what each role can do.
func TestTokenFormLeastRole(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "carl@example.com", herald.RoleContributor)
	for _, tc := range []struct {
		email string
		least herald.Role
		roles []herald.Role // offered, and explained
		not   []herald.Role
	}{
		{"ana@example.com", herald.RoleClient, herald.Roles, nil},
		{"carl@example.com", herald.RoleClient, []herald.Role{herald.RoleContributor, herald.RoleAnalyst, herald.RoleClient},
			[]herald.Role{herald.RoleOwner, herald.RoleEditor}},
	} {
		t.Run(tc.email, func(t *testing.T) {
			b := e.browser()
			b.signIn(tc.email)
			a := b.get(settingsURL(w.ID, "tokens"))
			want(t, a, http.StatusOK, `<option value="`+string(tc.least)+`" selected>`, `id="token-roles"`)
			if n := strings.Count(a.Body, " selected>"); n != 1 {
				t.Errorf("%d roles are selected", n)
			}
			for _, r := range tc.roles {
				want(t, a, http.StatusOK, "<dt>"+string(r)+"</dt><dd>"+html.EscapeString(roleAbilities(r))+"</dd>")
			}
			for _, r := range tc.not {
				wantNot(t, a, "<dt>"+string(r)+"</dt>")
			}
		})
	}
	for _, r := range herald.Roles {
		if roleAbilities(r) == "" {
			t.Errorf("role %s is not explained", r)
		}
	}
}
