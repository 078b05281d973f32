package blueskyfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// note is one notification.
type note struct {
	recipient string
	author    string
	reason    string // mention, reply, quote, like, repost
	rec       *stored
	reasonSub string
}

// authorOf returns the DID in an AT URI.
func authorOf(uri string) string {
	u, err := syntax.ParseATURI(uri)
	if err != nil {
		return ""
	}
	return u.Authority().String()
}

// notify records the notifications a new record causes. The lock is held.
func (s *Server) notify(author, collection string, rec *stored) {
	add := func(recipient, reason, subject string) {
		if recipient == "" || recipient == author {
			return
		}
		if _, ok := s.accounts[recipient]; !ok {
			return
		}
		s.notes = append(s.notes, note{recipient: recipient, author: author, reason: reason, rec: rec, reasonSub: subject})
	}
	switch collection {
	case "app.bsky.feed.like", "app.bsky.feed.repost":
		var v struct {
			Subject ref `json:"subject"`
		}
		if json.Unmarshal(rec.value, &v) == nil {
			add(authorOf(v.Subject.URI), strings.TrimPrefix(collection, "app.bsky.feed."), v.Subject.URI)
		}
	case "app.bsky.feed.post":
		var p postRecord
		if json.Unmarshal(rec.value, &p) != nil {
			return
		}
		told := map[string]bool{}
		if p.Reply != nil && p.Reply.Parent != nil {
			parent := authorOf(p.Reply.Parent.URI)
			add(parent, "reply", p.Reply.Parent.URI)
			told[parent] = true
		}
		if r := p.Embed.quoted(); r != nil {
			q := authorOf(r.URI)
			if !told[q] {
				add(q, "quote", r.URI)
				told[q] = true
			}
		}
		for _, f := range p.Facets {
			for _, ft := range f.Features {
				if ft.Type == "app.bsky.richtext.facet#mention" && !told[ft.DID] {
					add(ft.DID, "mention", "")
					told[ft.DID] = true
				}
			}
		}
	}
}

// profileView is the basic view of an author.
func (s *Server) profileView(did string) map[string]any {
	v := map[string]any{"did": did, "handle": "handle.invalid"}
	if a, ok := s.accounts[did]; ok {
		v["handle"], v["displayName"] = a.handle, a.displayName
	}
	return v
}

// counts returns a post's like, repost, reply and quote counts. The lock
// is held.
func (s *Server) counts(uri string) (likes, reposts, replies, quotes int) {
	for _, rp := range s.repos {
		for _, rec := range rp.collection("app.bsky.feed.like") {
			if subjectOf(rec.value) == uri {
				likes++
			}
		}
		for _, rec := range rp.collection("app.bsky.feed.repost") {
			if subjectOf(rec.value) == uri {
				reposts++
			}
		}
		for _, rec := range rp.collection("app.bsky.feed.post") {
			var p postRecord
			if json.Unmarshal(rec.value, &p) != nil {
				continue
			}
			if p.Reply != nil && p.Reply.Parent != nil && p.Reply.Parent.URI == uri {
				replies++
			}
			if r := p.Embed.quoted(); r != nil && r.URI == uri {
				quotes++
			}
		}
	}
	return
}

func subjectOf(value json.RawMessage) string {
	var v struct {
		Subject ref `json:"subject"`
	}
	_ = json.Unmarshal(value, &v)
	return v.Subject.URI
}

// postView is the AppView's view of a post. The lock is held.
func (s *Server) postView(rec *stored) map[string]any {
	likes, reposts, replies, quotes := s.counts(rec.uri)
	return map[string]any{
		"uri": rec.uri, "cid": rec.cid, "author": s.profileView(authorOf(rec.uri)), "record": rec.value,
		"likeCount": likes, "repostCount": reposts, "replyCount": replies, "quoteCount": quotes,
		"indexedAt": rec.indexedAt.Format("2006-01-02T15:04:05.000Z"),
	}
}

func (s *Server) getPosts(w http.ResponseWriter, r *http.Request) {
	if s.auth(w, r, false) == "" {
		return
	}
	uris := r.URL.Query()["uris"]
	if len(uris) > 25 {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: uris must not have more than 25 elements")
		return
	}
	s.mu.Lock()
	posts := []map[string]any{}
	for _, u := range uris {
		if rec, ok := s.lookup(u); ok && strings.Contains(u, "/app.bsky.feed.post/") {
			posts = append(posts, s.postView(rec))
		}
	}
	s.mu.Unlock()
	writeJSON(w, map[string]any{"posts": posts})
}

func (s *Server) getPostThread(w http.ResponseWriter, r *http.Request) {
	if s.auth(w, r, false) == "" {
		return
	}
	uri := r.URL.Query().Get("uri")
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.lookup(uri)
	if !ok {
		xerr(w, http.StatusBadRequest, "NotFound", "Post not found: "+uri)
		return
	}
	var replies []map[string]any
	for _, rp := range s.repos {
		for _, other := range rp.collection("app.bsky.feed.post") {
			var p postRecord
			if json.Unmarshal(other.value, &p) == nil && p.Reply != nil && p.Reply.Parent != nil && p.Reply.Parent.URI == rec.uri {
				replies = append(replies, map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": s.postView(other)})
			}
		}
	}
	thread := map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": s.postView(rec), "replies": replies}
	// The posts above it, as nested parents, up to parentHeight (80 by
	// default, as the AppView's lexicon says).
	height := 80
	if v := r.URL.Query().Get("parentHeight"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1000 {
			xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: parentHeight must be an integer from 0 to 1000")
			return
		}
		height = n
	}
	for cur, at := thread, rec; height > 0; height-- {
		var p postRecord
		if json.Unmarshal(at.value, &p) != nil || p.Reply == nil || p.Reply.Parent == nil {
			break
		}
		parent, ok := s.lookup(p.Reply.Parent.URI)
		if !ok {
			cur["parent"] = map[string]any{"$type": "app.bsky.feed.defs#notFoundPost", "uri": p.Reply.Parent.URI, "notFound": true}
			break
		}
		next := map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": s.postView(parent)}
		cur["parent"] = next
		cur, at = next, parent
	}
	writeJSON(w, map[string]any{"thread": thread})
}

// listNotifications answers the caller's notifications, newest first; the
// cursor is the position to continue from (older ones).
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	did := s.auth(w, r, false)
	if did == "" {
		return
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: limit must be an integer from 1 to 100")
			return
		}
		limit = n
	}
	reasons := q["reasons"]
	s.mu.Lock()
	defer s.mu.Unlock()
	start := len(s.notes) - 1
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 {
			xerr(w, http.StatusBadRequest, "InvalidRequest", "Malformed cursor")
			return
		}
		start = min(n, len(s.notes)) - 1
	}
	out := []map[string]any{}
	next := ""
	for i := start; i >= 0; i-- {
		n := s.notes[i]
		if n.recipient != did || (len(reasons) > 0 && !slices.Contains(reasons, n.reason)) {
			continue
		}
		if _, still := s.lookup(n.rec.uri); !still {
			continue
		}
		if len(out) == limit {
			next = strconv.Itoa(i + 1)
			break
		}
		v := map[string]any{"uri": n.rec.uri, "cid": n.rec.cid, "author": s.profileView(n.author), "reason": n.reason,
			"record": n.rec.value, "isRead": false, "indexedAt": n.rec.indexedAt.Format("2006-01-02T15:04:05.000Z"), "labels": []any{}}
		if n.reasonSub != "" {
			v["reasonSubject"] = n.reasonSub
		}
		out = append(out, v)
	}
	writeJSON(w, map[string]any{"notifications": out, "cursor": next, "seenAt": time.Time{}.Format(time.RFC3339)})
}
