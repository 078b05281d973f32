package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// wsWorld is two workspaces with people in every interesting role and one
// object of each kind, for the workspace, member, invitation, token, label,
// campaign and audit tests.
type wsWorld struct {
	h *harness
	a herald.Workspace // "Acme": owner, admin, editor, analyst
	b herald.Workspace // "Beta": another owner, with objects of every kind

	owner, admin, editor, analyst             herald.User
	ownerTok, adminTok, editorTok, analystTok string
	bOwner                                    herald.User
	bOwnerTok                                 string

	aLabel, bLabel       herald.Label
	aCampaign, bCampaign herald.Campaign
	bInvitation          herald.Invitation
	bToken               herald.APIToken
}

func newWsWorld(t *testing.T, h *harness) *wsWorld {
	t.Helper()
	ctx := context.Background()
	w := &wsWorld{h: h}
	w.owner = h.newUser("owner@example.com")
	w.a = h.newWorkspace(w.owner, "Acme")
	w.ownerTok = h.tokenFor(w.owner, w.a, herald.RoleOwner)
	w.admin, w.adminTok = h.member(w.a, "admin@example.com", herald.RoleAdmin)
	w.editor, w.editorTok = h.member(w.a, "editor@example.com", herald.RoleEditor)
	w.analyst, w.analystTok = h.member(w.a, "analyst@example.com", herald.RoleAnalyst)

	w.bOwner = h.newUser("beta@example.com")
	w.b = h.newWorkspace(w.bOwner, "Beta")
	w.bOwnerTok = h.tokenFor(w.bOwner, w.b, herald.RoleOwner)

	actorA := herald.Actor{UserID: w.owner.ID, WorkspaceID: w.a.ID, Role: herald.RoleOwner}
	actorB := herald.Actor{UserID: w.bOwner.ID, WorkspaceID: w.b.ID, Role: herald.RoleOwner}
	var err error
	if w.aLabel, err = h.svc.Labels.Create(ctx, actorA, herald.Label{Name: "Launch", Color: "#1d4ed8"}); err != nil {
		t.Fatal(err)
	}
	if w.bLabel, err = h.svc.Labels.Create(ctx, actorB, herald.Label{Name: "Secret"}); err != nil {
		t.Fatal(err)
	}
	if w.aCampaign, err = h.svc.Campaigns.Create(ctx, actorA, herald.Campaign{Name: "Spring", StartDate: "2026-03-01"}); err != nil {
		t.Fatal(err)
	}
	if w.bCampaign, err = h.svc.Campaigns.Create(ctx, actorB, herald.Campaign{Name: "Hidden"}); err != nil {
		t.Fatal(err)
	}
	if _, w.bInvitation, err = h.svc.Workspaces.Invite(ctx, actorB, "someone@example.com", herald.RoleEditor); err != nil {
		t.Fatal(err)
	}
	if _, w.bToken, err = h.auth.CreateToken(ctx, actorB, "beta bot", herald.RoleEditor, nil); err != nil {
		t.Fatal(err)
	}
	return w
}

// wsLogin signs email in (password from harness.newUser) and returns the
// Cookie header value of the session.
func wsLogin(t *testing.T, h *harness, email string) string {
	t.Helper()
	r := h.do(http.MethodPost, "/api/v1/session", "", map[string]string{"email": email, "password": "correct horse battery"})
	mustStatus(t, r, http.StatusOK)
	return wsSessionCookie(t, r)
}

// wsSessionCookie returns the herald_session cookie a response set.
func wsSessionCookie(t *testing.T, r response) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "herald_session" && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no session cookie in %v", r.Header)
	return ""
}

// wsState is everything stored about the given workspaces (and the user
// count), as JSON, to show a failed request changed nothing.
func wsState(t *testing.T, h *harness, ids ...int64) string {
	t.Helper()
	ctx := context.Background()
	type wsDump struct {
		Workspace   herald.Workspace
		Members     []herald.Member
		Invitations []herald.Invitation
		Tokens      []herald.APIToken
		Labels      []herald.Label
		Campaigns   []herald.Campaign
		Audit       []herald.AuditEntry
		Hashes      [][]byte // tokens' and invitations' hashes, hidden from JSON otherwise
	}
	var dump struct {
		Users      int
		Global     []herald.AuditEntry
		Workspaces []wsDump
	}
	var err error
	if dump.Users, err = h.store.CountUsers(ctx); err != nil {
		t.Fatal(err)
	}
	if dump.Global, _, err = h.store.ListAudit(ctx, herald.AuditFilter{Page: herald.Page{Limit: herald.MaxPageLimit}}); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		var d wsDump
		if d.Workspace, err = h.store.GetWorkspace(ctx, id); err != nil {
			if herald.ErrorCode(err) == herald.CodeNotFound {
				dump.Workspaces = append(dump.Workspaces, d)
				continue
			}
			t.Fatal(err)
		}
		if d.Members, err = h.store.ListMembers(ctx, id); err != nil {
			t.Fatal(err)
		}
		if d.Invitations, err = h.store.ListInvitations(ctx, id); err != nil {
			t.Fatal(err)
		}
		if d.Tokens, err = h.store.ListTokens(ctx, id, 0); err != nil {
			t.Fatal(err)
		}
		for i := range d.Tokens {
			d.Tokens[i].LastUsedAt = nil // using a token is not a change
			d.Hashes = append(d.Hashes, d.Tokens[i].Hash)
		}
		for _, inv := range d.Invitations {
			d.Hashes = append(d.Hashes, inv.TokenHash)
		}
		if d.Labels, err = h.store.ListLabels(ctx, id); err != nil {
			t.Fatal(err)
		}
		if d.Campaigns, err = h.store.ListCampaigns(ctx, id); err != nil {
			t.Fatal(err)
		}
		if d.Audit, _, err = h.store.ListAudit(ctx, herald.AuditFilter{WorkspaceID: id, Page: herald.Page{Limit: herald.MaxPageLimit}}); err != nil {
			t.Fatal(err)
		}
		dump.Workspaces = append(dump.Workspaces, d)
	}
	b, err := json.Marshal(dump)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wsCase is one request and the answer it must get.
type wsCase struct {
	name   string
	method string
	path   string
	token  string // bearer token; "" for none
	cookie string // session cookie; "" for none
	body   any    // or a func() any, called when the case runs
	status int
	code   string // error code wanted, for failures
	field  string // a field the error details must name, if any
	check  func(t *testing.T, r response)
}

// runWsCases runs cases in order; after every failing request it checks
// that nothing stored about workspaces ids changed.
func runWsCases(t *testing.T, h *harness, cases []wsCase, ids ...int64) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := ""
			if tc.status >= 400 {
				before = wsState(t, h, ids...)
			}
			var hdr []string
			if tc.cookie != "" {
				hdr = append(hdr, "Cookie", tc.cookie)
			}
			body := tc.body
			if f, ok := body.(func() any); ok {
				body = f() // built when the case runs, from earlier cases' results
			}
			r := h.do(tc.method, tc.path, tc.token, body, hdr...)
			mustStatus(t, r, tc.status)
			if tc.status >= 400 {
				var e struct {
					Error struct {
						Code    string                `json:"code"`
						Message string                `json:"message"`
						Details []herald.FieldProblem `json:"details"`
					} `json:"error"`
				}
				r.JSON(t, &e)
				if e.Error.Code != tc.code || e.Error.Message == "" || e.Error.Details == nil {
					t.Fatalf("error body %s, want code %q", r.Body, tc.code)
				}
				if tc.field != "" {
					found := false
					for _, d := range e.Error.Details {
						found = found || d.Field == tc.field
					}
					if !found {
						t.Fatalf("error details %s do not name field %q", r.Body, tc.field)
					}
				}
				if after := wsState(t, h, ids...); after != before {
					t.Fatalf("a failed request changed what is stored:\nbefore %s\nafter  %s", before, after)
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// wsPath formats an API path.
func wsPath(format string, args ...any) string { return "/api/v1" + fmt.Sprintf(format, args...) }

// wsExpiredInvitation stores an invitation to ws that expired yesterday and
// returns its secret.
func wsExpiredInvitation(t *testing.T, h *harness, ws herald.Workspace, by herald.User, email string) string {
	t.Helper()
	secret := "hinv_expired_" + strings.ReplaceAll(email, "@", "_")
	sum := sha256.Sum256([]byte(secret))
	now := herald.SystemClock{}.Now()
	inv := herald.Invitation{WorkspaceID: ws.ID, Email: email, Role: herald.RoleEditor, TokenHash: sum[:],
		InvitedBy: by.ID, CreatedAt: now.Add(-8 * 24 * time.Hour), ExpiresAt: now.Add(-24 * time.Hour)}
	if err := h.store.CreateInvitation(context.Background(), &inv); err != nil {
		t.Fatal(err)
	}
	return secret
}

// wsID formats an id for a path.
func wsID(id int64) string { return fmt.Sprint(id) }
