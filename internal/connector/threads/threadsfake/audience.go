package threadsfake

import (
	"net/http"
	"slices"
	"strings"

	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

// ScopeInsights is the permission the insights endpoints need.
const ScopeInsights = "threads_manage_insights"

// userMetrics are the metrics the Threads Insights API documents for
// GET /{threads-user-id}/threads_insights.
var userMetrics = []string{"views", "likes", "replies", "reposts", "quotes", "clicks", "followers_count", "follower_demographics"}

// SetFollowers sets the followers_count of a user's insights.
func (s *Server) SetFollowers(userID string, followers int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Followers = followers
	}
}

// userInsights is GET /{threads-user-id}/threads_insights?metric=…, the
// user's own insights; it needs threads_manage_insights. The fake serves
// followers_count, the total as the Insights page shows it (total_value,
// no time series; since and until do not apply to it). The other
// documented metrics are recorded as a violation: Herald does not read
// them, and the fake does not model them.
func (s *Server) userInsights(w http.ResponseWriter, r *http.Request, tok Token) {
	if !s.own(w, r, tok) {
		return
	}
	if !slices.Contains(tok.Scopes, ScopeInsights) {
		Error(w, http.StatusBadRequest, metagraph.CodePermissionDenied, 0, "(#10) Application does not have permission for this action")
		return
	}
	metrics := strings.Split(r.Form.Get("metric"), ",")
	for _, m := range metrics {
		switch {
		case !slices.Contains(userMetrics, m):
			s.Violation("threads_insights: unknown metric %q", m)
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0,
				"(#100) metric["+m+"] must be one of the following values: "+strings.Join(userMetrics, ", "))
			return
		case m != "followers_count":
			s.Violation("threads_insights: the fake serves followers_count, not %q", m)
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "(#100) the fake does not serve metric "+m)
			return
		}
	}
	s.mu.Lock()
	u := *s.users[tok.UserID]
	s.mu.Unlock()
	data := []map[string]any{{"name": "followers_count", "period": "day", "title": "followers_count",
		"description": "This is the total number of followers on Threads.",
		"total_value": map[string]int64{"value": u.Followers}, "id": u.ID + "/insights/followers_count/day"}}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}
