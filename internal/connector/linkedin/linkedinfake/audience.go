package linkedinfake

import (
	"net/http"
	"strconv"
	"strings"
)

// RouteNetworkSizes is an organization's follower count (Organization
// Lookup API → Retrieve Organization Follower Count).
const RouteNetworkSizes = "GET /rest/networkSizes/{urn}"

// FollowedByMember is the edgeType that counts an organization's
// followers in the versioned API (CompanyFollowedByMember before 202305).
const FollowedByMember = "COMPANY_FOLLOWED_BY_MEMBER"

// SetFollowers sets an organization page's follower count.
func (s *Server) SetFollowers(orgID, followers int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.orgs {
		if s.orgs[i].ID == orgID {
			s.orgs[i].Followers = followers
		}
	}
}

// networkSizes is GET /rest/networkSizes/{organization urn}?edgeType=
// COMPANY_FOLLOWED_BY_MEMBER: {"firstDegreeSize": n}. Another edgeType,
// none, or a URN that is not an organization's is refused as LinkedIn
// refuses it, and recorded.
func (s *Server) networkSizes(w http.ResponseWriter, r *http.Request, _ string) {
	urn := r.PathValue("urn")
	switch et := r.URL.Query().Get("edgeType"); et {
	case FollowedByMember:
	case "":
		s.violate("%s: no edgeType", RouteNetworkSizes)
		apiError(w, http.StatusBadRequest, 100, "MISSING_FIELD", "edgeType is required")
		return
	default:
		s.violate("%s: edgeType %q, want %s", RouteNetworkSizes, et, FollowedByMember)
		apiError(w, http.StatusBadRequest, 100, "INVALID_VALUE_FOR_FIELD", "Invalid value for field edgeType: "+et)
		return
	}
	id, ok := strings.CutPrefix(urn, "urn:li:organization:")
	if !ok {
		s.violate("%s: %q is not an organization URN", RouteNetworkSizes, urn)
		apiError(w, http.StatusBadRequest, 100, "BAD_REQUEST", "The URN must be an organization's")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		if strconv.FormatInt(o.ID, 10) == id {
			writeJSON(w, http.StatusOK, map[string]any{"firstDegreeSize": o.Followers})
			return
		}
	}
	apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Organization not found")
}
