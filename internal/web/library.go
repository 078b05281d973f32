package web

import "net/http"

// libraryRoutes registers the pages of the media library.
func (h *Handler) libraryRoutes(m *http.ServeMux) {
}
