package instagramfake

import (
	"net/http"

	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

// RouteRead is GET /{id}: a container, a media or an IG User.
var RouteRead = "GET " + graphfake.Prefix + "/{id}"

// igCounts are an Instagram account's follower counts.
type igCounts struct {
	followers, follows int64
}

// SetFollowers sets an Instagram account's followers_count and
// follows_count (0 until set). Its media_count is not set: it is the
// media the fake holds.
func (s *Server) SetFollowers(igID string, followers, follows int64) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.audience[igID] = igCounts{followers: followers, follows: follows}
}

// userFields are the IG User fields the fake knows (Instagram Graph API →
// Reference → IG User); others are refused as Meta refuses a field a node
// does not have.
var userFields = map[string]bool{"id": true, "ig_id": true, "username": true, "name": true, "biography": true,
	"followers_count": true, "follows_count": true, "media_count": true, "profile_picture_url": true, "website": true}

// readUser answers GET /{ig-user-id}?fields=… when the id is an Instagram
// account linked to a Page, and reports whether it was one. Callers hold Mu.
func (s *Server) readUser(w http.ResponseWriter, r *http.Request, tok graphfake.Token) bool {
	id := r.PathValue("id")
	page, ok := s.PageOfIG(id)
	if !ok {
		return false
	}
	if _, ok := s.owner(w, r, tok); !ok {
		return true
	}
	fields := graphfake.Fields(r.Form.Get("fields"))
	for _, f := range fields {
		if !userFields[f] {
			s.ViolationLocked("GET %s: the IG User has no field %q", r.URL.Path, f)
			graphfake.Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "OAuthException",
				"(#100) Tried accessing nonexisting field ("+f+") on node type (IGUser)")
			return true
		}
	}
	ig := page.Instagram
	out := map[string]any{"id": ig.ID}
	for _, f := range fields {
		switch f {
		case "username":
			out[f] = ig.Username
		case "name":
			out[f] = ig.Name
		case "followers_count":
			out[f] = s.audience[id].followers
		case "follows_count":
			out[f] = s.audience[id].follows
		case "media_count":
			n := 0
			for _, m := range s.media {
				if m.Owner == id {
					n++
				}
			}
			out[f] = n
		case "profile_picture_url":
			out[f] = "https://scontent.example/ig" + ig.ID + ".jpg"
		}
	}
	graphfake.JSON(w, http.StatusOK, out)
	return true
}
