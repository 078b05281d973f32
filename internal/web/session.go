package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/api"
	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/herald"
)

// setupData is the first-run form: the owner and the first workspace.
type setupData struct {
	Name, Email, WorkspaceName, TimeZone string
	Zones                                []string
	Err                                  *herald.Error
}

// fieldProblem returns what err says is wrong with field, if anything.
func fieldProblem(err *herald.Error, field string) string {
	if err == nil {
		return ""
	}
	var out []string
	for _, d := range err.Details {
		if d.Field == field {
			out = append(out, d.Problem)
		}
	}
	return strings.Join(out, "; ")
}

// statusOf is the HTTP status of a shown error.
func statusOf(he *herald.Error) int { return api.StatusFor(he.Code) }

func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request) {
	need, err := h.needsSetup(r.Context())
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if !need {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	h.render(w, r, http.StatusOK, setupPage(h.anon("Welcome to Herald"), setupData{TimeZone: "UTC", Zones: h.zones}))
}

// anon is the page of someone not signed in.
func (h *Handler) anon(title string) *page { return &page{Title: title, assets: h.assets} }

// setup creates the owner and the first workspace, then signs the owner
// in. It works only while nobody can sign in.
func (h *Handler) setup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.render(w, r, statusOf(unreadForm(err)), setupPage(h.anon("Welcome to Herald"), setupData{Zones: h.zones, Err: unreadForm(err)}))
		return
	}
	in := setupData{
		Name:          strings.TrimSpace(r.PostFormValue("name")),
		Email:         strings.TrimSpace(r.PostFormValue("email")),
		WorkspaceName: strings.TrimSpace(r.PostFormValue("workspace")),
		TimeZone:      strings.TrimSpace(r.PostFormValue("time_zone")),
		Zones:         h.zones,
	}
	password := r.PostFormValue("password")

	h.setupMu.Lock()
	defer h.setupMu.Unlock()
	need, err := h.needsSetup(ctx)
	if err != nil {
		h.fail(w, r, nil, err)
		return
	}
	if !need {
		h.fail(w, r, nil, herald.Errorf(herald.CodeConflict, "Herald is already set up: sign in instead"))
		return
	}
	again := func(err error) {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(ctx, "first-run setup", "error", err)
		}
		in.Err = he
		h.render(w, r, statusOf(he), setupPage(h.anon("Welcome to Herald"), in))
	}
	// The workspace is checked first so that a bad one leaves no owner
	// without a workspace behind.
	ws := herald.Workspace{Name: in.WorkspaceName, TimeZone: in.TimeZone}
	if err := ws.Validate(); err != nil {
		he := prefixed(err, "workspace_")
		u := herald.User{Email: in.Email, Name: in.Name}
		for _, uerr := range []error{u.Validate(), auth.ValidatePassword(password)} {
			var ue *herald.Error
			if errors.As(uerr, &ue) {
				he.Details = append(he.Details, ue.Details...)
			}
		}
		again(he)
		return
	}
	u, err := h.d.Auth.CreateUser(ctx, in.Email, in.Name, password)
	if err != nil {
		again(err)
		return
	}
	h.hasUsers.Store(true)
	created, err := h.d.Workspaces.Create(ctx, u.ID, ws)
	if err != nil {
		again(err)
		return
	}
	if err := h.d.Auth.StartSession(ctx, h.d.Sessions, u.ID); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	h.d.Logger.InfoContext(ctx, "first-run setup done", "user_id", u.ID, "workspace_id", created.ID)
	h.d.Sessions.Put(ctx, flashKey, "Welcome, "+u.Name+". Herald is ready.")
	http.Redirect(w, r, wsURL(created.ID), http.StatusSeeOther)
}

// prefixed returns err's field problems with their fields renamed from
// "name" to prefix+"name", so the workspace's fields do not clash with the
// owner's on the setup form.
func prefixed(err error, prefix string) *herald.Error {
	he := publicError(err)
	out := &herald.Error{Code: he.Code, Message: he.Message}
	for _, d := range he.Details {
		out.Details = append(out.Details, herald.FieldProblem{Field: prefix + d.Field, Problem: d.Problem})
	}
	return out
}

// signinData is the sign-in form.
type signinData struct {
	Email, Next string
	SignedOut   bool
	Err         *herald.Error
}

func (h *Handler) signinForm(w http.ResponseWriter, r *http.Request) {
	if pr, ok := herald.PrincipalFrom(r.Context()); ok && pr.UserID != 0 {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	in := signinData{Next: localPath(r.URL.Query().Get("next")), SignedOut: r.URL.Query().Has("signed_out")}
	h.render(w, r, http.StatusOK, signinPage(h.anon("Sign in"), in))
}

func (h *Handler) signin(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// A form cut short (a slow or dropped connection) is not tried as a
	// sign-in: its fields would be empty or partial.
	if err := r.ParseForm(); err != nil {
		in := signinData{Err: unreadForm(err)}
		h.render(w, r, statusOf(in.Err), signinPage(h.anon("Sign in"), in))
		return
	}
	in := signinData{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next"))}
	u, err := h.d.Auth.Login(ctx, in.Email, r.PostFormValue("password"), r.RemoteAddr)
	if err != nil {
		if wait, ok := auth.RetryAfter(err); ok {
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
		}
		in.Err = publicError(err)
		if in.Err.Code == herald.CodeInternal {
			h.d.Logger.ErrorContext(ctx, "sign in", "error", err)
		}
		h.render(w, r, statusOf(in.Err), signinPage(h.anon("Sign in"), in))
		return
	}
	if err := h.d.Auth.StartSession(ctx, h.d.Sessions, u.ID); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, in.Next, http.StatusSeeOther)
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request) {
	if err := h.d.Auth.EndSession(r.Context(), h.d.Sessions); err != nil {
		h.fail(w, r, nil, err)
		return
	}
	http.Redirect(w, r, "/signin?signed_out", http.StatusSeeOther)
}

// unreadForm explains a form that could not be read: too large, or cut
// short by a slow or dropped connection. Neither is Herald's failure.
func unreadForm(err error) *herald.Error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return herald.Errorf(herald.CodeTooLarge, "the form is larger than %d bytes: shorten what you typed", tooBig.Limit)
	}
	return herald.Errorf(herald.CodeBadRequest, "the form did not arrive whole (the connection was slow or cut): send it again")
}

// passwordHint says what a new password needs.
func passwordHint() string {
	return fmt.Sprintf("At least %d characters; a few words you will remember make a good one.", auth.MinPasswordLen)
}
