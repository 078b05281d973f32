// Package youtubefake is a fake YouTube Data API v3 and Google OAuth 2.0
// for tests, benchmarks and UI tests. It speaks the shapes of YouTube's
// discovery document (the one google.golang.org/api ships), and checks
// every request body, query and its own answers against that document,
// read from the Go module cache:
//
//	GET    /o/oauth2/v2/auth                  consent page: approves at once, redirects with code and state
//	POST   /token                             authorization_code (PKCE S256) and refresh_token grants
//	GET    /youtube/v3/channels               mine=true: the token's channel
//	GET    /youtube/v3/videoCategories        regionCode: the region's categories
//	POST   /upload/youtube/v3/videos          uploadType=resumable: starts a session (Location)
//	PUT    /upload/youtube/v3/videos          upload_id: a chunk (Content-Range a-b/n) or a status
//	                                          query (bytes */n): 308 with Range, 200 with the video
//	GET    /youtube/v3/videos                 part=statistics (and snippet, status)
//	DELETE /youtube/v3/videos                 204
//	POST   /upload/youtube/v3/thumbnails/set  videoId: the image (403 on an unverified channel)
//	GET    /youtube/v3/commentThreads         allThreadsRelatedToChannelId or videoId, pageToken
//	POST   /youtube/v3/commentThreads         a top-level comment
//	GET    /youtube/v3/comments               parentId: a thread's replies
//	POST   /youtube/v3/comments               a reply (snippet.parentId)
//	DELETE /youtube/v3/comments               204
//
// Errors are Google's: {"error":{"code":…,"message":…,"errors":[{"reason":…}]}}.
package youtubefake

import (
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Routes of faults that are not a plain route.
const (
	// RouteFinalChunk is the upload request that completes a video.
	RouteFinalChunk = "final chunk"
	// RouteChunk is any upload request with bytes.
	RouteChunk = "chunk"
)

// Video is a video as the fake keeps it.
type Video struct {
	ID, Title, Description, CategoryID, Privacy, PublishAt string
	Tags                                                   []string
	MadeForKids, Notified                                  bool
	Size                                                   int64
	Thumbnail                                              []byte
	PublishedAt                                            time.Time
	Deleted                                                bool
	Views, Likes, Comments                                 int64
	NoLikes, NoComments                                    bool
}

// Comment is a comment as the fake keeps it: a top-level one (its id is
// its thread's) or a reply (ParentID its thread).
type Comment struct {
	ID, VideoID, ParentID, AuthorChannel, AuthorName, Text string
	PublishedAt                                            time.Time
	Deleted                                                bool
}

// Session is a resumable upload session.
type Session struct {
	ID       string
	Video    map[string]any
	Size     int64
	Received int64
	Done     string // the video made
	Notify   bool
	Expired  bool
}

// Fault makes the fake misbehave on a route ("POST /upload/youtube/v3/videos",
// RouteFinalChunk, RouteChunk or "*").
type Fault struct {
	Route  string
	Status int
	Header http.Header
	Body   string
	// Drop carries the request out, then closes the connection unanswered.
	Drop bool
	// Cut closes the connection without carrying the request out.
	Cut bool
	// Skip lets that many matching requests through first.
	Skip  int
	Times int
}

type token struct {
	access, refresh string
	scopes          []string
	expires         time.Time
}

type grant struct {
	scopes, redirect, challenge string
}

// Server is the fake. It is an http.Handler; its methods are safe for
// concurrent use.
type Server struct {
	ClientID, ClientSecret string

	mu         sync.Mutex
	now        func() time.Time
	seq        int64
	channel    string
	handle     string
	region     string
	noChannel  bool
	verified   bool
	tokens     map[string]*token
	refresh    map[string]*token
	codes      map[string]grant
	videos     []*Video
	comments   []*Comment
	sessions   map[string]*Session
	faults     []Fault
	violations []string
	disc       *Discovery
	discErr    error
	mux        *http.ServeMux
}

// New returns a fake with one channel (its id and @handle) for the OAuth
// client clientID/clientSecret. The channel is verified (custom thumbnails
// allowed) until SetVerified(false).
func New(clientID, clientSecret, channelID, handle string) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, now: time.Now, seq: 1000, channel: channelID, handle: handle,
		region: "GB", verified: true, tokens: map[string]*token{}, refresh: map[string]*token{}, codes: map[string]grant{},
		sessions: map[string]*Session{}, mux: http.NewServeMux()}
	s.disc, s.discErr = LoadDiscovery()
	s.routes()
	return s
}

func (s *Server) id(prefix string) string {
	s.seq++
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	n, b := s.seq*7919, []byte{}
	for range 11 {
		b = append(b, alphabet[n%64])
		n /= 64
	}
	return prefix + string(b)
}

// SetVerified sets whether the channel is verified (custom thumbnails).
func (s *Server) SetVerified(v bool) { s.mu.Lock(); s.verified = v; s.mu.Unlock() }

// SetNoChannel makes the Google account one without a YouTube channel.
func (s *Server) SetNoChannel(v bool) { s.mu.Lock(); s.noChannel = v; s.mu.Unlock() }

// SetClock sets the fake's clock.
func (s *Server) SetClock(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// ExpireToken makes an access token expired.
func (s *Server) ExpireToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[access]; ok {
		t.expires = s.now().Add(-time.Second)
	}
}

// RevokeRefresh withdraws a refresh token and its access tokens, as when
// the person removes Herald's access in their Google account.
func (s *Server) RevokeRefresh(refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.tokens {
		if t.refresh == refresh {
			delete(s.tokens, k)
		}
	}
	delete(s.refresh, refresh)
}

// ExpireSessions makes every upload session unknown (404), as YouTube does
// after a week.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		ss.Expired = true
	}
}

// Sessions returns the upload sessions.
func (s *Server) Sessions() []Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Session
	for _, ss := range s.sessions {
		out = append(out, *ss)
	}
	return out
}

// Videos returns every video, oldest first (deleted ones included).
func (s *Server) Videos() []Video {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Video, 0, len(s.videos))
	for _, v := range s.videos {
		out = append(out, *v)
	}
	return out
}

// Comments returns every comment, oldest first.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, 0, len(s.comments))
	for _, c := range s.comments {
		out = append(out, *c)
	}
	return out
}

// SetCounts sets a video's statistics; a negative like or comment count is
// hidden (left out of answers).
func (s *Server) SetCounts(id string, views, likes, comments int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range s.videos {
		if v.ID == id {
			v.Views, v.Likes, v.Comments = max(views, 0), likes, comments
			v.NoLikes, v.NoComments = likes < 0, comments < 0
		}
	}
}

// AddComment makes another channel comment on a video (parent "") or
// answer a thread, at the fake's clock; it returns the comment's id.
func (s *Server) AddComment(videoID, parent, author, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.id("Ug"), VideoID: videoID, ParentID: parent, AuthorChannel: "UCviewer" + author,
		AuthorName: "@" + author, Text: text, PublishedAt: s.now().UTC()}
	if parent != "" {
		c.ID = parent + "." + s.id("")
	}
	s.comments = append(s.comments, c)
	return c.ID
}

// Violations returns every way a client broke the discovery document's
// contract so far (and the fake's own answers that did).
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]string(nil), s.violations...)
	if s.discErr != nil {
		out = append(out, "the contract cannot be checked: "+s.discErr.Error())
	}
	return out
}

func (s *Server) violate(v ...string) {
	s.mu.Lock()
	s.violations = append(s.violations, v...)
	s.mu.Unlock()
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

// takeFault returns the fault for the first of routes that has one.
func (s *Server) takeFault(routes ...string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		for _, r := range routes {
			if f.Route != r && f.Route != "*" {
				continue
			}
			if f.Skip > 0 {
				s.faults[i].Skip--
				return Fault{}, false
			}
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// QuotaExceeded is YouTube's answer when the project's daily quota is
// spent.
func QuotaExceeded(route string) Fault {
	return Fault{Route: route, Status: http.StatusForbidden, Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}},
		Body: googleError(http.StatusForbidden, "quotaExceeded", "youtube.quota",
			"The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.")}
}

// InvalidCredentials is Google's answer to a token it does not accept (expired or revoked).
func InvalidCredentials(route string) Fault {
	return Fault{Route: route, Status: http.StatusUnauthorized, Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"},
		"Www-Authenticate": {`Bearer realm="https://accounts.google.com/", error="invalid_token"`}},
		Body: googleError(http.StatusUnauthorized, "authError", "global", "Request had invalid authentication credentials.")}
}

func googleError(code int, reason, domain, msg string) string {
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg,
		"errors": []any{map[string]any{"message": msg, "domain": domain, "reason": reason}}}})
	return string(b)
}

func apiError(w http.ResponseWriter, code int, reason, msg string) {
	domain := "youtube.api"
	switch reason {
	case "authError", "insufficientPermissions":
		domain = "global"
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = w.Write([]byte(googleError(code, reason, domain, msg)))
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// writeFault answers a fault that is not a drop.
func writeFault(w http.ResponseWriter, f Fault) {
	for k, v := range f.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(f.Body))
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// api registers an API route: faults, the token and its scope (any of
// scopes), the discovery document's query parameters, and the method's
// request and response bodies.
func (s *Server) api(route, resource, name, schemaName string, scopes []string, h func(w http.ResponseWriter, r *http.Request, body map[string]any)) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		f, faulted := s.takeFault(route)
		if faulted && !f.Drop && !f.Cut {
			writeFault(w, f)
			return
		}
		if faulted && f.Cut {
			hangUp(w)
			return
		}
		if !s.authorized(w, r, scopes) {
			return
		}
		var body map[string]any
		m, known := method{}, false
		if s.disc != nil {
			m, known = s.disc.method(resource, name)
			if !known {
				s.violate(fmt.Sprintf("%s: the discovery document has no method %s.%s", route, resource, name))
			}
		}
		if known {
			var names []string
			for k := range r.URL.Query() {
				names = append(names, k)
			}
			s.violate(s.disc.checkQuery(m, names, splitParts(r.URL.Query().Get("part")), schemaName)...)
		}
		if r.Method == http.MethodPost && m.Request != nil || r.Method == http.MethodPost && strings.HasSuffix(route, "/videos") {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				apiError(w, http.StatusBadRequest, "parseError", "Parse Error")
				return
			}
			if known && m.Request != nil {
				s.violate(s.disc.checkBody(m.ID+" request", m.Request, body)...)
			}
		}
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		h(rec, r, body)
		if known && m.Response != nil && rec.status < 300 && rec.body.Len() > 0 {
			var v any
			if err := json.Unmarshal(rec.body.Bytes(), &v); err != nil {
				s.violate(fmt.Sprintf("%s response: not JSON: %v", m.ID, err))
			} else {
				s.violate(s.disc.checkBody(m.ID+" response", m.Response, v)...)
			}
		}
		if faulted && f.Drop {
			hangUp(w)
			return
		}
		rec.flush(w)
	})
}

func splitParts(p string) []string {
	var out []string
	for _, x := range strings.Split(p, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// authorized checks the bearer token and that it has one of scopes.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, scopes []string) bool {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	t, ok := s.tokens[tok]
	expired := ok && !s.now().Before(t.expires)
	s.mu.Unlock()
	if !ok || expired {
		writeFault(w, InvalidCredentials(""))
		return false
	}
	for _, sc := range scopes {
		for _, have := range t.scopes {
			if sc == have {
				return true
			}
		}
	}
	apiError(w, http.StatusForbidden, "insufficientPermissions", "Request had insufficient authentication scopes.")
	return false
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(s int)           { r.status = s }

func (r *recorder) flush(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		apiError(w, http.StatusInternalServerError, "backendError", "the fake could not encode its answer")
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// etag is a stand-in for YouTube's entity tags.
func etag(parts ...any) string {
	sum := sha1.Sum([]byte(fmt.Sprint(parts...)))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// roundTrip is v as JSON decodes it, for the contract check.
func roundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}
