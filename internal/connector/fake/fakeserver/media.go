package fakeserver

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// mediaItem is one upload. The bytes are counted, not kept.
type mediaItem struct {
	id          string
	account     string
	kind        string // image, video, gifv, audio, unknown
	size        int64
	description string
	readyAt     time.Time
}

type mediaStore struct {
	next atomic.Uint64
	mu   sync.Mutex
	m    map[string]mediaItem
}

func (ms *mediaStore) init() { ms.m = map[string]mediaItem{} }

func (ms *mediaStore) reset() {
	ms.mu.Lock()
	ms.m = map[string]mediaItem{}
	ms.mu.Unlock()
}

func (ms *mediaStore) add(it mediaItem) mediaItem {
	it.id = strconv.FormatUint(1_000_000+ms.next.Add(1), 10)
	ms.mu.Lock()
	ms.m[it.id] = it
	ms.mu.Unlock()
	return it
}

func (ms *mediaStore) get(id string) (mediaItem, bool) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	it, ok := ms.m[id]
	return it, ok
}

type mediaJSON struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"` // null while processing
	Description string  `json:"description,omitempty"`
}

func (s *Server) mediaOf(r *http.Request, it mediaItem, now time.Time) mediaJSON {
	mj := mediaJSON{ID: it.id, Type: it.kind, Description: it.description}
	if !now.Before(it.readyAt) {
		u := "http://" + r.Host + "/media/" + it.id
		mj.URL = &u
	}
	return mj
}

func mediaKind(contentType string) string {
	ct, _, _ := mime.ParseMediaType(contentType)
	switch {
	case ct == "image/gif":
		return "gifv"
	case strings.HasPrefix(ct, "image/"):
		return "image"
	case strings.HasPrefix(ct, "video/"):
		return "video"
	case strings.HasPrefix(ct, "audio/"):
		return "audio"
	}
	return "unknown"
}

// uploadMedia is POST /api/v2/media: a multipart form with "file" and an
// optional "description", read as a stream.
func (s *Server) uploadMedia(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, now)
	if !ok {
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		s.answerError(w, r, cfg, http.StatusUnprocessableEntity, "Validation failed: the upload must be multipart/form-data with a file field")
		return
	}
	it := mediaItem{account: account}
	gotFile := false
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.answerError(w, r, cfg, http.StatusBadRequest, "the multipart body cannot be read: "+err.Error())
			return
		}
		switch part.FormName() {
		case "file":
			gotFile = true
			it.kind = mediaKind(part.Header.Get("Content-Type"))
			n, err := io.Copy(io.Discard, io.LimitReader(part, cfg.MaxMediaBytes+1))
			if err != nil {
				s.answerError(w, r, cfg, http.StatusBadRequest, "the file cannot be read: "+err.Error())
				return
			}
			if n > cfg.MaxMediaBytes {
				s.answerError(w, r, cfg, http.StatusUnprocessableEntity,
					"Validation failed: File file size must be less than "+strconv.FormatInt(cfg.MaxMediaBytes, 10)+" bytes")
				return
			}
			it.size = n
		case "description":
			b, err := io.ReadAll(io.LimitReader(part, 64<<10))
			if err != nil {
				s.answerError(w, r, cfg, http.StatusBadRequest, "the description cannot be read: "+err.Error())
				return
			}
			it.description = string(b)
		}
		_ = part.Close()
	}
	switch {
	case !gotFile:
		s.answerError(w, r, cfg, http.StatusUnprocessableEntity, "Validation failed: File can't be blank")
		return
	case it.size == 0:
		s.answerError(w, r, cfg, http.StatusUnprocessableEntity, "Validation failed: File is empty")
		return
	case !utf8.ValidString(it.description) || utf8.RuneCountInString(it.description) > MaxDescription:
		s.answerError(w, r, cfg, http.StatusUnprocessableEntity,
			"Validation failed: Description is too long (maximum is "+itoa(MaxDescription)+" characters)")
		return
	}
	it.readyAt = now.Add(cfg.ProcessingDelay)
	it = s.media.add(it)
	status := http.StatusOK
	if cfg.ProcessingDelay > 0 {
		status = http.StatusAccepted
	}
	s.answer(w, r, cfg, status, s.mediaOf(r, it, now))
}

// getMedia is GET /api/v1/media/{id}: 202 while processing, then 200.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, now)
	if !ok {
		return
	}
	it, ok := s.media.get(r.PathValue("id"))
	if !ok || it.account != account {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	status := http.StatusOK
	if now.Before(it.readyAt) {
		status = http.StatusAccepted
	}
	s.answer(w, r, cfg, status, s.mediaOf(r, it, now))
}
