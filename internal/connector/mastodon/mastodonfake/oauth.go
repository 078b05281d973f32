package mastodonfake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Account is a person on the fake instance (or a remote one, when Domain
// is set).
type Account struct {
	ID          string
	Username    string
	Domain      string // "" for local accounts
	DisplayName string
	CreatedAt   time.Time
}

func (a *Account) acct() string {
	if a.Domain == "" {
		return a.Username
	}
	return a.Username + "@" + a.Domain
}

type grant struct {
	account string // id
	app     string // client name ("" for tokens made by AddAccount)
	scopes  []string
	revoked bool
}

type app struct {
	name, website, secret string
	redirects             []string
	scopes                []string
	id                    string
}

type authCode struct {
	clientID, redirect, challenge, account string
	scopes                                 []string
	used                                   bool
}

type window struct {
	start time.Time
	n     int
}

type idemEntry struct {
	status string
	at     time.Time
}

// AddAccount creates a local account and returns it with an access token
// (scopes read and write) for it. The first account added approves
// authorization requests (see SetAuthorizer).
func (s *Server) AddAccount(username, displayName string) (Account, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &Account{ID: s.newID(), Username: username, DisplayName: displayName, CreatedAt: s.clock().UTC()}
	s.accounts[a.ID] = a
	if s.authorizer == "" {
		s.authorizer = a.ID
	}
	tok := rand.Text()
	s.tokens[tok] = &grant{account: a.ID, scopes: []string{"read", "write"}}
	return *a, tok
}

// AddRemoteAccount creates an account of another server (for mentions).
func (s *Server) AddRemoteAccount(username, domain, displayName string) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := &Account{ID: s.newID(), Username: username, Domain: domain, DisplayName: displayName, CreatedAt: s.clock().UTC()}
	s.accounts[a.ID] = a
	return *a
}

// SetAuthorizer makes the account with this id approve authorization
// requests, as if it were logged in.
func (s *Server) SetAuthorizer(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorizer = id
}

// RevokeToken makes a token invalid.
func (s *Server) RevokeToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.tokens[tok]; ok {
		g.revoked = true
	}
}

// Apps returns how many apps were registered.
func (s *Server) Apps() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.apps)
}

// authed finds the token's grant, counts the call against its rate limit
// and sets the X-RateLimit-* headers; it answers the error itself and
// returns nil when the call may not go on. s.mu must not be held.
func (s *Server) authed(w http.ResponseWriter, r *http.Request, scope string) (*grant, *Account) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.tokens[strings.TrimSpace(tok)]
	if !ok || g == nil || g.revoked {
		writeError(w, http.StatusUnauthorized, "The access token is invalid")
		return nil, nil
	}
	if scope != "" && !hasScope(g.scopes, scope) {
		writeError(w, http.StatusForbidden, "This action is outside the authorized scopes")
		return nil, nil
	}
	if s.cfg.RateLimit > 0 {
		now := s.clock()
		win := s.rate[tok]
		if win == nil || now.Sub(win.start) >= s.cfg.RateWindow {
			win = &window{start: now}
			s.rate[tok] = win
		}
		win.n++
		reset := win.start.Add(s.cfg.RateWindow)
		rem := s.cfg.RateLimit - win.n
		if rem < 0 {
			rem = 0
		}
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.cfg.RateLimit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(rem))
		w.Header().Set("X-RateLimit-Reset", formatTime(reset))
		if win.n > s.cfg.RateLimit {
			writeError(w, http.StatusTooManyRequests, "Too many requests")
			return nil, nil
		}
	}
	return g, s.accounts[g.account]
}

// hasScope reports whether granted covers want ("write" covers
// "write:statuses").
func hasScope(granted []string, want string) bool {
	for _, g := range granted {
		if g == want || strings.HasPrefix(want, g+":") {
			return true
		}
	}
	return false
}

// decodeBody reads a JSON or form body into a map of strings and lists.
func decodeBody(r *http.Request) (map[string]any, error) {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/json") {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return nil, err
		}
		return m, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, err
	}
	m := map[string]any{}
	for k, v := range r.PostForm {
		if strings.HasSuffix(k, "[]") {
			l := make([]any, len(v))
			for i := range v {
				l[i] = v[i]
			}
			m[strings.TrimSuffix(k, "[]")] = l
		} else {
			m[k] = v[0]
		}
	}
	return m, nil
}

func str(m map[string]any, k string) string {
	if v, ok := m[k].(string); ok {
		return v
	}
	return ""
}

func strs(m map[string]any, k string) []string {
	switch v := m[k].(type) {
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		return strings.Fields(v)
	}
	return nil
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) {
	m, err := decodeBody(r)
	if err != nil {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: the body is not valid JSON")
		return
	}
	if _, isList := m["redirect_uris"].([]any); isList && s.dialect() == GoToSocial && strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusBadRequest, "Bad Request: json: cannot unmarshal array into Go struct field ApplicationCreateRequest.redirect_uris of type string")
		return
	}
	name, redirects := str(m, "client_name"), strs(m, "redirect_uris")
	if name == "" || len(redirects) == 0 {
		writeError(w, http.StatusUnprocessableEntity, "Validation failed: Name can't be blank, Redirect URI can't be blank")
		return
	}
	for _, u := range redirects {
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Host == "" {
			writeError(w, http.StatusUnprocessableEntity, "Validation failed: Redirect URI must be an absolute URI.")
			return
		}
	}
	scopes := strings.Fields(str(m, "scopes"))
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	s.mu.Lock()
	a := &app{name: name, website: str(m, "website"), secret: rand.Text(), redirects: redirects, scopes: scopes, id: s.newID()}
	clientID := rand.Text()
	s.apps[clientID] = a
	s.mu.Unlock()
	var website any
	if a.website != "" {
		website = a.website
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": a.id, "name": a.name, "website": website, "scopes": a.scopes, "redirect_uris": a.redirects,
		"redirect_uri": strings.Join(a.redirects, "\n"), "client_id": clientID, "client_secret": a.secret,
		"client_secret_expires_at": 0, "vapid_key": "BCk-QqERU0q-CfYZjcuB6lnyyOYfJ2AifKqfeGIm7Z-HiTU5T9eTG5GxVA0_OH5mMlI4UkkDTpaZwozy0TzdZ2M=",
	})
}

// authorize is the page a person approves Herald on. The fake approves at
// once for the authorizing account (as Mastodon does for an app the
// person already authorized) and redirects back with a code.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	a := s.apps[q.Get("client_id")]
	acct := s.authorizer
	s.mu.Unlock()
	redirect := q.Get("redirect_uri")
	switch {
	case a == nil:
		writeError(w, http.StatusUnauthorized, "invalid_client")
		return
	case !slices.Contains(a.redirects, redirect):
		writeError(w, http.StatusBadRequest, "The redirect uri included is not valid.")
		return
	case q.Get("response_type") != "code":
		writeError(w, http.StatusBadRequest, "unsupported_response_type")
		return
	case acct == "":
		writeError(w, http.StatusUnauthorized, "nobody is logged in on the fake instance")
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		scopes = []string{"read"}
	}
	for _, sc := range scopes {
		if !hasScope(a.scopes, sc) {
			writeError(w, http.StatusBadRequest, "invalid_scope")
			return
		}
	}
	if q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" {
		writeError(w, http.StatusBadRequest, "invalid_request: code_challenge_method must be S256")
		return
	}
	code := rand.Text()
	s.mu.Lock()
	s.codes[code] = &authCode{clientID: q.Get("client_id"), redirect: redirect, challenge: q.Get("code_challenge"), account: acct, scopes: scopes}
	s.mu.Unlock()
	back, _ := url.Parse(redirect)
	bq := back.Query()
	bq.Set("code", code)
	if st := q.Get("state"); st != "" {
		bq.Set("state", st)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	m, err := decodeBody(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.apps[str(m, "client_id")]
	if a == nil || a.secret != str(m, "client_secret") {
		w.Header().Set("Content-Type", "application/json")
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
		return
	}
	if str(m, "grant_type") != "authorization_code" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
		return
	}
	c := s.codes[str(m, "code")]
	invalid := "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."
	if c == nil || c.used || c.clientID != str(m, "client_id") || c.redirect != str(m, "redirect_uri") {
		writeOAuthError(w, http.StatusBadRequest, "invalid_grant", invalid)
		return
	}
	if c.challenge != "" {
		sum := sha256.Sum256([]byte(str(m, "code_verifier")))
		if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			writeOAuthError(w, http.StatusBadRequest, "invalid_grant", invalid)
			return
		}
	}
	c.used = true
	tok := rand.Text()
	s.tokens[tok] = &grant{account: c.account, app: a.name, scopes: c.scopes}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer",
		"scope": strings.Join(c.scopes, " "), "created_at": s.clock().Unix()})
}

func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func (s *Server) dialect() Dialect {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.Dialect
}
