package web

import "net/http"

// composeRoutes registers the pages of the composer: drafting, previews per platform, validation and scheduling.
func (h *Handler) composeRoutes(m *http.ServeMux) {
}
