package web

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

// TestEmptyStates checks the empty approvals queue, media library and the
// page-not-found page say what they are for and link to the first step.
func TestEmptyStates(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ann@example.com", herald.RoleAnalyst)
	b := e.browser()
	b.signIn("ana@example.com")
	ws := wsURL(w.ID)

	want(t, b.get(ws+"approvals"), http.StatusOK, `id="approvals-empty"`, "Nothing awaits approval.",
		"Posts come here when a contributor submits one", `href="`+ws+`compose" id="approvals-compose"`, "Choose who needs approval")
	want(t, b.get(ws+"media"), http.StatusOK, `id="media-empty"`, "The media library keeps the images and videos your posts use",
		`href="#media-files" id="media-empty-upload"`)

	a := b.get("/no/such/page")
	want(t, a, http.StatusNotFound, "Page not found", "there is no page at /no/such/page", `href="/" id="not-found-home"`)
	a = b.get(fmt.Sprintf("%sposts/999999", ws))
	want(t, a, http.StatusNotFound, "Page not found", `id="not-found"`)

	// An analyst may not write or upload: no links to what they cannot do.
	an := e.browser()
	an.signIn("ann@example.com")
	a = an.get(ws + "approvals")
	want(t, a, http.StatusOK, `id="approvals-empty"`)
	wantNot(t, a, `id="approvals-compose"`, "Choose who needs approval")
	a = an.get(ws + "media")
	want(t, a, http.StatusOK, "Your role can look here but not upload")
	wantNot(t, a, `id="media-empty-upload"`)

	// Signed out: the way in.
	want(t, e.browser().get("/no/such/page"), http.StatusNotFound, `href="/signin" id="not-found-signin"`)
}
