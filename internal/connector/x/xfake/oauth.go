package xfake

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type authCode struct {
	userID      string
	clientID    string
	redirectURI string
	challenge   string
	scopes      []string
	expires     time.Time
}

// authorize is X's consent page: the fake approves at once, as the
// consenting user, and sends the browser back with a code.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	bad := func(msg string) { http.Error(w, msg, http.StatusBadRequest) }
	switch {
	case q.Get("response_type") != "code":
		bad("response_type must be code")
		return
	case q.Get("client_id") != s.cfg.ClientID:
		bad("unknown client_id")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		bad("code_challenge with code_challenge_method=S256 is required")
		return
	case q.Get("state") == "":
		bad("state is required")
		return
	case q.Get("scope") == "":
		bad("scope is required")
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || redirect.Scheme == "" || redirect.Host == "" {
		bad("redirect_uri must be an absolute URL")
		return
	}
	s.mu.Lock()
	user := s.consenter
	code := "code-" + s.nextID()
	s.codes[code] = authCode{userID: user, clientID: s.cfg.ClientID, redirectURI: redirect.String(),
		challenge: q.Get("code_challenge"), scopes: strings.Fields(q.Get("scope")),
		expires: s.now().Add(30 * time.Second)}
	s.mu.Unlock()
	if user == "" {
		bad("no user to consent: add one first")
		return
	}
	rq := redirect.Query()
	rq.Set("state", q.Get("state"))
	rq.Set("code", code)
	redirect.RawQuery = rq.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// oauthError answers as X's token endpoint does.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// token is POST /2/oauth2/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	if !s.clientAuthenticated(r) {
		oauthError(w, http.StatusUnauthorized, "unauthorized_client", "Missing valid authorization header")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.exchangeCode(w, r)
	case "refresh_token":
		s.refreshToken(w, r)
	default:
		oauthError(w, http.StatusBadRequest, "invalid_request", "Missing required parameter [grant_type].")
	}
}

// clientAuthenticated checks the client: HTTP Basic with id and secret for
// a confidential client, client_id in the body for a public one.
func (s *Server) clientAuthenticated(r *http.Request) bool {
	if s.cfg.ClientSecret != "" {
		id, secret, ok := r.BasicAuth()
		return ok && id == s.cfg.ClientID &&
			subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) == 1
	}
	if id, _, ok := r.BasicAuth(); ok {
		return id == s.cfg.ClientID
	}
	return r.PostForm.Get("client_id") == s.cfg.ClientID
}

func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.codes[f.Get("code")]
	delete(s.codes, f.Get("code")) // single use
	if !ok || s.now().After(c.expires) {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the authorization code was invalid.")
		return
	}
	if f.Get("redirect_uri") != c.redirectURI {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the redirect uri did not match the uri of the authorization code.")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the code verifier did not match the code challenge.")
		return
	}
	s.writeToken(w, s.issue(c.userID, c.scopes))
}

func (s *Server) refreshToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.refresh[r.PostForm.Get("refresh_token")]
	if !ok {
		oauthError(w, http.StatusBadRequest, "invalid_request", "Value passed for the token was invalid.")
		return
	}
	// Refresh tokens rotate: the old one is used up, its access token too.
	delete(s.refresh, old.Refresh)
	delete(s.tokens, old.Access)
	s.writeToken(w, s.issue(old.UserID, old.Scopes))
}

// writeToken answers a token. Callers hold s.mu.
func (s *Server) writeToken(w http.ResponseWriter, t *Token) {
	body := map[string]any{"token_type": "bearer", "access_token": t.Access,
		"expires_in": int(t.ExpiresAt.Sub(s.now()).Seconds()), "scope": strings.Join(t.Scopes, " ")}
	if t.Refresh != "" {
		body["refresh_token"] = t.Refresh
	}
	writeJSON(w, http.StatusOK, body)
}

func hasScope(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
	}
	return false
}
