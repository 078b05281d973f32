// Package fakeserver is Herald's test platform: a real HTTP server with a
// small Mastodon-like API that the fake connector, the publishing engine's
// tests and `herald bench publish` talk to. It behaves as configured
// (latency, injected errors, accept-then-time-out, rate limits,
// idempotency, expiring tokens, slow media processing) and records every
// accepted post in a Ledger, so tests can count what a platform really
// received: duplicates, lost posts, receive times.
//
// # API
//
// Every /api and /oauth endpoint answers JSON; errors are {"error":"…"}.
// API calls need "Authorization: Bearer <token>". With no tokens
// configured any non-empty token is accepted and names its own account;
// otherwise an unknown or revoked token is 401 {"error":"The access token
// is invalid"} and an expired one 401 {"error":"The access token expired"}.
//
//	POST   /api/v1/statuses               status, in_reply_to_id, media_ids[], visibility
//	                                      (form or JSON); headers Idempotency-Key and
//	                                      X-Herald-Key; answers {"id","url","created_at",
//	                                      "content","herald_key",…}; 422 {"error":"Validation
//	                                      failed: Text character limit of N exceeded"} and the like
//	GET    /api/v1/statuses/{id}          one status
//	GET    /api/v1/statuses/{id}/context  {"ancestors","descendants"}: the thread around it
//	DELETE /api/v1/statuses/{id}          deletes the caller's status, answers it
//	PUT    /api/v1/statuses/{id}          edits the caller's status (text, content warning, media)
//	GET    /api/v1/accounts/{id}/statuses recent statuses, newest first (limit ≤ 40,
//	                                      max_id); each carries the herald_key it was
//	                                      posted with; 404 unless Config.Lookup
//	GET    /api/v1/accounts/verify_credentials  {"id","username","acct","display_name",
//	                                      "followers_count","following_count","statuses_count"}
//	                                      of the token's account (see SetFollowCounts)
//	POST   /api/v2/media                  multipart "file" and "description"; 202 {"id",…}
//	                                      while processing (Config.ProcessingDelay), else 200
//	GET    /api/v1/media/{id}             202 while processing, then 200
//	GET    /api/v2/instance               the limits: configuration.statuses.max_characters, …
//	POST   /oauth/token                   grant_type=refresh_token&refresh_token=…: a new
//	                                      access token {"access_token","refresh_token",
//	                                      "expires_in","token_type","created_at"}
//
// With Config.RateLimit set, each account may make that many API requests
// per window; answers carry X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (an ISO 8601 instant), and a 429 carries Retry-After
// in seconds.
//
// Administration, for use from another process:
//
//	GET  /_admin/config   the configuration (JSON, durations as "250ms")
//	PUT  /_admin/config   replace it (same JSON); 422 naming bad fields
//	GET  /_admin/ledger   {"count","duplicates":{key:n},"received":{key:unix_ns},"stats"};
//	                      ?received=false leaves out the per-key receive times
//	GET  /_admin/posts    every post in full (for small ledgers)
//	GET  /_admin/ratelimited  {"accounts":{account:[{"at","reset","retry_after",…}]},"dropped"}:
//	                      every 429 answered, with when the account's window resets
//	POST /_admin/reset    forget posts, media, idempotency keys, rate windows and the 429 log
package fakeserver

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the fake platform. Its methods are safe for concurrent use.
type Server struct {
	cfg    atomic.Pointer[Config] // with defaults applied; Tokens cleared (see tokens)
	raw    atomic.Pointer[Config] // as configured, for Config
	tokens tokenTable
	ledger *Ledger
	// engage counts favourites and replies; codes holds OAuth codes.
	engage engagement
	codes  codeTable
	// follows holds the follow counts tests set (SetFollowCounts).
	follows followTable
	limit   rateLimiter
	// refused logs every 429 with its account and reset time.
	refused refusals
	media   mediaStore
	stats   counters
	// heldBack counts, per post key, the answers held back (TimeoutsPerPost).
	heldBack sync.Map // string → *atomic.Int64
	log      *slog.Logger
	mux      *http.ServeMux

	done      chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex // guards srv
	srv       *http.Server
}

// Option adjusts a Server.
type Option func(*Server)

// WithLogger sets the logger for the server's own troubles (accept errors
// and the like); the default discards them.
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// New returns a server behaving as cfg says. It panics if cfg is not
// valid: check configuration from people with cfg.Validate first.
func New(cfg Config, opts ...Option) *Server {
	s := &Server{
		ledger: newLedger(),
		log:    slog.New(slog.DiscardHandler),
		done:   make(chan struct{}),
	}
	s.limit.init()
	s.media.init()
	s.engage.init()
	for _, o := range opts {
		o(s)
	}
	if err := s.Configure(cfg); err != nil {
		panic(fmt.Sprintf("fakeserver.New: %v", err))
	}
	s.routes()
	return s
}

// Configure replaces the configuration at once, tokens included; posts,
// media and rate windows are kept.
func (s *Server) Configure(cfg Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	raw := cfg
	raw.Tokens = slices.Clone(cfg.Tokens)
	eff := cfg.withDefaults()
	eff.Tokens = nil
	s.tokens.set(raw.Tokens)
	s.raw.Store(&raw)
	s.cfg.Store(&eff)
	return nil
}

// Config returns the configuration, with the tokens as they are now
// (refreshes add tokens).
func (s *Server) Config() Config {
	c := *s.raw.Load()
	c.Tokens = s.tokens.list()
	return c
}

// Ledger returns the record of accepted posts.
func (s *Server) Ledger() *Ledger { return s.ledger }

// Stats returns the request counters.
func (s *Server) Stats() Stats { return s.stats.snapshot() }

// Reset forgets every post, upload, idempotency key, rate window and
// counter; the configuration stays.
func (s *Server) Reset() {
	s.ledger.Reset()
	s.media.reset()
	s.engage.init()
	s.limit.reset()
	s.refused.reset()
	s.stats.reset()
}

// Handler returns the platform's HTTP handler, for use in process (with
// httptest.NewServer, say). Call Close before closing such a server: it
// ends the answers that Config.TimeoutDelay holds back.
func (s *Server) Handler() http.Handler { return s.mux }

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background until Close. It returns the base URL, e.g. http://127.0.0.1:41234.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case <-s.done:
		return "", errors.New("fakeserver: the server was closed")
	default:
	}
	if s.srv != nil {
		return "", errors.New("fakeserver: the server is already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("fakeserver: listen on %s: %w", addr, err)
	}
	s.srv = &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv := s.srv
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("fake platform stopped serving", "error", err)
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the server (if started) and ends held-back answers. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { close(s.done) })
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil {
		return fmt.Errorf("fakeserver: close: %w", err)
	}
	return nil
}

// Client returns an HTTP client suited to hammering the server: it keeps
// enough idle connections per host that a benchmark does not run out of
// ports, and no overall timeout (use contexts).
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        1024,
		MaxIdleConnsPerHost: 1024,
		IdleConnTimeout:     90 * time.Second,
	}}
}

func (s *Server) routes() {
	m := http.NewServeMux()
	m.HandleFunc("POST /api/v1/statuses", s.createStatus)
	m.HandleFunc("GET /api/v1/statuses/{id}", s.getStatus)
	m.HandleFunc("GET /api/v1/statuses/{id}/context", s.statusContext)
	m.HandleFunc("DELETE /api/v1/statuses/{id}", s.deleteStatus)
	m.HandleFunc("PUT /api/v1/statuses/{id}", s.editStatus)
	m.HandleFunc("GET /api/v1/accounts/{id}/statuses", s.accountStatuses)
	m.HandleFunc("GET /api/v1/accounts/verify_credentials", s.verifyCredentials)
	m.HandleFunc("POST /api/v2/media", s.uploadMedia)
	m.HandleFunc("GET /api/v1/media/{id}", s.getMedia)
	m.HandleFunc("GET /api/v2/instance", s.instance)
	m.HandleFunc("POST /oauth/token", s.token)
	m.HandleFunc("GET /oauth/authorize", s.authorize)
	m.HandleFunc("POST /api/v1/statuses/{id}/favourite", s.favourite)
	m.HandleFunc("POST /api/v1/statuses/{id}/reblog", s.reblog)
	m.HandleFunc("GET /api/v1/notifications", s.notifications)
	m.HandleFunc("GET /api/v1/streaming/user", s.userStream)
	m.HandleFunc("GET /_admin/config", s.adminGetConfig)
	m.HandleFunc("PUT /_admin/config", s.adminPutConfig)
	m.HandleFunc("GET /_admin/ledger", s.adminLedger)
	m.HandleFunc("GET /_admin/posts", s.adminPosts)
	m.HandleFunc("GET /_admin/ratelimited", s.adminRateLimited)
	m.HandleFunc("POST /_admin/reset", s.adminReset)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Record not found")
	})
	s.mux = m
}

// fate is what the configuration decides for one request.
type fate int

const (
	fateAnswer fate = iota
	fateError
	fateTimeout
)

func (cfg *Config) draw() fate {
	if cfg.ErrorRate == 0 && cfg.TimeoutRate == 0 {
		return fateAnswer
	}
	u := rand.Float64()
	switch {
	case u < cfg.ErrorRate:
		return fateError
	case u < cfg.ErrorRate+cfg.TimeoutRate:
		return fateTimeout
	}
	return fateAnswer
}

// holdBack reports whether a request drawn to time out is held back:
// always, unless the post's key has used up Config.TimeoutsPerPost.
func (s *Server) holdBack(r *http.Request, cfg *Config) bool {
	if cfg.TimeoutsPerPost == 0 {
		return true
	}
	key := cmp.Or(r.Header.Get("X-Herald-Key"), r.Header.Get("Idempotency-Key"))
	if key == "" {
		return true
	}
	n, _ := s.heldBack.LoadOrStore(key, new(atomic.Int64))
	return n.(*atomic.Int64).Add(1) <= int64(cfg.TimeoutsPerPost)
}

// begin authenticates an API request, applies the rate limit and error
// injection, and returns the caller's account and the fate of the request.
// ok is false when the request has been answered.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, cfg *Config, now time.Time) (account string, f fate, ok bool) {
	s.stats.requests.Add(1)
	account, problem := s.tokens.authenticate(r.Header.Get("Authorization"), now)
	if problem != "" {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+problem+`"`)
		s.answerError(w, r, cfg, http.StatusUnauthorized, problem)
		return "", 0, false
	}
	if cfg.RateLimit > 0 {
		allowed, remaining, reset := s.limit.take(account, cfg.RateLimit, cfg.RateWindow, now)
		h := w.Header()
		h.Set("X-RateLimit-Limit", itoa(cfg.RateLimit))
		h.Set("X-RateLimit-Remaining", itoa(remaining))
		h.Set("X-RateLimit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
		if !allowed {
			s.stats.rateLimited.Add(1)
			secs := max(int((reset.Sub(now)+time.Second-1)/time.Second), 1)
			h.Set("Retry-After", itoa(secs))
			s.refused.add(Refusal{Account: account, Method: r.Method, Path: r.URL.Path, At: now, Reset: reset, RetryAfter: secs})
			s.answerError(w, r, cfg, http.StatusTooManyRequests, "Too many requests")
			return "", 0, false
		}
	}
	f = cfg.draw()
	if f == fateError {
		s.stats.errors.Add(1)
		if cfg.ErrorHTML {
			s.pause(r, cfg.Latency)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(cfg.ErrorStatus)
			fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%d</title></head><body><h1>%d %s</h1><p>The server is temporarily unable to service your request.</p></body></html>\n",
				cfg.ErrorStatus, cfg.ErrorStatus, http.StatusText(cfg.ErrorStatus))
			return "", 0, false
		}
		s.answerError(w, r, cfg, cfg.ErrorStatus, "The server is temporarily unavailable ("+http.StatusText(cfg.ErrorStatus)+")")
		return "", 0, false
	}
	return account, f, true
}

// pause waits d, or less if the client leaves or the server closes.
func (s *Server) pause(r *http.Request, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
	case <-s.done:
	}
}

// stall is the time-out half of accept-then-time-out: hold the answer for
// TimeoutDelay, or drop the connection without one.
func (s *Server) stall(r *http.Request, cfg *Config) {
	s.stats.timeouts.Add(1)
	if cfg.TimeoutDelay == 0 {
		// net/http closes the connection (or resets the HTTP/2 stream)
		// without an answer and without logging.
		panic(http.ErrAbortHandler)
	}
	s.pause(r, cfg.TimeoutDelay)
}

func (s *Server) answer(w http.ResponseWriter, r *http.Request, cfg *Config, status int, v any) {
	s.pause(r, cfg.Latency)
	writeJSON(w, status, v)
}

func (s *Server) answerError(w http.ResponseWriter, r *http.Request, cfg *Config, status int, msg string) {
	if status < 500 && status != http.StatusTooManyRequests && status != http.StatusUnauthorized {
		s.stats.rejected.Add(1)
	}
	s.pause(r, cfg.Latency)
	writeError(w, status, msg)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding the answer failed: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, _ := json.Marshal(struct {
		Error string `json:"error"`
	}{msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Stats counts what the server did.
type Stats struct {
	Requests    int64 `json:"requests"`     // API requests
	Posts       int64 `json:"posts"`        // posts created
	Replays     int64 `json:"replays"`      // repeated idempotency keys answered with the first post
	Rejected    int64 `json:"rejected"`     // 4xx answers other than 401 and 429
	Errors      int64 `json:"errors"`       // injected 5xx answers
	Timeouts    int64 `json:"timeouts"`     // posts recorded then not answered in time
	RateLimited int64 `json:"rate_limited"` // 429 answers
}

type counters struct {
	requests, posts, replays, rejected, errors, timeouts, rateLimited atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{Requests: c.requests.Load(), Posts: c.posts.Load(), Replays: c.replays.Load(),
		Rejected: c.rejected.Load(), Errors: c.errors.Load(), Timeouts: c.timeouts.Load(),
		RateLimited: c.rateLimited.Load()}
}

func (c *counters) reset() {
	for _, v := range []*atomic.Int64{&c.requests, &c.posts, &c.replays, &c.rejected, &c.errors, &c.timeouts, &c.rateLimited} {
		v.Store(0)
	}
}
