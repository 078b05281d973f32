package x

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// tweet is the part of X's Post object the source reads.
type tweet struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	Lang             string `json:"lang"`
	ConversationID   string `json:"conversation_id"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Entities struct {
		Hashtags []struct {
			Tag string `json:"tag"`
		} `json:"hashtags"`
		Mentions []struct {
			ID       string `json:"id"`
			Username string `json:"username"`
		} `json:"mentions"`
	} `json:"entities"`
}

// user is the part of X's User object the source reads.
type user struct {
	ID            string `json:"id"`
	Username      string `json:"username"`
	Name          string `json:"name"`
	PublicMetrics *struct {
		FollowersCount *int64 `json:"followers_count"`
	} `json:"public_metrics"`
}

// posts maps an answer's posts, newest first as X sends them. A post or
// user that is not the expected JSON, or a post without an id, is
// skipped and counted in Stats.Malformed; reposts (which -is:retweet
// should keep out) are skipped and counted in Stats.Retweets.
func (s *Source) posts(a *answer) []source.Post {
	users := map[string]user{}
	for _, raw := range a.Includes.Users {
		var u user
		if json.Unmarshal(raw, &u) != nil || u.ID == "" {
			s.malformed.Add(1)
			continue
		}
		users[u.ID] = u
	}
	seen := s.now().UTC()
	out := make([]source.Post, 0, len(a.Data))
	for _, raw := range a.Data {
		var t tweet
		if json.Unmarshal(raw, &t) != nil || !isID(t.ID) {
			s.malformed.Add(1)
			continue
		}
		if t.repost() {
			s.retweets.Add(1)
			continue
		}
		out = append(out, t.post(users[t.AuthorID], seen))
	}
	return out
}

// repost reports whether t is a repost (a retweet).
func (t *tweet) repost() bool {
	for _, r := range t.ReferencedTweets {
		if r.Type == "retweeted" {
			return true
		}
	}
	return false
}

// unescape undoes X's escaping of &, < and > in post text.
var unescape = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

// post turns t, written by u (zero when X did not include the author),
// into a source.Post.
func (t *tweet) post(u user, seen time.Time) source.Post {
	p := source.Post{Platform: "x", RemoteID: t.ID, AuthorID: t.AuthorID, AuthorHandle: u.Username, AuthorName: u.Name,
		AuthorFollowers: -1, Text: unescape.Replace(t.Text), SeenAt: seen}
	if p.AuthorID == "" {
		p.AuthorID = u.ID
	}
	if u.Username != "" {
		p.URL = "https://x.com/" + u.Username + "/status/" + t.ID
	} else {
		p.URL = "https://x.com/i/web/status/" + t.ID
	}
	if u.PublicMetrics != nil && u.PublicMetrics.FollowersCount != nil {
		p.AuthorFollowers = *u.PublicMetrics.FollowersCount
	}
	if lang := strings.TrimSpace(t.Lang); declared(lang) {
		p.Languages = []string{lang}
	}
	for _, h := range t.Entities.Hashtags {
		if h.Tag != "" {
			p.Tags = append(p.Tags, h.Tag)
		}
	}
	for _, m := range t.Entities.Mentions {
		// By id, and by handle in the form topics name X accounts in
		// (user@x.com).
		if m.ID != "" {
			p.Mentions = append(p.Mentions, m.ID)
		}
		if m.Username != "" {
			p.Mentions = append(p.Mentions, m.Username+"@x.com")
		}
	}
	for _, r := range t.ReferencedTweets {
		if r.Type == "replied_to" && r.ID != "" {
			p.ReplyTo = r.ID
		}
	}
	if t.ConversationID != "" && t.ConversationID != t.ID {
		p.ReplyRoot = t.ConversationID
	}
	if ts, err := time.Parse(time.RFC3339Nano, t.CreatedAt); err == nil {
		p.PostedAt = ts.UTC()
	}
	return p
}

// declared reports whether lang names a language: X says "und" when it
// cannot tell, "zxx" for no linguistic content, and q-codes (qam, qct,
// qht, qme, qst) for posts of mentions, cashtags, hashtags, media links or
// very short text alone.
func declared(lang string) bool {
	switch {
	case lang == "", lang == "und", lang == "zxx":
		return false
	case len(lang) == 3 && lang[0] == 'q':
		return false
	}
	return true
}
