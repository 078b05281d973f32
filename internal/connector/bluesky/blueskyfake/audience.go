package blueskyfake

import "encoding/json"

// followCounts are an account's followers and follows from outside the
// fake; a negative one makes the AppView leave the count out.
type followCounts struct{ followers, follows int }

// SetFollowCounts sets how many accounts outside the fake follow the
// account did and how many it follows there. getProfile reports them
// plus the app.bsky.graph.follow records the fake's own accounts hold
// (followersCount, followsCount; 0 and the records until set). A negative
// count is left out of the profile, as the lexicon allows (every count of
// profileViewDetailed is optional).
func (s *Server) SetFollowCounts(did string, followers, follows int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.follows[did] = followCounts{followers: followers, follows: follows}
}

// profileCounts adds the AppView's counts of did to a profile view:
// followersCount and followsCount from the follow records and
// SetFollowCounts, postsCount from the account's post records (replies
// included). The lock is held.
func (s *Server) profileCounts(did string, v map[string]any) {
	set := s.follows[did]
	followers, follows := set.followers, set.follows
	for owner, rp := range s.repos {
		for _, rec := range rp.collection("app.bsky.graph.follow") {
			var f struct {
				Subject string `json:"subject"`
			}
			if json.Unmarshal(rec.value, &f) != nil {
				continue
			}
			if f.Subject == did && owner != did {
				followers++
			}
			if owner == did {
				follows++
			}
		}
	}
	if set.followers >= 0 {
		v["followersCount"] = followers
	}
	if set.follows >= 0 {
		v["followsCount"] = follows
	}
	v["postsCount"] = len(s.repos[did].collection("app.bsky.feed.post"))
}
