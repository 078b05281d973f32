// Package facebookfake is a fake of the Graph API endpoints Herald uses
// for Facebook Pages, on the shared Meta core (graphfake): posts on
// /{page-id}/feed (message, link, attached_media), photos on
// /{page-id}/photos (multipart source, published, alt_text_custom), videos
// on /{page-id}/videos, /{page-id}/published_posts with attachments,
// /{page-id}/feed with comments, comments and replies on
// /{object-id}/comments, DELETE /{id}, the reactions, comments and shares
// summaries of a post and its post_media_view insight, and the Page
// node's followers_count and fan_count (GET /{page-id}, audience.go).
package facebookfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

// Post is a Page post (or a video) as the fake keeps it.
type Post struct {
	ID       string
	PageID   string
	Message  string
	Link     string
	Photos   []string // photo ids
	VideoID  string
	AltTexts []string
	Created  time.Time
	Deleted  bool
	Reacts   int64
	Shares   int64
	Views    int64
}

// Comment is a comment on a post or on a comment.
type Comment struct {
	ID, Parent, FromID, FromName, Message string
	Created                               time.Time
	Deleted                               bool
}

// Server is the fake.
type Server struct {
	*graphfake.Server
	posts    map[string]*Post
	order    []string
	photos   map[string]string // photo id → page id, unpublished ones
	comments map[string]*Comment
	corder   []string
	objects  map[string]string     // photo or video id → its post id
	audience map[string]pageCounts // page id → its followers and fans (audience.go)
}

// New returns the fake.
func New(cfg graphfake.Config) *Server {
	s := &Server{Server: graphfake.New(cfg), posts: map[string]*Post{}, photos: map[string]string{},
		comments: map[string]*Comment{}, objects: map[string]string{}, audience: map[string]pageCounts{}}
	p := graphfake.Prefix
	s.Handle("POST "+p+"/{id}/feed", s.createFeed)
	s.Handle("GET "+p+"/{id}/feed", s.readFeed)
	s.Handle("POST "+p+"/{id}/photos", s.createPhoto)
	s.Handle("POST "+p+"/{id}/videos", s.createVideo)
	s.Handle("GET "+p+"/{id}/published_posts", s.publishedPosts)
	s.Handle("POST "+p+"/{id}/comments", s.createComment)
	s.Handle("GET "+p+"/{id}/comments", s.readComments)
	s.Handle("DELETE "+p+"/{id}", s.delete)
	s.Handle("GET "+p+"/{id}", s.read)
	s.Handle("GET "+p+"/{id}/insights", s.insights)
	return s
}

// Routes Herald publishes through.
var (
	RouteFeed     = "POST " + graphfake.Prefix + "/{id}/feed"
	RoutePhotos   = "POST " + graphfake.Prefix + "/{id}/photos"
	RouteComments = "POST " + graphfake.Prefix + "/{id}/comments"
)

// pageOf checks that tok is the page token of the page in the path.
func (s *Server) pageOf(w http.ResponseWriter, r *http.Request, tok graphfake.Token) (string, bool) {
	id := r.PathValue("id")
	if tok.PageID == "" || tok.PageID != id {
		s.Violation("%s %s: needs the page token of page %s", r.Method, r.URL.Path, id)
		graphfake.Error(w, http.StatusForbidden, 200, 0, "OAuthException",
			"(#200) If posting to a page, requires both pages_read_engagement and pages_manage_posts as an admin with sufficient administrative permission")
		return "", false
	}
	return id, true
}

func (s *Server) createFeed(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	page, ok := s.pageOf(w, r, tok)
	if !ok {
		return
	}
	msg, link := r.Form.Get("message"), r.Form.Get("link")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var photos []string
	for i := 0; ; i++ {
		v := r.Form.Get("attached_media[" + strconv.Itoa(i) + "]")
		if v == "" {
			break
		}
		var m struct {
			MediaFBID string `json:"media_fbid"`
		}
		if json.Unmarshal([]byte(v), &m) != nil || s.photos[m.MediaFBID] != page {
			graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) param attached_media["+strconv.Itoa(i)+"] must be a photo uploaded unpublished by this Page")
			return
		}
		photos = append(photos, m.MediaFBID)
	}
	if strings.TrimSpace(msg) == "" && link == "" && len(photos) == 0 {
		graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Missing message or attachment")
		return
	}
	if len([]rune(msg)) > 63206 {
		graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The message is too long")
		return
	}
	post := s.add(page, msg, link)
	post.Photos = photos
	for _, ph := range photos {
		delete(s.photos, ph)
		s.objects[ph] = post.ID
	}
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": post.ID})
}

// add makes a post. Callers hold Mu.
func (s *Server) add(page, msg, link string) *Post {
	p := &Post{ID: page + "_" + s.NextID(), PageID: page, Message: msg, Link: link, Created: s.Now()}
	s.posts[p.ID] = p
	s.order = append(s.order, p.ID)
	return p
}

// upload checks a multipart file upload named source.
func (s *Server) upload(w http.ResponseWriter, r *http.Request, kind string) bool {
	if r.MultipartForm == nil || len(r.MultipartForm.File["source"]) != 1 {
		s.Violation("%s %s: the %s must come as the multipart file source", r.Method, r.URL.Path, kind)
		graphfake.Error(w, http.StatusBadRequest, 324, 0, "OAuthException", "(#324) Requires upload file")
		return false
	}
	fh := r.MultipartForm.File["source"][0]
	if fh.Size == 0 {
		graphfake.Error(w, http.StatusBadRequest, 324, 0, "OAuthException", "(#324) The uploaded file is empty")
		return false
	}
	ct := fh.Header.Get("Content-Type")
	if (kind == "photo" && !strings.HasPrefix(ct, "image/")) || (kind == "video" && !strings.HasPrefix(ct, "video/")) {
		graphfake.Error(w, http.StatusBadRequest, 352, 0, "OAuthException", "(#352) The file type is not supported for a "+kind)
		return false
	}
	return true
}

func (s *Server) createPhoto(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	page, ok := s.pageOf(w, r, tok)
	if !ok || !s.upload(w, r, "photo") {
		return
	}
	s.Mu.Lock()
	defer s.Mu.Unlock()
	id := s.NextID()
	if r.Form.Get("published") == "false" {
		s.photos[id] = page
		graphfake.JSON(w, http.StatusOK, map[string]string{"id": id})
		return
	}
	post := s.add(page, r.Form.Get("message"), "")
	post.Photos = []string{id}
	post.AltTexts = []string{r.Form.Get("alt_text_custom")}
	s.objects[id] = post.ID
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": id, "post_id": post.ID})
}

func (s *Server) createVideo(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	page, ok := s.pageOf(w, r, tok)
	if !ok || !s.upload(w, r, "video") {
		return
	}
	s.Mu.Lock()
	defer s.Mu.Unlock()
	post := s.add(page, r.Form.Get("description"), "")
	post.VideoID = strings.TrimPrefix(post.ID, page+"_")
	s.objects[post.VideoID] = post.ID
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": post.VideoID})
}

// resolve finds the post an id names (a post, photo or video id). Callers hold Mu.
func (s *Server) resolve(id string) (*Post, bool) {
	if p, ok := s.posts[id]; ok {
		return p, !p.Deleted
	}
	if pid, ok := s.objects[id]; ok {
		p := s.posts[pid]
		return p, !p.Deleted
	}
	return nil, false
}

func (s *Server) attachments(p *Post) any {
	switch {
	case p.VideoID != "":
		return map[string]any{"data": []any{map[string]any{"media_type": "video", "target": map[string]string{"id": p.VideoID}}}}
	case len(p.Photos) == 1:
		return map[string]any{"data": []any{map[string]any{"media_type": "photo", "target": map[string]string{"id": p.Photos[0]}}}}
	case len(p.Photos) > 1:
		var subs []any
		for _, ph := range p.Photos {
			subs = append(subs, map[string]any{"media_type": "photo", "target": map[string]string{"id": ph}})
		}
		return map[string]any{"data": []any{map[string]any{"media_type": "album", "subattachments": map[string]any{"data": subs}}}}
	case p.Link != "":
		return map[string]any{"data": []any{map[string]any{"media_type": "link", "url": p.Link}}}
	}
	return nil
}

func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

func (s *Server) publishedPosts(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	page, ok := s.pageOf(w, r, tok)
	if !ok {
		return
	}
	since, _ := strconv.ParseInt(r.Form.Get("since"), 10, 64)
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var data []any
	for _, id := range slices.Backward(s.order) {
		p := s.posts[id]
		if p.PageID != page || p.Deleted || p.Created.Unix() < since {
			continue
		}
		m := map[string]any{"id": p.ID, "created_time": graphTime(p.Created)}
		if p.Message != "" {
			m["message"] = p.Message
		}
		if a := s.attachments(p); a != nil {
			m["attachments"] = a
		}
		data = append(data, m)
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	return map[string]any{"id": c.ID, "message": c.Message, "created_time": graphTime(c.Created),
		"from": map[string]string{"id": c.FromID, "name": c.FromName}, "permalink_url": "https://www.facebook.com/" + c.ID}
}

func (s *Server) readFeed(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	page, ok := s.pageOf(w, r, tok)
	if !ok {
		return
	}
	withComments := slices.Contains(graphfake.Fields(r.Form.Get("fields")), "comments")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var data []any
	for _, id := range slices.Backward(s.order) {
		p := s.posts[id]
		if p.PageID != page || p.Deleted {
			continue
		}
		m := map[string]any{"id": p.ID}
		if withComments {
			var cs []any
			for _, cid := range slices.Backward(s.corder) {
				if c := s.comments[cid]; !c.Deleted && s.postOf(c) == p.ID && c.Parent == p.ID {
					cs = append(cs, s.commentJSON(c))
				}
			}
			if len(cs) > 0 {
				m["comments"] = map[string]any{"data": cs}
			}
		}
		data = append(data, m)
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

// postOf is the post a comment is under. Callers hold Mu.
func (s *Server) postOf(c *Comment) string {
	for {
		if p, ok := s.resolve(c.Parent); ok {
			return p.ID
		}
		parent, ok := s.comments[c.Parent]
		if !ok {
			return ""
		}
		c = parent
	}
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	target := r.PathValue("id")
	msg := r.Form.Get("message")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	_, isPost := s.resolve(target)
	parent, isComment := s.comments[target]
	if !isPost && (!isComment || parent.Deleted) {
		graphfake.NotFound(w, target)
		return
	}
	if strings.TrimSpace(msg) == "" {
		graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Missing message or attachment")
		return
	}
	from, name := tok.PageID, ""
	if p, ok := s.PageLocked(from); ok {
		name = p.Name
	}
	c := &Comment{ID: s.NextID() + "_" + s.NextID(), Parent: target, FromID: from, FromName: name, Message: msg, Created: s.Now()}
	s.comments[c.ID] = c
	s.corder = append(s.corder, c.ID)
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": c.ID})
}

func (s *Server) readComments(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	target := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var data []any
	for _, cid := range s.corder {
		if c := s.comments[cid]; !c.Deleted && c.Parent == target {
			data = append(data, s.commentJSON(c))
		}
	}
	if r.Form.Get("order") == "reverse_chronological" {
		slices.Reverse(data)
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	id := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if p, ok := s.resolve(id); ok && p.PageID == tok.PageID {
		p.Deleted = true
		graphfake.JSON(w, http.StatusOK, map[string]bool{"success": true})
		return
	}
	if c, ok := s.comments[id]; ok && !c.Deleted && c.FromID == tok.PageID {
		c.Deleted = true
		graphfake.JSON(w, http.StatusOK, map[string]bool{"success": true})
		return
	}
	graphfake.NotFound(w, id)
}

func (s *Server) commentCount(id string) int64 {
	var n int64
	for _, c := range s.comments {
		if !c.Deleted && c.Parent == id {
			n++
		}
	}
	return n
}

func (s *Server) read(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	if s.readPage(w, r, tok) {
		return
	}
	id := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	p, ok := s.resolve(id)
	if !ok {
		graphfake.NotFound(w, id)
		return
	}
	out := map[string]any{"id": id}
	for _, f := range graphfake.Fields(r.Form.Get("fields")) {
		switch f {
		case "message":
			out["message"] = p.Message
		case "reactions":
			out["reactions"] = map[string]any{"data": []any{}, "summary": map[string]any{"total_count": p.Reacts, "viewer_reaction": "NONE"}}
		case "comments":
			out["comments"] = map[string]any{"data": []any{}, "summary": map[string]any{"total_count": s.commentCount(p.ID), "order": "ranked"}}
		case "shares":
			if p.VideoID == id {
				graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Tried accessing nonexisting field (shares) on node type (Video)")
				return
			}
			if p.Shares > 0 {
				out["shares"] = map[string]int64{"count": p.Shares}
			}
		}
	}
	graphfake.JSON(w, http.StatusOK, out)
}

func (s *Server) insights(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	id := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	p, ok := s.resolve(id)
	if !ok {
		graphfake.NotFound(w, id)
		return
	}
	var data []any
	for _, m := range strings.Split(r.Form.Get("metric"), ",") {
		if m != "post_media_view" {
			graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The value must be a valid insights metric")
			return
		}
		data = append(data, map[string]any{"name": m, "period": "lifetime", "title": "Views",
			"values": []any{map[string]any{"value": p.Views}}, "id": id + "/insights/" + m + "/lifetime"})
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

// Posts returns the page's posts, oldest first (deleted ones included).
func (s *Server) Posts(pageID string) []Post {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var out []Post
	for _, id := range s.order {
		if p := s.posts[id]; p.PageID == pageID {
			out = append(out, *p)
		}
	}
	return out
}

// Comments returns every comment, oldest first.
func (s *Server) Comments() []Comment {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var out []Comment
	for _, id := range s.corder {
		out = append(out, *s.comments[id])
	}
	return out
}

// SetCounts sets a post's reactions, shares and views.
func (s *Server) SetCounts(id string, reactions, shares, views int64) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if p, ok := s.resolve(id); ok {
		p.Reacts, p.Shares, p.Views = reactions, shares, views
	}
}

// CommentAs makes a person comment on a post or a comment.
func (s *Server) CommentAs(fromID, fromName, on, message string) string {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	c := &Comment{ID: s.NextID() + "_" + s.NextID(), Parent: on, FromID: fromID, FromName: fromName, Message: message, Created: s.Now()}
	s.comments[c.ID] = c
	s.corder = append(s.corder, c.ID)
	return c.ID
}

// ThrottledFault is Meta's Pages throttling answer (code 80001) on route.
func ThrottledFault(route, pageID string, minutes int) graphfake.Fault {
	return graphfake.Throttled(route, pageID, "pages", 80001, minutes)
}
