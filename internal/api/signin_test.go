package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestAPISessionsAndHeaders(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ana := h.newUser("ana@example.com")
	w := h.newWorkspace(ana, "Acme")
	ed, _ := h.member(w, "ed@example.com", herald.RoleEditor)
	anaToken := h.tokenFor(ana, w, herald.RoleOwner)

	// Every answer is nosniff; those with secrets are not to be cached.
	for _, c := range []struct {
		name      string
		r         response
		wantStore bool
	}{
		{"workspace", h.do(http.MethodGet, fmt.Sprintf("/api/v1/workspaces/%d", w.ID), anaToken, nil), false},
		{"error", h.do(http.MethodGet, "/api/v1/workspaces/999", anaToken, nil), false},
		{"token creation", h.do(http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/tokens", w.ID), anaToken,
			map[string]any{"name": "ci", "role": "editor"}), true},
		{"invitation", h.do(http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/invitations", w.ID), anaToken,
			map[string]any{"email": "new@example.com", "role": "editor"}), true},
		{"sign-in", h.do(http.MethodPost, "/api/v1/session", "", map[string]string{"email": "ana@example.com", "password": "correct horse battery"}), true},
	} {
		if got := c.r.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q", c.name, c.r.Status, got)
		}
		if got := c.r.Header.Get("Cache-Control"); c.wantStore && got != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", c.name, c.r.Status, got)
		}
	}

	// A password change ends the other sessions, keeps this one, and may revoke tokens.
	here, phone := wsLogin(t, h, "ana@example.com"), wsLogin(t, h, "ana@example.com")
	r := h.do(http.MethodPut, "/api/v1/me/password", "", map[string]any{"current_password": "correct horse battery",
		"new_password": "a new long passphrase", "revoke_tokens": true}, "Cookie", here)
	mustStatus(t, r, http.StatusOK)
	var done struct {
		SessionsEnded int64 `json:"sessions_ended"`
		TokensRevoked int64 `json:"tokens_revoked"`
	}
	if err := json.Unmarshal(r.Body, &done); err != nil || done.SessionsEnded < 1 || done.TokensRevoked != 2 {
		t.Fatalf("password change answer %s (%v): want sessions ended and 2 tokens revoked", r.Body, err)
	}
	mustStatus(t, h.do(http.MethodGet, "/api/v1/me", "", nil, "Cookie", here), http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, "/api/v1/me", "", nil, "Cookie", phone), http.StatusUnauthorized)
	mustStatus(t, h.do(http.MethodGet, "/api/v1/me", anaToken, nil), http.StatusUnauthorized)

	// The owner signs a member out everywhere; the member may not do it back.
	edSession := wsLogin(t, h, "ed@example.com")
	r = h.do(http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/members/%d/sign-out", w.ID, ed.ID), "", nil, "Cookie", here)
	mustStatus(t, r, http.StatusOK)
	mustStatus(t, h.do(http.MethodGet, "/api/v1/me", "", nil, "Cookie", edSession), http.StatusUnauthorized)
	edSession = wsLogin(t, h, "ed@example.com")
	r = h.do(http.MethodPost, fmt.Sprintf("/api/v1/workspaces/%d/members/%d/sign-out", w.ID, ana.ID), "", nil, "Cookie", edSession)
	mustStatus(t, r, http.StatusForbidden)
}

func TestAPISigninRefusalSaysWhenToRetry(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	h.newUser("ana@example.com")
	var r response
	for range 6 {
		r = h.do(http.MethodPost, "/api/v1/session", "", map[string]string{"email": "ana@example.com", "password": "wrong password"})
	}
	mustStatus(t, r, http.StatusTooManyRequests)
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || secs < 1 || secs > 15*60 {
		t.Errorf("Retry-After %q on a refused sign-in", r.Header.Get("Retry-After"))
	}
}
