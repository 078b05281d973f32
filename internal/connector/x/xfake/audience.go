package xfake

import (
	"net/http"
	"strings"
)

// SetFollowers sets the follower and following counts of a user's
// public_metrics. Its post count is not set: it is counted from the posts
// the fake holds.
func (s *Server) SetFollowers(userID string, followers, following int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Followers, u.Following = followers, following
	}
}

// userFields returns the names asked for in user.fields.
func userFields(r *http.Request) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.Split(r.URL.Query().Get("user.fields"), ",") {
		if f != "" {
			out[f] = true
		}
	}
	return out
}

// publicMetrics is a user's public_metrics. The posts count is the user's
// posts the fake holds, reposts included and deleted ones and replaced
// versions of edited ones left out, as X documents it ("Number of Posts
// (including Reposts) created by this User"). X's guides call it
// tweet_count, the OpenAPI document post_count (required there, with
// followers_count, following_count and listed_count): both are sent.
// Callers hold s.mu.
func (s *Server) publicMetrics(u User) map[string]int64 {
	var posts, likes int64
	for _, t := range s.tweets {
		if t.AuthorID != u.ID || t.Deleted {
			continue
		}
		if h := t.EditHistory; len(h) > 0 && h[len(h)-1] != t.ID {
			continue // an older version of an edited post
		}
		posts++
	}
	prefix := u.ID + ":"
	for k, id := range s.retweets {
		if id != "" && strings.HasPrefix(k, prefix) {
			posts++
		}
	}
	for k, liked := range s.likes {
		if liked && strings.HasPrefix(k, prefix) {
			likes++
		}
	}
	return map[string]int64{"followers_count": u.Followers, "following_count": u.Following,
		"tweet_count": posts, "post_count": posts, "listed_count": 0, "like_count": likes}
}
