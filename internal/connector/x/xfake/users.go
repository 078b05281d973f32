package xfake

import (
	"net/http"
	"regexp"
	"strings"
)

// usernamePattern is the username path parameter's pattern in the API's
// OpenAPI document.
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// userByUsername is GET /2/users/by/username/{username}: the user (with
// public_metrics when user.fields asks), matched ignoring case. X answers
// an unknown username with HTTP 200 and only errors, a resource-not-found
// problem naming the username; a username outside the pattern is 400
// invalid-request.
func (s *Server) userByUsername(w http.ResponseWriter, r *http.Request, _ User) {
	name := r.PathValue("username")
	if !usernamePattern.MatchString(name) {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"The `username` query parameter value ["+name+"] does not match ^[A-Za-z0-9_]{1,15}$",
			map[string]any{"parameter": "username", "value": name})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if strings.EqualFold(u.Username, name) {
			data := s.userJSON(*u)
			if userFields(r)["public_metrics"] {
				data["public_metrics"] = s.publicMetrics(*u)
			}
			writeJSON(w, http.StatusOK, map[string]any{"data": data})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{
		"value": name, "detail": "Could not find user with username: [" + name + "].", "title": "Not Found Error",
		"resource_type": "user", "parameter": "username", "resource_id": name, "type": ProblemResourceNotFound}}})
}
