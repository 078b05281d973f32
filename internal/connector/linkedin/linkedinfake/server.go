// Package linkedinfake is a fake of LinkedIn's versioned Community
// Management REST API for tests, written from LinkedIn's documentation
// (it publishes no machine-readable contract):
//
//	GET    /oauth/v2/authorization                consent page: approves at once, redirects with code and state
//	POST   /oauth/v2/accessToken                  authorization_code and refresh_token grants (form, client id and secret)
//	GET    /v2/userinfo                           the member (OpenID Connect)
//	GET    /rest/organizationAcls?q=roleAssignee  the member's approved ADMINISTRATOR roles
//	GET    /rest/organizations/{id}               id, localizedName, vanityName
//	POST   /rest/images?action=initializeUpload   {"value":{"uploadUrl":…,"image":"urn:li:image:…"}}
//	PUT    /upload/{image}                        the upload address
//	POST   /rest/posts                            201, the post's URN in x-restli-id; 422 DUPLICATE_POST
//	GET    /rest/posts?q=author&author=…          the author's posts, newest first
//	DELETE /rest/posts/{urn}                      204, 404 when gone
//	GET    /rest/socialActions/{urn}              likesSummary, commentsSummary
//	GET    /rest/organizationalEntityShareStatistics?q=organizationalEntity&shares=List(…)
//	                                              an organization's lifetime statistics per post
//	GET    /rest/networkSizes/{urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER
//	                                              an organization's follower count (audience.go)
//	GET    /rest/socialActions/{urn}/comments     the comments, oldest first
//	POST   /rest/socialActions/{urn}/comments     201, the comment
//	DELETE /rest/socialActions/{urn}/comments/{id}
//
// Every /rest call must carry LinkedIn-Version (YYYYMM) and
// X-Restli-Protocol-Version: 2.0.0 and URL-encode the URNs in its path;
// anything else is recorded as a violation. Errors are
// {"status":…,"serviceErrorCode":…,"code":…,"message":…}.
package linkedinfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Article is an article post's card: the link and what LinkedIn shows
// of it (LinkedIn does not read the page).
type Article struct {
	Source, Title, Description, Thumbnail, ThumbnailAltText string
}

// Post is a post (or a comment, with Parent set) as the fake keeps it.
type Post struct {
	URN        string
	Author     string
	Commentary string
	Visibility string
	Images     []string
	AltTexts   []string
	Video      string   // the video's URN, "" for none
	Article    *Article // an article (link) post's card, nil for none
	Parent     string   // the post (or comment) a comment is on
	CreatedAt  int64    // milliseconds
	Deleted    bool
	Likes      int64 // -1: left out
	Comments   int64 // -1: left out; otherwise added to the real comments
	Shares     int64 // reposts, in an organization's share statistics
	Views      int64 // impressions, in an organization's share statistics
}

// Org is an organization page.
type Org struct {
	ID         int64
	Name       string
	VanityName string
	Admins     []string // person URNs with an approved ADMINISTRATOR role
	// Followers is the page's follower count, which networkSizes gives
	// (SetFollowers; the fake keeps no follow graph).
	Followers int64
}

// Fault makes the fake misbehave on a route ("POST /rest/posts", or "*").
type Fault struct {
	Route  string
	Status int
	Body   string
	Header http.Header
	// Drop carries the request out, then closes the connection unanswered.
	Drop bool
}

type token struct {
	person  string
	scopes  string
	expires time.Time
	revoked bool
}

// Server is the fake. It is an http.Handler; its methods are safe for
// concurrent use.
type Server struct {
	ClientID, ClientSecret string
	// Member is who approves the consent page: sub and name.
	MemberSub, MemberName string
	// GrantRefresh makes the token endpoint hand out refresh tokens (as
	// for apps LinkedIn enabled programmatic refresh for).
	GrantRefresh bool
	// MemberReadRestricted refuses (403) reading a member's posts and
	// comments, as LinkedIn does for apps without r_member_social.
	MemberReadRestricted bool
	// VideoPartSize is the part size of video uploadInstructions
	// (DefaultVideoPartSize when 0).
	VideoPartSize int
	// VideoProcessingPolls is how many reads of a finalized video answer
	// PROCESSING before it is AVAILABLE (0: available at once).
	VideoProcessingPolls int

	mu         sync.Mutex
	now        func() time.Time
	seq        int64
	lastMS     int64
	orgs       []Org
	codes      map[string]string
	tokens     map[string]*token
	refresh    map[string]string
	images     map[string]bool
	videos     map[string]*Video
	posts      []*Post
	faults     []Fault
	violations []string
	mux        *http.ServeMux
}

// New returns a fake for the app clientID/clientSecret whose consent page
// a member (sub, name) approves.
func New(clientID, clientSecret, sub, name string) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, MemberSub: sub, MemberName: name, now: time.Now,
		seq: 7100000000000000000, codes: map[string]string{}, tokens: map[string]*token{}, refresh: map[string]string{},
		images: map[string]bool{}, videos: map[string]*Video{}, mux: http.NewServeMux()}
	s.routes()
	return s
}

// AddOrg adds an organization administered by the given person URNs.
func (s *Server) AddOrg(o Org) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orgs = append(s.orgs, o)
}

// Posts returns every post and comment, oldest first.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Post, len(s.posts))
	for i, p := range s.posts {
		out[i] = *p
	}
	return out
}

// SetCounts sets a post's likes and extra comments (-1: left out).
func (s *Server) SetCounts(urn string, likes, comments int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.posts {
		if p.URN == urn {
			p.Likes, p.Comments = likes, comments
		}
	}
}

// SetStats sets a post's reposts and impressions, which an
// organization's share statistics report.
func (s *Server) SetStats(urn string, shares, impressions int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.posts {
		if p.URN == urn {
			p.Shares, p.Views = shares, impressions
		}
	}
}

// Comment makes author comment text on the post (or comment) parent and
// returns the comment's URN.
func (s *Server) Comment(author, parent, text string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addComment(author, parent, text).URN
}

// ExpireToken makes an access token expired; RevokeToken revoked.
func (s *Server) ExpireToken(access string) {
	s.setToken(access, func(t *token) { t.expires = s.now().Add(-time.Second) })
}

// RevokeToken makes an access token one the member revoked.
func (s *Server) RevokeToken(access string) { s.setToken(access, func(t *token) { t.revoked = true }) }

func (s *Server) setToken(access string, f func(*token)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t, ok := s.tokens[access]; ok {
		f(t)
	}
}

// Inject adds a one-time fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// RateLimited is LinkedIn's answer over a daily limit: no header says
// when to come back (the limits reset at midnight UTC).
func RateLimited(route string) Fault {
	return Fault{Route: route, Status: http.StatusTooManyRequests, Header: http.Header{"Content-Type": {"application/json"}},
		Body: `{"status":429,"serviceErrorCode":101,"code":"TOO_MANY_REQUESTS","message":"Resource level throttle APPLICATION DAY limit for calls to this resource is reached."}`}
}

// Revoked is LinkedIn's answer to a token the member revoked.
func Revoked(route string) Fault {
	return Fault{Route: route, Status: http.StatusUnauthorized, Header: http.Header{"Content-Type": {"application/json"}},
		Body: `{"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"}`}
}

// Violations returns how clients broke LinkedIn's contract so far.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

func (s *Server) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

func (s *Server) takeFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Route == route || f.Route == "*" {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return f, true
		}
	}
	return Fault{}, false
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

var versionRE = regexp.MustCompile(`^20[0-9]{2}(0[1-9]|1[0-2])$`)

// handle registers a route; api routes check the token and headers.
func (s *Server) handle(route string, api bool, h func(w http.ResponseWriter, r *http.Request, person string)) {
	s.mux.HandleFunc(route, func(w http.ResponseWriter, r *http.Request) {
		if api {
			if strings.Contains(r.URL.Path, "/rest/") {
				if !versionRE.MatchString(r.Header.Get("LinkedIn-Version")) {
					s.violate("%s: LinkedIn-Version header %q, want YYYYMM", route, r.Header.Get("LinkedIn-Version"))
				}
				if r.Header.Get("X-Restli-Protocol-Version") != "2.0.0" {
					s.violate("%s: X-Restli-Protocol-Version %q, want 2.0.0", route, r.Header.Get("X-Restli-Protocol-Version"))
				}
			}
			if strings.Contains(r.URL.EscapedPath(), "urn:li:") {
				s.violate("%s: URN not URL-encoded in the path %s", route, r.URL.EscapedPath())
			}
		}
		f, faulted := s.takeFault(route)
		if faulted && !f.Drop {
			for k, v := range f.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(f.Status)
			_, _ = w.Write([]byte(f.Body))
			return
		}
		person := ""
		if api {
			tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			s.mu.Lock()
			t, ok := s.tokens[tok]
			var revoked, expired bool
			if ok {
				revoked, expired, person = t.revoked, !s.now().Before(t.expires), t.person
			}
			s.mu.Unlock()
			switch {
			case !ok:
				apiError(w, http.StatusUnauthorized, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
				return
			case revoked:
				apiError(w, http.StatusUnauthorized, 65601, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user")
				return
			case expired:
				apiError(w, http.StatusUnauthorized, 65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired")
				return
			}
		}
		if faulted && f.Drop {
			rec := &recorder{header: http.Header{}}
			h(rec, r, person)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				panic(http.ErrAbortHandler)
			}
			_ = conn.Close()
			return
		}
		h(w, r, person)
	})
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
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"message":"the fake could not encode its answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func apiError(w http.ResponseWriter, status, service int, code, msg string) {
	writeJSON(w, status, map[string]any{"status": status, "serviceErrorCode": service, "code": code, "message": msg})
}

func (s *Server) id() string {
	s.seq += 7919
	return strconv.FormatInt(s.seq, 10)
}

// ms is a creation time, strictly increasing.
func (s *Server) ms() int64 {
	t := s.now().UnixMilli()
	if t <= s.lastMS {
		t = s.lastMS + 1
	}
	s.lastMS = t
	return t
}
