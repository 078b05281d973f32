package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// inviteData is the page of an invitation link.
type inviteData struct {
	Secret    string
	Invite    herald.Invitation
	Workspace herald.Workspace
	Name      string
	SignedIn  bool          // the viewer is signed in: they join as themselves
	Mismatch  bool          // signed in with another address than the invitation's
	Dead      *herald.Error // the link cannot be used (unknown, used, expired)
	Err       *herald.Error // accepting failed
}

// invitePage builds the page of a signed-in viewer, or an anonymous one.
func (h *Handler) invitePage(r *http.Request) (*page, herald.Principal, bool, error) {
	pr, ok := herald.PrincipalFrom(r.Context())
	if !ok || pr.UserID == 0 || pr.Token != nil {
		return h.anon("Invitation"), herald.Principal{}, false, nil
	}
	p, err := h.base(r, pr)
	if err != nil {
		return nil, pr, true, err
	}
	p.Title = "Invitation"
	return p, pr, true, nil
}

// inviteForm shows what the invitation is for and how to accept it.
func (h *Handler) inviteForm(w http.ResponseWriter, r *http.Request) {
	p, _, signedIn, err := h.invitePage(r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	d := inviteData{Secret: r.PathValue("secret"), SignedIn: signedIn}
	status := h.lookupInvite(r, p, &d)
	h.render(w, r, status, invitePageView(p, d))
}

// lookupInvite fills d with the invitation, or says why it is dead, and
// returns the page's status.
func (h *Handler) lookupInvite(r *http.Request, p *page, d *inviteData) int {
	inv, ws, err := h.d.Workspaces.LookupInvitation(r.Context(), d.Secret)
	if err != nil {
		d.Dead = publicError(err)
		if d.Dead.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(r.Context(), "look up invitation", "error", err)
		}
		return statusOf(d.Dead)
	}
	d.Invite, d.Workspace = inv, ws
	d.Mismatch = d.SignedIn && p.User.Email != inv.Email
	return http.StatusOK
}

// inviteAccept accepts the invitation: a signed-in viewer joins, anyone
// else becomes a new user (signed in at once); both land in the workspace.
func (h *Handler) inviteAccept(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, pr, signedIn, err := h.invitePage(r)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	d := inviteData{Secret: r.PathValue("secret"), SignedIn: signedIn, Name: strings.TrimSpace(r.PostFormValue("name"))}
	var who *herald.Principal
	if signedIn {
		who = &pr
	}
	u, ws, err := h.d.Workspaces.Accept(ctx, who, d.Secret, d.Name, r.PostFormValue("password"))
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(ctx, "accept invitation", "error", err)
		}
		if status := h.lookupInvite(r, p, &d); status != http.StatusOK {
			h.render(w, r, status, invitePageView(p, d))
			return
		}
		d.Err = he
		h.render(w, r, statusOf(he), invitePageView(p, d))
		return
	}
	if !signedIn {
		if err := h.d.Auth.StartSession(ctx, h.d.Sessions, u.ID); err != nil {
			h.fail(w, r, nil, err)
			return
		}
	}
	h.d.Sessions.Put(ctx, workspaceKey, ws.ID)
	h.d.Sessions.Put(ctx, flashKey, "Welcome to "+ws.Name+", "+u.Name+".")
	http.Redirect(w, r, wsURL(ws.ID), http.StatusSeeOther)
}

// queryEscape escapes s for a URL's query.
func queryEscape(s string) string { return url.QueryEscape(s) }
