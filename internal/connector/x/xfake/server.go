// Package xfake is a fake X API v2 server for tests, benchmarks and UI
// tests: a real HTTP handler that speaks the documented contract of the
// endpoints Herald uses, keeps posts, media, likes and tokens in memory,
// and can be told to misbehave (errors, dropped answers, truncated bodies,
// rate limits, slow media processing).
//
// # Endpoints
//
//	GET    /i/oauth2/authorize                  consent page: approves at once as the consenting
//	                                            user and redirects with code and state
//	POST   /2/oauth2/token                      authorization_code (PKCE S256) and refresh_token
//	                                            grants; refresh tokens rotate
//	GET    /2/users/me                          the token's user; public_metrics with
//	                                            user.fields=public_metrics (audience.go)
//	POST   /2/tweets                            text, reply.in_reply_to_tweet_id, media.media_ids,
//	                                            reply_settings; 201 {"data":{"id","text"}}
//	DELETE /2/tweets/{id}                       {"data":{"deleted":true}}
//	GET    /2/tweets?ids=…                      lookup with public_metrics and non_public_metrics
//	GET    /2/users/{id}/tweets                 the user's posts, newest first, paginated
//	GET    /2/users/{id}/mentions               posts mentioning or replying to the user
//	POST   /2/users/{id}/likes                  {"tweet_id"}
//	POST   /2/media/upload/initialize           chunked upload: initialize, append (multipart
//	POST   /2/media/upload/{id}/append          "media" and "segment_index"), finalize, then
//	POST   /2/media/upload/{id}/finalize        GET /2/media/upload?command=STATUS&media_id=…
//	GET    /2/media/upload                      while processing_info is pending or in_progress
//	POST   /2/media/metadata                    alt text
//	GET    /2/dm_events                         direct messages (see dm.go), newest first
//	GET    /2/dm_conversations/{id}/dm_events   one conversation's messages
//	POST   /2/dm_conversations/{id}/messages    {"text"}; 201 {"data":{"dm_conversation_id","dm_event_id"}}
//	GET    /2/tweets/search/recent              recent search of everyone's posts (search.go, query.go)
//
// Errors follow the API: the problem types of the specification
// (invalid-request, resource-not-found, not-authorized-for-resource,
// not-authorized-for-field, …) as application/problem+json, and X's plain
// problems ("type":"about:blank": 401 Unauthorized, 403 Forbidden, 429 Too
// Many Requests) as application/json carrying both the RFC 7807 fields X
// sends and the "code" and "message" of the specification's Error schema,
// so that every answer conforms to the document.
//
// Every answer on a rate-limited endpoint carries x-rate-limit-limit,
// x-rate-limit-remaining and x-rate-limit-reset (epoch seconds).
//
// With a Contract (see LoadContract), every request and every answer on a
// path of the OpenAPI document is checked against it; mismatches are kept
// for the test to report (ContractErrors).
package xfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Config sets how the fake platform behaves.
type Config struct {
	// ClientID and ClientSecret are the registered app (ClientSecret ""
	// makes it a public client, which sends client_id in the body).
	ClientID     string
	ClientSecret string
	// AccessTTL is how long access tokens live (default 2h, as on X).
	AccessTTL time.Duration
	// RateLimit is how many requests a user may make per RateWindow to each
	// endpoint (0: unlimited); RateWindow defaults to 15 minutes.
	RateLimit  int
	RateWindow time.Duration
	// ProcessingPolls is how many STATUS answers say in_progress for a video
	// or GIF before it has succeeded; ProcessingFails makes it fail instead.
	ProcessingPolls int
	ProcessingFails bool
	// CheckAfterSecs is the check_after_secs the fake asks for (default 0:
	// at once, to keep tests fast; X says 1 or more).
	CheckAfterSecs int
	// NoDMAccess makes the app's access level lack direct messages: every
	// direct-message endpoint answers 403 client-forbidden, reason
	// client-not-enrolled.
	NoDMAccess bool
	// NoSearchAccess makes the app's access level lack recent search:
	// GET /2/tweets/search/recent answers 403 client-forbidden, reason
	// client-not-enrolled (search.go).
	NoSearchAccess bool
	// SearchRateLimit is how many recent searches a user may make per
	// RateWindow (0: DefaultSearchRateLimit; negative: unlimited).
	SearchRateLimit int
	// SearchQueryLimit is the longest query search takes, in characters
	// (0: DefaultSearchQueryLimit).
	SearchQueryLimit int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// User is an account on the fake platform.
type User struct {
	ID       string
	Username string
	Name     string
	// Followers and Following are the counts its public_metrics give
	// (set with SetFollowers; the fake keeps no follow graph).
	Followers int64
	Following int64
}

// Tweet is a post as the fake keeps it.
type Tweet struct {
	ID             string
	AuthorID       string
	Text           string // as X shows it: URLs replaced by t.co links
	Original       string // as it was sent
	CreatedAt      time.Time
	ReplyTo        string
	ConversationID string
	MediaIDs       []string
	ReplySettings  string
	Likes          int64
	Reposts        int64
	Replies        int64
	Quotes         int64
	Impressions    int64
	Deleted        bool
	// EditHistory is every version's id, oldest first, once the post was
	// edited (nil: never edited; X then lists the post's own id).
	EditHistory []string
}

// Media is an upload as the fake keeps it.
type Media struct {
	ID         string
	OwnerID    string
	MediaType  string
	Category   string
	TotalBytes int64
	Segments   map[int][]byte
	Finalized  bool
	State      string // "", pending, in_progress, succeeded, failed
	PollsLeft  int
	AltText    string
}

// Bytes returns the uploaded file, segments in order.
func (m Media) Bytes() []byte {
	var b bytes.Buffer
	for i := 0; i < len(m.Segments); i++ {
		b.Write(m.Segments[i])
	}
	return b.Bytes()
}

// Token is an access token the fake issued.
type Token struct {
	Access    string
	Refresh   string
	UserID    string
	Scopes    []string
	ExpiresAt time.Time
}

// Fault makes the fake misbehave on one route.
type Fault struct {
	// Route is the route's pattern, e.g. "POST /2/tweets".
	Route string
	// Status, with Header, ContentType and Body, is answered instead of
	// carrying the request out.
	Status      int
	Header      http.Header
	ContentType string
	Body        string
	// Raw marks the answer as deliberately off the contract (an HTML page,
	// truncated JSON): it is not checked against the specification.
	Raw bool
	// Drop carries the request out, then closes the connection without an
	// answer.
	Drop bool
	// Truncate carries the request out and answers, but cuts the body.
	Truncate bool
	// Times is how many requests it applies to (0: one).
	Times int
}

// Server is the fake X API. It is an http.Handler; its methods are safe
// for concurrent use.
type Server struct {
	cfg      Config
	contract *Contract
	mux      *http.ServeMux

	mu        sync.Mutex
	seq       int64
	users     map[string]*User // by id
	order     []string         // user ids in creation order
	consenter string
	tokens    map[string]*Token // by access token
	refresh   map[string]*Token // by refresh token
	codes     map[string]authCode
	tweets    map[string]*Tweet
	timeline  []string // tweet ids, oldest first
	media     map[string]*Media
	likes     map[string]bool   // user id + ":" + tweet id
	retweets  map[string]string // user id + ":" + tweet id → the retweet's id
	hidden    map[string]bool   // reply tweet ids hidden by their conversation's author
	dms       []*DM             // direct messages, oldest first
	faults    []Fault
	windows   map[string]*window
	requests  map[string]int // by route
	mismatch  []string
	search    *searchState
}

type window struct {
	start time.Time
	count int
}

// Option adjusts a Server.
type Option func(*Server)

// WithContract checks every request and answer against c.
func WithContract(c *Contract) Option { return func(s *Server) { s.contract = c } }

// New returns a fake platform behaving as cfg says.
func New(cfg Config, opts ...Option) *Server {
	if cfg.AccessTTL <= 0 {
		cfg.AccessTTL = 2 * time.Hour
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = 15 * time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), seq: 1790000000000000000,
		users: map[string]*User{}, tokens: map[string]*Token{}, refresh: map[string]*Token{},
		codes: map[string]authCode{}, tweets: map[string]*Tweet{}, media: map[string]*Media{},
		likes: map[string]bool{}, retweets: map[string]string{}, hidden: map[string]bool{}, windows: map[string]*window{}, requests: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	s.routes()
	return s
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// nextID returns a new snowflake-like id. Callers hold s.mu.
func (s *Server) nextID() string {
	s.seq += 1 + s.seq%7
	return strconv.FormatInt(s.seq, 10)
}

// AddUser creates an account; the first one is the consenting user of the
// authorization page.
func (s *Server) AddUser(username, name string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &User{ID: s.nextID(), Username: username, Name: name}
	s.users[u.ID] = u
	s.order = append(s.order, u.ID)
	if s.consenter == "" {
		s.consenter = u.ID
	}
	return *u
}

// Consent makes userID the person who approves at the authorization page.
func (s *Server) Consent(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consenter = userID
}

// IssueToken gives userID a token with scopes (all of Herald's when none
// are named), as if the user had connected.
func (s *Server) IssueToken(userID string, scopes ...string) Token {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(scopes) == 0 {
		scopes = strings.Fields("tweet.read tweet.write users.read offline.access like.write media.write dm.read dm.write tweet.moderate.write")
	}
	return *s.issue(userID, scopes)
}

func (s *Server) issue(userID string, scopes []string) *Token {
	t := &Token{Access: "at-" + s.nextID(), UserID: userID, Scopes: scopes,
		ExpiresAt: s.now().Add(s.cfg.AccessTTL)}
	if hasScope(scopes, "offline.access") {
		t.Refresh = "rt-" + s.nextID()
		s.refresh[t.Refresh] = t
	}
	s.tokens[t.Access] = t
	return t
}

// ExpireToken makes an access token expired now.
func (s *Server) ExpireToken(access string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[access]; ok {
		t.ExpiresAt = s.now().Add(-time.Second)
	}
}

// RevokeUser withdraws every token of a user (access and refresh).
func (s *Server) RevokeUser(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, t := range s.tokens {
		if t.UserID == userID {
			delete(s.tokens, k)
		}
	}
	for k, t := range s.refresh {
		if t.UserID == userID {
			delete(s.refresh, k)
		}
	}
}

// PostAs publishes a post as userID (another person mentioning or replying
// to an account, say).
func (s *Server) PostAs(userID, text, replyTo string) Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.create(userID, text, replyTo, nil, "")
}

// EditAs edits post id as its author does on X: the edit is a new post
// with the new text, and every version's edit history lists them all.
func (s *Server) EditAs(id, text string) Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	orig := s.tweets[id]
	t := s.create(orig.AuthorID, text, orig.ReplyTo, nil, "")
	t.ConversationID = orig.ConversationID
	history := orig.EditHistory
	if history == nil {
		history = []string{orig.ID}
	}
	history = append(slices.Clone(history), t.ID)
	for _, v := range history {
		s.tweets[v].EditHistory = history
	}
	return *t
}

// DeleteAs deletes post id as its author does.
func (s *Server) DeleteAs(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tweets[id].Deleted = true
}

// Tweets returns every post, oldest first (deleted ones included).
func (s *Server) Tweets() []Tweet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Tweet, 0, len(s.timeline))
	for _, id := range s.timeline {
		out = append(out, *s.tweets[id])
	}
	return out
}

// Tweet returns one post.
func (s *Server) Tweet(id string) (Tweet, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tweets[id]
	if !ok {
		return Tweet{}, false
	}
	return *t, true
}

// SetMetrics sets a post's counts.
func (s *Server) SetMetrics(id string, likes, reposts, replies, quotes, impressions int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tweets[id]; ok {
		t.Likes, t.Reposts, t.Replies, t.Quotes, t.Impressions = likes, reposts, replies, quotes, impressions
	}
}

// Backdate moves a post's creation time d into the past.
func (s *Server) Backdate(id string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tweets[id]; ok {
		t.CreatedAt = t.CreatedAt.Add(-d)
	}
}

// Media returns an upload.
func (s *Server) Media(id string) (Media, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.media[id]
	if !ok {
		return Media{}, false
	}
	c := *m
	c.Segments = map[int][]byte{}
	for k, v := range m.Segments {
		c.Segments[k] = v
	}
	return c, true
}

// Liked reports whether userID likes tweetID.
func (s *Server) Liked(userID, tweetID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.likes[userID+":"+tweetID]
}

// Retweeted reports whether userID retweeted tweetID.
func (s *Server) Retweeted(userID, tweetID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.retweets[userID+":"+tweetID] != ""
}

// Hidden reports whether the reply tweetID is hidden.
func (s *Server) Hidden(tweetID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hidden[tweetID]
}

// Requests returns how many requests reached a route ("POST /2/tweets").
func (s *Server) Requests(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[route]
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

// takeFault returns the first fault for route, using it up.
func (s *Server) takeFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		if s.faults[i].Route == route {
			f := s.faults[i]
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// ContractErrors returns every mismatch with the OpenAPI document seen so far.
func (s *Server) ContractErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.mismatch...)
}

func (s *Server) recordMismatch(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mismatch = append(s.mismatch, msg)
}

// ServeHTTP answers one request, checking it and its answer against the
// contract when there is one.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	if r.Body != nil {
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(r.Body); err != nil {
			http.Error(w, "cannot read the request body", http.StatusBadRequest)
			return
		}
		body = buf.Bytes()
	}
	r.Body = readCloser(body)
	checked := s.contract != nil && s.contract.Covers(r)
	if checked {
		if errs := s.contract.CheckRequest(r, body); len(errs) > 0 {
			for _, e := range errs {
				s.recordMismatch("request " + r.Method + " " + r.URL.RequestURI() + ": " + e)
			}
		}
		r.Body = readCloser(body)
	}
	rec := &recorder{header: http.Header{}}
	s.mux.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	if checked && !rec.raw && !rec.drop {
		for _, e := range s.contract.CheckResponse(r, body, rec.status, rec.header, rec.body.Bytes()) {
			s.recordMismatch(fmt.Sprintf("response %d to %s %s: %s", rec.status, r.Method, r.URL.RequestURI(), e))
		}
	}
	switch {
	case rec.drop:
		hangUp(w)
	case rec.truncate:
		cutShort(w, rec)
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// cutShort sends the answer's status and headers, promises the whole body
// and sends half of it, then closes the connection.
func cutShort(w http.ResponseWriter, rec *recorder) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	defer conn.Close()
	b := rec.body.Bytes()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", rec.status, http.StatusText(rec.status))
	rec.header.Set("Content-Length", strconv.Itoa(len(b)))
	rec.header.Set("Connection", "close")
	_ = rec.header.Write(buf)
	_, _ = buf.WriteString("\r\n")
	_, _ = buf.Write(b[:len(b)/2])
	_ = buf.Flush()
}

// recorder buffers an answer so it can be checked before it is sent.
type recorder struct {
	header   http.Header
	status   int
	body     bytes.Buffer
	raw      bool
	drop     bool
	truncate bool
}

func (r *recorder) Header() http.Header { return r.header }
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

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readCloser(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"title":"Internal Error","type":"https://api.x.com/2/problems/internal-error","detail":"the fake could not encode its answer"}`)
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Problem types of the specification.
const (
	ProblemInvalidRequest      = "https://api.x.com/2/problems/invalid-request"
	ProblemResourceNotFound    = "https://api.x.com/2/problems/resource-not-found"
	ProblemNotAuthorizedForRes = "https://api.x.com/2/problems/not-authorized-for-resource"
	ProblemNotAuthorizedField  = "https://api.x.com/2/problems/not-authorized-for-field"
	ProblemInternalError       = "https://api.x.com/2/problems/internal-error"
)

// problem answers one of the specification's problem types.
func problem(w http.ResponseWriter, status int, typ, title, detail string, extra map[string]any) {
	p := map[string]any{"type": typ, "title": title, "detail": detail, "status": status}
	for k, v := range extra {
		p[k] = v
	}
	b, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// plainProblem answers an "about:blank" problem as X does (401, 403, 429),
// with the specification's Error fields alongside.
func plainProblem(w http.ResponseWriter, status int, detail string) {
	title := http.StatusText(status)
	writeJSON(w, status, map[string]any{"title": title, "detail": detail, "type": "about:blank",
		"status": status, "code": status, "message": title})
}

func invalidRequest(w http.ResponseWriter, detail string) {
	problem(w, http.StatusBadRequest, ProblemInvalidRequest, "Invalid Request", detail, nil)
}
