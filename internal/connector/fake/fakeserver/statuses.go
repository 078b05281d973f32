package fakeserver

import (
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// statusJSON is a status on the wire.
type statusJSON struct {
	ID               string      `json:"id"`
	URL              string      `json:"url"`
	CreatedAt        string      `json:"created_at"`
	Content          string      `json:"content"`
	EditedAt         *string     `json:"edited_at"`
	Text             string      `json:"text,omitempty"` // only when deleted, as Mastodon does
	Visibility       string      `json:"visibility"`
	InReplyToID      *string     `json:"in_reply_to_id"`
	HeraldKey        string      `json:"herald_key,omitempty"`
	FavouritesCount  int         `json:"favourites_count"`
	ReblogsCount     int         `json:"reblogs_count"`
	RepliesCount     int         `json:"replies_count"`
	MediaAttachments []mediaJSON `json:"media_attachments"`
	Account          accountJSON `json:"account"`
}

type accountJSON struct {
	ID          string `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
}

func (s *Server) statusOf(r *http.Request, p Post) statusJSON {
	st := statusJSON{
		ID:               p.ID,
		URL:              "http://" + r.Host + "/@" + p.Account + "/" + p.ID,
		CreatedAt:        p.ReceivedAt.UTC().Format(timeFormat),
		Content:          "<p>" + html.EscapeString(p.Text) + "</p>",
		Visibility:       p.Visibility,
		HeraldKey:        p.HeraldKey,
		MediaAttachments: make([]mediaJSON, 0, len(p.MediaIDs)),
		Account:          accountJSON{ID: p.Account, Username: p.Account, Acct: p.Account, DisplayName: p.Account},
	}
	st.FavouritesCount, st.RepliesCount = s.engage.counts(p.ID)
	st.ReblogsCount = s.engage.boostCount(p.ID)
	if p.EditedAt != nil {
		e := p.EditedAt.UTC().Format(timeFormat)
		st.EditedAt = &e
	}
	if p.InReplyToID != "" {
		id := p.InReplyToID
		st.InReplyToID = &id
	}
	for _, id := range p.MediaIDs {
		if m, ok := s.media.get(id); ok {
			st.MediaAttachments = append(st.MediaAttachments, s.mediaOf(r, m, time.Now()))
		}
	}
	return st
}

// statusInput is what POST /api/v1/statuses takes.
type statusInput struct {
	Status      string   `json:"status"`
	InReplyToID string   `json:"in_reply_to_id"`
	MediaIDs    []string `json:"media_ids"`
	Visibility  string   `json:"visibility"`
	SpoilerText string   `json:"spoiler_text"`
	Language    string   `json:"language"`
}

func readStatusInput(r *http.Request) (statusInput, error) {
	var in statusInput
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			return in, fmt.Errorf("the body is not valid JSON for a status: %w", err)
		}
		return in, nil
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			return in, fmt.Errorf("the multipart body cannot be read: %w", err)
		}
	default:
		if err := r.ParseForm(); err != nil {
			return in, fmt.Errorf("the form body cannot be read: %w", err)
		}
	}
	f := r.PostForm
	in.Status = f.Get("status")
	in.InReplyToID = f.Get("in_reply_to_id")
	in.MediaIDs = append(f["media_ids[]"], f["media_ids"]...)
	in.Visibility = f.Get("visibility")
	in.SpoilerText = f.Get("spoiler_text")
	in.Language = f.Get("language")
	return in, nil
}

// validate checks a status as Mastodon does and returns the message of a
// 422, or "".
func (s *Server) validate(in *statusInput, account string, cfg *Config, now time.Time) string {
	n := utf8.RuneCountInString(in.Status) + utf8.RuneCountInString(in.SpoilerText)
	switch {
	case !utf8.ValidString(in.Status):
		return "Validation failed: Text is not valid UTF-8"
	case in.Status == "" && len(in.MediaIDs) == 0:
		return "Validation failed: Text can't be blank"
	case n > cfg.MaxChars:
		return "Validation failed: Text character limit of " + itoa(cfg.MaxChars) + " exceeded"
	case len(in.MediaIDs) > cfg.MaxMedia:
		return "Validation failed: Media attachments: at most " + itoa(cfg.MaxMedia) + " files may be attached"
	}
	switch in.Visibility {
	case "":
		in.Visibility = "public"
	case "public", "unlisted", "private", "direct":
	default:
		return "Validation failed: Visibility " + strconv.Quote(in.Visibility) + " is not one of public, unlisted, private, direct"
	}
	for _, id := range in.MediaIDs {
		m, ok := s.media.get(id)
		if !ok || m.account != account {
			return "Validation failed: Media attachment " + strconv.Quote(id) + " does not exist"
		}
		if now.Before(m.readyAt) {
			return "Cannot attach files that have not finished processing. Try again in a moment!"
		}
	}
	if in.InReplyToID != "" {
		if p, ok := s.ledger.Get(in.InReplyToID); !ok || p.DeletedAt != nil {
			return "Validation failed: the status being replied to (in_reply_to_id " + strconv.Quote(in.InReplyToID) + ") does not exist"
		}
	}
	return ""
}

// createStatus is POST /api/v1/statuses.
func (s *Server) createStatus(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	cfg := s.cfg.Load()
	account, f, ok := s.begin(w, r, cfg, now)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	in, err := readStatusInput(r)
	if err != nil {
		s.answerError(w, r, cfg, http.StatusBadRequest, err.Error())
		return
	}
	if msg := s.validate(&in, account, cfg, now); msg != "" {
		s.answerError(w, r, cfg, http.StatusUnprocessableEntity, msg)
		return
	}
	p, created := s.ledger.record(Post{
		Account:        account,
		Text:           in.Status,
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		HeraldKey:      r.Header.Get("X-Herald-Key"),
		InReplyToID:    in.InReplyToID,
		MediaIDs:       in.MediaIDs,
		Visibility:     in.Visibility,
		ReceivedAt:     now,
	}, cfg.Idempotency)
	if created {
		s.stats.posts.Add(1)
		if p.InReplyToID != "" {
			s.engage.reply(p.InReplyToID)
		}
	} else {
		s.stats.replays.Add(1)
	}
	if f == fateTimeout && s.holdBack(r, cfg) {
		s.stall(r, cfg)
	}
	s.answer(w, r, cfg, http.StatusOK, s.statusOf(r, p))
}

// getStatus is GET /api/v1/statuses/{id}.
func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	if _, _, ok := s.begin(w, r, cfg, time.Now()); !ok {
		return
	}
	p, ok := s.ledger.Get(r.PathValue("id"))
	if !ok || p.DeletedAt != nil {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	s.answer(w, r, cfg, http.StatusOK, s.statusOf(r, p))
}

// deleteStatus is DELETE /api/v1/statuses/{id}.
func (s *Server) deleteStatus(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, now)
	if !ok {
		return
	}
	p, ok := s.ledger.delete(account, r.PathValue("id"), now)
	if !ok {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	st := s.statusOf(r, p)
	st.Text = p.Text
	s.answer(w, r, cfg, http.StatusOK, st)
}

// editStatus is PUT /api/v1/statuses/{id}: the new text (with content
// warning and language) and media; the visibility stays as published.
func (s *Server) editStatus(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, now)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	in, err := readStatusInput(r)
	if err != nil {
		s.answerError(w, r, cfg, http.StatusBadRequest, err.Error())
		return
	}
	in.InReplyToID, in.Visibility = "", ""
	if msg := s.validate(&in, account, cfg, now); msg != "" {
		s.answerError(w, r, cfg, http.StatusUnprocessableEntity, msg)
		return
	}
	p, ok := s.ledger.edit(account, r.PathValue("id"), in.Status, in.MediaIDs, now)
	if !ok {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	s.answer(w, r, cfg, http.StatusOK, s.statusOf(r, p))
}

// accountStatuses is GET /api/v1/accounts/{id}/statuses.
func (s *Server) accountStatuses(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	if _, _, ok := s.begin(w, r, cfg, time.Now()); !ok {
		return
	}
	if !cfg.Lookup {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.answerError(w, r, cfg, http.StatusUnprocessableEntity, "limit must be a positive whole number, not "+strconv.Quote(v))
			return
		}
		limit = min(n, MaxLookupLimit)
	}
	var maxID uint64
	if v := q.Get("max_id"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			s.answerError(w, r, cfg, http.StatusUnprocessableEntity, "max_id must be a status id, not "+strconv.Quote(v))
			return
		}
		maxID = n
	}
	posts := s.ledger.recent(r.PathValue("id"), limit, maxID)
	out := make([]statusJSON, 0, len(posts))
	for _, p := range posts {
		out = append(out, s.statusOf(r, p))
	}
	s.answer(w, r, cfg, http.StatusOK, out)
}

// instance is GET /api/v2/instance: the limits, in Mastodon's shape.
func (s *Server) instance(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	type statuses struct {
		MaxCharacters            int `json:"max_characters"`
		MaxMediaAttachments      int `json:"max_media_attachments"`
		CharactersReservedPerURL int `json:"characters_reserved_per_url"`
	}
	type media struct {
		ImageSizeLimit        int64 `json:"image_size_limit"`
		VideoSizeLimit        int64 `json:"video_size_limit"`
		DescriptionLimit      int   `json:"description_limit"`
		ProcessingDelayMillis int64 `json:"processing_delay_ms"`
	}
	type configuration struct {
		Statuses         statuses `json:"statuses"`
		MediaAttachments media    `json:"media_attachments"`
	}
	s.answer(w, r, cfg, http.StatusOK, struct {
		Domain        string        `json:"domain"`
		Title         string        `json:"title"`
		Configuration configuration `json:"configuration"`
	}{
		Domain: r.Host,
		Title:  "Herald fake platform",
		Configuration: configuration{
			Statuses: statuses{MaxCharacters: cfg.MaxChars, MaxMediaAttachments: cfg.MaxMedia},
			MediaAttachments: media{ImageSizeLimit: cfg.MaxMediaBytes, VideoSizeLimit: cfg.MaxMediaBytes,
				DescriptionLimit: MaxDescription, ProcessingDelayMillis: cfg.ProcessingDelay.Milliseconds()},
		},
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
