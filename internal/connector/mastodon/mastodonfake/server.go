// Package mastodonfake is a Mastodon-API server in Go for tests: apps and
// the OAuth authorization-code flow (with PKCE), statuses (threads, content
// warnings, visibility, language, edits, deletes, favourites, sources),
// media uploads that stay processing for a while, the account's statuses,
// mention notifications with Link pagination, the instance's limits
// (/api/v2/instance, or only /api/v1/instance like older servers),
// Idempotency-Key (honoured or ignored), X-RateLimit-* headers and 429s,
// and injected faults; for listening, hashtag timelines, the hashtag
// streams and status search by words (listen.go). It follows the Mastodon API documentation; with a
// Contract it checks every request it gets and every answer it gives
// against the Mastodon OpenAPI document and records the mismatches.
//
// Serve it with net/http (httptest.NewServer(srv) in tests): Server is an
// http.Handler. Seed it with AddAccount (SetFollowCounts for its
// followers and follows), read it with Statuses and Violations.
package mastodonfake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is how the fake instance behaves.
type Config struct {
	Domain         string   // the instance's domain (default: the request's host)
	MaxChars       int      // configuration.statuses.max_characters (default 500)
	URLChars       int      // characters_reserved_per_url (default 23)
	MaxMedia       int      // max_media_attachments (default 4)
	ImageSizeLimit int64    // bytes (default 16 MiB)
	VideoSizeLimit int64    // bytes (default 99 MiB)
	DescriptionMax int      // alt text limit (default 1500)
	MimeTypes      []string // accepted (default: JPEG, PNG, GIF, WebP, MP4)
	// Idempotency makes POST /api/v1/statuses honour Idempotency-Key for
	// an hour, per account, as Mastodon does; false ignores it as some
	// Mastodon-API servers do.
	Idempotency bool
	// ProcessingPolls is how many times GET /api/v1/media/:id answers 206
	// before an upload is ready; 0 answers uploads 200 at once.
	ProcessingPolls int
	// NoV2Instance answers 404 on /api/v2/instance (older servers).
	NoV2Instance bool
	// NoStreaming answers 404 on the streaming API (a server without it).
	NoStreaming bool
	// RateLimit is how many API calls a token may make per RateWindow
	// (0: unlimited; default window 5 minutes).
	RateLimit  int
	RateWindow time.Duration
	// Dialect is the server software the fake behaves as (default
	// Mastodon; see GoToSocialConfig and PleromaConfig).
	Dialect Dialect
	// DefaultPrivacy is the accounts' default visibility, source.privacy
	// of verify_credentials (default "public").
	DefaultPrivacy string
	// NoAccountStatuses answers 404 to GET /api/v1/accounts/:id/statuses
	// (a server whose history cannot be searched).
	NoAccountStatuses bool
	// IgnoreMaxID makes GET /api/v1/accounts/:id/statuses ignore max_id,
	// answering the newest page again.
	IgnoreMaxID bool
	// NoNodeinfo answers 404 on /.well-known/nodeinfo.
	NoNodeinfo bool
	// NoStatusSearch makes GET /api/v2/search find no statuses by their
	// words, as a Mastodon server without full-text search (Elasticsearch
	// or OpenSearch) does; statuses by address are still found.
	NoStatusSearch bool
	// StreamMaxAge closes each hashtag stream this long after it opened
	// (0: never), as a proxy that drops long-lived connections does.
	StreamMaxAge time.Duration
}

// DefaultConfig is a Mastodon 4.x instance with default limits.
func DefaultConfig() Config {
	return Config{MaxChars: 500, URLChars: 23, MaxMedia: 4, ImageSizeLimit: 16 << 20, VideoSizeLimit: 99 << 20,
		DescriptionMax: 1500, MimeTypes: []string{"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"},
		Idempotency: true, RateWindow: 5 * time.Minute}
}

// Fault is a misbehaviour to inject on matching requests.
type Fault struct {
	Method string // "" matches any
	Path   string // exact path, "" matches any
	Times  int    // how many requests it hits (0: 1)
	// After lets the request be carried out before the fault answers
	// (a status created, then a 502 or a dropped connection).
	After       bool
	Status      int    // answer with this status
	Body        string // and this body
	ContentType string
	Header      http.Header
	Drop        bool // close the connection without an answer
	// Hang never answers: the request waits until the client gives up
	// (with After, a status is created first).
	Hang bool
	// Always keeps the fault for every matching request (Times ignored).
	Always bool
}

// Server is the fake instance. Its methods are safe for concurrent use.
type Server struct {
	contract *Contract
	clock    func() time.Time
	mux      *http.ServeMux

	mu            sync.Mutex
	cfg           Config
	nextID        int64
	accounts      map[string]*Account     // by id
	follows       map[string]followCounts // by account id, set by tests
	tokens        map[string]*grant       // by access token
	apps          map[string]*app         // by client id
	codes         map[string]*authCode
	statuses      map[string]*Status
	media         map[string]*mediaFile
	notifications []*notification
	// changes are edits and deletions of statuses, in order, for the user
	// streams of the accounts they mention.
	changes    []statusChange
	idem       map[string]idemEntry // account id + key
	rate       map[string]*window   // by token
	faults     []*Fault
	authorizer string // account id that approves authorization requests
	violations []string
	requests   []string
}

// Option adjusts a Server.
type Option func(*Server)

// WithContract checks every request and answer against the OpenAPI
// document (see Violations).
func WithContract(c *Contract) Option { return func(s *Server) { s.contract = c } }

// WithClock sets the server's clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.clock = now } }

// New returns a server behaving as cfg says (zero fields take
// DefaultConfig's values, except the booleans).
func New(cfg Config, opts ...Option) *Server {
	s := &Server{clock: time.Now, nextID: 110000000000000000,
		accounts: map[string]*Account{}, follows: map[string]followCounts{}, tokens: map[string]*grant{}, apps: map[string]*app{},
		codes: map[string]*authCode{}, statuses: map[string]*Status{}, media: map[string]*mediaFile{},
		idem: map[string]idemEntry{}, rate: map[string]*window{}}
	for _, o := range opts {
		o(s)
	}
	s.cfg = withDefaults(cfg)
	s.routes()
	return s
}

func withDefaults(c Config) Config {
	d := DefaultConfig()
	if c.MaxChars <= 0 {
		c.MaxChars = d.MaxChars
	}
	if c.URLChars <= 0 {
		c.URLChars = d.URLChars
	}
	if c.MaxMedia <= 0 {
		c.MaxMedia = d.MaxMedia
	}
	if c.ImageSizeLimit <= 0 {
		c.ImageSizeLimit = d.ImageSizeLimit
	}
	if c.VideoSizeLimit <= 0 {
		c.VideoSizeLimit = d.VideoSizeLimit
	}
	if c.DescriptionMax <= 0 {
		c.DescriptionMax = d.DescriptionMax
	}
	if len(c.MimeTypes) == 0 {
		c.MimeTypes = d.MimeTypes
	}
	if c.RateWindow <= 0 {
		c.RateWindow = d.RateWindow
	}
	if c.Dialect == "" {
		c.Dialect = Mastodon
	}
	if c.DefaultPrivacy == "" {
		c.DefaultPrivacy = "public"
	}
	return c
}

// Configure replaces the configuration; accounts and statuses are kept.
func (s *Server) Configure(cfg Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = withDefaults(cfg)
}

// Inject adds a fault; faults are used in the order added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// Violations returns the contract mismatches seen so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// Requests returns "METHOD /path" of every request so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// newID returns the next id (numeric, increasing, like Mastodon's).
// s.mu must be held.
func (s *Server) newID() string {
	s.nextID++
	return strconv.FormatInt(s.nextID, 10)
}

// recorder keeps an answer so it can be checked before it is sent.
type recorder struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

// ServeHTTP answers one request: faults first, then the API, checking both
// sides against the contract.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 200<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "the request body could not be read")
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	contract := s.contract
	s.mu.Unlock()

	if !Checked(r.URL.Path) {
		contract = nil
	}
	if contract != nil {
		for _, v := range contract.CheckRequest(r, body) {
			s.violate("request " + r.Method + " " + r.URL.Path + ": " + v)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	f := s.fault(r)
	if f != nil && !f.After {
		s.writeFault(w, r, f)
		return
	}
	if r.Method == http.MethodGet && r.URL.Path == "/api/v1/streaming/user" {
		s.userStream(w, r) // streamed: not buffered for the contract check
		return
	}
	if r.Method == http.MethodGet && (r.URL.Path == "/api/v1/streaming/hashtag" || r.URL.Path == "/api/v1/streaming/hashtag/local") {
		s.hashtagStream(w, r, contract, body) // streamed: its head is checked, its events are not
		return
	}
	rec := &recorder{h: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	if f != nil {
		s.writeFault(w, r, f)
		return
	}
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	// GoToSocial's 400 answers (where Mastodon says 422) are its dialect,
	// outside the Mastodon document.
	dialect400 := rec.status == http.StatusBadRequest && s.dialect() == GoToSocial
	if contract != nil && !dialect400 && (rec.status < 300 || rec.status >= 400) { // a redirect is a browser navigation, not an API answer
		for _, v := range contract.CheckResponse(r, body, rec.status, rec.h, rec.body.Bytes()) {
			s.violate("response " + strconv.Itoa(rec.status) + " to " + r.Method + " " + r.URL.Path + ": " + v)
		}
	}
	for k, v := range rec.h {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

func (s *Server) violate(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, v)
}

func (s *Server) fault(r *http.Request) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && (f.Path == "" || f.Path == r.URL.Path) {
			if f.Always {
				return f
			}
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, f *Fault) {
	if f.Hang {
		<-r.Context().Done()
		return
	}
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	if f.ContentType != "" {
		w.Header().Set("Content-Type", f.ContentType)
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers Mastodon's error body.
func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(map[string]string{"error": msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// baseURL is the instance's own address as the client reached it.
func baseURL(r *http.Request) string { return "http://" + r.Host }

func (s *Server) domain(r *http.Request) string {
	if s.cfg.Domain != "" {
		return s.cfg.Domain
	}
	return r.Host
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func splitPath(p, prefix string) []string {
	return strings.Split(strings.TrimPrefix(p, prefix), "/")
}
