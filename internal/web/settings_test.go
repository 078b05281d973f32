package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/workspace"
)

// follow GETs where a redirect answer points.
func (b *browser) follow(a answer, status int) answer {
	b.t.Helper()
	if a.Status != http.StatusSeeOther {
		b.t.Fatalf("status %d, want a redirect; body:\n%s", a.Status, a.Body)
	}
	next := b.get(a.Location)
	if next.Status != status {
		b.t.Fatalf("GET %s = %d, want %d; body:\n%s", a.Location, next.Status, status, next.Body)
	}
	return next
}

func TestSettingsWorkspace(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	b := e.browser()
	b.signIn("ana@example.com")
	base := settingsURL(w.ID, "")

	a := b.get(base)
	want(t, a, http.StatusOK, `id="workspace-form"`, `value="Acme"`, `<option value="Europe/Paris" selected`,
		`id="tab-members"`, `id="tab-tokens"`, `id="tab-audit"`, `id="workspace-delete"`)

	cases := []struct {
		name   string
		form   url.Values
		status int
		texts  []string
	}{
		{"no name", url.Values{"name": {""}, "time_zone": {"Europe/Paris"}}, http.StatusUnprocessableEntity,
			[]string{`<p class="field-error" id="name-problem">is required</p>`}},
		{"bad zone", url.Values{"name": {"Acme"}, "time_zone": {"Mars/Olympus"}}, http.StatusUnprocessableEntity,
			[]string{`id="time_zone-problem"`, "unknown time zone"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { want(t, b.post(base, c.form), c.status, c.texts...) })
	}

	// The brand voice rules, on their own tab, are left as they are.
	owner := herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleOwner}
	if _, err := e.ws.SetBrandVoice(context.Background(), owner, herald.BrandRules{Voice: "Warm, brief.",
		Banned: []herald.BannedPhrase{{Phrase: "cheap", Severity: herald.SeverityBlock}}}); err != nil {
		t.Fatal(err)
	}
	a = b.post(base, url.Values{"name": {"Acme Corp"}, "time_zone": {"America/New_York"}, "require_approval": {"1"}})
	a = b.follow(a, http.StatusOK)
	want(t, a, http.StatusOK, "Saved the workspace settings.", `value="Acme Corp"`, `<option value="America/New_York" selected`,
		`checked`, `id="tab-brand-voice"`)
	got, err := e.ws.Get(context.Background(), owner)
	if err != nil {
		t.Fatal(err)
	}
	r := got.BrandRules
	if got.Name != "Acme Corp" || got.TimeZone != "America/New_York" || !r.RequireApproval || len(r.Banned) != 1 ||
		r.Voice != "Warm, brief." {
		t.Fatalf("workspace after save = %+v", got)
	}

	// An editor sees the settings but no form, and the POSTs are refused.
	ed := e.browser()
	ed.signIn("ed@example.com")
	a = ed.get(base)
	want(t, a, http.StatusOK, "Acme Corp", "cannot change these", `id="tab-members"`, `id="tab-tokens"`)
	wantNot(t, a, `id="workspace-form"`, `id="workspace-delete"`, `id="tab-audit"`)
	want(t, ed.post(base, url.Values{"name": {"Hijacked"}, "time_zone": {"UTC"}}), http.StatusForbidden, "cannot do workspace.update")
	want(t, ed.post(base+"/delete", url.Values{"confirm_name": {"Acme Corp"}}), http.StatusForbidden, "cannot do workspace.delete")
	want(t, ed.get(settingsURL(w.ID, "audit")), http.StatusForbidden, "cannot do audit.read")

	// Deleting takes the exact name.
	a = b.post(base+"/delete", url.Values{"confirm_name": {"acme"}})
	want(t, a, http.StatusUnprocessableEntity, `id="confirm_name-problem"`, "exactly as shown", `value="acme"`)
	if _, err := e.store.GetWorkspace(context.Background(), w.ID); err != nil {
		t.Fatalf("the workspace is gone after a wrong confirmation: %v", err)
	}
	a = b.post(base+"/delete", url.Values{"confirm_name": {"Acme Corp"}})
	if a.Status != http.StatusSeeOther || a.Location != "/" {
		t.Fatalf("delete = %d → %q", a.Status, a.Location)
	}
	want(t, b.get("/"), http.StatusOK, "Deleted the workspace Acme Corp", "No workspace yet")
	if _, err := e.store.GetWorkspace(context.Background(), w.ID); err == nil {
		t.Fatal("the workspace is still there after deleting it")
	}
}

func TestSettingsMembers(t *testing.T) {
	e := newEnv(t)
	ana, w := e.owner("ana@example.com", "Acme")
	ed := e.member(w, "ed@example.com", herald.RoleEditor)
	ad := e.member(w, "ad@example.com", herald.RoleAdmin)
	b := e.browser()
	b.signIn("ana@example.com")
	members := settingsURL(w.ID, "members")
	roleURL := func(u herald.User) string { return fmt.Sprintf("%s/%d/role", members, u.ID) }

	a := b.get(members)
	want(t, a, http.StatusOK, "Members (3)", "ed@example.com", `id="invite-form"`, "Pending invitations", "None.",
		fmt.Sprintf(`id="role-%d"`, ed.ID), "Remove ed")

	// Role changes, and the last owner cannot be demoted.
	a = b.follow(b.post(roleURL(ed), url.Values{"role": {"manager"}}), http.StatusOK)
	want(t, a, http.StatusOK, "ed is now a manager.")
	a = b.post(roleURL(ana), url.Values{"role": {"admin"}})
	want(t, a, http.StatusConflict, "last owner cannot be demoted", fmt.Sprintf(`id="member-%d-problem"`, ana.ID))
	want(t, b.post(roleURL(ed), url.Values{"role": {"boss"}}), http.StatusUnprocessableEntity, "the role is not valid")

	// An admin cannot make an owner, nor touch one.
	adb := e.browser()
	adb.signIn("ad@example.com")
	want(t, adb.post(roleURL(ed), url.Values{"role": {"owner"}}), http.StatusForbidden, "stronger than yours")
	want(t, adb.post(fmt.Sprintf("%s/%d/remove", members, ana.ID), nil), http.StatusForbidden, "only an owner removes an owner")
	a = adb.get(members)
	wantNot(t, a, fmt.Sprintf(`id="role-%d"`, ana.ID), `<option value="owner"`)

	// An editor sees the list without forms; the POSTs are refused.
	eveU := e.member(w, "eve@example.com", herald.RoleEditor)
	eve := e.browser()
	eve.signIn("eve@example.com")
	a = eve.get(members)
	want(t, a, http.StatusOK, "Members (4)", "Leave")
	wantNot(t, a, `id="invite-form"`, fmt.Sprintf(`id="role-%d"`, ed.ID), "Pending invitations")
	want(t, eve.post(roleURL(ed), url.Values{"role": {"editor"}}), http.StatusForbidden, "cannot do members.manage")
	want(t, eve.post(members+"/"+fmt.Sprint(ed.ID)+"/remove", nil), http.StatusForbidden, "cannot do members.manage")
	want(t, eve.post(settingsURL(w.ID, "invitations"), url.Values{"invite-email": {"x@example.com"}, "role": {"editor"}}),
		http.StatusForbidden, "cannot do members.manage")

	// Removing someone; leaving oneself.
	a = b.follow(b.post(fmt.Sprintf("%s/%d/remove", members, ad.ID), nil), http.StatusOK)
	want(t, a, http.StatusOK, "Removed ad from Acme.", "Members (3)")
	a = eve.post(fmt.Sprintf("%s/%d/remove", members, eveU.ID), nil)
	if a.Status != http.StatusSeeOther || a.Location != "/" {
		t.Fatalf("leave = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	want(t, eve.get("/"), http.StatusOK, "You left Acme.")
	want(t, b.post(fmt.Sprintf("%s/%d/remove", members, ana.ID), nil), http.StatusConflict, "last owner cannot be removed")
}

// inviteLink makes an invitation through the members page and returns its
// link's path, checking that the link is shown once.
func inviteLink(t *testing.T, b *browser, ws int64, email, role string) string {
	t.Helper()
	a := b.post(settingsURL(ws, "invitations"), url.Values{"invite-email": {email}, "role": {role}})
	want(t, a, http.StatusCreated, "Invited "+email, `id="invite-link"`, "It works once, until")
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page with the invitation link may be cached: Cache-Control %q", a.Header.Get("Cache-Control"))
	}
	m := regexp.MustCompile(`data-site-path="(/invite/hinv_[A-Za-z0-9_-]+)"`).FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("no invitation link on the page:\n%s", a.Body)
	}
	if !strings.Contains(a.Body, `value="http://`) || !strings.Contains(a.Body, m[1]+`"`) {
		t.Fatalf("the link is not absolute:\n%s", a.Body)
	}
	again := b.get(settingsURL(ws, "members"))
	wantNot(t, again, m[1], `id="invite-link"`)
	want(t, again, http.StatusOK, email)
	return m[1]
}

func TestInvitations(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	b.signIn("ana@example.com")
	invites := settingsURL(w.ID, "invitations")

	want(t, b.post(invites, url.Values{"invite-email": {"not-an-address"}, "role": {"editor"}}), http.StatusUnprocessableEntity,
		`id="invite-email-problem"`, "is not an e-mail address", `value="not-an-address"`)
	want(t, b.post(invites, url.Values{"invite-email": {"ana@example.com"}, "role": {"editor"}}), http.StatusConflict,
		"already a member")

	link := inviteLink(t, b, w.ID, "bo@example.com", "manager")

	// A new person opens the link, makes a mistake, then joins.
	nb := e.browser()
	a := nb.get(link)
	want(t, a, http.StatusOK, "Join Acme", "as a <strong>manager</strong>", "bo@example.com", `id="invite-accept"`)
	a = nb.post(link, url.Values{"name": {"Bo"}, "password": {"short"}})
	want(t, a, http.StatusUnprocessableEntity, `id="password-problem"`, `value="Bo"`)
	a = nb.post(link, url.Values{"name": {"Bo"}, "password": {testPassword}})
	if a.Status != http.StatusSeeOther || a.Location != wsURL(w.ID) {
		t.Fatalf("accept = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	want(t, nb.get(a.Location), http.StatusOK, "Welcome to Acme, Bo.", "<h1>Acme</h1>")
	want(t, b.get(settingsURL(w.ID, "members")), http.StatusOK, "Members (2)", "bo@example.com")

	// The link is used up; an unknown one says so.
	want(t, e.browser().get(link), http.StatusConflict, "already used")
	want(t, e.browser().get("/invite/hinv_nothing"), http.StatusNotFound, "invitation is unknown")

	// A signed-in person joins as themselves; another address is refused.
	e.user("cy@example.com")
	link = inviteLink(t, b, w.ID, "cy@example.com", "analyst")
	want(t, nb.get(link), http.StatusOK, "signed in as bo@example.com", `id="invite-signout"`)
	want(t, nb.post(link, nil), http.StatusForbidden, "this invitation is for cy@example.com")
	cy := e.browser()
	cy.signIn("cy@example.com")
	want(t, cy.get(link), http.StatusOK, `id="invite-join"`)
	a = cy.follow(cy.post(link, nil), http.StatusOK)
	want(t, a, http.StatusOK, "Welcome to Acme, cy.")

	// Revoking a pending invitation kills its link.
	link = inviteLink(t, b, w.ID, "di@example.com", "client")
	invs, err := e.ws.ListInvitations(context.Background(), herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleOwner})
	if err != nil || len(invs) != 1 {
		t.Fatalf("pending = %+v, %v", invs, err)
	}
	a = b.follow(b.post(fmt.Sprintf("%s/%d/revoke", invites, invs[0].ID), nil), http.StatusOK)
	want(t, a, http.StatusOK, "Revoked the invitation")
	want(t, e.browser().get(link), http.StatusNotFound, "invitation is unknown")
}

func TestSettingsTokens(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	e.member(w, "ed@example.com", herald.RoleEditor)
	e.member(w, "cl@example.com", herald.RoleClient)
	ed := e.browser()
	ed.signIn("ed@example.com")
	tokens := settingsURL(w.ID, "tokens")

	a := ed.get(tokens)
	want(t, a, http.StatusOK, "No tokens yet.", `id="token-form"`, `<option value="client" selected`)
	wantNot(t, a, `<option value="manager"`)
	want(t, ed.post(tokens, url.Values{"token-name": {""}, "role": {"editor"}}), http.StatusUnprocessableEntity,
		`id="token-name-problem"`, "is required")
	want(t, ed.post(tokens, url.Values{"token-name": {"CI"}, "role": {"admin"}}), http.StatusForbidden,
		`id="token-role-problem"`, "stronger than your role")
	want(t, ed.post(tokens, url.Values{"token-name": {"CI"}, "role": {"editor"}, "expires_at": {"2001-01-01"}}),
		http.StatusUnprocessableEntity, `id="token-expires-problem"`, "not in the future", `value="CI"`)
	want(t, ed.post(tokens, url.Values{"token-name": {"CI"}, "role": {"editor"}, "expires_at": {"soon"}}),
		http.StatusUnprocessableEntity, "is not a date like 2026-12-31")

	a = ed.post(tokens, url.Values{"token-name": {"Newsletter sync"}, "role": {"contributor"}, "expires_at": {"2099-12-31"}})
	want(t, a, http.StatusCreated, "Created the API token Newsletter sync", `id="token-secret"`, "Fri 1 Jan 2100, 00:00 CET", "never")
	m := regexp.MustCompile(`value="(hrld_[A-Za-z0-9_-]+)"`).FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatalf("no secret shown:\n%s", a.Body)
	}
	secret := m[1]
	if a.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the page with the token secret may be cached: Cache-Control %q", a.Header.Get("Cache-Control"))
	}
	e.mustNotStoreInSessions(secret)
	again := ed.get(tokens)
	want(t, again, http.StatusOK, "Newsletter sync", "active")
	wantNot(t, again, secret, `id="token-secret"`)

	// The token works against the API.
	api := func() int {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/v1/workspaces/%d/accounts", e.srv.URL, w.ID), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if got := api(); got != http.StatusOK {
		t.Fatalf("API with the new token = %d", got)
	}

	// The owner sees everyone's tokens; a client has no tokens page.
	ana := e.browser()
	ana.signIn("ana@example.com")
	want(t, ana.get(tokens), http.StatusOK, "Newsletter sync", "<th scope=\"col\">For</th>", "<td>ed</td>")
	cl := e.browser()
	cl.signIn("cl@example.com")
	wantNot(t, cl.get(settingsURL(w.ID, "")), `id="tab-tokens"`, `id="tab-members"`)
	want(t, cl.get(tokens), http.StatusForbidden, "cannot do tokens.create")
	want(t, cl.post(tokens, url.Values{"token-name": {"x"}, "role": {"client"}}), http.StatusForbidden)

	// Revoking ends it.
	toks, err := e.auth.ListTokens(context.Background(), herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleOwner})
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens = %+v, %v", toks, err)
	}
	a = ed.follow(ed.post(fmt.Sprintf("%s/%d/revoke", tokens, toks[0].ID), nil), http.StatusOK)
	want(t, a, http.StatusOK, "Revoked the API token", "revoked ")
	if got := api(); got != http.StatusUnauthorized {
		t.Fatalf("API with the revoked token = %d", got)
	}
}

func TestSettingsAudit(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	ed := e.member(w, "ed@example.com", herald.RoleEditor)
	b := e.browser()
	b.signIn("ana@example.com")
	b.follow(b.post(fmt.Sprintf("%s/%d/role", settingsURL(w.ID, "members"), ed.ID), url.Values{"role": {"manager"}}), http.StatusOK)
	b.follow(b.post(settingsURL(w.ID, ""), url.Values{"name": {"Acme Corp"}, "time_zone": {"UTC"}}), http.StatusOK)
	audit := settingsURL(w.ID, "audit")

	a := b.get(audit)
	want(t, a, http.StatusOK, "<strong>ana</strong> changed the role of ed from editor to manager",
		"changed the workspace: name “Acme” → “Acme Corp”; time zone Europe/Paris → UTC",
		"created the workspace “Acme”", `<option value="2">ed</option>`)
	a = b.get(audit + "?what=user")
	want(t, a, http.StatusOK, "changed the role of ed", `<option value="user" selected`)
	wantNot(t, a, "created the workspace")
	want(t, b.get(fmt.Sprintf("%s?who=%d", audit, ed.ID)), http.StatusOK, "Nothing recorded for these filters.")
	want(t, b.get(audit+"?what=nonsense"), http.StatusUnprocessableEntity, "not a kind of change")

	// Paged with a cursor: 60 changes make two pages.
	actor := herald.Actor{UserID: 1, WorkspaceID: w.ID, Role: herald.RoleOwner}
	for i := range 60 {
		name := fmt.Sprintf("Acme %d", i)
		if _, err := e.ws.Update(context.Background(), actor, patchName(name)); err != nil {
			t.Fatal(err)
		}
	}
	a = b.get(audit)
	want(t, a, http.StatusOK, "“Acme 58” → “Acme 59”", `id="audit-older"`)
	wantNot(t, a, "changed the role of ed")
	m := regexp.MustCompile(`href="([^"]*cursor=[^"]+)"`).FindStringSubmatch(a.Body)
	if m == nil {
		t.Fatal("no link to older entries")
	}
	older := b.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	want(t, older, http.StatusOK, "changed the role of ed", ">Newest</a>")
	wantNot(t, older, `id="audit-older"`, "“Acme 58” → “Acme 59”")
}

func TestProfile(t *testing.T) {
	e := newEnv(t)
	_, w := e.owner("ana@example.com", "Acme")
	b := e.browser()
	if a := b.get("/me"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/signin") {
		t.Fatalf("anonymous /me = %d → %q", a.Status, a.Location)
	}
	b.signIn("ana@example.com")
	want(t, b.get(wsURL(w.ID)), http.StatusOK, `href="/me"`, `href="/me#new-workspace"`)
	want(t, b.get("/me"), http.StatusOK, "Your profile", "ana@example.com", `id="password-form"`, `id="new-workspace"`)

	newPass := "a brand new passphrase"
	cases := []struct {
		name   string
		form   url.Values
		status int
		texts  []string
	}{
		{"wrong current", url.Values{"current_password": {"nope nope nope"}, "new_password": {newPass}, "new_password_again": {newPass}},
			http.StatusUnprocessableEntity, []string{`id="current_password-problem"`, "is not your current password"}},
		{"too short", url.Values{"current_password": {testPassword}, "new_password": {"short"}, "new_password_again": {"short"}},
			http.StatusUnprocessableEntity, []string{`id="new_password-problem"`}},
		{"not the same", url.Values{"current_password": {testPassword}, "new_password": {newPass}, "new_password_again": {newPass + "!"}},
			http.StatusUnprocessableEntity, []string{`id="new_password_again-problem"`, "is not the same"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { want(t, b.post("/me/password", c.form), c.status, c.texts...) })
	}
	a := b.follow(b.post("/me/password", url.Values{"current_password": {testPassword}, "new_password": {newPass},
		"new_password_again": {newPass}}), http.StatusOK)
	want(t, a, http.StatusOK, "Your password is changed.")
	fresh := e.browser()
	want(t, fresh.post("/signin", url.Values{"email": {"ana@example.com"}, "password": {testPassword}}), http.StatusUnauthorized)
	if a := fresh.post("/signin", url.Values{"email": {"ana@example.com"}, "password": {newPass}}); a.Status != http.StatusSeeOther {
		t.Fatalf("sign in with the new password = %d: %s", a.Status, a.Body)
	}

	// Another workspace.
	want(t, b.post("/me/workspaces", url.Values{"workspace_name": {""}, "workspace_time_zone": {"Mars/Olympus"}}),
		http.StatusUnprocessableEntity, `id="workspace_name-problem"`, `id="workspace_time_zone-problem"`)
	a = b.post("/me/workspaces", url.Values{"workspace_name": {"Beta"}, "workspace_time_zone": {"Asia/Tokyo"}})
	if a.Status != http.StatusSeeOther || !regexp.MustCompile(`^/w/\d+/$`).MatchString(a.Location) || a.Location == wsURL(w.ID) {
		t.Fatalf("create workspace = %d → %q: %s", a.Status, a.Location, a.Body)
	}
	want(t, b.get(a.Location), http.StatusOK, "<h1>Beta</h1>", "Created the workspace Beta", "Asia/Tokyo")
}

func patchName(name string) workspace.Patch { return workspace.Patch{Name: &name} }
