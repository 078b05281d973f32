package linkedinfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() {
	s.handle("GET /oauth/v2/authorization", false, s.authorize)
	s.handle("POST /oauth/v2/accessToken", false, s.token)
	s.handle("GET /v2/userinfo", true, s.userinfo)
	s.handle("GET /rest/organizationAcls", true, s.acls)
	s.handle("GET /rest/organizations/{id}", true, s.organization)
	s.handle("POST /rest/images", true, s.initializeUpload)
	s.handle("PUT /upload/{image}", true, s.upload)
	s.handle("POST /rest/posts", true, s.createPost)
	s.handle("GET /rest/posts", true, s.listPosts)
	s.handle("DELETE /rest/posts/{urn}", true, s.deletePost)
	s.handle("GET /rest/socialActions/{urn}", true, s.socialActions)
	s.handle("GET /rest/organizationalEntityShareStatistics", true, s.shareStatistics)
	s.handle(RouteNetworkSizes, true, s.networkSizes)
	s.handle("GET /rest/socialActions/{urn}/comments", true, s.listComments)
	s.handle("POST /rest/socialActions/{urn}/comments", true, s.createComment)
	s.handle("DELETE /rest/socialActions/{urn}/comments/{id}", true, s.deleteComment)
	s.videoRoutes()
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request, _ string) {
	q := r.URL.Query()
	if q.Get("client_id") != s.ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" || q.Get("state") == "" {
		http.Error(w, "invalid authorization request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	code := "code-" + s.id()
	s.codes[code] = q.Get("redirect_uri") + " " + q.Get("scope")
	s.mu.Unlock()
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	v := u.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request, _ string) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") != s.ClientID || r.PostForm.Get("client_secret") != s.ClientSecret {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var scopes string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		saved, ok := s.codes[r.PostForm.Get("code")]
		redirect, sc, _ := strings.Cut(saved, " ")
		if !ok || redirect != r.PostForm.Get("redirect_uri") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "Unable to retrieve access token: authorization code not found"})
			return
		}
		delete(s.codes, r.PostForm.Get("code"))
		scopes = sc
	case "refresh_token":
		sc, ok := s.refresh[r.PostForm.Get("refresh_token")]
		if !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "The provided refresh token is invalid"})
			return
		}
		scopes = sc
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type is not supported"})
		return
	}
	access := "AQV" + s.id()
	s.tokens[access] = &token{person: "urn:li:person:" + s.MemberSub, scopes: scopes, expires: s.now().Add(60 * 24 * time.Hour)}
	out := map[string]any{"access_token": access, "expires_in": 5184000, "scope": strings.ReplaceAll(scopes, " ", ",")}
	if s.GrantRefresh {
		rt := "AQW" + s.id()
		s.refresh[rt] = scopes
		out["refresh_token"], out["refresh_token_expires_in"] = rt, 31536000
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) userinfo(w http.ResponseWriter, _ *http.Request, person string) {
	writeJSON(w, http.StatusOK, map[string]any{"sub": strings.TrimPrefix(person, "urn:li:person:"), "name": s.MemberName,
		"given_name": s.MemberName, "picture": "https://media.licdn.com/dms/image/" + s.MemberSub, "email_verified": true})
}

func (s *Server) acls(w http.ResponseWriter, r *http.Request, person string) {
	q := r.URL.Query()
	if q.Get("q") != "roleAssignee" {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "q must be roleAssignee")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	els := []any{}
	for _, o := range s.orgs {
		for _, a := range o.Admins {
			if a == person && (q.Get("role") == "" || q.Get("role") == "ADMINISTRATOR") {
				els = append(els, map[string]any{"organization": "urn:li:organization:" + strconv.FormatInt(o.ID, 10),
					"role": "ADMINISTRATOR", "roleAssignee": person, "state": "APPROVED"})
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"elements": els, "paging": map[string]any{"count": 10, "start": 0, "total": len(els)}})
}

func (s *Server) organization(w http.ResponseWriter, r *http.Request, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		if strconv.FormatInt(o.ID, 10) == r.PathValue("id") {
			writeJSON(w, http.StatusOK, map[string]any{"id": o.ID, "localizedName": o.Name, "vanityName": o.VanityName})
			return
		}
	}
	apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Organization not found")
}

// canAct says whether person may act as author (held lock).
func (s *Server) canAct(person, author string) bool {
	if author == person {
		return true
	}
	for _, o := range s.orgs {
		if author == "urn:li:organization:"+strconv.FormatInt(o.ID, 10) {
			for _, a := range o.Admins {
				if a == person {
					return true
				}
			}
		}
	}
	return false
}

func (s *Server) initializeUpload(w http.ResponseWriter, r *http.Request, person string) {
	var rq struct {
		InitializeUploadRequest struct {
			Owner string `json:"owner"`
		} `json:"initializeUploadRequest"`
	}
	if r.URL.Query().Get("action") != "initializeUpload" || json.NewDecoder(r.Body).Decode(&rq) != nil {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "expected action=initializeUpload with initializeUploadRequest")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canAct(person, rq.InitializeUploadRequest.Owner) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to upload for "+rq.InitializeUploadRequest.Owner)
		return
	}
	img := "urn:li:image:D4E" + s.id()
	s.images[img] = false
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": map[string]any{"uploadUrlExpiresAt": s.now().Add(time.Hour).UnixMilli(),
		"uploadUrl": scheme + "://" + r.Host + "/upload/" + url.PathEscape(strings.TrimPrefix(img, "urn:li:image:")), "image": img}})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request, _ string) {
	b, err := io.ReadAll(r.Body)
	img := "urn:li:image:" + r.PathValue("image")
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.images[img]; !ok || err != nil || len(b) == 0 {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "no such upload, or an empty one")
		return
	}
	s.images[img] = true
	w.WriteHeader(http.StatusCreated)
}

type postRequest struct {
	Author       string `json:"author"`
	Commentary   string `json:"commentary"`
	Visibility   string `json:"visibility"`
	Distribution *struct {
		FeedDistribution string `json:"feedDistribution"`
	} `json:"distribution"`
	LifecycleState string `json:"lifecycleState"`
	Content        *struct {
		Media      *imageRef `json:"media"`
		MultiImage *struct {
			Images []imageRef `json:"images"`
		} `json:"multiImage"`
		Article *struct {
			Source           string `json:"source"`
			Title            string `json:"title"`
			Description      string `json:"description"`
			Thumbnail        string `json:"thumbnail"`
			ThumbnailAltText string `json:"thumbnailAltText"`
		} `json:"article"`
	} `json:"content"`
}

type imageRef struct {
	ID      string `json:"id"`
	AltText string `json:"altText"`
}

func (s *Server) createPost(w http.ResponseWriter, r *http.Request, person string) {
	var rq postRequest
	if err := json.NewDecoder(r.Body).Decode(&rq); err != nil {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "Request body could not be converted to data map")
		return
	}
	var missing []string
	if rq.Author == "" {
		missing = append(missing, "ERROR :: /author :: field is required but not found and has no default value")
	}
	if rq.Visibility == "" {
		missing = append(missing, "ERROR :: /visibility :: field is required but not found and has no default value")
	}
	if rq.Distribution == nil || rq.Distribution.FeedDistribution == "" {
		missing = append(missing, "ERROR :: /distribution :: field is required but not found and has no default value")
	}
	if rq.LifecycleState != "PUBLISHED" {
		missing = append(missing, "ERROR :: /lifecycleState :: must be PUBLISHED")
	}
	if len(missing) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": 422, "message": strings.Join(missing, "\n")})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canAct(person, rq.Author) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to post as "+rq.Author)
		return
	}
	if rq.Visibility == "CONNECTIONS" && strings.HasPrefix(rq.Author, "urn:li:organization:") {
		apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_VISIBILITY", "Organizations can only post with PUBLIC visibility")
		return
	}
	if len([]rune(unescape(rq.Commentary))) > 3000 {
		apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "commentary is longer than 3000 characters")
		return
	}
	var imgs []imageRef
	if rq.Content != nil {
		if rq.Content.Media != nil {
			imgs = append(imgs, *rq.Content.Media)
		}
		if rq.Content.MultiImage != nil {
			if n := len(rq.Content.MultiImage.Images); n < 2 || n > 20 {
				apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "multiImage takes 2 to 20 images")
				return
			}
			imgs = append(imgs, rq.Content.MultiImage.Images...)
		}
	}
	p := &Post{Author: rq.Author, Commentary: rq.Commentary, Visibility: rq.Visibility}
	if a := rq.Content; a != nil && a.Article != nil {
		if a.Media != nil || a.MultiImage != nil {
			apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "content takes one of media, multiImage and article")
			return
		}
		if u, err := url.Parse(a.Article.Source); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "ERROR :: /content/article/source :: is not a valid URL")
			return
		}
		if a.Article.Title == "" {
			missing := "ERROR :: /content/article/title :: field is required but not found and has no default value"
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"status": 422, "message": missing})
			return
		}
		p.Article = &Article{Source: a.Article.Source, Title: a.Article.Title, Description: a.Article.Description,
			Thumbnail: a.Article.Thumbnail, ThumbnailAltText: a.Article.ThumbnailAltText}
		if a.Article.Thumbnail != "" {
			imgs = append(imgs, imageRef{ID: a.Article.Thumbnail, AltText: a.Article.ThumbnailAltText})
		}
	}
	if len(imgs) == 1 && strings.HasPrefix(imgs[0].ID, "urn:li:video:") && rq.Content.Media != nil {
		v, ok := s.videos[imgs[0].ID]
		switch {
		case !ok || v.Owner != rq.Author:
			apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "the video "+imgs[0].ID+" does not belong to "+rq.Author)
			return
		case v.Status != "AVAILABLE":
			apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "the video "+imgs[0].ID+" is "+v.Status+", not AVAILABLE")
			return
		}
		if imgs[0].AltText != "" {
			s.violate("POST /rest/posts: altText sent with a video")
		}
		p.Video, imgs = v.URN, nil
	}
	for _, im := range imgs {
		if !s.images[im.ID] {
			apiError(w, http.StatusUnprocessableEntity, 100, "INVALID_CONTENT", "the image "+im.ID+" was not uploaded")
			return
		}
		p.Images, p.AltTexts = append(p.Images, im.ID), append(p.AltTexts, im.AltText)
	}
	for _, o := range s.posts {
		if !o.Deleted && o.Parent == "" && o.Author == p.Author && o.Commentary == p.Commentary && len(o.Images) == len(p.Images) && o.Video == p.Video &&
			(o.Article == nil) == (p.Article == nil) {
			apiError(w, http.StatusUnprocessableEntity, 0, "DUPLICATE_POST", "Content is a duplicate of "+o.URN)
			return
		}
	}
	p.URN, p.CreatedAt = "urn:li:share:"+s.id(), s.ms()
	s.posts = append(s.posts, p)
	w.Header().Set("X-RestLi-Id", p.URN)
	w.WriteHeader(http.StatusCreated)
}

// unescape undoes little text's backslashes.
func unescape(s string) string {
	var b strings.Builder
	esc := false
	for _, r := range s {
		if r == '\\' && !esc {
			esc = true
			continue
		}
		esc = false
		b.WriteRune(r)
	}
	return b.String()
}

func (s *Server) live(urn string) *Post {
	for _, p := range s.posts {
		if p.URN == urn && !p.Deleted {
			return p
		}
	}
	return nil
}

func (s *Server) listPosts(w http.ResponseWriter, r *http.Request, person string) {
	q := r.URL.Query()
	if q.Get("q") != "author" || q.Get("author") == "" {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "q=author and author are required")
		return
	}
	count := 10
	if n, err := strconv.Atoi(q.Get("count")); err == nil && n > 0 && n <= 100 {
		count = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canAct(person, q.Get("author")) || (s.MemberReadRestricted && strings.HasPrefix(q.Get("author"), "urn:li:person:")) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to read the posts of "+q.Get("author"))
		return
	}
	els := []any{}
	for i := len(s.posts) - 1; i >= 0 && len(els) < count; i-- {
		p := s.posts[i]
		if p.Deleted || p.Parent != "" || p.Author != q.Get("author") {
			continue
		}
		els = append(els, map[string]any{"id": p.URN, "author": p.Author, "commentary": p.Commentary, "visibility": p.Visibility,
			"lifecycleState": "PUBLISHED", "createdAt": p.CreatedAt, "lastModifiedAt": p.CreatedAt, "publishedAt": p.CreatedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"elements": els, "paging": map[string]any{"count": count, "start": 0}})
}

func (s *Server) deletePost(w http.ResponseWriter, r *http.Request, person string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.live(r.PathValue("urn"))
	if p == nil || p.Parent != "" {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Post not found")
		return
	}
	if !s.canAct(person, p.Author) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to delete "+p.URN)
		return
	}
	p.Deleted = true
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) socialActions(w http.ResponseWriter, r *http.Request, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.live(r.PathValue("urn"))
	if p == nil {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Not found")
		return
	}
	out := map[string]any{"target": p.URN}
	if p.Likes >= 0 {
		out["likesSummary"] = map[string]any{"totalLikes": p.Likes, "likedByCurrentUser": false}
	}
	if p.Comments >= 0 {
		n := p.Comments
		for _, c := range s.posts {
			if c.Parent == p.URN && !c.Deleted {
				n++
			}
		}
		out["commentsSummary"] = map[string]any{"aggregatedTotalComments": n, "totalFirstLevelComments": n}
	}
	writeJSON(w, http.StatusOK, out)
}

// addComment adds a comment (held lock).
func (s *Server) addComment(author, parent, text string) *Post {
	id := s.id()
	object := parent
	if strings.HasPrefix(parent, "urn:li:comment:(") {
		object = strings.TrimPrefix(parent, "urn:li:comment:(")
		object = object[:strings.LastIndex(object, ",")]
	}
	c := &Post{URN: "urn:li:comment:(" + object + "," + id + ")", Author: author, Commentary: text, Parent: parent, CreatedAt: s.ms()}
	s.posts = append(s.posts, c)
	return c
}

func commentJSON(c *Post) map[string]any {
	object := strings.TrimPrefix(c.URN, "urn:li:comment:(")
	i := strings.LastIndex(object, ",")
	out := map[string]any{"id": object[i+1 : len(object)-1], "commentUrn": c.URN, "actor": c.Author, "object": object[:i],
		"message": map[string]any{"text": c.Commentary}, "created": map[string]any{"actor": c.Author, "time": c.CreatedAt}}
	if strings.HasPrefix(c.Parent, "urn:li:comment:") {
		out["parentComment"] = c.Parent
	}
	return out
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, _ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	target := r.PathValue("urn")
	p := s.live(target)
	if p == nil {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Not found")
		return
	}
	if s.MemberReadRestricted && strings.HasPrefix(p.Author, "urn:li:person:") {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to access: GET /socialActions/comments")
		return
	}
	els := []any{}
	for _, c := range s.posts {
		if c.Parent == target && !c.Deleted {
			els = append(els, commentJSON(c))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"elements": els, "paging": map[string]any{"count": len(els), "start": 0}})
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, person string) {
	var rq struct {
		Actor         string `json:"actor"`
		Object        string `json:"object"`
		ParentComment string `json:"parentComment"`
		Message       struct {
			Text string `json:"text"`
		} `json:"message"`
	}
	if err := json.NewDecoder(r.Body).Decode(&rq); err != nil || rq.Actor == "" || rq.Message.Text == "" {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "actor and message are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	target := r.PathValue("urn")
	if s.live(target) == nil {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Not found")
		return
	}
	if rq.ParentComment != "" && rq.ParentComment != target {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "parentComment must be the comment in the path")
		return
	}
	if !s.canAct(person, rq.Actor) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to comment as "+rq.Actor)
		return
	}
	c := s.addComment(rq.Actor, target, rq.Message.Text)
	j := commentJSON(c)
	w.Header().Set("X-RestLi-Id", j["id"].(string))
	writeJSON(w, http.StatusCreated, j)
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, person string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	urn := "urn:li:comment:(" + r.PathValue("urn") + "," + r.PathValue("id") + ")"
	c := s.live(urn)
	if c == nil {
		apiError(w, http.StatusNotFound, 100, "NOT_FOUND", "Comment not found")
		return
	}
	if r.URL.Query().Get("actor") != c.Author || !s.canAct(person, c.Author) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to delete the comment")
		return
	}
	c.Deleted = true
	w.WriteHeader(http.StatusNoContent)
}

// listParam reads a Rest.li 2.0 List(…) query value from the raw query:
// the URNs in it are encoded, the parentheses and commas are not.
func (s *Server) listParam(raw, name string) ([]string, bool) {
	for _, kv := range strings.Split(raw, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if k != name {
			continue
		}
		inner, ok := strings.CutPrefix(v, "List(")
		if !ok || !strings.HasSuffix(inner, ")") {
			s.violate("%s=%s: want a Rest.li List(…)", name, v)
			return nil, false
		}
		var out []string
		for _, item := range strings.Split(strings.TrimSuffix(inner, ")"), ",") {
			if strings.Contains(item, ":") {
				s.violate("%s: URN %q not URL-encoded inside List(…)", name, item)
			}
			u, err := url.QueryUnescape(item)
			if err != nil {
				return nil, false
			}
			out = append(out, u)
		}
		return out, true
	}
	return nil, true
}

func (s *Server) shareStatistics(w http.ResponseWriter, r *http.Request, person string) {
	q := r.URL.Query()
	org := q.Get("organizationalEntity")
	shares, ok1 := s.listParam(r.URL.RawQuery, "shares")
	ugc, ok2 := s.listParam(r.URL.RawQuery, "ugcPosts")
	if q.Get("q") != "organizationalEntity" || !strings.HasPrefix(org, "urn:li:organization:") || !ok1 || !ok2 {
		apiError(w, http.StatusBadRequest, 100, "ILLEGAL_ARGUMENT", "q=organizationalEntity, an organization and List(…) of posts are required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.canAct(person, org) {
		apiError(w, http.StatusForbidden, 100, "ACCESS_DENIED", "Not enough permissions to read the statistics of "+org)
		return
	}
	els := []any{}
	for kind, urns := range map[string][]string{"share": shares, "ugcPost": ugc} {
		for _, urn := range urns {
			p := s.live(urn)
			if p == nil || p.Author != org {
				continue
			}
			els = append(els, map[string]any{kind: urn, "organizationalEntity": org,
				"totalShareStatistics": map[string]any{"shareCount": p.Shares, "impressionCount": p.Views,
					"likeCount": max(p.Likes, 0), "commentCount": max(p.Comments, 0), "clickCount": 0, "engagement": 0}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"elements": els, "paging": map[string]any{"count": len(els), "start": 0}})
}
