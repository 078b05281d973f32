package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestInvitationsAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		invitations := wsPath("/workspaces/%d/invitations", w.a.ID)
		accept := wsPath("/invitations/accept")
		expired := wsExpiredInvitation(t, h, w.a, w.owner, "late@example.com")
		var created struct {
			herald.Invitation
			Token string `json:"token"`
		}
		runWsCases(t, h, []wsCase{
			{name: "an editor invites", method: "POST", path: invitations, token: w.editorTok,
				body: map[string]any{"email": "new@example.com", "role": "contributor"}, status: 403, code: "forbidden"},
			{name: "an admin invites an owner", method: "POST", path: invitations, token: w.adminTok,
				body: map[string]any{"email": "new@example.com", "role": "owner"}, status: 403, code: "forbidden", field: "role"},
			{name: "invite a bad address", method: "POST", path: invitations, token: w.adminTok,
				body: map[string]any{"email": "not an address", "role": "editor"}, status: 422, code: "invalid", field: "email"},
			{name: "invite with an unknown role", method: "POST", path: invitations, token: w.adminTok,
				body: map[string]any{"email": "new@example.com", "role": "boss"}, status: 422, code: "invalid", field: "role"},
			{name: "invite a member", method: "POST", path: invitations, token: w.adminTok,
				body: map[string]any{"email": "Editor@Example.com", "role": "editor"}, status: 409, code: "conflict", field: "email"},
			{name: "invite without auth", method: "POST", path: invitations,
				body: map[string]any{"email": "new@example.com", "role": "editor"}, status: 401, code: "unauthorized"},
			{name: "an admin invites", method: "POST", path: invitations, token: w.adminTok,
				body: map[string]any{"email": "New@Example.com", "role": "editor"}, status: 201, check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if !strings.HasPrefix(created.Token, "hinv_") || created.Email != "new@example.com" ||
						created.ExpiresAt.Sub(created.CreatedAt).Hours() != 7*24 {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "list by an admin", method: "GET", path: invitations, token: w.adminTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.Invitation }
					r.JSON(t, &body)
					if len(body.Items) != 2 || strings.Contains(string(r.Body), created.Token) {
						t.Fatalf("invitations %s", r.Body)
					}
				}},
			{name: "list by an editor", method: "GET", path: invitations, token: w.editorTok, status: 403, code: "forbidden"},
			{name: "accept an unknown invitation", method: "POST", path: accept,
				body: map[string]any{"token": "hinv_nope", "name": "Ann", "password": "long enough pw"}, status: 404, code: "not_found"},
			{name: "accept an expired invitation", method: "POST", path: accept,
				body: map[string]any{"token": expired, "name": "Ann", "password": "long enough pw"}, status: 422, code: "invalid", field: "token"},
			{name: "accept with a short password", method: "POST", path: accept,
				body: func() any { return map[string]any{"token": created.Token, "name": "Ann", "password": "short"} }, status: 422, code: "invalid", field: "password"},
			{name: "accept without a name", method: "POST", path: accept,
				body: func() any { return map[string]any{"token": created.Token, "password": "long enough pw"} }, status: 422, code: "invalid", field: "name"},
			{name: "accept with an unknown field", method: "POST", path: accept,
				body: func() any { return map[string]any{"token": created.Token, "role": "owner"} }, status: 422, code: "invalid"},
			{name: "accept signed in as someone else", method: "POST", path: accept, cookie: wsLogin(t, h, "beta@example.com"),
				body: func() any { return map[string]any{"token": created.Token} }, status: 403, code: "forbidden"},
			{name: "revoke another workspace's invitation", method: "DELETE", path: invitations + "/" + wsID(w.bInvitation.ID),
				token: w.ownerTok, status: 404, code: "not_found"},
			{name: "revoke the expired invitation", method: "DELETE", path: wsPath("/workspaces/%d/invitations/%d", w.a.ID, w.aInvitationID(t, "late@example.com")),
				token: w.adminTok, status: 204},
		}, w.a.ID, w.b.ID)
	})
}

// aInvitationID returns the id of the pending invitation for email in A.
func (w *wsWorld) aInvitationID(t *testing.T, email string) int64 {
	t.Helper()
	invs, err := w.h.store.ListInvitations(t.Context(), w.a.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if inv.Email == email {
			return inv.ID
		}
	}
	t.Fatalf("no invitation for %s", email)
	return 0
}

// TestInvitationFlow follows an invitation from the owner to a new user's
// first request.
func TestInvitationFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		r := h.do("POST", wsPath("/workspaces/%d/invitations", w.a.ID), w.ownerTok,
			map[string]any{"email": "newbie@example.com", "role": "editor"})
		mustStatus(t, r, http.StatusCreated)
		var inv struct {
			Token string `json:"token"`
		}
		r.JSON(t, &inv)

		// Accepted without a session: the user is created and signed in.
		r = h.do("POST", wsPath("/invitations/accept"), "", map[string]any{
			"token": inv.Token, "name": "Newbie", "password": "correct horse battery"})
		mustStatus(t, r, http.StatusOK)
		cookie := wsSessionCookie(t, r)
		var accepted struct {
			User      herald.User      `json:"user"`
			Workspace herald.Workspace `json:"workspace"`
		}
		r.JSON(t, &accepted)
		if accepted.User.Email != "newbie@example.com" || accepted.User.Name != "Newbie" || accepted.Workspace.ID != w.a.ID {
			t.Fatalf("accepted %s", r.Body)
		}

		r = h.do("GET", wsPath("/me"), "", nil, "Cookie", cookie)
		mustStatus(t, r, http.StatusOK)
		var me struct {
			User       herald.User            `json:"user"`
			Workspaces []herald.UserWorkspace `json:"workspaces"`
		}
		r.JSON(t, &me)
		if me.User.ID != accepted.User.ID || len(me.Workspaces) != 1 || me.Workspaces[0].ID != w.a.ID ||
			me.Workspaces[0].Role != herald.RoleEditor {
			t.Fatalf("me %s", r.Body)
		}

		// The new member works in the workspace, and may sign in again.
		mustStatus(t, h.do("POST", wsPath("/workspaces/%d/labels", w.a.ID), "", map[string]any{"name": "Mine"}, "Cookie", cookie),
			http.StatusCreated)
		wsLogin(t, h, "newbie@example.com")

		// The secret works once.
		r = h.do("POST", wsPath("/invitations/accept"), "", map[string]any{
			"token": inv.Token, "name": "Again", "password": "correct horse battery"})
		mustStatus(t, r, http.StatusConflict)

		// An existing user accepts while signed in.
		h.newUser("known@example.com")
		r = h.do("POST", wsPath("/workspaces/%d/invitations", w.a.ID), w.ownerTok,
			map[string]any{"email": "known@example.com", "role": "analyst"})
		mustStatus(t, r, http.StatusCreated)
		r.JSON(t, &inv)
		// Not signed in, the address's owner is told to sign in first.
		r = h.do("POST", wsPath("/invitations/accept"), "", map[string]any{
			"token": inv.Token, "name": "Known", "password": "correct horse battery"})
		mustStatus(t, r, http.StatusConflict)
		known := wsLogin(t, h, "known@example.com")
		r = h.do("POST", wsPath("/invitations/accept"), "", map[string]any{"token": inv.Token}, "Cookie", known)
		mustStatus(t, r, http.StatusOK)
		r = h.do("GET", wsPath("/workspaces"), "", nil, "Cookie", known)
		mustStatus(t, r, http.StatusOK)
		var list struct{ Items []herald.UserWorkspace }
		r.JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Role != herald.RoleAnalyst {
			t.Fatalf("workspaces %s", r.Body)
		}
	})
}
