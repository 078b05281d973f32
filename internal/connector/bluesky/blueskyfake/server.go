// Package blueskyfake is a fake Bluesky: one HTTP server that plays the
// PLC directory, a PDS and the AppView behind it, speaking the XRPC
// endpoints Herald's Bluesky connector uses, with Bluesky's error bodies
// ({"error":"ExpiredToken","message":"Token has expired"}), its rate-limit
// headers (RateLimit-Limit, -Remaining, -Reset as a Unix time, -Policy) and
// its record rules (TID record keys, putRecord with swapRecord, post
// validation, blobs, facets, reply refs).
//
// # Endpoints
//
//	GET  /{did}                                      the DID document (PLC directory)
//	GET  /xrpc/com.atproto.identity.resolveHandle    handle → {"did"}
//	POST /xrpc/com.atproto.server.createSession      {"identifier","password"} (30 per 5 min per identifier)
//	POST /xrpc/com.atproto.server.refreshSession     Bearer refresh token; the old one stops working
//	GET  /xrpc/com.atproto.server.getSession
//	GET  /xrpc/app.bsky.actor.getProfile             ?actor=: with followersCount, followsCount, postsCount
//	POST /xrpc/com.atproto.repo.uploadBlob           raw bytes → {"blob":{…}}
//	POST /xrpc/com.atproto.repo.createRecord         {"repo","collection","rkey"?,"record"}
//	POST /xrpc/com.atproto.repo.putRecord            {"repo","collection","rkey","record","swapRecord"?}
//	POST /xrpc/com.atproto.repo.deleteRecord         {"repo","collection","rkey"}
//	GET  /xrpc/com.atproto.repo.getRecord            ?repo=&collection=&rkey=
//	GET  /xrpc/app.bsky.feed.getPosts                ?uris= (at most 25): views with counts
//	GET  /xrpc/app.bsky.feed.getPostThread           ?uri=: the post and its replies
//	GET  /xrpc/app.bsky.notification.listNotifications  ?limit=&cursor=&reasons=, newest first
//	…/xrpc/chat.bsky.convo.*                         chat, with atproto-proxy (see chat.go)
//
// Tokens are JWT-shaped (the payload carries exp); an expired access token
// answers 400 ExpiredToken, an unknown one 400 InvalidToken, none 401
// AuthMissing. Writes cost points (create 3, update 2, delete 1) from
// Config.WritePoints per hour per account; past it, 429 RateLimitExceeded.
//
// Tests steer it with Go methods: CreateAccount, AddAppPassword (with or
// without access to direct messages), Fail (inject an answer or drop the
// connection after acting), ExpireAccessTokens, RevokeSessions,
// SetFollowCounts, Record, Records, Calls, DirectMessage and DirectSent.
package blueskyfake

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config is how the fake behaves.
type Config struct {
	// AccessTTL and RefreshTTL are the tokens' lifetimes (defaults 2 h and 90 days).
	AccessTTL  time.Duration
	RefreshTTL time.Duration
	// SessionLimit is how many createSession calls an identifier may make
	// per SessionWindow (defaults 30 per 5 minutes).
	SessionLimit  int
	SessionWindow time.Duration
	// WritePoints is each account's hourly write budget (default 5000).
	WritePoints int
	// MaxBlobBytes is the largest upload (default 5,000,000); MaxImageBytes
	// the largest image a post may embed (default 2,000,000, the lexicon's).
	MaxBlobBytes  int64
	MaxImageBytes int64
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.AccessTTL <= 0 {
		c.AccessTTL = 2 * time.Hour
	}
	if c.RefreshTTL <= 0 {
		c.RefreshTTL = 90 * 24 * time.Hour
	}
	if c.SessionLimit <= 0 {
		c.SessionLimit = 30
	}
	if c.SessionWindow <= 0 {
		c.SessionWindow = 5 * time.Minute
	}
	if c.WritePoints <= 0 {
		c.WritePoints = 5000
	}
	if c.MaxBlobBytes <= 0 {
		c.MaxBlobBytes = 5_000_000
	}
	if c.MaxImageBytes <= 0 {
		c.MaxImageBytes = 2_000_000
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// Server is the fake. Its methods are safe for concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux

	mu       sync.Mutex
	url      string
	accounts map[string]*account // by DID
	handles  map[string]string   // handle → DID
	tokens   map[string]*token   // by token string
	repos    map[string]*repo    // by DID
	notes    []note              // notifications, oldest first
	limits   map[string]*window  // rate windows by key
	faults   map[string][]Fault  // by NSID, consumed in order
	calls    map[string]int      // by NSID
	seq      int64
	convos   map[string]*convo // chat conversations by id
	chatLog  []chatEvent       // chat events, oldest first
	lastRev  int64             // the last chat revision's time (µs)
	lis      net.Listener
	srv      *http.Server

	// follows are counts of followers and follows from outside the fake,
	// by DID (SetFollowCounts).
	follows map[string]followCounts
}

// New returns a fake that is not yet listening: call Start, or serve
// Handler yourself and tell it its URL with SetURL.
func New(cfg Config) *Server {
	s := &Server{
		cfg:      cfg.withDefaults(),
		mux:      http.NewServeMux(),
		accounts: map[string]*account{},
		handles:  map[string]string{},
		tokens:   map[string]*token{},
		repos:    map[string]*repo{},
		follows:  map[string]followCounts{},
		limits:   map[string]*window{},
		faults:   map[string][]Fault{},
		calls:    map[string]int{},
		convos:   map[string]*convo{},
	}
	s.routes()
	return s
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves until
// Close; it returns the base URL, which is also the PDS URL in DID
// documents and the PLC directory URL.
func (s *Server) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("blueskyfake: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.lis, s.srv = ln, srv
	s.url = "http://" + ln.Addr().String()
	u := s.url
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return u, nil
}

// SetURL tells a fake served through Handler where it is reachable.
func (s *Server) SetURL(u string) {
	s.mu.Lock()
	s.url = strings.TrimRight(u, "/")
	s.mu.Unlock()
}

// URL returns the base URL.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Handler returns the fake's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Close stops a started server.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Fault is an answer a test injects in place of (or after) the real one.
type Fault struct {
	// Status, Header and Body are the answer sent instead of the real one
	// (Body verbatim; Status 0 with Drop set sends nothing).
	Status int
	Header http.Header
	Body   string
	// Drop carries out the request, then closes the connection without
	// an answer: the client cannot know whether it happened.
	Drop bool
}

// Fail queues faults for the next calls of nsid (one fault per call).
func (s *Server) Fail(nsid string, faults ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[nsid] = append(s.faults[nsid], faults...)
}

// Calls returns how many times nsid was called (faults included).
func (s *Server) Calls(nsid string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[nsid]
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /{did}", s.didDoc)
	h := map[string]http.HandlerFunc{
		"com.atproto.identity.resolveHandle":      s.resolveHandle,
		"com.atproto.server.createSession":        s.createSession,
		"com.atproto.server.refreshSession":       s.refreshSession,
		"com.atproto.server.getSession":           s.getSession,
		"app.bsky.actor.getProfile":               s.getProfile,
		"com.atproto.repo.uploadBlob":             s.uploadBlob,
		"com.atproto.repo.createRecord":           s.createRecord,
		"com.atproto.repo.putRecord":              s.putRecord,
		"com.atproto.repo.deleteRecord":           s.deleteRecord,
		"com.atproto.repo.getRecord":              s.getRecord,
		"app.bsky.feed.getPosts":                  s.getPosts,
		"app.bsky.feed.getAuthorFeed":             s.getAuthorFeed,
		"app.bsky.feed.getPostThread":             s.getPostThread,
		"app.bsky.notification.listNotifications": s.listNotifications,
		"chat.bsky.convo.listConvos":              s.listConvos,
		"chat.bsky.convo.getConvo":                s.getConvo,
		"chat.bsky.convo.getConvoForMembers":      s.getConvoForMembers,
		"chat.bsky.convo.getMessages":             s.getMessages,
		"chat.bsky.convo.getLog":                  s.getLog,
		"chat.bsky.convo.sendMessage":             s.sendMessage,
	}
	procedures := map[string]bool{"com.atproto.server.createSession": true, "com.atproto.server.refreshSession": true,
		"com.atproto.repo.uploadBlob": true, "com.atproto.repo.createRecord": true, "com.atproto.repo.putRecord": true,
		"com.atproto.repo.deleteRecord": true, "chat.bsky.convo.sendMessage": true}
	s.mux.HandleFunc("/xrpc/{nsid}", func(w http.ResponseWriter, r *http.Request) {
		nsid := r.PathValue("nsid")
		f, ok := h[nsid]
		if !ok {
			xerr(w, http.StatusNotImplemented, "MethodNotImplemented", "Method Not Implemented")
			return
		}
		want := http.MethodGet
		if procedures[nsid] {
			want = http.MethodPost
		}
		if r.Method != want {
			xerr(w, http.StatusBadRequest, "InvalidRequest", fmt.Sprintf("Incorrect HTTP method (%s) expected %s", r.Method, want))
			return
		}
		s.mu.Lock()
		s.calls[nsid]++
		var fault *Fault
		if q := s.faults[nsid]; len(q) > 0 {
			fault = &q[0]
			s.faults[nsid] = q[1:]
		}
		s.mu.Unlock()
		if fault != nil {
			s.inject(w, r, f, *fault)
			return
		}
		f(w, r)
	})
}

// inject answers with a fault.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f http.HandlerFunc, fault Fault) {
	if fault.Drop {
		f(discard{header: http.Header{}}, r)
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range fault.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(fault.Status)
	_, _ = w.Write([]byte(fault.Body))
}

// discard is a ResponseWriter that forgets the answer.
type discard struct{ header http.Header }

// Header returns headers nobody reads.
func (d discard) Header() http.Header { return d.header }

// Write forgets b.
func (d discard) Write(b []byte) (int, error) { return len(b), nil }

// WriteHeader forgets the status.
func (d discard) WriteHeader(int) {}

// xerr writes an XRPC error body.
func xerr(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

// writeJSON writes a 200 JSON answer.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

// window is a fixed rate-limit window.
type window struct {
	start time.Time
	used  int
}

// take spends cost from the window key (limit per dur), sets the
// RateLimit headers and answers 429 when the budget is spent.
func (s *Server) take(w http.ResponseWriter, key string, cost, limit int, dur time.Duration) bool {
	s.mu.Lock()
	ok := s.takeLocked(w, key, cost, limit, dur)
	s.mu.Unlock()
	if !ok {
		xerr(w, http.StatusTooManyRequests, "RateLimitExceeded", "Rate Limit Exceeded")
	}
	return ok
}

// takeLocked is take with the lock held and without the answer.
func (s *Server) takeLocked(w http.ResponseWriter, key string, cost, limit int, dur time.Duration) bool {
	now := s.cfg.Now()
	win, ok := s.limits[key]
	if !ok || now.Sub(win.start) >= dur {
		win = &window{start: now}
		s.limits[key] = win
	}
	allowed := win.used+cost <= limit
	if allowed {
		win.used += cost
	}
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(limit-win.used, 0)))
	h.Set("RateLimit-Reset", strconv.FormatInt(win.start.Add(dur).Unix(), 10))
	h.Set("RateLimit-Policy", fmt.Sprintf("%d;w=%d", limit, int(dur.Seconds())))
	return allowed
}

// decode reads a JSON request body into v, answering 400 when it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			xerr(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "request entity too large")
			return false
		}
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}
