package mastodonfake

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "write:media")
	if a == nil {
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	}
	size, err := io.Copy(io.Discard, f)
	_ = f.Close()
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File could not be read")
		return
	}
	ct := strings.ToLower(h.Header.Get("Content-Type"))
	desc := r.FormValue("description")
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := s.cfg
	limit := cfg.ImageSizeLimit
	if strings.HasPrefix(ct, "video/") || strings.HasPrefix(ct, "audio/") {
		limit = cfg.VideoSizeLimit
	}
	switch {
	case !slices.Contains(cfg.MimeTypes, ct):
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid, File is invalid")
		return
	case size > limit:
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: File file size must be less than %d Bytes", limit))
		return
	case utf8.RuneCountInString(desc) > cfg.DescriptionMax:
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Validation failed: Description is too long (maximum is %d characters)", cfg.DescriptionMax))
		return
	}
	m := &mediaFile{id: s.newID(), account: a.ID, contentType: ct, description: desc, size: size, polls: cfg.ProcessingPolls}
	s.media[m.id] = m
	status := http.StatusOK
	if m.polls > 0 {
		status = http.StatusAccepted
	}
	writeJSON(w, status, mediaJSON(baseURL(r), m))
}

func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "write:media")
	if a == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.media[r.PathValue("id")]
	if m == nil || m.account != a.ID {
		writeError(w, http.StatusNotFound, "Record not found")
		return
	}
	if m.polls > 0 {
		m.polls--
		w.WriteHeader(http.StatusPartialContent)
		return
	}
	writeJSON(w, http.StatusOK, mediaJSON(baseURL(r), m))
}

// listNotifications lists the caller's notifications, newest first, with
// types[] and exclude_types[] filters, id pagination and a Link header.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	_, a := s.authed(w, r, "read:notifications")
	if a == nil {
		return
	}
	q := r.URL.Query()
	types := slices.Concat(q["types[]"], q["types"])
	exclude := slices.Concat(q["exclude_types[]"], q["exclude_types"])
	s.mu.Lock()
	defer s.mu.Unlock()
	byID := map[string]*notification{}
	var ids []string
	for _, n := range s.notifications {
		if n.account != a.ID || (len(types) > 0 && !slices.Contains(types, n.typ)) || slices.Contains(exclude, n.typ) {
			continue
		}
		if st := s.statuses[n.status]; st == nil || st.Deleted {
			continue
		}
		byID[n.id] = n
		ids = append(ids, n.id)
	}
	slices.SortFunc(ids, func(x, y string) int { return idCmp(y, x) })
	got := page(ids, q, 40, 80)
	base := baseURL(r)
	out := []any{}
	for _, id := range got {
		n := byID[id]
		out = append(out, map[string]any{"id": n.id, "type": n.typ, "created_at": formatTime(n.at), "group_key": "ungrouped-" + n.id,
			"account": s.accountJSON(base, s.accounts[n.from]), "status": s.statusJSON(base, s.statuses[n.status], a.ID)})
	}
	if len(got) > 0 {
		link := func(k, v string) string {
			u := url.URL{Scheme: "http", Host: r.Host, Path: "/api/v1/notifications"}
			lq := url.Values{}
			for _, t := range types {
				lq.Add("types[]", t)
			}
			lq.Set(k, v)
			u.RawQuery = lq.Encode()
			return u.String()
		}
		w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="prev"`, link("max_id", got[len(got)-1]), link("min_id", got[0])))
	}
	writeJSON(w, http.StatusOK, out)
}
