package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/workspace"
)

// settingsRoutes registers the pages of the workspace settings: the workspace, labels and campaigns, members, invitations, API tokens and the audit log.
func (h *Handler) settingsRoutes(m *http.ServeMux) {
	m.Handle("GET /w/{ws}/settings", h.inWorkspace(h.settingsWorkspace))
	m.Handle("POST /w/{ws}/settings", h.inWorkspace(h.settingsUpdate))
	m.Handle("POST /w/{ws}/settings/delete", h.inWorkspace(h.settingsDelete))
	m.Handle("GET /w/{ws}/settings/members", h.inWorkspace(h.settingsMembers))
	m.Handle("POST /w/{ws}/settings/members/{user}/role", h.inWorkspace(h.settingsMemberRole))
	m.Handle("POST /w/{ws}/settings/members/{user}/remove", h.inWorkspace(h.settingsMemberRemove))
	m.Handle("POST /w/{ws}/settings/members/{user}/sign-out", h.inWorkspace(h.settingsMemberSignOut))
	m.Handle("POST /w/{ws}/settings/invitations", h.inWorkspace(h.settingsInvite))
	m.Handle("POST /w/{ws}/settings/invitations/{inv}/revoke", h.inWorkspace(h.settingsInviteRevoke))
	m.Handle("GET /w/{ws}/settings/tokens", h.inWorkspace(h.settingsTokens))
	m.Handle("POST /w/{ws}/settings/tokens", h.inWorkspace(h.settingsTokenCreate))
	m.Handle("POST /w/{ws}/settings/tokens/{token}/revoke", h.inWorkspace(h.settingsTokenRevoke))
	m.Handle("GET /w/{ws}/settings/audit", h.inWorkspace(h.settingsAudit))
	h.logoRoutes(m)
	h.organiseRoutes(m)
	h.voiceRoutes(m)
	h.feedsRoutes(m)
	h.webhooksRoutes(m)
	h.inboxRulesRoutes(m)
	h.savedRepliesRoutes(m)
	h.reviewRoutes(m)
	m.HandleFunc("GET /invite/{secret}", h.inviteForm)
	m.HandleFunc("POST /invite/{secret}", h.inviteAccept)
	m.HandleFunc("GET /me", h.profile)
	m.HandleFunc("POST /me/password", h.profilePassword)
	m.HandleFunc("POST /me/workspaces", h.profileCreateWorkspace)
}

// settingsURL is the URL of a settings sub-page ("" for the workspace).
func settingsURL(ws int64, sub string) string {
	if sub == "" {
		return wsURL(ws) + "settings"
	}
	return wsURL(ws) + "settings/" + sub
}

// settingsTab is one sub-page of the settings.
type settingsTab struct {
	ID, Label, URL string
	Current        bool
}

// settingsTabs are the sub-pages the viewer's role may open.
func settingsTabs(p *page, current string) []settingsTab {
	tabs := []settingsTab{{ID: "workspace", Label: "Workspace", URL: settingsURL(p.Current.ID, "")}}
	if p.Can(herald.ActPostsRead) {
		tabs = append(tabs, settingsTab{ID: "labels", Label: "Labels", URL: labelsURL(p.Current.ID)})
	}
	if p.Can(herald.ActCampaignsRead) {
		tabs = append(tabs, settingsTab{ID: "campaigns", Label: "Campaigns", URL: campaignsURL(p.Current.ID)})
	}
	tabs = append(tabs, settingsTab{ID: "brand-voice", Label: "Brand voice", URL: settingsURL(p.Current.ID, "brand-voice")})
	if p.Can(herald.ActPostsRead) {
		tabs = append(tabs, settingsTab{ID: "evergreen", Label: "Evergreen", URL: settingsURL(p.Current.ID, "evergreen")})
	}
	if p.Can(herald.ActPostsWrite) && p.Can(herald.ActPostsSchedule) {
		tabs = append(tabs, settingsTab{ID: "feeds", Label: "Feeds", URL: feedsURL(p.Current.ID)})
	}
	if p.Can(herald.ActPostsRead) {
		tabs = append(tabs, settingsTab{ID: "inbox-rules", Label: "Inbox rules", URL: inboxRulesURL(p.Current.ID)})
		tabs = append(tabs, settingsTab{ID: "saved-replies", Label: "Saved replies", URL: savedRepliesURL(p.Current.ID)})
	}
	if p.Can(herald.ActWebhooksManage) {
		tabs = append(tabs, settingsTab{ID: "webhooks", Label: "Webhooks", URL: webhooksURL(p.Current.ID)})
	}
	if p.Can(herald.ActPostsApprove) && p.Can(herald.ActCampaignsManage) {
		tabs = append(tabs, settingsTab{ID: "review-links", Label: "Review links", URL: reviewLinksURL(p.Current.ID)})
	}
	if p.Can(herald.ActMembersRead) {
		tabs = append(tabs, settingsTab{ID: "members", Label: "Members", URL: settingsURL(p.Current.ID, "members")})
	}
	if p.Can(herald.ActTokensCreate) {
		tabs = append(tabs, settingsTab{ID: "tokens", Label: "API tokens", URL: settingsURL(p.Current.ID, "tokens")})
	}
	if p.Can(herald.ActAuditRead) {
		tabs = append(tabs, settingsTab{ID: "audit", Label: "Audit log", URL: settingsURL(p.Current.ID, "audit")})
	}
	for i := range tabs {
		tabs[i].Current = tabs[i].ID == current
	}
	return tabs
}

// grantable is the roles the viewer may give (no stronger than their own).
func grantable(own herald.Role) []herald.Role {
	var out []herald.Role
	for _, r := range herald.Roles {
		if own.AtLeast(r) {
			out = append(out, r)
		}
	}
	return out
}

// roleWords says what a role may do, for the role pickers.
func roleWords(r herald.Role) string {
	switch r {
	case herald.RoleOwner:
		return "owner: everything, including deleting the workspace"
	case herald.RoleAdmin:
		return "admin: everything but deleting the workspace"
	case herald.RoleManager:
		return "manager: approves, schedules, connects accounts"
	case herald.RoleEditor:
		return "editor: writes and schedules posts"
	case herald.RoleContributor:
		return "contributor: writes posts that need approval"
	case herald.RoleAnalyst:
		return "analyst: reads posts and numbers"
	case herald.RoleClient:
		return "client: reads and approves"
	}
	return string(r)
}

// workspaceForm is the workspace tab: its settings and the delete form.
type workspaceForm struct {
	Name, TimeZone  string
	RequireApproval bool
	Zones           []string
	Err             *herald.Error
	ConfirmName     string
	DeleteErr       *herald.Error
	Saved           herald.Workspace // as stored, for the read-only view and the delete check
	Logo            *herald.LogoInfo // the report logo, nil when there is none
	LogoErr         *herald.Error    // why an uploaded logo was refused
}

// formOf fills the form from a stored workspace.
func (h *Handler) formOf(w herald.Workspace) workspaceForm {
	return workspaceForm{Name: w.Name, TimeZone: w.TimeZone,
		RequireApproval: w.BrandRules.RequireApproval, Zones: h.zonesWith(w.TimeZone), Saved: w}
}

// zonesWith is the zone list with zone in it, should it be missing.
func (h *Handler) zonesWith(zone string) []string {
	if zone == "" || slices.Contains(h.zones, zone) {
		return h.zones
	}
	return append([]string{zone}, h.zones...)
}

func (h *Handler) settingsWorkspace(w http.ResponseWriter, r *http.Request, p *page) error {
	ws, err := h.d.Workspaces.Get(r.Context(), p.Actor)
	if err != nil {
		return err
	}
	h.renderWorkspaceTab(w, r, p, http.StatusOK, h.formOf(ws))
	return nil
}

func (h *Handler) renderWorkspaceTab(w http.ResponseWriter, r *http.Request, p *page, status int, in workspaceForm) {
	p.Title = "Settings"
	logo, err := h.logoInfo(r.Context(), p.Actor)
	if err != nil {
		// The rest of the page is still of use; the logo's card says none.
		h.d.Logger.WarnContext(r.Context(), "workspace logo", "workspace_id", p.Actor.WorkspaceID, "error", err)
	}
	in.Logo = logo
	h.render(w, r, status, settingsWorkspacePage(p, in))
}

func (h *Handler) settingsUpdate(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActWorkspaceUpdate); err != nil {
		return err
	}
	before, err := h.d.Workspaces.Get(ctx, p.Actor)
	if err != nil {
		return err
	}
	in := workspaceForm{
		Name:            strings.TrimSpace(r.PostFormValue("name")),
		TimeZone:        strings.TrimSpace(r.PostFormValue("time_zone")),
		RequireApproval: r.PostFormValue("require_approval") != "",
		Saved:           before,
	}
	in.Zones = h.zonesWith(in.TimeZone)
	// The brand voice rules have their own tab; this form sets the
	// approval switch alone, so it never overwrites them.
	if _, err := h.d.Workspaces.Update(ctx, p.Actor, workspace.Patch{Name: &in.Name, TimeZone: &in.TimeZone, RequireApproval: &in.RequireApproval}); err != nil {
		he := publicError(err)
		if he.Code != herald.CodeInvalid {
			return err
		}
		in.Err = he
		h.renderWorkspaceTab(w, r, p, statusOf(he), in)
		return nil
	}
	h.d.Sessions.Put(ctx, flashKey, "Saved the workspace settings.")
	http.Redirect(w, r, settingsURL(p.Current.ID, ""), http.StatusSeeOther)
	return nil
}

func (h *Handler) settingsDelete(w http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	if err := p.Actor.Require(herald.ActWorkspaceDelete); err != nil {
		return err
	}
	ws, err := h.d.Workspaces.Get(ctx, p.Actor)
	if err != nil {
		return err
	}
	confirm := strings.TrimSpace(r.PostFormValue("confirm_name"))
	if confirm != ws.Name {
		in := h.formOf(ws)
		in.ConfirmName = confirm
		in.DeleteErr = &herald.Error{Code: herald.CodeInvalid, Message: "the workspace was not deleted",
			Details: []herald.FieldProblem{{Field: "confirm_name",
				Problem: fmt.Sprintf("type the workspace's name, %q, exactly as shown to confirm", ws.Name)}}}
		h.renderWorkspaceTab(w, r, p, http.StatusUnprocessableEntity, in)
		return nil
	}
	if err := h.d.Workspaces.Delete(ctx, p.Actor); err != nil {
		return err
	}
	h.d.Sessions.Remove(ctx, workspaceKey)
	h.d.Sessions.Put(ctx, flashKey, "Deleted the workspace "+ws.Name+" and everything in it.")
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// showsSecret marks a page that shows a secret just created (an API token,
// an invitation link): it is rendered in the answer to the form that made
// it, never kept in the session (whose row is stored), and not cached.
func showsSecret(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}

// origin is the site's address as the browser reached it, for links to
// copy (the page's script replaces it with the browser's own origin).
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
