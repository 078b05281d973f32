package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestWorkspaceIsolation checks that a member of workspace A cannot see or
// touch workspace B or anything in it: every route answers 404, whether the
// caller names B in the path or names B's objects under A's path.
func TestWorkspaceIsolation(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		editorSession := wsLogin(t, h, "editor@example.com")
		adminSession := wsLogin(t, h, "admin@example.com")

		// Routes of workspace B itself, as an editor of A.
		b := wsPath("/workspaces/%d", w.b.ID)
		inB := []struct{ method, path string }{
			{"GET", b}, {"PATCH", b}, {"DELETE", b},
			{"GET", b + "/members"}, {"PATCH", b + "/members/" + wsID(w.bOwner.ID)}, {"DELETE", b + "/members/" + wsID(w.bOwner.ID)},
			{"GET", b + "/invitations"}, {"POST", b + "/invitations"}, {"DELETE", b + "/invitations/" + wsID(w.bInvitation.ID)},
			{"GET", b + "/tokens"}, {"POST", b + "/tokens"}, {"DELETE", b + "/tokens/" + wsID(w.bToken.ID)},
			{"GET", b + "/labels"}, {"POST", b + "/labels"},
			{"GET", b + "/labels/" + wsID(w.bLabel.ID)}, {"PATCH", b + "/labels/" + wsID(w.bLabel.ID)}, {"DELETE", b + "/labels/" + wsID(w.bLabel.ID)},
			{"GET", b + "/campaigns"}, {"POST", b + "/campaigns"},
			{"GET", b + "/campaigns/" + wsID(w.bCampaign.ID)}, {"PATCH", b + "/campaigns/" + wsID(w.bCampaign.ID)}, {"DELETE", b + "/campaigns/" + wsID(w.bCampaign.ID)},
			{"GET", b + "/audit"},
		}
		// A valid body for each kind of route, so only the scoping refuses.
		bodies := []struct {
			segment string
			body    any
		}{
			{"/members", map[string]any{"role": "editor"}},
			{"/invitations", map[string]any{"email": "x@example.com", "role": "editor"}},
			{"/tokens", map[string]any{"name": "x", "role": "editor"}},
			{"/labels", map[string]any{"name": "x"}},
			{"/campaigns", map[string]any{"name": "x"}},
		}
		bodyFor := func(method, path string) any {
			if method != "POST" && method != "PATCH" {
				return nil
			}
			for _, b := range bodies {
				if strings.Contains(path, b.segment) {
					return b.body
				}
			}
			return map[string]any{"name": "x"} // the workspace itself
		}
		var cases []wsCase
		for _, who := range []struct{ name, token, cookie string }{
			{"editor token", w.editorTok, ""}, {"editor session", "", editorSession},
		} {
			for _, rt := range inB {
				cases = append(cases, wsCase{name: fmt.Sprintf("%s %s %s", who.name, rt.method, rt.path),
					method: rt.method, path: rt.path, token: who.token, cookie: who.cookie, body: bodyFor(rt.method, rt.path),
					status: 404, code: "not_found"})
			}
		}

		// B's objects under A's path, as an admin of A (who may do all of
		// it in A, so only the scoping can refuse).
		a := wsPath("/workspaces/%d", w.a.ID)
		inA := []struct{ method, path string }{
			{"PATCH", a + "/members/" + wsID(w.bOwner.ID)}, {"DELETE", a + "/members/" + wsID(w.bOwner.ID)},
			{"DELETE", a + "/invitations/" + wsID(w.bInvitation.ID)},
			{"DELETE", a + "/tokens/" + wsID(w.bToken.ID)},
			{"GET", a + "/labels/" + wsID(w.bLabel.ID)}, {"PATCH", a + "/labels/" + wsID(w.bLabel.ID)}, {"DELETE", a + "/labels/" + wsID(w.bLabel.ID)},
			{"GET", a + "/campaigns/" + wsID(w.bCampaign.ID)}, {"PATCH", a + "/campaigns/" + wsID(w.bCampaign.ID)}, {"DELETE", a + "/campaigns/" + wsID(w.bCampaign.ID)},
		}
		for _, who := range []struct{ name, token, cookie string }{
			{"admin token", w.adminTok, ""}, {"admin session", "", adminSession},
		} {
			for _, rt := range inA {
				cases = append(cases, wsCase{name: fmt.Sprintf("%s %s %s", who.name, rt.method, rt.path),
					method: rt.method, path: rt.path, token: who.token, cookie: who.cookie, body: bodyFor(rt.method, rt.path),
					status: 404, code: "not_found"})
			}
		}
		runWsCases(t, h, cases, w.a.ID, w.b.ID)

		// Listings in A never show B's objects.
		for _, p := range []string{"/labels", "/campaigns", "/members", "/invitations", "/tokens", "/audit"} {
			r := h.do("GET", a+p, w.ownerTok, nil)
			mustStatus(t, r, 200)
			for _, secret := range []string{"Secret", "Hidden", "someone@example.com", "beta bot", "beta@example.com"} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("GET %s shows %q of workspace B: %s", p, secret, r.Body)
				}
			}
		}
	})
}
