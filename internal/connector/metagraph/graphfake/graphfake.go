// Package graphfake is the core the Facebook and Instagram fakes share: a
// fake Graph API host speaking Meta's documented contract for what both
// platforms use — the versioned path, access_token and appsecret_proof on
// every call, Facebook Login (dialog, code and fb_exchange_token
// exchanges, /me/permissions, /me/accounts with page tokens and linked
// Instagram accounts), Meta's error body, and faults (Inject) with Meta's
// throttling answer and X-Business-Use-Case-Usage header.
//
// A platform fake adds its own routes with Handle.
package graphfake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector/metagraph"
)

// Prefix is the versioned path every API route lives under.
const Prefix = "/" + metagraph.Version

// Config sets the Meta app the fake knows.
type Config struct {
	AppID, AppSecret string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// User is a Facebook user of the fake.
type User struct {
	ID, Name string
}

// Page is a Page a user manages, with its Instagram account, if linked.
type Page struct {
	ID, Name, Username string
	Owner              string // user id
	Tasks              []string
	Token              string
	Instagram          *IGUser
}

// IGUser is an Instagram professional account linked to a Page.
type IGUser struct {
	ID, Username, Name string
}

// Token is an access token the fake issued.
type Token struct {
	Value   string
	UserID  string
	PageID  string // "" for a user token
	Long    bool
	Scopes  []string
	Revoked int // the subcode its use answers with, 0 while valid
}

// Fault makes the fake misbehave on one route.
type Fault struct {
	Route  string // "POST /v25.0/{id}/feed", as registered
	Status int
	Header http.Header
	Body   string
	Drop   bool // carry the request out, then close the connection unanswered
	Times  int  // 0: one
}

// HandlerFunc answers one API call; tok is the caller's valid token.
type HandlerFunc func(w http.ResponseWriter, r *http.Request, tok Token)

// Server is the fake Graph API host. Its methods are safe for concurrent use.
type Server struct {
	Cfg Config
	Mu  sync.Mutex // guards the fake's state, the platform fake's included

	mux        *http.ServeMux
	seq        int64
	users      map[string]*User
	pages      map[string]*Page
	tokens     map[string]*Token
	codes      map[string]string // code → user id
	consenter  string
	faults     []Fault
	requests   map[string]int
	violations []string
}

// New returns a fake host.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{Cfg: cfg, mux: http.NewServeMux(), seq: 100000000000000,
		users: map[string]*User{}, pages: map[string]*Page{}, tokens: map[string]*Token{},
		codes: map[string]string{}, requests: map[string]int{}}
	s.mux.HandleFunc("GET "+Prefix+"/dialog/oauth", s.counted("GET "+Prefix+"/dialog/oauth", s.dialog))
	s.mux.HandleFunc("GET "+Prefix+"/oauth/access_token", s.counted("GET "+Prefix+"/oauth/access_token", s.accessToken))
	s.Handle("GET "+Prefix+"/me/permissions", s.permissions)
	s.Handle("GET "+Prefix+"/me/accounts", s.accounts)
	s.Handle("GET "+Prefix+"/me", s.me)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.Violation("no such route: %s %s (is the version %s?)", r.Method, r.URL.Path, metagraph.Version)
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "GraphMethodException",
			"Unsupported request - method type: "+strings.ToLower(r.Method))
	})
	return s
}

// Now is the fake's clock.
func (s *Server) Now() time.Time { return s.Cfg.Now() }

// NextID returns a new numeric id. Callers hold Mu.
func (s *Server) NextID() string {
	s.seq += 1 + s.seq%7
	return strconv.FormatInt(s.seq, 10)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// AddUser creates a Facebook user; the first is the one who consents in
// the Login dialog.
func (s *Server) AddUser(name string) User {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	u := &User{ID: s.NextID(), Name: name}
	s.users[u.ID] = u
	if s.consenter == "" {
		s.consenter = u.ID
	}
	return *u
}

// AddPage makes owner the manager of a new Page (with a linked Instagram
// account when igUsername is not "").
func (s *Server) AddPage(owner, name, username, igUsername string) Page {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	p := &Page{ID: s.NextID(), Name: name, Username: username, Owner: owner,
		Tasks: []string{"ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"}}
	if igUsername != "" {
		p.Instagram = &IGUser{ID: "178414" + s.NextID(), Username: igUsername, Name: name}
	}
	s.pages[p.ID] = p
	return *p
}

// PageToken issues a never-expiring page token for pageID, as if its
// owner had connected through a long-lived user token.
func (s *Server) PageToken(pageID string) string {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	p := s.pages[pageID]
	t := s.issue(p.Owner, pageID, true, nil)
	p.Token = t.Value
	return t.Value
}

func (s *Server) issue(userID, pageID string, long bool, scopes []string) *Token {
	t := &Token{Value: "EAA" + s.NextID(), UserID: userID, PageID: pageID, Long: long, Scopes: scopes}
	s.tokens[t.Value] = t
	return t
}

// Page returns a page by id.
func (s *Server) Page(id string) (Page, bool) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	p, ok := s.pages[id]
	if !ok {
		return Page{}, false
	}
	return *p, true
}

// PageLocked returns a page by id. Callers hold Mu.
func (s *Server) PageLocked(id string) (*Page, bool) {
	p, ok := s.pages[id]
	return p, ok
}

// PageOfIG returns the page an Instagram account is linked to. Callers hold Mu.
func (s *Server) PageOfIG(igID string) (*Page, bool) {
	for _, p := range s.pages {
		if p.Instagram != nil && p.Instagram.ID == igID {
			return p, true
		}
	}
	return nil, false
}

// Revoke makes every token of userID fail with subcode (460: the password
// changed, 467: invalid, 463: expired).
func (s *Server) Revoke(userID string, subcode int) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	for _, t := range s.tokens {
		if t.UserID == userID {
			t.Revoked = subcode
		}
	}
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
}

// Requests returns how many requests reached route.
func (s *Server) Requests(route string) int {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return s.requests[route]
}

// Violation records a way the client broke the contract.
func (s *Server) Violation(format string, args ...any) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

// Violations returns every contract breach seen so far.
func (s *Server) Violations() []string {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	return slices.Clone(s.violations)
}

func (s *Server) takeFault(route string) (Fault, bool) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
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

func (s *Server) counted(route string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.Mu.Lock()
		s.requests[route]++
		s.Mu.Unlock()
		h(w, r)
	}
}

// Handle registers an API route that needs a valid access token (with
// appsecret_proof when the app has a secret). A fault for the route is
// applied after the token is checked.
func (s *Server) Handle(route string, h HandlerFunc) {
	s.mux.HandleFunc(route, s.counted(route, func(w http.ResponseWriter, r *http.Request) {
		if err := parse(r); err != nil {
			s.Violation("%s: the body cannot be read: %v", route, err)
			Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "OAuthException", "The request body cannot be read")
			return
		}
		tok := r.Form.Get("access_token")
		if tok == "" {
			s.Violation("%s: no access_token", route)
			Error(w, http.StatusBadRequest, 2500, 0, "OAuthException",
				"An active access token must be used to query information about the current user.")
			return
		}
		if s.Cfg.AppSecret != "" {
			m := hmac.New(sha256.New, []byte(s.Cfg.AppSecret))
			m.Write([]byte(tok))
			if !hmac.Equal([]byte(r.Form.Get("appsecret_proof")), []byte(hex.EncodeToString(m.Sum(nil)))) {
				s.Violation("%s: appsecret_proof missing or wrong", route)
				Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "GraphMethodException", "Invalid appsecret_proof provided in the API argument")
				return
			}
		}
		s.Mu.Lock()
		t, ok := s.tokens[tok]
		var cp Token
		if ok {
			cp = *t
		}
		s.Mu.Unlock()
		switch {
		case !ok:
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, 0, "OAuthException", "Invalid OAuth access token - Cannot parse access token")
			return
		case cp.Revoked == metagraph.SubcodePasswordChanged:
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, cp.Revoked, "OAuthException",
				"Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.")
			return
		case cp.Revoked != 0:
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, cp.Revoked, "OAuthException", "Error validating access token")
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
	}))
}

// parse reads the query and the body (urlencoded or multipart) into r.Form.
func parse(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return r.ParseMultipartForm(64 << 20)
	}
	return r.ParseForm()
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

// JSON answers v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"message":"An unknown error occurred","type":"OAuthException","code":1}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Error answers Meta's error body.
func Error(w http.ResponseWriter, status, code, subcode int, typ, msg string) {
	w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_request" "`+msg+`"`)
	JSON(w, status, map[string]any{"error": ErrorBody(code, subcode, typ, msg)})
}

// ErrorBody is the "error" object of Meta's error answer.
func ErrorBody(code, subcode int, typ, msg string) map[string]any {
	e := map[string]any{"message": msg, "type": typ, "code": code, "fbtrace_id": "A" + strconv.Itoa(code*7919+subcode)}
	if subcode != 0 {
		e["error_subcode"] = subcode
	}
	return e
}

// Throttled is the fault Meta answers when a Business Use Case limit is
// reached: code (80001 Pages, 80002 Instagram) with the usage header
// saying when access comes back.
func Throttled(route, objectID, typ string, code, minutes int) Fault {
	usage := map[string][]map[string]any{objectID: {{"type": typ, "call_count": 100, "total_cputime": 12,
		"total_time": 14, "estimated_time_to_regain_access": minutes}}}
	h, _ := json.Marshal(usage)
	body, _ := json.Marshal(map[string]any{"error": ErrorBody(code, 0, "OAuthException",
		"There have been too many calls to this account. Wait a bit and try again.")})
	return Fault{Route: route, Status: http.StatusBadRequest, Body: string(body),
		Header: http.Header{"X-Business-Use-Case-Usage": {string(h)}}}
}

// NotFound answers Meta's "object does not exist" error.
func NotFound(w http.ResponseWriter, id string) {
	Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, metagraph.SubcodeNoObject, "GraphMethodException",
		fmt.Sprintf("Unsupported get request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", id))
}

// Fields returns the names in a fields parameter, top level only
// ("a,b.limit(0),c{d,e}" → a, b, c).
func Fields(v string) []string {
	var out []string
	depth, start := 0, 0
	flush := func(end int) {
		f := strings.TrimSpace(v[start:end])
		if i := strings.IndexAny(f, ".{("); i >= 0 {
			f = f[:i]
		}
		if f != "" {
			out = append(out, f)
		}
	}
	for i, c := range v {
		switch c {
		case '{', '(':
			depth++
		case '}', ')':
			depth--
		case ',':
			if depth == 0 {
				flush(i)
				start = i + 1
			}
		}
	}
	flush(len(v))
	return out
}

// dialog is the Login dialog: the consenting user approves at once.
func (s *Server) dialog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(msg string) {
		s.Violation("dialog: %s", msg)
		http.Error(w, msg, http.StatusBadRequest)
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.Cfg.AppID:
		bad("unknown client_id")
		return
	case q.Get("state") == "":
		bad("state is required")
		return
	case q.Get("scope") == "":
		bad("scope is required")
		return
	case err != nil || redirect.Host == "":
		bad("redirect_uri must be an absolute URL")
		return
	}
	s.Mu.Lock()
	code := "code-" + s.NextID()
	s.codes[code] = s.consenter + "|" + redirect.String() + "|" + q.Get("scope")
	s.Mu.Unlock()
	rq := redirect.Query()
	rq.Set("code", code)
	rq.Set("state", q.Get("state"))
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String()+"#_=_", http.StatusFound)
}

// accessToken is GET /oauth/access_token: the code exchange and the
// fb_exchange_token exchange.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.Cfg.AppID || q.Get("client_secret") != s.Cfg.AppSecret {
		Error(w, http.StatusBadRequest, 1, 0, "OAuthException", "Error validating client secret.")
		return
	}
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if q.Get("grant_type") == "fb_exchange_token" {
		t, ok := s.tokens[q.Get("fb_exchange_token")]
		if !ok || t.Revoked != 0 || t.PageID != "" {
			Error(w, http.StatusBadRequest, metagraph.CodeAccessToken, 0, "OAuthException", "Invalid OAuth access token.")
			return
		}
		long := s.issue(t.UserID, "", true, t.Scopes)
		JSON(w, http.StatusOK, map[string]any{"access_token": long.Value, "token_type": "bearer", "expires_in": 5183944})
		return
	}
	entry, ok := s.codes[q.Get("code")]
	delete(s.codes, q.Get("code"))
	parts := strings.SplitN(entry, "|", 3)
	if !ok || len(parts) != 3 {
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 36009, "OAuthException", "This authorization code has been used.")
		return
	}
	if parts[1] != q.Get("redirect_uri") {
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 36008, "OAuthException",
			"Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request")
		return
	}
	t := s.issue(parts[0], "", false, strings.Split(parts[2], ","))
	JSON(w, http.StatusOK, map[string]any{"access_token": t.Value, "token_type": "bearer", "expires_in": 5400})
}

func (s *Server) permissions(w http.ResponseWriter, r *http.Request, tok Token) {
	var data []map[string]string
	for _, p := range tok.Scopes {
		data = append(data, map[string]string{"permission": p, "status": "granted"})
	}
	data = append(data, map[string]string{"permission": "public_profile", "status": "granted"})
	JSON(w, http.StatusOK, map[string]any{"data": data})
}

// accounts is GET /me/accounts: the user's pages with page tokens derived
// from the caller's token (never-expiring when it is long-lived).
func (s *Server) accounts(w http.ResponseWriter, r *http.Request, tok Token) {
	if tok.PageID != "" {
		Error(w, http.StatusBadRequest, metagraph.CodeInvalidParameter, 0, "OAuthException", "(#100) Tried accessing nonexisting field (accounts) on node type (Page)")
		return
	}
	fields := Fields(r.Form.Get("fields"))
	s.Mu.Lock()
	defer s.Mu.Unlock()
	var data []map[string]any
	var ids []string
	for id, p := range s.pages {
		if p.Owner == tok.UserID {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := s.pages[id]
		m := map[string]any{"id": p.ID}
		for _, f := range fields {
			switch f {
			case "name":
				m["name"] = p.Name
			case "username":
				if p.Username != "" {
					m["username"] = p.Username
				}
			case "tasks":
				m["tasks"] = p.Tasks
			case "access_token":
				t := s.issue(p.Owner, p.ID, tok.Long, nil)
				m["access_token"] = t.Value
			case "picture":
				m["picture"] = map[string]any{"data": map[string]any{"url": "https://scontent.example/" + p.ID + ".jpg"}}
			case "instagram_business_account":
				if p.Instagram != nil {
					m["instagram_business_account"] = map[string]any{"id": p.Instagram.ID, "username": p.Instagram.Username,
						"name": p.Instagram.Name, "profile_picture_url": "https://scontent.example/ig" + p.Instagram.ID + ".jpg"}
				}
			}
		}
		data = append(data, m)
	}
	JSON(w, http.StatusOK, map[string]any{"data": data, "paging": map[string]any{"cursors": map[string]string{"before": "b", "after": "a"}}})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, tok Token) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	if tok.PageID != "" {
		p := s.pages[tok.PageID]
		JSON(w, http.StatusOK, map[string]string{"id": p.ID, "name": p.Name})
		return
	}
	u := s.users[tok.UserID]
	JSON(w, http.StatusOK, map[string]string{"id": u.ID, "name": u.Name})
}

// Consent makes userID the person who approves in the Login dialog.
func (s *Server) Consent(userID string) {
	s.Mu.Lock()
	defer s.Mu.Unlock()
	s.consenter = userID
}

// PageCursor is the opaque before/after cursor of a listing's item id.
func PageCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("cursor:" + id))
}

// CursorID reads a cursor PageCursor made.
func CursorID(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", err
	}
	id, ok := strings.CutPrefix(string(b), "cursor:")
	if !ok {
		return "", errors.New("not a cursor of this fake")
	}
	return id, nil
}

// Paginate answers a page of items (already filtered and ordered) the way
// Meta's cursor-paged edges do: limit (25 by default, at most 100) and
// after (a cursor PageCursor made); cursors only while there is more than
// one page, and no next or previous link. bad says what is wrong with the
// request ("" when nothing).
func Paginate[T any](r *http.Request, items []T, id func(T) string) (page []T, paging map[string]any, bad string) {
	limit := 25
	if v := r.Form.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, nil, fmt.Sprintf("limit %q is not a non-negative number", v)
		}
		if n > 0 {
			limit = min(n, 100)
		}
	}
	if r.Form.Get("after") != "" && r.Form.Get("before") != "" {
		return nil, nil, "both before and after"
	}
	start := 0
	if a := r.Form.Get("after"); a != "" {
		cid, err := CursorID(a)
		i := slices.IndexFunc(items, func(it T) bool { return id(it) == cid })
		if err != nil || i < 0 {
			return nil, nil, fmt.Sprintf("after %q is not a cursor this listing gave", a)
		}
		start = i + 1
	}
	end := min(start+limit, len(items))
	page = items[start:end]
	if len(page) > 0 && (start > 0 || end < len(items)) {
		paging = map[string]any{"cursors": map[string]string{
			"before": PageCursor(id(items[start])), "after": PageCursor(id(items[end-1]))}}
	}
	return page, paging, ""
}
