package facebookfake

import (
	"net/http"

	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

// RouteRead is GET /{id}: a post, a photo, a video or a Page node.
var RouteRead = "GET " + graphfake.Prefix + "/{id}"

// pageCounts are a Page's audience counts.
type pageCounts struct {
	followers, fans int64
}

// SetFollowers sets a Page's followers_count and its fan_count (the
// people who like it, Meta's older count); both are 0 until set.
func (s *Server) SetFollowers(pageID string, followers, fans int64) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.audience[pageID] = pageCounts{followers: followers, fans: fans}
}

// pageFields are the Page node's fields the fake knows (Graph API →
// Reference → Page); others are refused as Meta refuses a field a node
// does not have.
var pageFields = map[string]bool{"id": true, "name": true, "username": true, "followers_count": true, "fan_count": true}

// readPage answers GET /{page-id}?fields=… when the id is a Page and
// reports whether it was one. The counts need the Page's own token
// (pages_read_engagement through the page token, as Herald holds it).
func (s *Server) readPage(w http.ResponseWriter, r *http.Request, tok graphfake.Token) bool {
	id := r.PathValue("id")
	page, ok := s.Page(id)
	if !ok {
		return false
	}
	if tok.PageID != id {
		s.Violation("GET %s: the Page's fields need the page token of page %s", r.URL.Path, id)
		graphfake.Error(w, http.StatusForbidden, metagraph.CodePermissionDenied, 0, "OAuthException",
			"(#10) This endpoint requires the 'pages_read_engagement' permission or the 'Page Public Content Access' feature.")
		return true
	}
	fields := graphfake.Fields(r.Form.Get("fields"))
	if len(fields) == 0 {
		fields = []string{"name"} // Meta's default: id and name
	}
	for _, f := range fields {
		if !pageFields[f] {
			s.Violation("GET %s: the Page node has no field %q", r.URL.Path, f)
			graphfake.Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "OAuthException",
				"(#100) Tried accessing nonexisting field ("+f+") on node type (Page)")
			return true
		}
	}
	s.Mu.Lock()
	counts := s.audience[id]
	s.Mu.Unlock()
	out := map[string]any{"id": page.ID}
	for _, f := range fields {
		switch f {
		case "name":
			out[f] = page.Name
		case "username":
			if page.Username != "" {
				out[f] = page.Username
			}
		case "followers_count":
			out[f] = counts.followers
		case "fan_count":
			out[f] = counts.fans
		}
	}
	graphfake.JSON(w, http.StatusOK, out)
	return true
}
