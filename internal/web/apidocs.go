package web

import "net/http"

// apiSpecPath is where the API publishes its OpenAPI document.
const apiSpecPath = "/api/openapi.json"

// apiDocs answers GET /api/docs: the API's documentation, readable by
// anyone (like the OpenAPI document itself), with every file from Herald.
func (h *Handler) apiDocs(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, apiDocsPage(h.assets, apiSpecPath))
}
