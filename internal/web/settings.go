package web

import "net/http"

// settingsRoutes registers the pages of the workspace settings: the workspace, members, invitations, API tokens and the audit log.
func (h *Handler) settingsRoutes(m *http.ServeMux) {
}
