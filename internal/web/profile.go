package web

import (
	"net/http"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
)

// profileData is the viewer's own page: their password and a new workspace.
type profileData struct {
	PasswordErr             *herald.Error
	WorkspaceName, TimeZone string
	Zones                   []string
	WorkspaceErr            *herald.Error
}

// profileViewer is the signed-in person of a /me request; API tokens act
// in one workspace and may not change a password.
func (h *Handler) profileViewer(w http.ResponseWriter, r *http.Request) (*page, herald.Principal, bool) {
	pr, ok := herald.PrincipalFrom(r.Context())
	if !ok || pr.UserID == 0 {
		h.toSignin(w, r)
		return nil, pr, false
	}
	if pr.Token != nil {
		h.fail(w, r, nil, herald.Errorf(herald.CodeForbidden, "your profile is for people signed in with a browser, not API tokens"))
		return nil, pr, false
	}
	p, err := h.base(r, pr)
	if err != nil {
		h.fail(w, r, nil, err)
		return nil, pr, false
	}
	p.Title, p.Path = "Your profile", r.URL.Path
	return p, pr, true
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request) {
	p, _, ok := h.profileViewer(w, r)
	if !ok {
		return
	}
	h.render(w, r, http.StatusOK, profilePage(p, profileData{TimeZone: "UTC", Zones: h.zones}))
}

func (h *Handler) profilePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, pr, ok := h.profileViewer(w, r)
	if !ok {
		return
	}
	d := profileData{TimeZone: "UTC", Zones: h.zones}
	next := r.PostFormValue("new_password")
	if again := r.PostFormValue("new_password_again"); again != next {
		d.PasswordErr = &herald.Error{Code: herald.CodeInvalid, Message: "the password was not changed",
			Details: []herald.FieldProblem{{Field: "new_password_again", Problem: "is not the same as the new password: type it again"}}}
		h.render(w, r, statusOf(d.PasswordErr), profilePage(p, d))
		return
	}
	done, err := h.d.Auth.ChangePassword(ctx, pr.UserID, r.PostFormValue("current_password"), next,
		h.d.Sessions.Token(ctx), r.PostFormValue("revoke_tokens") != "")
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.fail(w, r, p, err)
			return
		}
		d.PasswordErr = he
		h.render(w, r, statusOf(he), profilePage(p, d))
		return
	}
	// A new session token, so a session stolen with the old password ends here.
	if err := h.d.Auth.StartSession(ctx, h.d.Sessions, pr.UserID); err != nil {
		h.fail(w, r, p, err)
		return
	}
	msg := "Your password is changed. Use the new one next time you sign in. "
	if done.SessionsEnded == 0 {
		msg += "You were signed in nowhere else."
	} else {
		msg += "Signed out " + count(int(done.SessionsEnded), "other session") + "."
	}
	if done.TokensRevoked > 0 {
		msg += " Revoked " + count(int(done.TokensRevoked), "API token") + "."
	}
	h.d.Sessions.Put(ctx, flashKey, msg)
	http.Redirect(w, r, "/me", http.StatusSeeOther)
}

func (h *Handler) profileCreateWorkspace(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p, pr, ok := h.profileViewer(w, r)
	if !ok {
		return
	}
	d := profileData{WorkspaceName: strings.TrimSpace(r.PostFormValue("workspace_name")),
		TimeZone: strings.TrimSpace(r.PostFormValue("workspace_time_zone"))}
	d.Zones = h.zonesWith(d.TimeZone)
	ws, err := h.d.Workspaces.Create(ctx, pr.UserID, herald.Workspace{Name: d.WorkspaceName, TimeZone: d.TimeZone})
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.fail(w, r, p, err)
			return
		}
		d.WorkspaceErr = prefixed(he, "workspace_")
		h.render(w, r, statusOf(he), profilePage(p, d))
		return
	}
	h.d.Sessions.Put(ctx, flashKey, "Created the workspace "+ws.Name+". You are its owner.")
	http.Redirect(w, r, wsURL(ws.ID), http.StatusSeeOther)
}
