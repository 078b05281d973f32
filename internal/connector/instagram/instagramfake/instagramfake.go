// Package instagramfake is a fake of the Instagram API with Facebook Login
// endpoints Herald uses, on the shared Meta core (graphfake): containers
// on POST /{ig-user-id}/media (image_url, video_url, media_type,
// is_carousel_item, children, caption, alt_text, collaborators, location_id) with their status_code,
// POST /{ig-user-id}/media_publish, /{ig-user-id}/content_publishing_limit,
// /{ig-user-id}/media with comments, like_count and comments_count,
// /{ig-media-id}/insights (views, shares), comments and replies, and
// /{ig-user-id}/tags (others' media tagging the account, paged), and the
// IG User's followers_count, follows_count and media_count (GET
// /{ig-user-id}, audience.go).
package instagramfake

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
)

// Container is a media container.
type Container struct {
	ID, Owner, Type, Caption, URL, AltText string
	Item                                   bool
	Children                               []string
	Status                                 string
	Media                                  string   // the published media's id
	Collaborators                          []string // usernames invited to co-author
	Location                               string   // location_id: a Page with a location
}

// Media is a published post.
type Media struct {
	ID, Owner, Caption string
	Items              int
	Created            time.Time
	Likes, Shares      int64
	Views              int64
	Collaborators      []string // invited to co-author
	Location           string   // the location Page's id
}

// Comment is a comment or a reply.
type Comment struct {
	ID, On, Username, FromID, Text string
	Created                        time.Time
}

// Server is the fake.
type Server struct {
	*graphfake.Server
	containers map[string]*Container
	media      map[string]*Media
	order      []string
	comments   map[string]*Comment
	corder     []string
	tagged     []*Tagged // oldest first
	tagsDenied map[string]bool
	audience   map[string]igCounts // Instagram account id → followers and follows (audience.go)
	// QuotaTotal is config.quota_total (default 100).
	QuotaTotal int
}

// Routes.
var (
	RoutePublish  = "POST " + graphfake.Prefix + "/{id}/media_publish"
	RouteComments = "POST " + graphfake.Prefix + "/{id}/comments"
)

// New returns the fake.
func New(cfg graphfake.Config) *Server {
	s := &Server{Server: graphfake.New(cfg), containers: map[string]*Container{}, media: map[string]*Media{},
		comments: map[string]*Comment{}, tagsDenied: map[string]bool{}, audience: map[string]igCounts{}, QuotaTotal: 100}
	p := graphfake.Prefix
	s.Handle("POST "+p+"/{id}/media", s.createContainer)
	s.Handle(RoutePublish, s.publish)
	s.Handle("GET "+p+"/{id}/media", s.listMedia)
	s.Handle("GET "+p+"/{id}/content_publishing_limit", s.limit)
	s.Handle("GET "+p+"/{id}", s.read)
	s.Handle("GET "+p+"/{id}/insights", s.insights)
	s.Handle(RouteComments, s.comment)
	s.Handle("GET "+p+"/{id}/comments", s.readComments)
	s.Handle("POST "+p+"/{id}/replies", s.comment)
	s.Handle(RouteTags, s.tags)
	return s
}

// owner checks that tok is the page token of the Page linked to the
// Instagram account in the path. Callers hold Mu.
func (s *Server) owner(w http.ResponseWriter, r *http.Request, tok graphfake.Token) (*graphfake.Page, bool) {
	id := r.PathValue("id")
	p, ok := s.PageOfIG(id)
	if !ok || tok.PageID != p.ID {
		graphfake.Error(w, http.StatusBadRequest, 100, 33, "GraphMethodException",
			"Unsupported request. Object with ID '"+id+"' does not exist, cannot be loaded due to missing permissions, or does not support this operation.")
		return nil, false
	}
	return p, true
}

func publicURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && u.Scheme == "https" && u.Host != ""
}

func (s *Server) createContainer(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if _, ok := s.owner(w, r, tok); !ok {
		return
	}
	f := r.Form
	c := &Container{ID: s.NextID(), Owner: r.PathValue("id"), Type: f.Get("media_type"), Caption: f.Get("caption"),
		AltText: f.Get("alt_text"), Item: f.Get("is_carousel_item") == "true", Status: "FINISHED"}
	bad := func(msg string) {
		graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) "+msg)
	}
	switch c.Type {
	case "CAROUSEL":
		for _, id := range strings.Split(f.Get("children"), ",") {
			ch, ok := s.containers[id]
			if !ok || !ch.Item || ch.Owner != c.Owner {
				bad("The children must be carousel item containers of this account")
				return
			}
			c.Children = append(c.Children, id)
		}
		if len(c.Children) < 2 || len(c.Children) > 10 {
			bad("A carousel takes 2 to 10 children")
			return
		}
	case "REELS", "VIDEO", "STORIES":
		c.URL = f.Get("video_url")
		if c.URL == "" {
			c.URL = f.Get("image_url")
		}
	case "":
		c.URL = f.Get("image_url")
	default:
		bad("media_type is not one of REELS, VIDEO, STORIES, CAROUSEL")
		return
	}
	if c.Type != "CAROUSEL" && !publicURL(c.URL) {
		s.ViolationLocked("POST media: the media address %q is not a public https URL", c.URL)
		bad("The media URL must be a public https address")
		return
	}
	if len([]rune(c.Caption)) > 2200 {
		bad("The caption is longer than 2200 characters")
		return
	}
	if v := f.Get("collaborators"); v != "" {
		if c.Item || c.Type == "STORIES" {
			bad("collaborators are not supported on carousel items or stories")
			return
		}
		if err := json.Unmarshal([]byte(v), &c.Collaborators); err != nil || len(c.Collaborators) > 3 {
			s.ViolationLocked("POST media: collaborators %q is not a JSON array of at most 3 usernames", v)
			bad("collaborators must be an array of at most 3 Instagram usernames")
			return
		}
	}
	if v := f.Get("location_id"); v != "" {
		if c.Item || c.Type == "STORIES" {
			bad("location_id is not supported on carousel items or stories")
			return
		}
		if strings.Trim(v, "0123456789") != "" {
			bad("location_id must be the id of a Page with a location")
			return
		}
		c.Location = v
	}
	s.containers[c.ID] = c
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": c.ID})
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if _, ok := s.owner(w, r, tok); !ok {
		return
	}
	c, ok := s.containers[r.Form.Get("creation_id")]
	switch {
	case !ok || c.Owner != r.PathValue("id") || c.Item:
		graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) The parameter creation_id is not a container of this account")
		return
	case c.Status == "PUBLISHED":
		s.ViolationLocked("media_publish: container %s published a second time", c.ID)
		graphfake.Error(w, http.StatusBadRequest, 9007, 2207008, "OAuthException", "The media has already been published")
		return
	case c.Status != "FINISHED":
		graphfake.Error(w, http.StatusBadRequest, 9007, 2207027, "OAuthException", "Media ID is not available")
		return
	}
	m := &Media{ID: "179" + s.NextID(), Owner: c.Owner, Caption: c.Caption, Items: max(1, len(c.Children)), Created: s.Now(),
		Collaborators: c.Collaborators, Location: c.Location}
	c.Status, c.Media = "PUBLISHED", m.ID
	s.media[m.ID] = m
	s.order = append(s.order, m.ID)
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": m.ID})
}

// ViolationLocked records a contract breach while Mu is held.
func (s *Server) ViolationLocked(format string, args ...any) {
	s.Mu.Unlock()
	defer s.Mu.Lock()
	s.Violation(format, args...)
}

func igTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05-0700") }

func (s *Server) listMedia(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if _, ok := s.owner(w, r, tok); !ok {
		return
	}
	fields := graphfake.Fields(r.Form.Get("fields"))
	var data []any
	for _, id := range slices.Backward(s.order) {
		m := s.media[id]
		if m.Owner != r.PathValue("id") {
			continue
		}
		out := map[string]any{"id": m.ID, "caption": m.Caption, "timestamp": igTime(m.Created),
			"permalink": "https://www.instagram.com/p/" + m.ID + "/"}
		if m.Items > 1 && slices.Contains(fields, "children") {
			var ch []any
			for i := range m.Items {
				ch = append(ch, map[string]any{"id": m.ID + "-" + string(rune('a'+i))})
			}
			out["children"] = map[string]any{"data": ch}
		}
		if slices.Contains(fields, "comments") {
			var cs []any
			for _, cid := range s.corder {
				if c := s.comments[cid]; c.On == m.ID {
					cs = append(cs, s.commentJSON(c))
				}
			}
			if len(cs) > 0 {
				out["comments"] = map[string]any{"data": cs}
			}
		}
		data = append(data, out)
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) commentJSON(c *Comment) map[string]any {
	return map[string]any{"id": c.ID, "text": c.Text, "username": c.Username, "timestamp": igTime(c.Created),
		"from": map[string]string{"id": c.FromID, "username": c.Username}}
}

func (s *Server) limit(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if _, ok := s.owner(w, r, tok); !ok {
		return
	}
	used := 0
	for _, m := range s.media {
		if m.Owner == r.PathValue("id") && s.Now().Sub(m.Created) < 24*time.Hour {
			used++
		}
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": []any{map[string]any{"quota_usage": used,
		"config": map[string]int{"quota_total": s.QuotaTotal, "quota_duration": 86400}}}})
}

func (s *Server) read(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	id := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if s.readUser(w, r, tok) {
		return
	}
	if c, ok := s.containers[id]; ok {
		graphfake.JSON(w, http.StatusOK, map[string]string{"id": c.ID, "status_code": c.Status, "status": c.Status})
		return
	}
	m, ok := s.media[id]
	if !ok {
		graphfake.NotFound(w, id)
		return
	}
	out := map[string]any{"id": m.ID}
	for _, f := range graphfake.Fields(r.Form.Get("fields")) {
		switch f {
		case "like_count":
			out[f] = m.Likes
		case "comments_count":
			n := 0
			for _, c := range s.comments {
				if c.On == m.ID {
					n++
				}
			}
			out[f] = n
		case "permalink":
			out[f] = "https://www.instagram.com/p/" + m.ID + "/"
		case "caption":
			out[f] = m.Caption
		}
	}
	graphfake.JSON(w, http.StatusOK, out)
}

func (s *Server) insights(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	id := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		graphfake.NotFound(w, id)
		return
	}
	var data []any
	for _, name := range strings.Split(r.Form.Get("metric"), ",") {
		var v int64
		switch name {
		case "views":
			v = m.Views
		case "shares":
			v = m.Shares
		default:
			graphfake.Error(w, http.StatusBadRequest, 100, 2108006, "OAuthException", "(#100) metric["+name+"] must be one of the supported values")
			return
		}
		data = append(data, map[string]any{"name": name, "period": "lifetime", "values": []any{map[string]int64{"value": v}}, "id": id + "/insights/" + name + "/lifetime"})
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	on := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	_, isMedia := s.media[on]
	_, isComment := s.comments[on]
	if !isMedia && !isComment {
		graphfake.NotFound(w, on)
		return
	}
	page, _ := s.PageLocked(tok.PageID)
	if page == nil || page.Instagram == nil {
		graphfake.Error(w, http.StatusBadRequest, 10, 0, "OAuthException", "(#10) Application does not have permission for this action")
		return
	}
	c := &Comment{ID: "180" + s.NextID(), On: on, Username: page.Instagram.Username, FromID: page.Instagram.ID,
		Text: r.Form.Get("message"), Created: s.Now()}
	s.comments[c.ID] = c
	s.corder = append(s.corder, c.ID)
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": c.ID})
}

func (s *Server) readComments(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	on := r.PathValue("id")
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var data []any
	for _, cid := range s.corder {
		if c := s.comments[cid]; c.On == on {
			data = append(data, s.commentJSON(c))
		}
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

// AllMedia returns the account's published media, oldest first.
func (s *Server) AllMedia(igID string) []Media {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var out []Media
	for _, id := range s.order {
		if m := s.media[id]; m.Owner == igID {
			out = append(out, *m)
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

// CommentAs makes someone comment on a media (or reply to a comment).
func (s *Server) CommentAs(username, on, text string) string {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	c := &Comment{ID: "180" + s.NextID(), On: on, Username: username, FromID: "9" + s.NextID(), Text: text, Created: s.Now()}
	s.comments[c.ID] = c
	s.corder = append(s.corder, c.ID)
	return c.ID
}

// SetCounts sets a media's likes, shares and views.
func (s *Server) SetCounts(id string, likes, shares, views int64) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if m, ok := s.media[id]; ok {
		m.Likes, m.Shares, m.Views = likes, shares, views
	}
}

// ContainerStatus returns a container's status_code.
func (s *Server) ContainerStatus(id string) string {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if c, ok := s.containers[id]; ok {
		return c.Status
	}
	return ""
}

// ThrottledFault is Meta's Instagram throttling answer (code 80002) on route.
func ThrottledFault(route, igID string, minutes int) graphfake.Fault {
	return graphfake.Throttled(route, igID, "instagram", 80002, minutes)
}

// Tagged is another account's media in which an account is tagged.
type Tagged struct {
	ID, Of, Username, Caption, MediaType string // Of: the tagged Instagram account's id
	Created                              time.Time
}

// RouteTags is GET /{ig-user-id}/tags.
var RouteTags = "GET " + graphfake.Prefix + "/{id}/tags"

// TagAs makes username publish an image tagging the Instagram account igID,
// and returns the media's id.
func (s *Server) TagAs(username, igID, caption string) string {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	m := &Tagged{ID: "179" + s.NextID(), Of: igID, Username: username, Caption: caption, MediaType: "IMAGE", Created: s.Now()}
	s.tagged = append(s.tagged, m)
	return m.ID
}

// DenyTags makes GET /{igID}/tags answer Meta's permission error (code
// 10), as for a Page role granted through Business Manager without
// ads_management or business_management.
func (s *Server) DenyTags(igID string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.tagsDenied[igID] = true
}

// tags is GET /{ig-user-id}/tags: public media of others that tag the
// account, newest first, with limit and before/after cursors (no next or
// previous links) while there are more pages.
func (s *Server) tags(w http.ResponseWriter, r *http.Request, tok graphfake.Token) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if _, ok := s.owner(w, r, tok); !ok {
		return
	}
	id := r.PathValue("id")
	if s.tagsDenied[id] {
		graphfake.Error(w, http.StatusForbidden, 10, 0, "OAuthException", "(#10) Application does not have permission for this action")
		return
	}
	var hits []*Tagged
	for _, m := range slices.Backward(s.tagged) {
		if m.Of == id {
			hits = append(hits, m)
		}
	}
	page, paging, bad := graphfake.Paginate(r, hits, func(m *Tagged) string { return m.ID })
	if bad != "" {
		s.ViolationLocked("tags: %s", bad)
		graphfake.Error(w, http.StatusBadRequest, 100, 0, "OAuthException", "(#100) Invalid parameter: "+bad)
		return
	}
	fields := graphfake.Fields(r.Form.Get("fields"))
	data := []any{}
	for _, m := range page {
		out := map[string]any{"id": m.ID}
		for _, f := range fields {
			switch f {
			case "caption":
				if m.Caption != "" {
					out["caption"] = m.Caption
				}
			case "username":
				out["username"] = m.Username
			case "permalink":
				out["permalink"] = "https://www.instagram.com/p/" + m.ID + "/"
			case "timestamp":
				out["timestamp"] = igTime(m.Created)
			case "media_type":
				out["media_type"] = m.MediaType
			case "id":
			default:
				s.ViolationLocked("tags: field %q is not one the fake knows on others' media", f)
			}
		}
		data = append(data, out)
	}
	out := map[string]any{"data": data}
	if paging != nil {
		out["paging"] = paging
	}
	graphfake.JSON(w, http.StatusOK, out)
}
