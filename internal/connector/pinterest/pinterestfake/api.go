package pinterestfake

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

func (s *Server) routes() {
	s.handle("GET /oauth/", "", s.authorize)
	s.handle("POST /v5/oauth/token", "", s.token)
	s.handle("GET /v5/user_account", "user_accounts:read", s.account)
	s.handle("GET /v5/boards", "boards:read", s.listBoards)
	s.handle("GET /v5/boards/{id}/pins", "pins:read", s.boardPins)
	s.handle("POST /v5/pins", "pins:write", s.createPin)
	s.handle("GET /v5/pins/{id}", "pins:read", s.getPin)
	s.handle("DELETE /v5/pins/{id}", "pins:write", s.deletePin)
	s.handle("GET /v5/pins/{id}/analytics", "pins:read", s.analytics)
	s.handle("POST /v5/media", "pins:write", s.registerMedia)
	s.handle("GET /v5/media/{id}", "pins:read", s.mediaStatus)
	s.handle("POST /upload/{id}", "", s.upload)
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.ClientID || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		http.Error(w, "invalid authorization request", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	code := "code-" + s.id()
	s.codes[code+" "+q.Get("scope")+" "+q.Get("redirect_uri")] = true
	s.mu.Unlock()
	u, _ := url.Parse(q.Get("redirect_uri"))
	rq := u.Query()
	rq.Set("code", code)
	rq.Set("state", q.Get("state"))
	u.RawQuery = rq.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.ClientID || secret != s.ClientSecret {
		apiError(w, http.StatusUnauthorized, 2, "Authentication failed.")
		return
	}
	if err := r.ParseForm(); err != nil {
		badRequest(w, "the form cannot be read")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var t *token
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		var scopes []string
		for k := range s.codes {
			parts := strings.SplitN(k, " ", 3)
			if parts[0] == r.PostForm.Get("code") && parts[2] == r.PostForm.Get("redirect_uri") {
				scopes = strings.Split(parts[1], ",")
				delete(s.codes, k)
			}
		}
		if scopes == nil {
			badRequest(w, "Invalid authorization code or redirect_uri.")
			return
		}
		t = s.issue(scopes)
	case "refresh_token":
		old, ok := s.refresh[r.PostForm.Get("refresh_token")]
		if !ok {
			badRequest(w, "Invalid refresh token.")
			return
		}
		delete(s.tokens, old.access)
		delete(s.refresh, old.refresh)
		t = s.issue(old.scopes)
	default:
		badRequest(w, "Unsupported grant_type.")
		return
	}
	out := map[string]any{"access_token": t.access, "token_type": "bearer", "expires_in": 2592000,
		"scope": strings.Join(t.scopes, ","), "response_type": r.PostForm.Get("grant_type")}
	if r.PostForm.Get("grant_type") == "authorization_code" || r.PostForm.Get("continuous_refresh") == "true" {
		out["refresh_token"], out["refresh_token_expires_in"] = t.refresh, 5184000
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"account_type": "BUSINESS", "id": "5500" + strconv.Itoa(len(s.username)),
		"username": s.username, "business_name": strings.ToUpper(s.username[:1]) + s.username[1:],
		"profile_image": "https://i.pinimg.com/75x75_RS/" + s.username + ".jpg", "website_url": ""})
}

func (s *Server) listBoards(w http.ResponseWriter, r *http.Request) {
	items := []any{}
	for _, b := range s.boards {
		items = append(items, map[string]any{"id": b, "name": "Board " + b, "description": "", "privacy": "PUBLIC"})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "bookmark": nil})
}

func (s *Server) boardExists(id string) bool { return has(s.boards, id) }

func (s *Server) pinJSON(p *Pin, metrics bool) map[string]any {
	j := map[string]any{"id": p.ID, "created_at": p.CreatedAt.UTC().Format("2006-01-02T15:04:05"), "board_id": p.BoardID,
		"title": p.Title, "description": p.Description, "link": nilIfEmpty(p.Link), "alt_text": nilIfEmpty(p.AltText),
		"note": p.Note, "board_owner": map[string]any{"username": s.username},
		"media": map[string]any{"media_type": mediaType(p.SourceType)}}
	if metrics {
		life := map[string]any{"pin_click": 0, "impression": p.Impressions, "clickthrough": 0}
		if !p.NoReactions {
			life["reaction"] = p.Reactions
		}
		if !p.NoComments {
			life["comment"] = p.Comments
		}
		j["pin_metrics"] = map[string]any{"90d": map[string]any{"pin_click": 0, "impression": p.Impressions, "clickthrough": 0},
			"lifetime_metrics": life}
	}
	return j
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func mediaType(source string) string {
	switch source {
	case "multiple_image_base64":
		return "multiple_images"
	case "video_id":
		return "video"
	}
	return "image"
}

func (s *Server) boardPins(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	board := r.PathValue("id")
	if !s.boardExists(board) {
		apiError(w, http.StatusNotFound, 40, "Board not found.")
		return
	}
	size := 25
	if n, err := strconv.Atoi(r.URL.Query().Get("page_size")); err == nil && n > 0 && n <= 250 {
		size = n
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("bookmark"))
	var list []*Pin
	for i := len(s.pins) - 1; i >= 0; i-- {
		if p := s.pins[i]; p.BoardID == board && !p.Deleted {
			list = append(list, p)
		}
	}
	items := []any{}
	for i := start; i < len(list) && i < start+size; i++ {
		items = append(items, s.pinJSON(list[i], false))
	}
	var bookmark any
	if start+size < len(list) {
		bookmark = strconv.Itoa(start + size)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "bookmark": bookmark})
}

type pinRequest struct {
	BoardID     string `json:"board_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Link        string `json:"link"`
	AltText     string `json:"alt_text"`
	Note        string `json:"note"`
	MediaSource struct {
		SourceType  string `json:"source_type"`
		ContentType string `json:"content_type"`
		Data        string `json:"data"`
		URL         string `json:"url"`
		MediaID     string `json:"media_id"`
		Items       []struct {
			ContentType string `json:"content_type"`
			Data        string `json:"data"`
		} `json:"items"`
	} `json:"media_source"`
}

func (s *Server) createPin(w http.ResponseWriter, r *http.Request) {
	var rq pinRequest
	if err := json.NewDecoder(r.Body).Decode(&rq); err != nil {
		badRequest(w, "Invalid request body: %v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !s.boardExists(rq.BoardID):
		apiError(w, http.StatusNotFound, 40, "Board not found.")
		return
	case utf8.RuneCountInString(rq.Title) > 100:
		badRequest(w, "Invalid parameters: title must be at most 100 characters.")
		return
	case utf8.RuneCountInString(rq.Description) > 500:
		badRequest(w, "Invalid parameters: description must be at most 500 characters.")
		return
	case utf8.RuneCountInString(rq.AltText) > 500:
		badRequest(w, "Invalid parameters: alt_text must be at most 500 characters.")
		return
	case utf8.RuneCountInString(rq.Note) > 500:
		badRequest(w, "Invalid parameters: note must be at most 500 characters.")
		return
	}
	p := &Pin{ID: s.id(), BoardID: rq.BoardID, Title: rq.Title, Description: rq.Description, Link: rq.Link,
		AltText: rq.AltText, Note: rq.Note, SourceType: rq.MediaSource.SourceType, CreatedAt: s.now()}
	decode := func(ct, data string) bool {
		b, err := base64.StdEncoding.DecodeString(data)
		if err != nil || len(b) == 0 || !strings.HasPrefix(ct, "image/") {
			return false
		}
		p.Images = append(p.Images, b)
		return true
	}
	switch rq.MediaSource.SourceType {
	case "image_base64":
		if !decode(rq.MediaSource.ContentType, rq.MediaSource.Data) {
			badRequest(w, "Invalid media_source: data must be a base64 image with its content_type.")
			return
		}
	case "multiple_image_base64":
		if n := len(rq.MediaSource.Items); n < 2 || n > 5 {
			badRequest(w, "Invalid media_source: a carousel takes 2 to 5 items.")
			return
		}
		for _, it := range rq.MediaSource.Items {
			if !decode(it.ContentType, it.Data) {
				badRequest(w, "Invalid media_source: every item must be a base64 image with its content_type.")
				return
			}
		}
	case "video_id":
		m, ok := s.media[rq.MediaSource.MediaID]
		if !ok || !m.uploaded || m.pollsLeft > 0 {
			badRequest(w, "Invalid media_source: the video is not uploaded and processed.")
			return
		}
		p.MediaID = rq.MediaSource.MediaID
	default:
		badRequest(w, "Invalid media_source: unknown source_type %q.", rq.MediaSource.SourceType)
		return
	}
	s.pins = append(s.pins, p)
	writeJSON(w, http.StatusCreated, s.pinJSON(p, false))
}

// livePin finds a pin not deleted. Callers hold s.mu.
func (s *Server) livePin(id string) *Pin {
	for _, p := range s.pins {
		if p.ID == id && !p.Deleted {
			return p
		}
	}
	return nil
}

func (s *Server) getPin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.livePin(r.PathValue("id"))
	if p == nil {
		apiError(w, http.StatusNotFound, 50, "Pin not found.")
		return
	}
	writeJSON(w, http.StatusOK, s.pinJSON(p, r.URL.Query().Get("pin_metrics") == "true"))
}

func (s *Server) deletePin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.livePin(r.PathValue("id"))
	if p == nil {
		apiError(w, http.StatusNotFound, 50, "Pin not found.")
		return
	}
	p.Deleted = true
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) analytics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	start, err1 := time.Parse("2006-01-02", q.Get("start_date"))
	end, err2 := time.Parse("2006-01-02", q.Get("end_date"))
	if err1 != nil || err2 != nil || end.Before(start) || end.Sub(start) > 90*24*time.Hour || q.Get("metric_types") == "" {
		badRequest(w, "Invalid parameters: start_date and end_date (at most 90 days apart) and metric_types are required.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.livePin(r.PathValue("id"))
	if p == nil {
		apiError(w, http.StatusNotFound, 50, "Pin not found.")
		return
	}
	counts := map[string]int64{"IMPRESSION": p.Impressions, "SAVE": p.Saves, "PIN_CLICK": 0, "OUTBOUND_CLICK": 0}
	summary := map[string]any{}
	for _, m := range strings.Split(q.Get("metric_types"), ",") {
		v, ok := counts[m]
		if !ok {
			badRequest(w, "Invalid parameters: unknown metric type %q.", m)
			return
		}
		summary[m] = v
	}
	writeJSON(w, http.StatusOK, map[string]any{"all": map[string]any{"summary_metrics": summary, "lifetime_metrics": summary,
		"daily_metrics": []any{map[string]any{"date": end.Format("2006-01-02"), "data_status": "READY", "metrics": summary}}}})
}

func (s *Server) registerMedia(w http.ResponseWriter, r *http.Request) {
	var rq struct {
		MediaType string `json:"media_type"`
	}
	if err := json.NewDecoder(r.Body).Decode(&rq); err != nil || rq.MediaType != "video" {
		badRequest(w, "Invalid parameters: media_type must be video.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.id()
	s.media[id] = &media{}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	writeJSON(w, http.StatusCreated, map[string]any{"media_id": id, "media_type": "video",
		"upload_url":        scheme + "://" + r.Host + "/upload/" + id,
		"upload_parameters": map[string]string{"key": "uploads/" + id, "policy": "p-" + id, "x-amz-signature": "sig-" + id}})
}

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := r.ParseMultipartForm(64 << 20); err != nil || r.FormValue("key") != "uploads/"+id || r.MultipartForm.File["file"] == nil {
		http.Error(w, "<Error><Code>InvalidArgument</Code></Error>", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		http.Error(w, "<Error><Code>NoSuchUpload</Code></Error>", http.StatusNotFound)
		return
	}
	m.uploaded, m.pollsLeft = true, s.ProcessingPolls
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) mediaStatus(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[r.PathValue("id")]
	if !ok {
		apiError(w, http.StatusNotFound, 50, "Media not found.")
		return
	}
	status := "registered"
	switch {
	case m.uploaded && m.pollsLeft > 0:
		status = "processing"
		m.pollsLeft--
	case m.uploaded:
		status = "succeeded"
	}
	writeJSON(w, http.StatusOK, map[string]any{"media_id": r.PathValue("id"), "media_type": "video", "status": status})
}
