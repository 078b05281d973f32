package youtubefake

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The scopes a connection asks for.
const (
	ScopeUpload   = "https://www.googleapis.com/auth/youtube.upload"
	ScopeForceSSL = "https://www.googleapis.com/auth/youtube.force-ssl"
	ScopeReadonly = "https://www.googleapis.com/auth/youtube.readonly"
	ScopeYouTube  = "https://www.googleapis.com/auth/youtube"
)

// IssueToken gives the account a token with scopes (upload, force-ssl and
// readonly when none are named), as if it had connected; it returns the
// access and refresh tokens.
func (s *Server) IssueToken(scopes ...string) (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(scopes) == 0 {
		scopes = []string{ScopeUpload, ScopeForceSSL, ScopeReadonly}
	}
	t := s.issue(scopes, "")
	return t.access, t.refresh
}

func (s *Server) issue(scopes []string, refresh string) *token {
	if refresh == "" {
		refresh = "1//" + s.id("r")
	}
	t := &token{access: "ya29." + s.id("a"), refresh: refresh, scopes: scopes, expires: s.now().Add(time.Hour)}
	s.tokens[t.access], s.refresh[t.refresh] = t, t
	return t
}

// authorize is Google's consent page, approving at once: it checks the
// request (client, code response, PKCE S256, offline access) and redirects
// back with a code, the state and the granted scopes.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("client_id") != s.ClientID:
		http.Error(w, "Error 401: invalid_client. The OAuth client was not found.", http.StatusUnauthorized)
		return
	case q.Get("response_type") != "code" || q.Get("redirect_uri") == "":
		http.Error(w, "Error 400: invalid_request. Required parameter is missing: response_type or redirect_uri", http.StatusBadRequest)
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		http.Error(w, "Error 400: invalid_request. code_challenge with code_challenge_method S256 is expected", http.StatusBadRequest)
		return
	case q.Get("access_type") != "offline":
		http.Error(w, "Error 400: invalid_request. access_type=offline is needed for a refresh token", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	code := "4/" + s.id("c")
	s.codes[code] = grant{scopes: q.Get("scope"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
	s.mu.Unlock()
	u, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "Error 400: redirect_uri_mismatch", http.StatusBadRequest)
		return
	}
	rq := u.Query()
	rq.Set("code", code)
	rq.Set("state", q.Get("state"))
	rq.Set("scope", q.Get("scope"))
	u.RawQuery = rq.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
}

// token is Google's token endpoint: the client's id and secret in the
// form, an authorization code with its PKCE verifier, or a refresh token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if f, ok := s.takeFault("POST /token"); ok {
		writeFault(w, f)
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the form cannot be read")
		return
	}
	f := r.PostForm
	if f.Get("client_id") != s.ClientID || f.Get("client_secret") != s.ClientSecret {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "Unauthorized")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{"token_type": "Bearer", "expires_in": 3599}
	switch f.Get("grant_type") {
	case "authorization_code":
		g, ok := s.codes[f.Get("code")]
		delete(s.codes, f.Get("code"))
		sum := sha256.Sum256([]byte(f.Get("code_verifier")))
		switch {
		case !ok || g.redirect != f.Get("redirect_uri"):
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Malformed auth code.")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Invalid code verifier.")
			return
		}
		t := s.issue(strings.Fields(g.scopes), "")
		out["access_token"], out["refresh_token"], out["scope"] = t.access, t.refresh, strings.Join(t.scopes, " ")
	case "refresh_token":
		old, ok := s.refresh[f.Get("refresh_token")]
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		t := s.issue(old.scopes, old.refresh)
		out["access_token"], out["scope"] = t.access, strings.Join(t.scopes, " ")
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: "+f.Get("grant_type"))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
