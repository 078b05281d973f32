package xfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// Upload limits of X's media guide.
const (
	MaxImageBytes = 5 << 20
	MaxGIFBytes   = 15 << 20
	MaxVideoBytes = 512 << 20
)

// postMediaType reports whether a post may carry a file of type t.
func postMediaType(t string) bool {
	switch t {
	case "image/jpeg", "image/png", "image/webp", "image/gif", "video/mp4", "video/quicktime":
		return true
	}
	return false
}

func mediaKey(m *Media) string {
	if m == nil {
		return ""
	}
	switch m.Category {
	case "tweet_gif":
		return "16_" + m.ID
	case "tweet_video", "amplify_video":
		return "7_" + m.ID
	}
	return "3_" + m.ID
}

func (s *Server) mediaInit(w http.ResponseWriter, r *http.Request, u User) {
	var req struct {
		MediaType     string `json:"media_type"`
		TotalBytes    int64  `json:"total_bytes"`
		MediaCategory string `json:"media_category"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidRequest(w, "The request body is not valid JSON: "+err.Error())
		return
	}
	if !postMediaType(req.MediaType) {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"media_type "+strconv.Quote(req.MediaType)+" is not supported for posts", map[string]any{"parameter": "media_type"})
		return
	}
	if req.MediaCategory == "" {
		req.MediaCategory = "tweet_image"
	}
	limit := int64(0)
	switch req.MediaCategory {
	case "tweet_image":
		limit = MaxImageBytes
	case "tweet_gif":
		limit = MaxGIFBytes
	case "tweet_video", "amplify_video":
		limit = MaxVideoBytes
	default:
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"media_category "+strconv.Quote(req.MediaCategory)+" is not supported for posts", map[string]any{"parameter": "media_category"})
		return
	}
	if req.TotalBytes <= 0 || req.TotalBytes > limit {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"total_bytes must be between 1 and "+strconv.FormatInt(limit, 10)+" for "+req.MediaCategory, map[string]any{"parameter": "total_bytes"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &Media{ID: s.nextID(), OwnerID: u.ID, MediaType: req.MediaType, Category: req.MediaCategory,
		TotalBytes: req.TotalBytes, Segments: map[int][]byte{}}
	s.media[m.ID] = m
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.ID, "media_key": mediaKey(m),
		"expires_after_secs": 86400}})
}

// upload returns the caller's upload named by the path, or answers why not.
// Callers hold s.mu.
func (s *Server) upload(w http.ResponseWriter, id string, u User) (*Media, bool) {
	m, ok := s.media[id]
	if !ok || m.OwnerID != u.ID {
		notFound(w, "media", "id", id)
		return nil, false
	}
	return m, true
}

func (s *Server) mediaAppend(w http.ResponseWriter, r *http.Request, u User) {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		invalidRequest(w, "The body must be multipart/form-data with media and segment_index: "+err.Error())
		return
	}
	idx, err := strconv.Atoi(r.FormValue("segment_index"))
	if err != nil || idx < 0 || idx > 999 {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"segment_index must be an integer from 0 to 999", map[string]any{"parameter": "segment_index"})
		return
	}
	f, _, err := r.FormFile("media")
	if err != nil {
		invalidRequest(w, "The media part is missing.")
		return
	}
	chunk, err := io.ReadAll(f)
	_ = f.Close()
	if err != nil {
		invalidRequest(w, "The media part cannot be read.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.upload(w, r.PathValue("id"), u)
	if !ok {
		return
	}
	if m.Finalized {
		invalidRequest(w, "The upload is already finalized.")
		return
	}
	size := int64(len(chunk))
	for i, seg := range m.Segments {
		if i != idx {
			size += int64(len(seg))
		}
	}
	if size > m.TotalBytes {
		invalidRequest(w, "The segments add up to more than total_bytes.")
		return
	}
	m.Segments[idx] = chunk
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"expires_at": s.now().Add(24 * time.Hour).Unix()}})
}

func (s *Server) mediaFinalize(w http.ResponseWriter, r *http.Request, u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.upload(w, r.PathValue("id"), u)
	if !ok {
		return
	}
	var size int64
	for i := 0; i < len(m.Segments); i++ {
		seg, ok := m.Segments[i]
		if !ok {
			invalidRequest(w, "Segment "+strconv.Itoa(i)+" is missing.")
			return
		}
		size += int64(len(seg))
	}
	if size != m.TotalBytes {
		invalidRequest(w, "File size mismatch: total_bytes was "+strconv.FormatInt(m.TotalBytes, 10)+
			", the segments add up to "+strconv.FormatInt(size, 10)+".")
		return
	}
	data := map[string]any{"id": m.ID, "media_key": mediaKey(m), "size": size, "expires_after_secs": 86400}
	if !m.Finalized {
		m.Finalized = true
		if m.Category != "tweet_image" && (s.cfg.ProcessingPolls > 0 || s.cfg.ProcessingFails) {
			m.State, m.PollsLeft = "pending", s.cfg.ProcessingPolls
		}
	}
	if m.State != "" {
		data["processing_info"] = map[string]any{"state": m.State, "check_after_secs": s.cfg.CheckAfterSecs}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data})
}

func (s *Server) mediaStatus(w http.ResponseWriter, r *http.Request, u User) {
	q := r.URL.Query()
	if q.Get("command") != "STATUS" {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"command must be STATUS", map[string]any{"parameter": "command"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.upload(w, q.Get("media_id"), u)
	if !ok {
		return
	}
	if !m.Finalized {
		invalidRequest(w, "The upload is not finalized.")
		return
	}
	info := map[string]any{"state": "succeeded", "progress_percent": 100}
	if m.State != "" && m.State != "succeeded" && m.State != "failed" {
		switch {
		case m.PollsLeft > 0:
			m.PollsLeft--
			m.State = "in_progress"
		case s.cfg.ProcessingFails:
			m.State = "failed"
		default:
			m.State = "succeeded"
		}
	}
	if m.State != "" {
		info["state"] = m.State
		switch m.State {
		case "in_progress":
			info["progress_percent"] = 100 * (s.cfg.ProcessingPolls - m.PollsLeft) / (s.cfg.ProcessingPolls + 1)
			info["check_after_secs"] = s.cfg.CheckAfterSecs
		case "failed":
			delete(info, "progress_percent")
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.ID, "media_key": mediaKey(m),
		"size": m.TotalBytes, "processing_info": info}})
}

func (s *Server) mediaMetadata(w http.ResponseWriter, r *http.Request, u User) {
	var req struct {
		ID       string `json:"id"`
		Metadata struct {
			AltText *struct {
				Text string `json:"text"`
			} `json:"alt_text"`
		} `json:"metadata"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		invalidRequest(w, "The request body is not valid JSON: "+err.Error())
		return
	}
	if req.Metadata.AltText != nil && utf8.RuneCountInString(req.Metadata.AltText.Text) > 1000 {
		problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request",
			"alt_text.text must be at most 1000 characters", map[string]any{"parameter": "alt_text"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.upload(w, req.ID, u)
	if !ok {
		return
	}
	assoc := map[string]any{}
	if req.Metadata.AltText != nil {
		m.AltText = req.Metadata.AltText.Text
		assoc["alt_text"] = map[string]any{"text": m.AltText}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"id": m.ID, "associated_metadata": assoc}})
}
