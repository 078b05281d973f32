package mastodonfake

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/v1/apps", s.createApp)
	m.HandleFunc("GET /oauth/authorize", s.authorize)
	m.HandleFunc("POST /oauth/token", s.token)
	m.HandleFunc("GET /api/v1/accounts/verify_credentials", s.verify)
	m.HandleFunc("GET /api/v2/instance", s.instanceV2)
	m.HandleFunc("GET /api/v1/instance", s.instanceV1)
	m.HandleFunc("POST /api/v1/statuses", s.createStatus)
	m.HandleFunc("GET /api/v1/statuses/{id}", s.getStatus)
	m.HandleFunc("PUT /api/v1/statuses/{id}", s.editStatus)
	m.HandleFunc("DELETE /api/v1/statuses/{id}", s.deleteStatus)
	m.HandleFunc("GET /api/v1/statuses/{id}/source", s.statusSource)
	m.HandleFunc("GET /api/v1/statuses/{id}/context", s.statusContext)
	m.HandleFunc("POST /api/v1/statuses/{id}/favourite", s.favourite)
	m.HandleFunc("POST /api/v1/statuses/{id}/reblog", s.reblog)
	m.HandleFunc("GET /api/v1/accounts/{id}/statuses", s.accountStatuses)
	m.HandleFunc("GET /api/v1/accounts/lookup", s.lookupAccount)
	m.HandleFunc("POST /api/v2/media", s.upload)
	m.HandleFunc("GET /api/v1/media/{id}", s.getMedia)
	m.HandleFunc("GET /api/v1/notifications", s.listNotifications)
	m.HandleFunc("GET /api/v1/conversations", s.listConversations)
	m.HandleFunc("GET /api/v2/search", s.search)
	m.HandleFunc("GET /api/v1/timelines/tag/{hashtag}", s.tagTimeline)
	m.HandleFunc("GET /users/{user}/statuses/{id}", s.note)
	m.HandleFunc("GET /{user}/{id}", s.note)
	m.HandleFunc("GET /.well-known/nodeinfo", s.nodeinfoIndex)
	m.HandleFunc("GET /nodeinfo/2.0", s.nodeinfo)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { writeError(w, http.StatusNotFound, "Record not found") })
	s.mux = m
}

func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:accounts")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.accountJSON(baseURL(r), a)
	out["source"] = map[string]any{"privacy": s.cfg.DefaultPrivacy, "sensitive": false, "language": "", "note": "", "fields": []any{}, "follow_requests_count": 0, "indexable": true}
	out["role"] = map[string]any{"id": "-99", "name": "", "permissions": "0", "color": "", "highlighted": false}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) instanceV2(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	cfg := s.cfg
	domain := s.domain(r)
	users := 0
	for _, a := range s.accounts {
		if a.Domain == "" {
			users++
		}
	}
	s.mu.Unlock()
	if cfg.NoV2Instance {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	base := baseURL(r)
	writeJSON(w, http.StatusOK, map[string]any{
		"domain": domain, "title": "Fake Mastodon", "version": cfg.Dialect.instanceVersion(false), "source_url": "https://github.com/mastodon/mastodon",
		"description": "A fake Mastodon instance for tests.", "usage": map[string]any{"users": map[string]any{"active_month": users}},
		"thumbnail": map[string]any{"url": base + "/packs/media/images/preview.png"}, "icon": []any{}, "languages": []string{"en"},
		"api_versions": map[string]any{"mastodon": 6},
		"configuration": map[string]any{
			"urls":     map[string]any{"streaming": "ws://" + r.Host},
			"accounts": map[string]any{"max_featured_tags": 10, "max_pinned_statuses": 5},
			"statuses": map[string]any{"max_characters": cfg.MaxChars, "max_media_attachments": cfg.MaxMedia, "characters_reserved_per_url": cfg.URLChars},
			"media_attachments": map[string]any{"supported_mime_types": cfg.MimeTypes, "image_size_limit": cfg.ImageSizeLimit,
				"image_matrix_limit": 33177600, "video_size_limit": cfg.VideoSizeLimit, "video_frame_rate_limit": 120,
				"video_matrix_limit": 8294400, "description_limit": cfg.DescriptionMax},
			"polls":       map[string]any{"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
			"translation": map[string]any{"enabled": false},
		},
		"registrations": map[string]any{"enabled": false, "approval_required": false, "message": nil},
		"contact":       map[string]any{"email": "admin@" + strings.Split(domain, ":")[0] + ".example", "account": nil},
		"rules":         []any{},
	})
}

// instanceV1 is the older instance entity (Mastodon 3.x and others).
func (s *Server) instanceV1(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	cfg := s.cfg
	domain := s.domain(r)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"uri": domain, "title": "Fake Mastodon", "short_description": "", "description": "", "email": "admin@example.com",
		"version": cfg.Dialect.instanceVersion(true), "urls": map[string]any{"streaming_api": "ws://" + r.Host},
		"stats": map[string]any{"user_count": 1, "status_count": 0, "domain_count": 1}, "thumbnail": nil,
		"languages": []string{"en"}, "registrations": false, "approval_required": false, "invites_enabled": false,
		"configuration": map[string]any{
			"accounts": map[string]any{"max_featured_tags": 10},
			"statuses": map[string]any{"max_characters": cfg.MaxChars, "max_media_attachments": cfg.MaxMedia, "characters_reserved_per_url": cfg.URLChars},
			"media_attachments": map[string]any{"supported_mime_types": cfg.MimeTypes, "image_size_limit": cfg.ImageSizeLimit,
				"image_matrix_limit": 16777216, "video_size_limit": cfg.VideoSizeLimit, "video_frame_rate_limit": 60, "video_matrix_limit": 2304000},
			"polls": map[string]any{"max_options": 4, "max_characters_per_option": 50, "min_expiration": 300, "max_expiration": 2629746},
		},
		"contact_account": nil, "rules": []any{},
	})
}

// statusInput is a create or edit request.
type statusInput struct {
	text, spoiler, visibility, language, replyTo string
	sensitive                                    bool
	media                                        []string
}

func readStatus(r *http.Request) (statusInput, string) {
	m, err := decodeBody(r)
	if err != nil {
		return statusInput{}, "the body is not valid JSON or form data"
	}
	in := statusInput{text: str(m, "status"), spoiler: str(m, "spoiler_text"), visibility: str(m, "visibility"),
		language: str(m, "language"), replyTo: str(m, "in_reply_to_id"), media: strs(m, "media_ids")}
	switch v := m["sensitive"].(type) {
	case bool:
		in.sensitive = v
	case string:
		in.sensitive, _ = strconv.ParseBool(v)
	}
	return in, ""
}

// check validates a status as Mastodon does. s.mu must be held.
func (s *Server) check(in statusInput, acct string, editing string) string {
	if strings.TrimSpace(in.text) == "" && len(in.media) == 0 {
		return "Validation failed: Text can't be blank"
	}
	if in.visibility != "" && !slices.Contains([]string{"public", "unlisted", "private", "direct"}, in.visibility) {
		return "Validation failed: Visibility is not included in the list"
	}
	if len(in.media) > s.cfg.MaxMedia {
		return fmt.Sprintf("Validation failed: Media attachments can't have more than %d attachments", s.cfg.MaxMedia)
	}
	for _, id := range in.media {
		m := s.media[id]
		if m == nil || m.account != acct || (m.attached && editing == "") {
			return "Validation failed: Media attachments are invalid"
		}
		if m.polls > 0 {
			return "Cannot attach files that have not finished processing. Try again in a moment!"
		}
		if len(in.media) > 1 && (strings.HasPrefix(m.contentType, "video/") || strings.HasPrefix(m.contentType, "audio/")) {
			return "Cannot attach a video to a post that already contains images"
		}
	}
	return ""
}

func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	g, a := s.authed(w, r, "write:statuses")
	if a == nil {
		return
	}
	in, bad := readStatus(r)
	if bad != "" {
		writeError(w, http.StatusUnprocessableEntity, bad)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	if key != "" && s.cfg.Idempotency {
		if e, ok := s.idem[a.ID+"\x00"+key]; ok && now.Sub(e.at) < time.Hour {
			writeJSON(w, http.StatusOK, s.statusJSON(baseURL(r), s.statuses[e.status], a.ID))
			return
		}
	}
	if code, msg := s.lengthProblem(in); msg != "" {
		writeError(w, code, msg)
		return
	}
	if msg := s.check(in, a.ID, ""); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	if in.replyTo != "" {
		if p := s.statuses[in.replyTo]; p == nil || p.Deleted {
			writeError(w, http.StatusNotFound, "Record not found")
			return
		}
	}
	if in.visibility == "" {
		in.visibility = s.defaultVisibility()
	}
	st := &Status{ID: s.newID(), AccountID: a.ID, Text: in.text, SpoilerText: in.spoiler, Sensitive: in.sensitive || in.spoiler != "",
		Visibility: in.visibility, Language: in.language, InReplyToID: in.replyTo, MediaIDs: in.media, App: g.app,
		IdempotencyKey: key, CreatedAt: now.UTC(), Favourites: map[string]bool{}}
	s.insert(st)
	if key != "" && s.cfg.Idempotency {
		s.idem[a.ID+"\x00"+key] = idemEntry{status: st.ID, at: now}
	}
	writeJSON(w, http.StatusOK, s.statusJSON(baseURL(r), st, a.ID))
}

// insert stores a status, attaches its media and notifies the local
// accounts it mentions. s.mu must be held.
func (s *Server) insert(st *Status) {
	s.statuses[st.ID] = st
	for _, id := range st.MediaIDs {
		if m := s.media[id]; m != nil {
			m.attached = true
		}
	}
	for _, m := range s.mentioned(st.Text) {
		if m.Domain == "" && m.ID != st.AccountID {
			s.notifications = append(s.notifications, &notification{id: s.newID(), typ: "mention", account: m.ID, from: st.AccountID, status: st.ID, at: st.CreatedAt})
		}
	}
}

// Post makes account authorID post text (a reply to inReplyTo, if set),
// as someone else writing on the instance would; it notifies the local
// accounts mentioned. It returns the status id.
func (s *Server) Post(authorID, text, inReplyTo string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &Status{ID: s.newID(), AccountID: authorID, Text: text, Visibility: "public", InReplyToID: inReplyTo,
		CreatedAt: s.clock().UTC(), Favourites: map[string]bool{}}
	s.insert(st)
	return st.ID
}

// Engage adds favourites and boosts from other people to a status.
func (s *Server) Engage(statusID string, favourites, reblogs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.statuses[statusID]
	if st == nil {
		return
	}
	for range favourites {
		st.Favourites[s.newID()] = true
	}
	st.Reblogs += int64(reblogs)
}

// Statuses returns the statuses not deleted, oldest first.
func (s *Server) Statuses() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Status
	for _, st := range s.statuses {
		if !st.Deleted {
			c := *st
			c.MediaIDs = slices.Clone(st.MediaIDs)
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Status) int { return idCmp(a.ID, b.ID) })
	return out
}

// MediaDescription returns an upload's alt text and content type.
func (s *Server) MediaDescription(id string) (description, contentType string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.media[id]; m != nil {
		return m.description, m.contentType
	}
	return "", ""
}

func idCmp(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// visible returns a status the viewer may see. s.mu must be held.
func (s *Server) visible(id, viewer string) *Status {
	st := s.statuses[id]
	if st == nil || st.Deleted {
		return nil
	}
	if (st.Visibility == "direct" || st.Visibility == "private") && st.AccountID != viewer && !s.addressed(st, viewer) {
		return nil
	}
	return st
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, s.statusJSON(baseURL(r), st, a.ID))
}

func (s *Server) statusSource(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil || st.AccountID != a.ID {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": st.ID, "text": st.Text, "spoiler_text": st.SpoilerText})
}

func (s *Server) editStatus(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "write:statuses")
	if a == nil {
		return
	}
	in, bad := readStatus(r)
	if bad != "" {
		writeError(w, http.StatusUnprocessableEntity, bad)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil || st.AccountID != a.ID {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	if code, msg := s.lengthProblem(in); msg != "" {
		writeError(w, code, msg)
		return
	}
	if msg := s.check(in, a.ID, st.ID); msg != "" {
		writeError(w, http.StatusUnprocessableEntity, msg)
		return
	}
	now := s.clock().UTC()
	st.Text, st.SpoilerText, st.Sensitive, st.MediaIDs, st.EditedAt = in.text, in.spoiler, in.sensitive || in.spoiler != "", in.media, &now
	s.changes = append(s.changes, statusChange{status: st.ID})
	if in.language != "" {
		st.Language = in.language
	}
	for _, id := range in.media {
		s.media[id].attached = true
	}
	writeJSON(w, http.StatusOK, s.statusJSON(baseURL(r), st, a.ID))
}

func (s *Server) deleteStatus(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "write:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil || st.AccountID != a.ID {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	out := s.statusJSON(baseURL(r), st, a.ID)
	out["text"] = st.Text
	st.Deleted = true
	s.changes = append(s.changes, statusChange{status: st.ID, deleted: true})
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) favourite(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "write:favourites")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	st.Favourites[a.ID] = true
	writeJSON(w, http.StatusOK, s.statusJSON(baseURL(r), st, a.ID))
}

// reblog boosts a status as Mastodon does: the answer is the reblog, a
// status whose "reblog" is the original; reblogging again answers the
// same reblog; private and direct statuses cannot be reblogged.
func (s *Server) reblog(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "write:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.visible(r.PathValue("id"), a.ID)
	if st == nil {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	if st.Visibility == "private" || st.Visibility == "direct" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "Validation failed: Reblog of status is not permitted",
			"details": map[string]any{"reblog": []any{map[string]string{"error": "ERR_INVALID", "description": "of status is not permitted"}}}})
		return
	}
	if st.RebloggedBy == nil {
		st.RebloggedBy = map[string]string{}
	}
	id, again := st.RebloggedBy[a.ID]
	if !again {
		id = s.newID()
		st.RebloggedBy[a.ID] = id
		st.Reblogs++
	}
	base := baseURL(r)
	orig := s.statusJSON(base, st, a.ID)
	out := make(map[string]any, len(orig))
	for k, v := range orig {
		out[k] = v
	}
	out["id"], out["uri"] = id, base+"/users/"+a.Username+"/statuses/"+id+"/activity"
	out["url"], out["content"], out["account"] = nil, "", s.accountJSON(base, a)
	out["media_attachments"], out["mentions"], out["tags"] = []any{}, []any{}, []any{}
	out["reblogs_count"], out["favourites_count"], out["replies_count"] = 0, 0, 0
	out["in_reply_to_id"], out["in_reply_to_account_id"], out["reblog"] = nil, nil, orig
	writeJSON(w, http.StatusOK, out)
}

// RebloggedBy returns the ids of the accounts that reblogged a status.
func (s *Server) RebloggedBy(statusID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	if st := s.statuses[statusID]; st != nil {
		for a := range st.RebloggedBy {
			out = append(out, a)
		}
	}
	return out
}

// page applies Mastodon's id pagination (max_id, since_id, min_id, limit)
// to ids sorted newest first.
func page(ids []string, q map[string][]string, def, maxLimit int) []string {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	limit := def
	if n, err := strconv.Atoi(get("limit")); err == nil && n > 0 {
		limit = min(n, maxLimit)
	}
	var out []string
	for _, id := range ids {
		if v := get("max_id"); v != "" && idCmp(id, v) >= 0 {
			continue
		}
		if v := get("since_id"); v != "" && idCmp(id, v) <= 0 {
			continue
		}
		if v := get("min_id"); v != "" && idCmp(id, v) <= 0 {
			continue
		}
		out = append(out, id)
	}
	if get("min_id") != "" && len(out) > limit {
		return out[len(out)-limit:] // the page just above min_id
	}
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:statuses")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	owner := s.accounts[r.PathValue("id")]
	if owner == nil || s.cfg.NoAccountStatuses {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	var ids []string
	for _, st := range s.statuses {
		if st.AccountID == owner.ID && s.visible(st.ID, a.ID) != nil {
			ids = append(ids, st.ID)
		}
	}
	slices.SortFunc(ids, func(x, y string) int { return idCmp(y, x) })
	out := []any{}
	q := r.URL.Query()
	if s.cfg.IgnoreMaxID {
		q.Del("max_id")
	}
	for _, id := range page(ids, q, 20, 40) {
		out = append(out, s.statusJSON(baseURL(r), s.statuses[id], a.ID))
	}
	writeJSON(w, http.StatusOK, out)
}
