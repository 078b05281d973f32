package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// inviteForm is the invitation form.
type inviteForm struct {
	Email string
	Role  herald.Role
	Err   *herald.Error
}

// newInvitation is an invitation just made: its link is shown once.
type newInvitation struct {
	URL       string
	Email     string
	Role      herald.Role
	ExpiresAt time.Time
}

// membersData is the members tab.
type membersData struct {
	Members     []herald.Member
	Invitations []herald.Invitation
	CanManage   bool
	Roles       []herald.Role // the roles the viewer may give
	RowFor      int64         // the member whose form failed
	RowErr      *herald.Error
	InvErr      *herald.Error // revoking an invitation failed
	Invite      inviteForm
	New         *newInvitation
	created     int64  // the invitation just made, whose link is shown once
	secret      string // its link's secret
	Loc         *time.Location
	Now         time.Time
}

// canChange reports whether the viewer may change or remove m.
func (d membersData) canChange(p *page, m herald.Member) bool {
	return d.CanManage && p.Actor.Role.AtLeast(m.Role)
}

func (h *Handler) settingsMembers(w http.ResponseWriter, r *http.Request, p *page) error {
	return h.renderMembers(w, r, p, http.StatusOK, membersData{Invite: inviteForm{Role: herald.RoleEditor}})
}

// renderMembers loads the members (and, for those who manage them, the
// pending invitations) into d and shows the tab.
func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, p *page, status int, d membersData) error {
	ctx := r.Context()
	ms, err := h.d.Workspaces.ListMembers(ctx, p.Actor)
	if err != nil {
		return err
	}
	d.Members, d.Loc, d.Now = ms, p.location(), h.d.Clock.Now()
	d.CanManage = p.Can(herald.ActMembersManage)
	d.Roles = grantable(p.Actor.Role)
	if d.CanManage {
		if d.Invitations, err = h.d.Workspaces.ListInvitations(ctx, p.Actor); err != nil {
			return err
		}
		if d.secret != "" {
			for _, inv := range d.Invitations {
				if inv.ID == d.created {
					d.New = &newInvitation{URL: origin(r) + "/invite/" + d.secret, Email: inv.Email, Role: inv.Role, ExpiresAt: inv.ExpiresAt}
				}
			}
		}
	}
	p.Title = "Members"
	h.render(w, r, status, settingsMembersPage(p, d))
	return nil
}

// memberName finds a member's name in ms.
func memberName(ms []herald.Member, id int64) string {
	for _, m := range ms {
		if m.UserID == id {
			return m.Name
		}
	}
	return "The member"
}

func (h *Handler) settingsMemberRole(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActMembersManage); err != nil {
		return err
	}
	id, err := pathID(r, "user", "member")
	if err != nil {
		return err
	}
	role := herald.Role(strings.TrimSpace(r.PostFormValue("role")))
	m, err := h.d.Workspaces.UpdateMemberRole(ctx, p.Actor, id, role)
	if err != nil {
		if he := publicError(err); he.Code != herald.CodeInternal && he.Code != herald.CodeNotFound {
			return h.renderMembers(w, r, p, statusOf(he), membersData{RowFor: id, RowErr: he, Invite: inviteForm{Role: herald.RoleEditor}})
		}
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, m.Name+" is now "+article(string(m.Role))+" "+string(m.Role)+".")
	dest := settingsURL(p.Current.ID, "members")
	if id == p.Actor.UserID && !m.Role.Can(herald.ActMembersRead) {
		dest = wsURL(p.Current.ID)
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
	return nil
}

// article is "a" or "an" before word.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

func (h *Handler) settingsMemberRemove(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "user", "member")
	if err != nil {
		return err
	}
	self := id == p.Actor.UserID
	if !self {
		if err := p.Actor.Require(herald.ActMembersManage); err != nil {
			return err
		}
	}
	ms, err := h.d.Workspaces.ListMembers(ctx, p.Actor)
	if err != nil {
		return err
	}
	name := memberName(ms, id)
	if err := h.d.Workspaces.RemoveMember(ctx, p.Actor, id); err != nil {
		if he := publicError(err); he.Code != herald.CodeInternal && he.Code != herald.CodeNotFound {
			return h.renderMembers(w, r, p, statusOf(he), membersData{RowFor: id, RowErr: he, Invite: inviteForm{Role: herald.RoleEditor}})
		}
		return err
	}
	if self {
		h.d.Sessions.Remove(ctx, workspaceKey)
		h.d.Sessions.Put(ctx, flashKey, "You left "+p.Current.Name+".")
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	h.d.Sessions.Put(ctx, flashKey, "Removed "+name+" from "+p.Current.Name+".")
	http.Redirect(w, r, settingsURL(p.Current.ID, "members"), http.StatusSeeOther)
	return nil
}

// settingsMemberSignOut ends every browser session of a member (see
// auth.Service.SignOutMember for who may).
func (h *Handler) settingsMemberSignOut(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	id, err := pathID(r, "user", "member")
	if err != nil {
		return err
	}
	ms, err := h.d.Workspaces.ListMembers(ctx, p.Actor)
	if err != nil {
		return err
	}
	n, err := h.d.Auth.SignOutMember(ctx, p.Actor, id)
	if err != nil {
		if he := publicError(err); he.Code != herald.CodeInternal && he.Code != herald.CodeNotFound {
			return h.renderMembers(w, r, p, statusOf(he), membersData{RowFor: id, RowErr: he, Invite: inviteForm{Role: herald.RoleEditor}})
		}
		return err
	}
	h.d.Sessions.Put(ctx, flashKey, "Signed "+memberName(ms, id)+" out everywhere ("+count(int(n), "session")+" ended).")
	http.Redirect(w, r, settingsURL(p.Current.ID, "members"), http.StatusSeeOther)
	return nil
}

func (h *Handler) settingsInvite(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActMembersManage); err != nil {
		return err
	}
	in := inviteForm{Email: strings.TrimSpace(r.PostFormValue("invite-email")), Role: herald.Role(strings.TrimSpace(r.PostFormValue("role")))}
	secret, inv, err := h.d.Workspaces.Invite(ctx, p.Actor, in.Email, in.Role)
	if err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			return err
		}
		in.Err = he
		return h.renderMembers(w, r, p, statusOf(he), membersData{Invite: in})
	}
	// The link is shown in this answer only, never kept in the session.
	showsSecret(w)
	p.Flash = "Invited " + inv.Email + ". Send them the link below: Herald does not e-mail it."
	return h.renderMembers(w, r, p, http.StatusCreated, membersData{Invite: inviteForm{Role: herald.RoleEditor},
		created: inv.ID, secret: secret})
}

func (h *Handler) settingsInviteRevoke(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActMembersManage); err != nil {
		return err
	}
	id, err := pathID(r, "inv", "invitation")
	if err != nil {
		return err
	}
	if err := h.d.Workspaces.RevokeInvitation(ctx, p.Actor, id); err != nil {
		he := publicError(err)
		if he.Code == herald.CodeInternal {
			return err
		}
		return h.renderMembers(w, r, p, statusOf(he), membersData{InvErr: he, Invite: inviteForm{Role: herald.RoleEditor}})
	}
	h.d.Sessions.Put(ctx, flashKey, "Revoked the invitation: its link no longer works.")
	http.Redirect(w, r, settingsURL(p.Current.ID, "members"), http.StatusSeeOther)
	return nil
}

// removeLabel is the button that opens the question to remove m.
func removeLabel(p *page, m herald.Member) string {
	if m.UserID == p.Actor.UserID {
		return "Leave"
	}
	return "Remove " + m.Name
}

// removeQuestion asks whether to remove m.
func removeQuestion(p *page, m herald.Member) string {
	if m.UserID == p.Actor.UserID {
		return "Leave " + p.Current.Name + "? You lose access at once; someone must invite you again."
	}
	return "Remove " + m.Name + " (" + m.Email + ") from " + p.Current.Name + "? They lose access at once; their posts stay."
}

// urlPath is the path of an absolute URL.
func urlPath(u string) string {
	if _, rest, ok := strings.Cut(u, "://"); ok {
		if i := strings.Index(rest, "/"); i >= 0 {
			return rest[i:]
		}
	}
	return u
}
