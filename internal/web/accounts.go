package web

import "net/http"

// accountRoutes registers the pages of the social accounts: connecting, status, posting schedules and pausing.
func (h *Handler) accountRoutes(m *http.ServeMux) {
}
