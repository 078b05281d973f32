package web

import "net/http"

// approvalRoutes registers the pages of the approvals queue and the comments on posts.
func (h *Handler) approvalRoutes(m *http.ServeMux) {
}
