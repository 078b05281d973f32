// Package threadsfake is a fake Threads API host (graph.threads.net/v1.0)
// following Meta's documented contract: the Authorization Window, the code,
// th_exchange_token and th_refresh_token exchanges, access_token on every
// call, media containers and threads_publish with container statuses,
// carousels, replies, the publishing quota, listings, media insights, the
// user insights' followers_count (refused to a token without
// threads_manage_insights), conversations, mentions (refused to a token
// without threads_manage_mentions) and delete, Meta's error body, and faults (Inject) with
// Meta's throttling answer and usage headers. Contract breaches are
// recorded as violations.
package threadsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/connector/metagraph/graphfake"
	"github.com/heraldsocial/herald/internal/connector/threads"
)

// Prefix is the versioned path every API route lives under.
const Prefix = "/" + threads.Version

// Routes, as registered (for Inject and Requests).
const (
	RouteContainer = "POST " + Prefix + "/{id}/threads"
	RoutePublish   = "POST " + Prefix + "/{id}/threads_publish"
	RouteObject    = "GET " + Prefix + "/{id}"
	RouteDelete    = "DELETE " + Prefix + "/{id}"
	RouteList      = "GET " + Prefix + "/{id}/threads"
	RouteReplies   = "GET " + Prefix + "/{id}/replies"
	RouteLimit     = "GET " + Prefix + "/{id}/threads_publishing_limit"
	RouteInsights  = "GET " + Prefix + "/{id}/insights"
	RouteConv      = "GET " + Prefix + "/{id}/conversation"
	RouteMe        = "GET " + Prefix + "/me"
	RouteMentions  = "GET " + Prefix + "/{id}/mentions"
	// RouteUserInsights is a user's own insights (audience.go).
	RouteUserInsights = "GET " + Prefix + "/{id}/threads_insights"
)

// ScopeMentions is the permission GET /{threads-user-id}/mentions needs.
const ScopeMentions = "threads_manage_mentions"

// Lifetimes Threads documents.
const (
	ShortLived     = time.Hour
	LongLived      = 60 * 24 * time.Hour
	RefreshMinAge  = 24 * time.Hour
	ContainerLife  = 24 * time.Hour
	DefaultQuota   = 250
	DefaultReplies = 1000
)

// Config sets the Threads app the fake knows.
type Config struct {
	AppID, AppSecret string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// User is a Threads user of the fake.
type User struct {
	ID, Username, Name string
	// Followers is the followers_count of its user insights (set with
	// SetFollowers; the fake keeps no follow graph).
	Followers int64
}

// Token is an access token the fake issued.
type Token struct {
	Value   string
	UserID  string
	Long    bool
	Issued  time.Time
	Expires time.Time
	Revoked int // the subcode its use answers with, 0 while valid
	// Scopes are the permissions granted in the Authorization Window.
	Scopes []string
}

// Container is a media container.
type Container struct {
	ID, Owner, MediaType, Text, URL, AltText, ReplyTo, ReplyControl string
	CarouselItem                                                    bool
	Children                                                        []string
	Status, ErrorMessage                                            string
	Created                                                         time.Time
	Post                                                            string // the post it became
	pendingPolls                                                    int
}

// Post is a published post or reply.
type Post struct {
	ID, Owner, Username, Text, MediaType string
	Items                                int    // media: carousel children count one each
	ReplyTo                              string // the post it answers, "" for none
	Root                                 string // the thread's first post (itself for one)
	Container                            string
	Timestamp                            time.Time
	Deleted                              bool
	Likes, Reposts, Quotes, Views        int64
	RepliesSet                           int64 // -1: counted from the replies
}

// Fault makes the fake misbehave on one route.
type Fault struct {
	Route  string
	Status int
	Header http.Header
	Body   string
	Drop   bool // carry the request out, then close the connection unanswered
	Times  int  // 0: one
}

// Server is the fake host. Its methods are safe for concurrent use.
type Server struct {
	Cfg Config
	// QuotaTotal and ReplyQuotaTotal are the publishing limits per 24 hours.
	QuotaTotal, ReplyQuotaTotal int
	// VideoPolls is how many status reads a video container answers
	// IN_PROGRESS before it is FINISHED.
	VideoPolls int

	mu         sync.Mutex
	mux        *http.ServeMux
	seq        int64
	users      map[string]*User
	tokens     map[string]*Token
	codes      map[string]string // code → user id | redirect
	codeScopes map[string][]string
	consenter  string
	withheld   map[string]bool // permissions the Authorization Window does not grant
	containers map[string]*Container
	posts      map[string]*Post
	order      []string // post ids, oldest first
	faults     []Fault
	requests   map[string]int
	violations []string
}

// New returns a fake host.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{Cfg: cfg, QuotaTotal: DefaultQuota, ReplyQuotaTotal: DefaultReplies, mux: http.NewServeMux(), seq: 17840000000000000,
		users: map[string]*User{}, tokens: map[string]*Token{}, codes: map[string]string{}, codeScopes: map[string][]string{}, withheld: map[string]bool{},
		containers: map[string]*Container{}, posts: map[string]*Post{}, requests: map[string]int{}}
	s.mux.HandleFunc("GET /oauth/authorize", s.authorize)
	s.mux.HandleFunc("POST /oauth/access_token", s.codeExchange)
	s.mux.HandleFunc("GET /access_token", s.longExchange)
	s.mux.HandleFunc("GET /refresh_access_token", s.refresh)
	s.handle(RouteMe, s.me)
	s.handle(RouteContainer, s.createContainer)
	s.handle(RoutePublish, s.publish)
	s.handle(RouteObject, s.object)
	s.handle(RouteDelete, s.delete)
	s.handle(RouteList, s.list)
	s.handle(RouteReplies, s.replies)
	s.handle(RouteLimit, s.limit)
	s.handle(RouteInsights, s.insights)
	s.handle(RouteConv, s.conversation)
	s.handle(RouteMentions, s.mentions)
	s.handle(RouteUserInsights, s.userInsights)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.Violation("no such route: %s %s (is the version %s?)", r.Method, r.URL.Path, threads.Version)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Unsupported request - method type: "+strings.ToLower(r.Method))
	})
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.Cfg.Now() }

// nextID returns a new numeric id. Callers hold mu.
func (s *Server) nextID() string {
	s.seq += 1 + s.seq%7
	return strconv.FormatInt(s.seq, 10)
}

// AddUser creates a Threads user; the first is the one who consents in
// the Authorization Window.
func (s *Server) AddUser(username, name string) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &User{ID: s.nextID(), Username: username, Name: name}
	s.users[u.ID] = u
	if s.consenter == "" {
		s.consenter = u.ID
	}
	return *u
}

// Withhold makes the Authorization Window leave scope out of what it
// grants from now on (an app without the permission's access, or a person
// who connected before Herald asked for it).
func (s *Server) Withhold(scope string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.withheld[scope] = true
}

// PostAs publishes a post (not a reply) by userID and returns its id.
func (s *Server) PostAs(userID, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addPost(userID, text, "TEXT_POST", 0, "", "").ID
}

// Revoke makes every token of userID fail with code 190 and subcode (458:
// the person removed the app, 460: the password changed, 463: expired).
func (s *Server) Revoke(userID string, subcode int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		if t.UserID == userID {
			t.Revoked = subcode
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

// Throttled is Meta's answer when the app's calls for a user are used up:
// code 4 with X-App-Usage at 100% and X-Business-Use-Case-Usage saying
// when access comes back.
func Throttled(route, userID string, minutes int) Fault {
	usage := map[string][]map[string]any{userID: {{"type": "threads", "call_count": 100, "total_cputime": 30,
		"total_time": 40, "estimated_time_to_regain_access": minutes}}}
	h, _ := json.Marshal(usage)
	body, _ := json.Marshal(map[string]any{"error": graphfake.ErrorBody(metagraph.CodeTooManyCalls, 0, "OAuthException",
		"(#4) Application request limit reached")})
	return Fault{Route: route, Status: http.StatusBadRequest, Body: string(body), Header: http.Header{
		"X-App-Usage":               {`{"call_count":100,"total_cputime":30,"total_time":40}`},
		"X-Business-Use-Case-Usage": {string(h)}}}
}

// Requests returns how many requests reached route.
func (s *Server) Requests(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[route]
}

// Violation records a way the client broke the contract.
func (s *Server) Violation(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

// Violations returns every contract breach seen so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// Posts returns userID's posts and replies, oldest first, deleted ones included.
func (s *Server) Posts(userID string) []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Post
	for _, id := range s.order {
		if p := s.posts[id]; p.Owner == userID {
			out = append(out, *p)
		}
	}
	return out
}

// ContainerStatus returns a container's status ("" for none).
func (s *Server) ContainerStatus(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.containers[id]; ok {
		return c.Status
	}
	return ""
}

// SetCounts sets a post's insights (replies -1: counted from its replies).
func (s *Server) SetCounts(id string, likes, reposts, replies, quotes, views int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.posts[id]; ok {
		p.Likes, p.Reposts, p.RepliesSet, p.Quotes, p.Views = likes, reposts, replies, quotes, views
	}
}

// ReplyAs publishes a reply by userID to the post to and returns its id.
func (s *Server) ReplyAs(userID, to, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addPost(userID, text, "TEXT_POST", 0, to, "").ID
}

// addPost records a published post. Callers hold mu.
func (s *Server) addPost(owner, text, mediaType string, items int, replyTo, container string) *Post {
	p := &Post{ID: s.nextID(), Owner: owner, Username: s.users[owner].Username, Text: text, MediaType: mediaType,
		Items: items, ReplyTo: replyTo, Container: container, Timestamp: s.now().UTC(), RepliesSet: -1}
	p.Root = p.ID
	if to, ok := s.posts[replyTo]; ok {
		p.Root = to.Root
	}
	s.posts[p.ID] = p
	s.order = append(s.order, p.ID)
	return p
}

func (s *Server) takeFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.faults {
		if s.faults[i].Route == route {
			f := s.faults[i]
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// Error answers Meta's error body.
func Error(w http.ResponseWriter, status, code, subcode int, msg string) {
	graphfake.JSON(w, status, map[string]any{"error": graphfake.ErrorBody(code, subcode, "OAuthException", msg)})
}

// handlerFunc answers one API call; tok is the caller's valid token.
type handlerFunc func(w http.ResponseWriter, r *http.Request, tok Token)

// handle registers an API route that needs a valid access_token. A fault
// for the route is applied after the token is checked.
func (s *Server) handle(route string, h handlerFunc) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[route]++
		s.mu.Unlock()
		if err := r.ParseForm(); err != nil {
			s.Violation("%s: the body cannot be read: %v", route, err)
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "The request body cannot be read")
			return
		}
		if r.Header.Get("Authorization") != "" {
			s.Violation("%s: the token goes in access_token, not an Authorization header", route)
		}
		tok := r.Form.Get("access_token")
		if tok == "" {
			s.Violation("%s: no access_token", route)
			Error(w, http.StatusBadRequest, 2500, 0, "An active access token must be used to query information about the current user.")
			return
		}
		s.mu.Lock()
		t, ok := s.tokens[tok]
		var cp Token
		if ok {
			cp = *t
		}
		s.mu.Unlock()
		switch {
		case !ok:
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, 0, "Invalid OAuth access token - Cannot parse access token")
			return
		case cp.Revoked != 0:
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, cp.Revoked, "Error validating access token: The user has not authorized application "+s.Cfg.AppID+".")
			return
		case !s.now().Before(cp.Expires):
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, metagraph.SubcodeExpired, "Error validating access token: Session has expired.")
			return
		}
		if f, ok := s.takeFault(route); ok {
			if f.Drop {
				h(&discard{header: http.Header{}}, r, cp)
				hangUp(w)
				return
			}
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return
		}
		h(w, r, cp)
	})
}

// discard is a ResponseWriter that throws the answer away (a dropped answer).
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// issue makes a token. Callers hold mu.
func (s *Server) issue(userID string, long bool, scopes []string) *Token {
	life := ShortLived
	prefix := "THAAs"
	if long {
		life, prefix = LongLived, "THAAl"
	}
	t := &Token{Value: prefix + s.nextID(), UserID: userID, Long: long, Issued: s.now(), Expires: s.now().Add(life),
		Scopes: slices.Clone(scopes)}
	s.tokens[t.Value] = t
	return t
}

// authorize is the Authorization Window: the consenting user approves at once.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(msg string) {
		s.Violation("authorize: %s", msg)
		http.Error(w, msg, http.StatusBadRequest)
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.Cfg.AppID:
		bad("unknown client_id")
		return
	case q.Get("response_type") != "code":
		bad("response_type must be code")
		return
	case !strings.Contains(q.Get("scope"), "threads_basic"):
		bad("scope must include threads_basic")
		return
	case err != nil || redirect.Host == "":
		bad("redirect_uri must be an absolute URL")
		return
	}
	s.mu.Lock()
	code := "AQ" + s.nextID()
	var granted []string
	for _, sc := range strings.Split(q.Get("scope"), ",") {
		if sc = strings.TrimSpace(sc); sc != "" && !s.withheld[sc] {
			granted = append(granted, sc)
		}
	}
	s.codes[code] = s.consenter + "|" + redirect.String()
	s.codeScopes[code] = granted
	s.mu.Unlock()
	rq := redirect.Query()
	rq.Set("code", code)
	if st := q.Get("state"); st != "" {
		rq.Set("state", st)
	}
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String()+"#_", http.StatusFound)
}

// codeExchange is POST /oauth/access_token: the code for a short-lived token.
func (s *Server) codeExchange(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("client_id") != s.Cfg.AppID || r.PostForm.Get("client_secret") != s.Cfg.AppSecret {
		Error(w, http.StatusBadRequest, 1, 0, "Error validating client secret.")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		s.Violation("oauth/access_token: grant_type %q, want authorization_code", r.PostForm.Get("grant_type"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	entry, ok := s.codes[r.PostForm.Get("code")]
	scopes := s.codeScopes[r.PostForm.Get("code")]
	delete(s.codes, r.PostForm.Get("code"))
	delete(s.codeScopes, r.PostForm.Get("code"))
	user, redirect, _ := strings.Cut(entry, "|")
	if !ok {
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 36009, "This authorization code has been used.")
		return
	}
	if redirect != r.PostForm.Get("redirect_uri") {
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 36008, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
		return
	}
	t := s.issue(user, false, scopes)
	uid, _ := strconv.ParseInt(user, 10, 64)
	graphfake.JSON(w, http.StatusOK, map[string]any{"access_token": t.Value, "user_id": uid})
}

// longExchange is GET /access_token?grant_type=th_exchange_token.
func (s *Server) longExchange(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("grant_type") != "th_exchange_token" || q.Get("client_secret") != s.Cfg.AppSecret {
		s.Violation("access_token: grant_type %q or the client_secret is wrong", q.Get("grant_type"))
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "Error validating client secret.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[q.Get("access_token")]
	if !ok || t.Revoked != 0 || t.Long || !s.now().Before(t.Expires) {
		Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, 0, "Invalid OAuth access token.")
		return
	}
	long := s.issue(t.UserID, true, t.Scopes)
	graphfake.JSON(w, http.StatusOK, map[string]any{"access_token": long.Value, "token_type": "bearer", "expires_in": int64(LongLived / time.Second)})
}

// refresh is GET /refresh_access_token?grant_type=th_refresh_token: a
// long-lived token at least 24 hours old and unexpired, for 60 more days.
func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("grant_type") != "th_refresh_token" {
		s.Violation("refresh_access_token: grant_type %q, want th_refresh_token", q.Get("grant_type"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[q.Get("access_token")]
	switch {
	case !ok || t.Revoked != 0 || !t.Long:
		Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, 0, "Invalid OAuth access token.")
		return
	case !s.now().Before(t.Expires):
		Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, metagraph.SubcodeExpired, "Error validating access token: Session has expired.")
		return
	case s.now().Sub(t.Issued) < RefreshMinAge:
		s.violations = append(s.violations, "refresh_access_token: the token is less than 24 hours old")
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "The access token must be at least 24 hours old to be refreshed.")
		return
	}
	n := s.issue(t.UserID, true, t.Scopes)
	graphfake.JSON(w, http.StatusOK, map[string]any{"access_token": n.Value, "token_type": "bearer", "expires_in": int64(LongLived / time.Second)})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, tok Token) {
	s.mu.Lock()
	u := *s.users[tok.UserID]
	s.mu.Unlock()
	out := map[string]any{"id": u.ID}
	for _, f := range graphfake.Fields(r.Form.Get("fields")) {
		switch f {
		case "username":
			out["username"] = u.Username
		case "name":
			out["name"] = u.Name
		case "threads_profile_picture_url":
			out["threads_profile_picture_url"] = "https://scontent.cdninstagram.example/" + u.ID + ".jpg"
		}
	}
	graphfake.JSON(w, http.StatusOK, out)
}
