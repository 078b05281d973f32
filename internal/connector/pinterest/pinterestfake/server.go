// Package pinterestfake is a fake Pinterest API v5 for tests, benchmarks
// and UI tests, written from Pinterest's reference documentation (no
// machine-readable contract is published):
//
//	GET    /oauth/                       consent page: approves at once, redirects with code and state
//	POST   /v5/oauth/token               authorization_code and refresh_token grants, HTTP Basic
//	                                     with the app's id and secret; continuous refresh rotates
//	                                     the refresh token
//	GET    /v5/user_account              the token's account
//	GET    /v5/boards                    the account's boards (items, bookmark)
//	GET    /v5/boards/{id}/pins          a board's pins, newest first (items, bookmark)
//	POST   /v5/pins                      image_base64, multiple_image_base64 (2–5), video_id
//	GET    /v5/pins/{id}                 with pin_metrics=true: lifetime counts
//	DELETE /v5/pins/{id}                 204
//	GET    /v5/pins/{id}/analytics       {"all":{"summary_metrics":…,"daily_metrics":…}}
//	POST   /v5/media, GET /v5/media/{id} video registration and processing status
//	POST   /upload/{media_id}            the upload address (Pinterest's S3 stand-in)
//
// Errors are {"code":…,"message":…}; every API answer carries
// X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset (seconds
// to the window's end). Scopes are enforced per endpoint.
package pinterestfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Pin is a pin as the fake keeps it.
type Pin struct {
	ID          string
	BoardID     string
	Title       string
	Description string
	Link        string
	AltText     string
	Note        string
	SourceType  string
	Images      [][]byte
	MediaID     string
	CreatedAt   time.Time
	Deleted     bool
	Reactions   int64
	Comments    int64
	Impressions int64
	Saves       int64
	// Hidden counts leave them out of answers (-1 in SetMetrics).
	NoReactions, NoComments bool
}

// Fault makes the fake misbehave on a route ("POST /v5/pins", or "*").
type Fault struct {
	Route  string
	Status int
	Header http.Header
	Body   string
	// Drop carries the request out, then closes the connection unanswered.
	Drop  bool
	Times int
}

type token struct {
	access, refresh string
	scopes          []string
	expires         time.Time
}

type media struct {
	uploaded  bool
	pollsLeft int
}

// Server is the fake. It is an http.Handler; its methods are safe for
// concurrent use.
type Server struct {
	ClientID, ClientSecret string
	// ProcessingPolls is how many status checks say "processing" after a
	// video's upload.
	ProcessingPolls int

	mu       sync.Mutex
	now      func() time.Time
	seq      int64
	username string
	boards   []string
	tokens   map[string]*token
	refresh  map[string]*token
	codes    map[string]bool
	pins     []*Pin
	media    map[string]*media
	faults   []Fault
	mux      *http.ServeMux
}

// New returns a fake with one account (username) and its boards, for the
// app clientID/clientSecret.
func New(clientID, clientSecret, username string, boards ...string) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, now: time.Now, seq: 1100000000000000000,
		username: username, boards: boards, tokens: map[string]*token{}, refresh: map[string]*token{},
		codes: map[string]bool{}, media: map[string]*media{}, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) id() string {
	s.seq += 977
	return strconv.FormatInt(s.seq, 10)
}

// IssueToken gives the account a token with scopes (Herald's four when
// none are named), as if it had connected; it returns the access and
// refresh tokens.
func (s *Server) IssueToken(scopes ...string) (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.issue(scopes)
	return t.access, t.refresh
}

func (s *Server) issue(scopes []string) *token {
	if len(scopes) == 0 {
		scopes = []string{"boards:read", "pins:read", "pins:write", "user_accounts:read"}
	}
	t := &token{access: "pina_" + s.id(), refresh: "pinr_" + s.id(), scopes: scopes, expires: s.now().Add(30 * 24 * time.Hour)}
	s.tokens[t.access], s.refresh[t.refresh] = t, t
	return t
}

// ExpireToken makes an access token expired.
func (s *Server) ExpireToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[access]; ok {
		t.expires = s.now().Add(-time.Second)
	}
}

// Pins returns every pin, oldest first (deleted ones included).
func (s *Server) Pins() []Pin {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Pin, 0, len(s.pins))
	for _, p := range s.pins {
		out = append(out, *p)
	}
	return out
}

// SetCounts sets a pin's counts; a negative one is left out of answers.
func (s *Server) SetCounts(id string, reactions, comments, impressions, saves int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.pins {
		if p.ID == id {
			p.Reactions, p.Comments, p.Impressions, p.Saves = reactions, comments, impressions, saves
			p.NoReactions, p.NoComments = reactions < 0, comments < 0
		}
	}
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

func (s *Server) takeFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Route == route || f.Route == "*" {
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// RateLimited is Pinterest's answer over the limit.
func RateLimited(route string, resetSeconds int) Fault {
	return Fault{Route: route, Status: http.StatusTooManyRequests, Body: `{"code":8,"message":"Too many requests. Please try again later."}`,
		Header: http.Header{"Content-Type": {"application/json"}, "X-RateLimit-Limit": {"100"}, "X-RateLimit-Remaining": {"0"},
			"X-RateLimit-Reset": {strconv.Itoa(resetSeconds)}}}
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// handle registers a route, applying faults and, with scope, the token.
func (s *Server) handle(route, scope string, h http.HandlerFunc) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		f, faulted := s.takeFault(route)
		if faulted && !f.Drop {
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return
		}
		if strings.HasPrefix(route, "GET /v5") || strings.HasPrefix(route, "POST /v5") || strings.HasPrefix(route, "DELETE /v5") {
			w.Header().Set("X-RateLimit-Limit", "100")
			w.Header().Set("X-RateLimit-Remaining", "99")
			w.Header().Set("X-RateLimit-Reset", "60")
		}
		if scope != "" {
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			s.mu.Lock()
			t, ok := s.tokens[tok]
			expired := ok && !s.now().Before(t.expires)
			s.mu.Unlock()
			if !ok || expired {
				apiError(w, http.StatusUnauthorized, 2, "Authentication failed.")
				return
			}
			if !has(t.scopes, scope) {
				apiError(w, http.StatusForbidden, 3, "Not authorized to access the resource: the token lacks the scope "+scope)
				return
			}
		}
		if faulted && f.Drop {
			rec := &recorder{header: http.Header{}}
			h(rec, r)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(http.ErrAbortHandler)
			}
			_ = conn.Close()
			return
		}
		h(w, r)
	})
}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

type recorder struct {
	header http.Header
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(int)             {}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"code":1,"message":"the fake could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"code": code, "message": msg})
}

func badRequest(w http.ResponseWriter, format string, args ...any) {
	apiError(w, http.StatusBadRequest, 1, fmt.Sprintf(format, args...))
}
