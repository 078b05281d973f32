package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// tokenForm is the new-token form. ExpiresOn is a date in the workspace's
// zone; the token works until that day ends.
type tokenForm struct {
	Name, ExpiresOn string
	Role            herald.Role
	Err             *herald.Error
}

// tokensData is the API tokens tab.
type tokensData struct {
	Tokens    []herald.APIToken
	Owners    map[int64]string // who each token acts for, when the viewer sees everyone's
	Roles     []herald.Role
	Form      tokenForm
	New       *herald.APIToken
	Secret    string // the new token's secret, shown this once
	created   int64  // the new token's id
	Loc       *time.Location
	Now       time.Time
	Workspace int64
}

func (h *Handler) settingsTokens(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderTokens(w, r, p, http.StatusOK, tokensData{Form: tokenForm{Role: leastRole(p.Actor.Role)}})
}

func (h *Handler) renderTokens(w http.ResponseWriter, r *http.Request, p *page, status int, d tokensData) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActTokensCreate); err != nil {
		return err
	}
	toks, err := h.d.Auth.ListTokens(ctx, p.Actor)
	if err != nil {
		return err
	}
	d.Tokens, d.Loc, d.Now, d.Workspace = toks, p.location(), h.d.Clock.Now(), p.Current.ID
	d.Roles = grantable(p.Actor.Role)
	if p.Can(herald.ActTokensManage) {
		ms, err := h.d.Workspaces.ListMembers(ctx, p.Actor)
		if err != nil {
			return err
		}
		d.Owners = make(map[int64]string, len(ms))
		for _, m := range ms {
			d.Owners[m.UserID] = m.Name
		}
	}
	if d.created != 0 {
		for i := range d.Tokens {
			if d.Tokens[i].ID == d.created {
				d.New = &d.Tokens[i]
			}
		}
	}
	p.Title = "API tokens"
	h.render(w, r, status, settingsTokensPage(p, d))
	return nil
}

// leastRole is the role a new token starts with: the weakest one the
// viewer may give, so that a token gets more power only when asked.
func leastRole(own herald.Role) herald.Role {
	roles := grantable(own)
	if len(roles) == 0 {
		return own
	}
	return roles[len(roles)-1]
}

// roleAbilities says in full what a role may do, next to the role pickers.
func roleAbilities(r herald.Role) string {
	switch r {
	case herald.RoleOwner:
		return "Everything, including deleting the workspace."
	case herald.RoleAdmin:
		return "Everything but deleting the workspace: its settings, members and everyone's API tokens."
	case herald.RoleManager:
		return "Connects accounts and runs publishing: approves, schedules, holds and deletes posts; manages labels and campaigns."
	case herald.RoleEditor:
		return "Writes, schedules and deletes posts without approval; uploads media; manages labels."
	case herald.RoleContributor:
		return "Writes posts and uploads media; posts need approval before they are scheduled."
	case herald.RoleAnalyst:
		return "Reads posts, accounts, campaigns and their numbers; changes nothing."
	case herald.RoleClient:
		return "Reads posts and their numbers, and approves posts or sends them back."
	}
	return ""
}

// tokenOwner names who a token acts for.
func (d tokensData) tokenOwner(t herald.APIToken) string {
	if n, ok := d.Owners[t.UserID]; ok {
		return n
	}
	return "a former member"
}

// tokenStatus says whether a token works, in words.
func (d tokensData) tokenStatus(t herald.APIToken) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked " + fmtTime(*t.RevokedAt, d.Loc)
	case !t.Active(d.Now):
		return "expired"
	}
	return "active"
}

func (h *Handler) settingsTokenCreate(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActTokensCreate); err != nil {
		return err
	}
	in := tokenForm{Name: strings.TrimSpace(r.PostFormValue("token-name")), Role: herald.Role(strings.TrimSpace(r.PostFormValue("role"))),
		ExpiresOn: strings.TrimSpace(r.PostFormValue("expires_at"))}
	var expires *time.Time
	if in.ExpiresOn != "" {
		day, err := time.ParseInLocation(time.DateOnly, in.ExpiresOn, p.location())
		if err != nil {
			in.Err = &herald.Error{Code: herald.CodeInvalid, Message: "the API token is not valid",
				Details: []herald.FieldProblem{{Field: "expires_at", Problem: "is not a date like 2026-12-31; leave it empty for a token that does not expire"}}}
			return h.renderTokens(w, r, p, statusOf(in.Err), tokensData{Form: in})
		}
		end := day.AddDate(0, 0, 1)
		expires = &end
	}
	secret, tok, err := h.d.Auth.CreateToken(ctx, p.Actor, in.Name, in.Role, expires)
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			return err
		}
		in.Err = he
		return h.renderTokens(w, r, p, statusOf(he), tokensData{Form: in})
	}
	// The secret is shown in this answer only: kept for a redirect, it
	// would wait in the stored session row.
	showsSecret(w)
	p.Flash = "Created the API token " + tok.Name + ". Copy it now: it is shown only once."
	return h.renderTokens(w, r, p, http.StatusCreated, tokensData{Form: tokenForm{Role: leastRole(p.Actor.Role)},
		created: tok.ID, Secret: secret})
}

func (h *Handler) settingsTokenRevoke(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "token", "token")
	if err != nil {
		return err
	}
	if err := h.d.Auth.RevokeToken(ctx, p.Actor, id); err != nil {
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "Revoked the API token: programs using it are refused from now on.")
	http.Redirect(w, r, settingsURL(p.Current.ID, "tokens"), http.StatusSeeOther)
	return nil
}
