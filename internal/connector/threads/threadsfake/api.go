package threadsfake

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
	"github.com/heraldsocial/herald/internal/connector/threads"
)

// own checks that the path's user id is the token's user.
func (s *Server) own(w http.ResponseWriter, r *http.Request, tok Token) bool {
	if id := r.PathValue("id"); id != tok.UserID && id != "me" {
		s.Violation("%s %s: the path names user %s, the token is user %s's", r.Method, r.URL.Path, id, tok.UserID)
		Error(w, http.StatusBadRequest, metagraph.CodePermissionDenied, 0, "(#10) Application does not have permission for this action")
		return false
	}
	return true
}

func absoluteURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// createContainer is POST /{threads-user-id}/threads.
func (s *Server) createContainer(w http.ResponseWriter, r *http.Request, tok Token) {
	if !s.own(w, r, tok) {
		return
	}
	f := r.PostForm
	c := &Container{Owner: tok.UserID, MediaType: f.Get("media_type"), Text: f.Get("text"), AltText: f.Get("alt_text"),
		ReplyTo: f.Get("reply_to_id"), ReplyControl: f.Get("reply_control"), CarouselItem: f.Get("is_carousel_item") == "true",
		Status: threads.StatusFinished, Created: s.now()}
	bad := func(msg string) {
		s.Violation("POST threads: %s", msg)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, msg)
	}
	if n := threads.Length(c.Text); n > threads.MaxChars {
		bad("Param text must be at most 500 characters long.")
		return
	}
	switch c.ReplyControl {
	case "", "everyone", "accounts_you_follow", "mentioned_only", "parent_post_author_only", "followers_only":
	default:
		bad("Param reply_control is not valid.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	badLocked := func(msg string) {
		s.violations = append(s.violations, "POST threads: "+msg)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, msg)
	}
	if c.ReplyTo != "" {
		if p, ok := s.posts[c.ReplyTo]; !ok || p.Deleted {
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, metagraph.SubcodeNoObject, "The post to reply to does not exist.")
			return
		}
	}
	switch c.MediaType {
	case "TEXT":
		if c.CarouselItem || strings.TrimSpace(c.Text) == "" {
			badLocked("A TEXT container needs text and cannot be a carousel item.")
			return
		}
	case "IMAGE", "VIDEO":
		c.URL = f.Get("image_url")
		if c.MediaType == "VIDEO" {
			c.URL = f.Get("video_url")
			c.pendingPolls = s.VideoPolls
			if c.pendingPolls > 0 {
				c.Status = threads.StatusInProgress
			}
		}
		if !absoluteURL(c.URL) {
			badLocked("Param " + strings.ToLower(c.MediaType) + "_url must be a public URL.")
			return
		}
		if c.CarouselItem && (c.Text != "" || c.ReplyTo != "") {
			s.violations = append(s.violations, "POST threads: a carousel item carries text or reply_to_id (they go on the CAROUSEL container)")
		}
	case "CAROUSEL":
		ids := strings.Split(f.Get("children"), ",")
		if len(ids) < 2 || len(ids) > threads.MaxItems {
			s.violations = append(s.violations, "POST threads: a carousel has 2 to 20 children")
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "The carousel must have between 2 and 20 children.")
			return
		}
		for _, id := range ids {
			ch, ok := s.containers[id]
			if !ok || ch.Owner != tok.UserID || !ch.CarouselItem || ch.Status != threads.StatusFinished {
				s.violations = append(s.violations, "POST threads: child "+id+" is not a finished carousel item of the user")
				Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Invalid children: "+id)
				return
			}
		}
		c.Children = ids
	default:
		badLocked("Param media_type must be one of {TEXT, IMAGE, VIDEO, CAROUSEL}")
		return
	}
	c.ID = s.nextID()
	s.containers[c.ID] = c
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": c.ID})
}

// expire marks containers older than 24 hours EXPIRED. Callers hold mu.
func (s *Server) expire(c *Container) {
	if c.Status != threads.StatusPublished && s.now().Sub(c.Created) >= ContainerLife {
		c.Status = threads.StatusExpired
	}
}

// usage counts userID's posts (or replies) of the last 24 hours. Callers hold mu.
func (s *Server) usage(userID string, replies bool) int {
	n := 0
	since := s.now().Add(-24 * time.Hour)
	for _, p := range s.posts {
		if p.Owner == userID && (p.ReplyTo != "") == replies && p.Timestamp.After(since) {
			n++
		}
	}
	return n
}

// publish is POST /{threads-user-id}/threads_publish.
func (s *Server) publish(w http.ResponseWriter, r *http.Request, tok Token) {
	if !s.own(w, r, tok) {
		return
	}
	id := r.PostForm.Get("creation_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.containers[id]
	if !ok || c.Owner != tok.UserID {
		s.violations = append(s.violations, "threads_publish: unknown creation_id "+id)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, metagraph.SubcodeNoObject, "The media container "+id+" does not exist.")
		return
	}
	s.expire(c)
	switch {
	case c.CarouselItem:
		s.violations = append(s.violations, "threads_publish: a carousel item was published on its own")
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "A carousel item cannot be published on its own.")
		return
	case c.Status == threads.StatusPublished:
		s.violations = append(s.violations, "threads_publish: container "+id+" was published twice")
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "The media has already been published.")
		return
	case c.Status != threads.StatusFinished:
		s.violations = append(s.violations, "threads_publish: container "+id+" is "+c.Status+", not FINISHED")
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "The media is not ready to be published. Please wait a moment.")
		return
	}
	reply := c.ReplyTo != ""
	total := s.QuotaTotal
	if reply {
		total = s.ReplyQuotaTotal
	}
	if s.usage(tok.UserID, reply) >= total {
		Error(w, http.StatusBadRequest, metagraph.CodeTooManyCalls, 0, "The user has reached the publishing limit for the last 24 hours.")
		return
	}
	mediaType, items := c.MediaType, 0
	switch c.MediaType {
	case "TEXT":
		mediaType = "TEXT_POST"
	case "IMAGE", "VIDEO":
		items = 1
	case "CAROUSEL":
		mediaType, items = "CAROUSEL_ALBUM", len(c.Children)
	}
	p := s.addPost(tok.UserID, c.Text, mediaType, items, c.ReplyTo, c.ID)
	c.Status, c.Post = threads.StatusPublished, p.ID
	graphfake.JSON(w, http.StatusOK, map[string]string{"id": p.ID})
}

// view is a post's fields as the API gives them. Callers hold mu.
func (s *Server) view(p *Post, fields []string) map[string]any {
	out := map[string]any{"id": p.ID}
	for _, f := range fields {
		switch f {
		case "text":
			if p.Text != "" {
				out["text"] = p.Text
			}
		case "username":
			out["username"] = p.Username
		case "timestamp":
			out["timestamp"] = p.Timestamp.Format("2006-01-02T15:04:05-0700")
		case "permalink":
			out["permalink"] = "https://www.threads.com/@" + p.Username + "/post/" + p.ID
		case "media_type":
			out["media_type"] = p.MediaType
		case "media_product_type":
			out["media_product_type"] = "THREADS"
		case "children":
			if p.MediaType == "CAROUSEL_ALBUM" {
				var data []map[string]string
				for i := range p.Items {
					data = append(data, map[string]string{"id": p.ID + "-" + strconv.Itoa(i)})
				}
				out["children"] = map[string]any{"data": data}
			}
		case "replied_to":
			if p.ReplyTo != "" {
				out["replied_to"] = map[string]string{"id": p.ReplyTo}
			}
		case "root_post":
			out["root_post"] = map[string]string{"id": p.Root}
		case "is_reply":
			out["is_reply"] = p.ReplyTo != ""
		}
	}
	return out
}

// object is GET /{id}: a container's status or a post's fields.
func (s *Server) object(w http.ResponseWriter, r *http.Request, tok Token) {
	id := r.PathValue("id")
	fields := graphfake.Fields(r.Form.Get("fields"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.containers[id]; ok && c.Owner == tok.UserID {
		s.expire(c)
		if c.Status == threads.StatusInProgress {
			if c.pendingPolls--; c.pendingPolls <= 0 {
				c.Status = threads.StatusFinished
			}
		}
		out := map[string]any{"id": c.ID}
		if slices.Contains(fields, "status") {
			out["status"] = c.Status
		}
		if slices.Contains(fields, "error_message") && c.ErrorMessage != "" {
			out["error_message"] = c.ErrorMessage
		}
		graphfake.JSON(w, http.StatusOK, out)
		return
	}
	p, ok := s.posts[id]
	if !ok || p.Deleted {
		graphfake.NotFound(w, id)
		return
	}
	graphfake.JSON(w, http.StatusOK, s.view(p, fields))
}

// delete is DELETE /{threads-media-id}.
func (s *Server) delete(w http.ResponseWriter, r *http.Request, tok Token) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok || p.Deleted {
		graphfake.NotFound(w, id)
		return
	}
	if p.Owner != tok.UserID {
		Error(w, http.StatusBadRequest, metagraph.CodePermissionDenied, 0, "(#10) Application does not have permission for this action")
		return
	}
	p.Deleted = true
	graphfake.JSON(w, http.StatusOK, map[string]any{"success": true, "deleted_id": id})
}

// listing answers a list of posts, newest first, with since, until and limit.
func (s *Server) listing(w http.ResponseWriter, r *http.Request, keep func(*Post) bool) {
	fields := graphfake.Fields(r.Form.Get("fields"))
	limit := 25
	if n, err := strconv.Atoi(r.Form.Get("limit")); err == nil && n > 0 {
		limit = min(n, 100)
	}
	var since, until int64
	if v := r.Form.Get("since"); v != "" {
		since, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := r.Form.Get("until"); v != "" {
		until, _ = strconv.ParseInt(v, 10, 64)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	data := []map[string]any{}
	for i := len(s.order) - 1; i >= 0 && len(data) < limit; i-- {
		p := s.posts[s.order[i]]
		if p.Deleted || !keep(p) || (since > 0 && p.Timestamp.Unix() < since) || (until > 0 && p.Timestamp.Unix() > until) {
			continue
		}
		data = append(data, s.view(p, fields))
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data, "paging": map[string]any{"cursors": map[string]string{"before": "b", "after": "a"}}})
}

// list is GET /{threads-user-id}/threads: the user's posts (not replies).
func (s *Server) list(w http.ResponseWriter, r *http.Request, tok Token) {
	if !s.own(w, r, tok) {
		return
	}
	s.listing(w, r, func(p *Post) bool { return p.Owner == tok.UserID && p.ReplyTo == "" })
}

// replies is GET /{threads-user-id}/replies (the user's replies) or GET
// /{threads-media-id}/replies (the post's top-level replies).
func (s *Server) replies(w http.ResponseWriter, r *http.Request, tok Token) {
	id := r.PathValue("id")
	s.mu.Lock()
	_, isUser := s.users[id]
	s.mu.Unlock()
	if isUser || id == "me" {
		if !s.own(w, r, tok) {
			return
		}
		s.listing(w, r, func(p *Post) bool { return p.Owner == tok.UserID && p.ReplyTo != "" })
		return
	}
	s.listing(w, r, func(p *Post) bool { return p.ReplyTo == id })
}

// limit is GET /{threads-user-id}/threads_publishing_limit.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, tok Token) {
	if !s.own(w, r, tok) {
		return
	}
	fields := graphfake.Fields(r.Form.Get("fields"))
	s.mu.Lock()
	defer s.mu.Unlock()
	d := map[string]any{}
	for _, f := range fields {
		switch f {
		case "quota_usage":
			d[f] = s.usage(tok.UserID, false)
		case "config":
			d[f] = map[string]int{"quota_total": s.QuotaTotal, "quota_duration": 86400}
		case "reply_quota_usage":
			d[f] = s.usage(tok.UserID, true)
		case "reply_config":
			d[f] = map[string]int{"quota_total": s.ReplyQuotaTotal, "quota_duration": 86400}
		}
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": []any{d}})
}

// insights is GET /{threads-media-id}/insights?metric=….
func (s *Server) insights(w http.ResponseWriter, r *http.Request, tok Token) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.posts[id]
	if !ok || p.Deleted {
		graphfake.NotFound(w, id)
		return
	}
	if p.Owner != tok.UserID {
		Error(w, http.StatusBadRequest, metagraph.CodePermissionDenied, 0, "(#10) Application does not have permission for this action")
		return
	}
	replies := p.RepliesSet
	if replies < 0 {
		replies = 0
		for _, q := range s.posts {
			if !q.Deleted && q.ID != p.ID && (q.ReplyTo == p.ID || (p.ReplyTo == "" && q.Root == p.ID)) {
				replies++
			}
		}
	}
	counts := map[string]int64{"views": p.Views, "likes": p.Likes, "replies": replies, "reposts": p.Reposts, "quotes": p.Quotes}
	var data []map[string]any
	for _, m := range strings.Split(r.Form.Get("metric"), ",") {
		v, ok := counts[m]
		if !ok {
			s.violations = append(s.violations, "insights: unknown metric "+m)
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "(#100) metric["+m+"] must be one of the following values: views, likes, replies, reposts, quotes, shares")
			return
		}
		data = append(data, map[string]any{"name": m, "period": "lifetime", "values": []map[string]int64{{"value": v}},
			"title": m, "id": id + "/insights/" + m + "/lifetime"})
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data})
}

// conversation is GET /{threads-media-id}/conversation: every reply under
// the post at any depth, newest first unless reverse=false.
func (s *Server) conversation(w http.ResponseWriter, r *http.Request, tok Token) {
	id := r.PathValue("id")
	fields := graphfake.Fields(r.Form.Get("fields"))
	s.mu.Lock()
	defer s.mu.Unlock()
	root, ok := s.posts[id]
	if !ok || root.Deleted {
		graphfake.NotFound(w, id)
		return
	}
	under := map[string]bool{id: true}
	data := []map[string]any{}
	for _, pid := range s.order {
		p := s.posts[pid]
		if p.ReplyTo != "" && under[p.ReplyTo] {
			under[p.ID] = true
			if !p.Deleted {
				data = append(data, s.view(p, fields))
			}
		}
	}
	if r.Form.Get("reverse") != "false" {
		slices.Reverse(data)
	}
	graphfake.JSON(w, http.StatusOK, map[string]any{"data": data, "paging": map[string]any{"cursors": map[string]string{"before": "b", "after": "a"}}})
}

// sinceFloor is the earliest since the Mentions reference accepts
// (2023-07-05).
const sinceFloor = 1688540400

// mentions is GET /{threads-user-id}/mentions: other profiles' public
// posts that tag the user (@username in the text), newest first, with
// since, until and limit, and before/after cursors (no next or previous
// links) while there are more pages. It needs threads_manage_mentions.
func (s *Server) mentions(w http.ResponseWriter, r *http.Request, tok Token) {
	if !s.own(w, r, tok) {
		return
	}
	if !slices.Contains(tok.Scopes, ScopeMentions) {
		Error(w, http.StatusBadRequest, metagraph.CodePermissionDenied, 0, "(#10) Application does not have permission for this action")
		return
	}
	fields := graphfake.Fields(r.Form.Get("fields"))
	now := s.now().Unix()
	var since, until int64
	for name, dst := range map[string]*int64{"since": &since, "until": &until} {
		v := r.Form.Get(name)
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.Violation("mentions: %s %q is not a Unix timestamp", name, v)
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Invalid parameter: "+name)
			return
		}
		*dst = n
	}
	switch {
	case since != 0 && since < sinceFloor:
		s.Violation("mentions: since %d is before %d", since, sinceFloor)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Invalid parameter: since must be at least 1688540400")
		return
	case until != 0 && (until > now || (since != 0 && until <= since)):
		s.Violation("mentions: until %d must be after since and not in the future", until)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Invalid parameter: until")
		return
	case since != 0 && since > now:
		s.Violation("mentions: since %d is in the future", since)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Invalid parameter: since")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tag := "@" + strings.ToLower(s.users[tok.UserID].Username)
	var hits []*Post
	for i := len(s.order) - 1; i >= 0; i-- {
		p := s.posts[s.order[i]]
		if p.Deleted || p.Owner == tok.UserID || !tags(p.Text, tag) ||
			(since != 0 && p.Timestamp.Unix() < since) || (until != 0 && p.Timestamp.Unix() > until) {
			continue
		}
		hits = append(hits, p)
	}
	page, paging, bad := graphfake.Paginate(r, hits, func(p *Post) string { return p.ID })
	if bad != "" {
		s.violations = append(s.violations, "mentions: "+bad)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Invalid parameter: "+bad)
		return
	}
	data := []map[string]any{}
	for _, p := range page {
		data = append(data, s.view(p, fields))
	}
	out := map[string]any{"data": data}
	if paging != nil {
		out["paging"] = paging
	}
	graphfake.JSON(w, http.StatusOK, out)
}

// tags reports whether text names tag (lower case, with its @) as a whole
// handle: not followed by another letter, digit, dot or underscore.
func tags(text, tag string) bool {
	low := strings.ToLower(text)
	for i := 0; ; {
		j := strings.Index(low[i:], tag)
		if j < 0 {
			return false
		}
		k := i + j + len(tag)
		// A dot ends a handle unless a handle character follows it.
		if k == len(low) || !handleChar(low[k]) || (low[k] == '.' && (k+1 == len(low) || !handleChar(low[k+1]))) {
			return true
		}
		i = k
	}
}

func handleChar(b byte) bool {
	return b == '.' || b == '_' || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
}
