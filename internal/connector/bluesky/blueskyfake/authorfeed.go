package blueskyfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// Post stores an app.bsky.feed.post record by did, created at createdAt
// (a reply to parentURI when it is not ""), as if the account had posted
// it from another app, and returns its AT URI.
func (s *Server) Post(did, text, parentURI string, createdAt time.Time) string {
	rec := map[string]any{"$type": "app.bsky.feed.post", "text": text, "createdAt": createdAt.UTC().Format(time.RFC3339Nano)}
	if parentURI != "" {
		ref := map[string]string{"uri": parentURI, "cid": "bafyreiparent"}
		rec["reply"] = map[string]any{"root": ref, "parent": ref}
	}
	return s.store(did, "app.bsky.feed.post", rec, createdAt)
}

// Like stores an app.bsky.feed.like record by did of the post at uri.
func (s *Server) Like(did, uri string) {
	s.store(did, "app.bsky.feed.like", map[string]any{"$type": "app.bsky.feed.like",
		"subject": map[string]string{"uri": uri, "cid": "bafyreisubject"}, "createdAt": s.cfg.Now().UTC().Format(time.RFC3339Nano)}, s.cfg.Now())
}

// Repost stores an app.bsky.feed.repost record by did of the post at uri.
func (s *Server) Repost(did, uri string, at time.Time) {
	s.store(did, "app.bsky.feed.repost", map[string]any{"$type": "app.bsky.feed.repost",
		"subject": map[string]string{"uri": uri, "cid": "bafyreisubject"}, "createdAt": at.UTC().Format(time.RFC3339Nano)}, at)
}

// store keeps a record in did's repository under a new TID.
func (s *Server) store(did, collection string, value map[string]any, indexedAt time.Time) string {
	b, _ := json.Marshal(value) // maps of strings always encode
	c, _ := recordCID(b)        // b is JSON made above
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repos[did] == nil {
		s.repos[did] = newRepo()
	}
	coll := s.repos[did].collection(collection)
	rkey := syntax.NewTIDNow(0).String()
	for i := int64(1); coll[rkey] != nil; i++ { // two records in one microsecond
		rkey = syntax.NewTID(time.Now().UnixMicro()+i, 0).String()
	}
	uri := "at://" + did + "/" + collection + "/" + rkey
	coll[rkey] = &stored{uri: uri, cid: c, value: b, indexedAt: indexedAt.UTC()}
	return uri
}

// getAuthorFeed is app.bsky.feed.getAuthorFeed: the actor's posts and
// reposts, newest first, as feedViewPost items (a repost with reason
// app.bsky.feed.defs#reasonRepost), with filter posts_with_replies (the
// default) or posts_no_replies, limit 1 to 100 (default 50) and an opaque
// cursor. An unknown actor is 400 InvalidRequest "Profile not found", as
// the AppView answers.
func (s *Server) getAuthorFeed(w http.ResponseWriter, r *http.Request) {
	if s.auth(w, r, false) == "" {
		return
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: limit must be an integer between 1 and 100")
			return
		}
		limit = n
	}
	filter := q.Get("filter")
	switch filter {
	case "", "posts_with_replies", "posts_no_replies", "posts_with_media", "posts_and_author_threads", "posts_with_video":
	default:
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: filter must be one of posts_with_replies, posts_no_replies, "+
			"posts_with_media, posts_and_author_threads, posts_with_video")
		return
	}
	offset := 0
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			xerr(w, http.StatusBadRequest, "InvalidRequest", "Malformed cursor")
			return
		}
		offset = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.actorRef(q.Get("actor"))
	if !ok {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return
	}
	type item struct {
		at   time.Time
		view map[string]any
	}
	var items []item
	rp := s.repos[a.did]
	if rp != nil {
		for _, rec := range rp.collection("app.bsky.feed.post") {
			var p postRecord
			if json.Unmarshal(rec.value, &p) != nil || (filter == "posts_no_replies" && p.Reply != nil) {
				continue
			}
			items = append(items, item{rec.indexedAt, map[string]any{"post": s.postView(rec)}})
		}
		for _, rec := range rp.collection("app.bsky.feed.repost") {
			orig, ok := s.lookup(subjectOf(rec.value))
			if !ok {
				continue
			}
			items = append(items, item{rec.indexedAt, map[string]any{"post": s.postView(orig), "reason": map[string]any{
				"$type": "app.bsky.feed.defs#reasonRepost", "by": s.profileView(a.did),
				"indexedAt": rec.indexedAt.Format("2006-01-02T15:04:05.000Z")}}})
		}
	}
	slices.SortStableFunc(items, func(x, y item) int { return y.at.Compare(x.at) })
	feed := []map[string]any{}
	for i := offset; i < len(items) && i < offset+limit; i++ {
		feed = append(feed, items[i].view)
	}
	out := map[string]any{"feed": feed}
	if offset+limit < len(items) {
		out["cursor"] = strconv.Itoa(offset + limit)
	}
	writeJSON(w, out)
}
