package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

func TestWorkspacesAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		cookie := wsLogin(t, h, "owner@example.com")
		ws := wsPath("/workspaces/%d", w.a.ID)
		runWsCases(t, h, []wsCase{
			{name: "list with a session", method: "GET", path: wsPath("/workspaces"), cookie: cookie, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.UserWorkspace }
					r.JSON(t, &body)
					if len(body.Items) != 1 || body.Items[0].ID != w.a.ID || body.Items[0].Role != herald.RoleOwner {
						t.Fatalf("workspaces %s", r.Body)
					}
				}},
			{name: "list with a token shows its workspace with the token's role", method: "GET", path: wsPath("/workspaces"),
				token: w.editorTok, status: 200, check: func(t *testing.T, r response) {
					var body struct{ Items []herald.UserWorkspace }
					r.JSON(t, &body)
					if len(body.Items) != 1 || body.Items[0].Role != herald.RoleEditor {
						t.Fatalf("workspaces %s", r.Body)
					}
				}},
			{name: "list without auth", method: "GET", path: wsPath("/workspaces"), status: 401, code: "unauthorized"},
			{name: "create without auth", method: "POST", path: wsPath("/workspaces"),
				body: map[string]any{"name": "New", "time_zone": "UTC"}, status: 401, code: "unauthorized"},
			{name: "create with a token", method: "POST", path: wsPath("/workspaces"), token: w.ownerTok,
				body: map[string]any{"name": "New", "time_zone": "UTC"}, status: 403, code: "forbidden"},
			{name: "create with an unknown time zone", method: "POST", path: wsPath("/workspaces"), cookie: cookie,
				body: map[string]any{"name": "New", "time_zone": "Mars/Olympus_Mons"}, status: 422, code: "invalid", field: "time_zone"},
			{name: "create with malformed JSON", method: "POST", path: wsPath("/workspaces"), cookie: cookie,
				body: `{"name": "New", "time_zone":`, status: 400, code: "bad_request"},
			{name: "create with an unknown field", method: "POST", path: wsPath("/workspaces"), cookie: cookie,
				body: `{"name": "New", "time_zone": "UTC", "colour": "red"}`, status: 422, code: "invalid"},
			{name: "create with a wrong type", method: "POST", path: wsPath("/workspaces"), cookie: cookie,
				body: `{"name": 42, "time_zone": "UTC"}`, status: 422, code: "invalid", field: "name"},
			{name: "create with a bad hashtag", method: "POST", path: wsPath("/workspaces"), cookie: cookie,
				body:   map[string]any{"name": "New", "time_zone": "UTC", "brand_rules": map[string]any{"required_hashtags": []string{"acme"}}},
				status: 422, code: "invalid", field: "brand_rules.required_hashtags"},
			{name: "create", method: "POST", path: wsPath("/workspaces"), cookie: cookie,
				body:   map[string]any{"name": " Gamma ", "time_zone": "America/New_York", "brand_rules": map[string]any{"voice": "Warm"}},
				status: 201, check: func(t *testing.T, r response) {
					var got herald.Workspace
					r.JSON(t, &got)
					if got.ID == 0 || got.Name != "Gamma" || got.TimeZone != "America/New_York" || got.BrandRules.Voice != "Warm" {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "get", method: "GET", path: ws, token: w.analystTok, status: 200},
			{name: "get with a path parameter of the wrong type", method: "GET", path: wsPath("/workspaces/acme"), token: w.ownerTok,
				status: 422, code: "invalid"},
			{name: "get another workspace", method: "GET", path: wsPath("/workspaces/%d", w.b.ID), cookie: cookie,
				status: 404, code: "not_found"},
			{name: "update by an editor", method: "PATCH", path: ws, token: w.editorTok,
				body: map[string]any{"name": "Nope"}, status: 403, code: "forbidden"},
			{name: "update with an unknown time zone", method: "PATCH", path: ws, token: w.adminTok,
				body: map[string]any{"time_zone": "Europe/Atlantis"}, status: 422, code: "invalid", field: "time_zone"},
			{name: "update with an empty name", method: "PATCH", path: ws, token: w.adminTok,
				body: map[string]any{"name": "   "}, status: 422, code: "invalid", field: "name"},
			{name: "update the name only", method: "PATCH", path: ws, token: w.adminTok,
				body: map[string]any{"name": "Acme Inc"}, status: 200, check: func(t *testing.T, r response) {
					var got herald.Workspace
					r.JSON(t, &got)
					if got.Name != "Acme Inc" || got.TimeZone != "Europe/Paris" {
						t.Fatalf("updated %s", r.Body)
					}
				}},
			{name: "update brand rules", method: "PATCH", path: ws, token: w.adminTok,
				body:   map[string]any{"brand_rules": map[string]any{"banned_words": []string{"cheap"}, "require_approval": true}},
				status: 200, check: func(t *testing.T, r response) {
					var got herald.Workspace
					r.JSON(t, &got)
					if got.Name != "Acme Inc" || !got.BrandRules.RequireApproval || len(got.BrandRules.BannedWords) != 1 {
						t.Fatalf("updated %s", r.Body)
					}
				}},
			{name: "delete by an admin", method: "DELETE", path: ws, token: w.adminTok, status: 403, code: "forbidden"},
			{name: "delete another workspace", method: "DELETE", path: wsPath("/workspaces/%d", w.b.ID), token: w.ownerTok,
				status: 404, code: "not_found"},
			{name: "delete by the owner", method: "DELETE", path: ws, token: w.ownerTok, status: 204},
			{name: "gone after delete", method: "GET", path: ws, cookie: cookie, status: 404, code: "not_found"},
		}, w.a.ID, w.b.ID)

		// The deletion is audited installation-wide, since the workspace's
		// own log went with it.
		entries, _, err := h.store.ListAudit(t.Context(), herald.AuditFilter{ObjectType: "workspace", ObjectID: w.a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 || entries[0].Action != "workspace.delete" || len(entries[0].Before) == 0 {
			t.Fatalf("installation-wide audit %+v", entries)
		}
	})
}

func TestMembersAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		members := wsPath("/workspaces/%d/members", w.a.ID)
		member := func(u herald.User) string { return members + "/" + wsID(u.ID) }
		runWsCases(t, h, []wsCase{
			{name: "list by an analyst", method: "GET", path: members, token: w.analystTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.Member }
					r.JSON(t, &body)
					if len(body.Items) != 4 || body.Items[0].Email == "" {
						t.Fatalf("members %s", r.Body)
					}
				}},
			{name: "list without auth", method: "GET", path: members, status: 401, code: "unauthorized"},
			{name: "change a role as an editor", method: "PATCH", path: member(w.analyst), token: w.editorTok,
				body: map[string]any{"role": "editor"}, status: 403, code: "forbidden"},
			{name: "change to an unknown role", method: "PATCH", path: member(w.analyst), token: w.adminTok,
				body: map[string]any{"role": "wizard"}, status: 422, code: "invalid", field: "role"},
			{name: "change with an unknown field", method: "PATCH", path: member(w.analyst), token: w.adminTok,
				body: map[string]any{"role": "editor", "rank": 3}, status: 422, code: "invalid"},
			{name: "grant a role stronger than your own", method: "PATCH", path: member(w.editor), token: w.adminTok,
				body: map[string]any{"role": "owner"}, status: 403, code: "forbidden", field: "role"},
			{name: "an admin demotes the owner", method: "PATCH", path: member(w.owner), token: w.adminTok,
				body: map[string]any{"role": "admin"}, status: 403, code: "forbidden"},
			{name: "the last owner demotes themselves", method: "PATCH", path: member(w.owner), token: w.ownerTok,
				body: map[string]any{"role": "admin"}, status: 409, code: "conflict"},
			{name: "change a member of another workspace", method: "PATCH", path: member(w.bOwner), token: w.ownerTok,
				body: map[string]any{"role": "editor"}, status: 404, code: "not_found"},
			{name: "an admin promotes the analyst", method: "PATCH", path: member(w.analyst), token: w.adminTok,
				body: map[string]any{"role": "editor"}, status: 200, check: func(t *testing.T, r response) {
					var m herald.Member
					r.JSON(t, &m)
					if m.Role != herald.RoleEditor || m.UserID != w.analyst.ID || m.Email != "analyst@example.com" {
						t.Fatalf("member %s", r.Body)
					}
				}},
			{name: "an admin removes the owner", method: "DELETE", path: member(w.owner), token: w.adminTok,
				status: 403, code: "forbidden"},
			{name: "an editor removes someone else", method: "DELETE", path: member(w.admin), token: w.editorTok,
				status: 403, code: "forbidden"},
			{name: "the last owner leaves", method: "DELETE", path: member(w.owner), token: w.ownerTok,
				status: 409, code: "conflict"},
			{name: "the owner makes the admin an owner", method: "PATCH", path: member(w.admin), token: w.ownerTok,
				body: map[string]any{"role": "owner"}, status: 200},
			{name: "now the first owner may step down", method: "PATCH", path: member(w.owner), token: w.ownerTok,
				body: map[string]any{"role": "admin"}, status: 200},
			{name: "the owner, signed in, removes the editor", method: "DELETE", path: member(w.editor), cookie: wsLogin(t, h, "owner@example.com"),
				status: 204},
			{name: "the removed editor's token no longer works here", method: "GET", path: members, token: w.editorTok,
				status: 404, code: "not_found"},
			{name: "a member leaves", method: "DELETE", path: member(w.analyst), token: w.analystTok, status: 204},
		}, w.a.ID, w.b.ID)
	})
}

func TestTokensAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		tokens := wsPath("/workspaces/%d/tokens", w.a.ID)
		cookie := wsLogin(t, h, "editor@example.com")
		var created struct {
			herald.APIToken
			Token string `json:"token"`
		}
		runWsCases(t, h, []wsCase{
			{name: "create with a session", method: "POST", path: tokens, cookie: cookie,
				body:   map[string]any{"name": "CI", "role": "editor", "expires_at": time.Now().Add(time.Hour).Format(time.RFC3339)},
				status: 201, check: func(t *testing.T, r response) {
					r.JSON(t, &created)
					if !strings.HasPrefix(created.Token, "hrld_") || created.ID == 0 || created.ExpiresAt == nil {
						t.Fatalf("created %s", r.Body)
					}
				}},
			{name: "create with a token", method: "POST", path: tokens, token: w.analystTok,
				body: map[string]any{"name": "report bot", "role": "analyst"}, status: 201},
			{name: "create stronger than yourself", method: "POST", path: tokens, token: w.editorTok,
				body: map[string]any{"name": "x", "role": "admin"}, status: 403, code: "forbidden", field: "role"},
			{name: "create expiring in the past", method: "POST", path: tokens, token: w.editorTok,
				body: map[string]any{"name": "x", "role": "editor", "expires_at": "2020-01-01T00:00:00Z"}, status: 422, code: "invalid", field: "expires_at"},
			{name: "create with a time that is not RFC 3339", method: "POST", path: tokens, token: w.editorTok,
				body: map[string]any{"name": "x", "role": "editor", "expires_at": "tomorrow"}, status: 422, code: "invalid"},
			{name: "create without a name", method: "POST", path: tokens, token: w.editorTok,
				body: map[string]any{"role": "editor"}, status: 422, code: "invalid"},
			{name: "create without auth", method: "POST", path: tokens,
				body: map[string]any{"name": "x", "role": "editor"}, status: 401, code: "unauthorized"},
			{name: "list own tokens", method: "GET", path: tokens, token: w.editorTok, status: 200,
				check: func(t *testing.T, r response) {
					var body struct{ Items []herald.APIToken }
					r.JSON(t, &body)
					for _, tok := range body.Items {
						if tok.UserID != w.editor.ID {
							t.Fatalf("an editor sees another's token: %s", r.Body)
						}
					}
					if len(body.Items) != 2 || strings.Contains(string(r.Body), "hash") {
						t.Fatalf("tokens %s", r.Body)
					}
				}},
			{name: "revoke a token of another workspace", method: "DELETE", path: tokens + "/" + wsID(w.bToken.ID), token: w.ownerTok,
				status: 404, code: "not_found"},
		}, w.a.ID, w.b.ID)
		r := h.do("DELETE", tokens+"/"+wsID(created.ID), created.Token, nil)
		mustStatus(t, r, http.StatusNoContent)
		r = h.do("GET", tokens, created.Token, nil)
		mustStatus(t, r, http.StatusUnauthorized)
	})
}

func TestAuditAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		w := newWsWorld(t, h)
		labels := wsPath("/workspaces/%d/labels", w.a.ID)
		r := h.do("POST", labels, w.editorTok, map[string]any{"name": "Audited", "color": "#111111"})
		mustStatus(t, r, http.StatusCreated)
		var l herald.Label
		r.JSON(t, &l)
		mustStatus(t, h.do("PATCH", labels+"/"+wsID(l.ID), w.editorTok, map[string]any{"name": "Audited twice"}), http.StatusOK)
		mustStatus(t, h.do("DELETE", labels+"/"+wsID(l.ID), w.editorTok, nil), http.StatusNoContent)

		audit := wsPath("/workspaces/%d/audit", w.a.ID)
		r = h.do("GET", audit+"?object_type=label&object_id="+wsID(l.ID), w.ownerTok, nil)
		mustStatus(t, r, http.StatusOK)
		var page struct {
			Items      []herald.AuditEntry `json:"items"`
			NextCursor string              `json:"next_cursor"`
		}
		r.JSON(t, &page)
		if len(page.Items) != 3 {
			t.Fatalf("audit %s", r.Body)
		}
		del, upd, cre := page.Items[0], page.Items[1], page.Items[2]
		for _, c := range []struct {
			e             herald.AuditEntry
			action        string
			before, after string // substrings; "" means empty
		}{
			{cre, "label.create", "", `"name":"Audited"`},
			{upd, "label.update", `"name":"Audited"`, `"name":"Audited twice"`},
			{del, "label.delete", `"name":"Audited twice"`, ""},
		} {
			if c.e.Action != c.action || c.e.ActorID == nil || *c.e.ActorID != w.editor.ID || c.e.TokenID == nil {
				t.Errorf("entry %+v, want action %s by the editor's token", c.e, c.action)
			}
			if (c.before == "") != (len(c.e.Before) == 0) || !strings.Contains(string(c.e.Before), c.before) {
				t.Errorf("%s before = %s, want %q", c.action, c.e.Before, c.before)
			}
			if (c.after == "") != (len(c.e.After) == 0) || !strings.Contains(string(c.e.After), c.after) {
				t.Errorf("%s after = %s, want %q", c.action, c.e.After, c.after)
			}
		}

		// Paging: one entry a page walks the same three entries.
		var seen []int64
		cursor := ""
		for range 5 {
			r = h.do("GET", audit+"?object_type=label&limit=1&object_id="+wsID(l.ID)+"&cursor="+cursor, w.ownerTok, nil)
			mustStatus(t, r, http.StatusOK)
			r.JSON(t, &page)
			for _, e := range page.Items {
				seen = append(seen, e.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		if len(seen) != 3 || seen[0] != del.ID || seen[2] != cre.ID {
			t.Fatalf("paged ids %v", seen)
		}

		runWsCases(t, h, []wsCase{
			{name: "filter by actor", method: "GET", path: audit + "?actor_id=" + wsID(w.editor.ID), token: w.adminTok, status: 200,
				check: func(t *testing.T, r response) {
					var p struct{ Items []herald.AuditEntry }
					r.JSON(t, &p)
					// The editor's token creation and the three label changes.
					if len(p.Items) != 4 || p.Items[3].Action != "token.create" {
						t.Fatalf("editor's entries %s", r.Body)
					}
				}},
			{name: "an analyst may not read it", method: "GET", path: audit, token: w.analystTok, status: 403, code: "forbidden"},
			{name: "a bad cursor", method: "GET", path: audit + "?cursor=nonsense", token: w.ownerTok, status: 400, code: "bad_request", field: "cursor"},
			{name: "a limit too large", method: "GET", path: audit + "?limit=5000", token: w.ownerTok, status: 422, code: "invalid"},
			{name: "an object id that is not a number", method: "GET", path: audit + "?object_id=abc", token: w.ownerTok, status: 422, code: "invalid"},
			{name: "without auth", method: "GET", path: audit, status: 401, code: "unauthorized"},
		}, w.a.ID, w.b.ID)
	})
}
