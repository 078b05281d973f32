package mastodonfake

import (
	"net/http"
	"strings"
)

// lookupAccount is GET /api/v1/accounts/lookup?acct= (methods/accounts
// "Lookup account ID from Webfinger address"): the account the instance
// knows by that acct (user for a local one, user@domain; the instance's
// own domain names a local account), without WebFinger, else 404 "Record
// not found". A token is optional.
func (s *Server) lookupAccount(w http.ResponseWriter, r *http.Request) {
	acct := strings.TrimPrefix(r.URL.Query().Get("acct"), "@")
	if acct == "" {
		writeError(w, http.StatusBadRequest, "Missing parameter: acct")
		return
	}
	user, domain, _ := strings.Cut(acct, "@")
	if strings.EqualFold(domain, s.domain(r)) {
		domain = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var a *Account
	for _, c := range s.accounts {
		if strings.EqualFold(c.Username, user) && strings.EqualFold(c.Domain, domain) {
			a = c
			break
		}
	}
	if a == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, s.accountJSON(baseURL(r), a))
}
