package blueskyfake

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/syntax"
)

// account is one repository's owner.
type account struct {
	did          string
	handle       string
	displayName  string
	password     string
	appPasswords map[string]bool
	// chatPasswords are the app passwords created with "Allow access to
	// your direct messages" (privileged): only their sessions reach chat.
	chatPasswords map[string]bool
	// Deactivated accounts cannot sign in ("AccountDeactivated").
	deactivated bool
}

// token is an issued session token.
type token struct {
	did     string
	refresh bool
	exp     time.Time
	revoked bool
	// scope is the session's access scope (a refresh token keeps it for
	// the sessions it makes): com.atproto.access for the main password,
	// com.atproto.appPassPrivileged for an app password with access to
	// direct messages, com.atproto.appPass for any other.
	scope string
}

// Access scopes of sessions, as the PDS names them.
const (
	scopeAccess     = "com.atproto.access"
	scopeAppPass    = "com.atproto.appPass"
	scopePrivileged = "com.atproto.appPassPrivileged"
)

// privileged reports whether a session of scope may call privileged
// methods (chat).
func privileged(scope string) bool { return scope == scopeAccess || scope == scopePrivileged }

// Account is a test account.
type Account struct {
	DID         string
	Handle      string
	DisplayName string
	Password    string // the main password
	AppPassword string // an app password, with access to direct messages
}

// CreateAccount adds an account with a handle (e.g. "alice.test") and
// returns it with its DID, main password and one app password, created
// with "Allow access to your direct messages" (see AddAppPassword for one
// without).
func (s *Server) CreateAccount(handle, displayName string) Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	did := fmt.Sprintf("did:plc:fake%020d", s.seq)
	a := &account{did: did, handle: strings.ToLower(handle), displayName: displayName,
		password: randomString(12), appPasswords: map[string]bool{}, chatPasswords: map[string]bool{}}
	app := appPassword()
	a.appPasswords[app] = true
	a.chatPasswords[app] = true
	s.accounts[did] = a
	s.handles[a.handle] = did
	s.repos[did] = newRepo()
	return Account{DID: did, Handle: a.handle, DisplayName: displayName, Password: a.password, AppPassword: app}
}

// AddAppPassword creates another app password for the account; chat says
// whether "Allow access to your direct messages" is ticked. Sessions of an
// app password without it are refused every chat call (400 InvalidToken
// "Bad token method"), as the PDS refuses them. It returns "" for an
// unknown account.
func (s *Server) AddAppPassword(did string, chat bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[did]
	if !ok {
		return ""
	}
	app := appPassword()
	a.appPasswords[app] = true
	if chat {
		a.chatPasswords[app] = true
	}
	return app
}

// RevokeAppPassword withdraws an app password and every session made with
// any password of the account (as revoking does on Bluesky).
func (s *Server) RevokeAppPassword(did, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[did]; ok {
		delete(a.appPasswords, password)
		delete(a.chatPasswords, password)
	}
	for _, t := range s.tokens {
		if t.did == did {
			t.revoked = true
		}
	}
}

// ExpireAccessTokens makes every access token of the account expired.
func (s *Server) ExpireAccessTokens(did string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.cfg.Now().Add(-time.Minute)
	for _, t := range s.tokens {
		if t.did == did && !t.refresh {
			t.exp = past
		}
	}
}

// ExpireRefreshTokens makes every refresh token of the account expired.
func (s *Server) ExpireRefreshTokens(did string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	past := s.cfg.Now().Add(-time.Minute)
	for _, t := range s.tokens {
		if t.did == did && t.refresh {
			t.exp = past
		}
	}
}

// Deactivate marks an account deactivated.
func (s *Server) Deactivate(did string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[did]; ok {
		a.deactivated = true
	}
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// appPassword makes a password shaped like Bluesky's: xxxx-xxxx-xxxx-xxxx.
func appPassword() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return sb.String()
}

// issue makes a JWT-shaped token for a session of scope (the payload has
// sub, scope and exp; the signature is random: the fake checks tokens by
// lookup).
func (s *Server) issue(did string, refresh bool, ttl time.Duration, access string) string {
	now := s.cfg.Now()
	scope := access
	if refresh {
		scope = "com.atproto.refresh"
	}
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"at+jwt","alg":"HS256"}`))
	payload, _ := json.Marshal(map[string]any{"scope": scope, "sub": did, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": randomString(16)})
	tok := header + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + randomString(43)
	s.tokens[tok] = &token{did: did, refresh: refresh, exp: now.Add(ttl), scope: access}
	return tok
}

// auth checks the bearer token of a request: an access token (or, with
// refresh set, a refresh token). It answers the error itself and returns
// "" when the token does not pass.
func (s *Server) auth(w http.ResponseWriter, r *http.Request, refresh bool) string {
	h := r.Header.Get("Authorization")
	if h == "" {
		xerr(w, http.StatusUnauthorized, "AuthMissing", "Authentication Required")
		return ""
	}
	raw, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		xerr(w, http.StatusUnauthorized, "AuthMissing", "Unexpected authorization type")
		return ""
	}
	s.mu.Lock()
	t, found := s.tokens[raw]
	var deactivated bool
	if found {
		if a, ok := s.accounts[t.did]; ok {
			deactivated = a.deactivated
		}
	}
	now := s.cfg.Now()
	s.mu.Unlock()
	switch {
	case !found || t.revoked:
		xerr(w, http.StatusBadRequest, "InvalidToken", "Token could not be verified")
		return ""
	case t.refresh != refresh:
		xerr(w, http.StatusBadRequest, "InvalidToken", "Invalid token type")
		return ""
	case !now.Before(t.exp):
		xerr(w, http.StatusBadRequest, "ExpiredToken", "Token has expired")
		return ""
	case deactivated:
		xerr(w, http.StatusUnauthorized, "AccountDeactivated", "Account is deactivated")
		return ""
	}
	return t.did
}

// didDoc serves the PLC directory: GET /did:plc:… → the DID document.
func (s *Server) didDoc(w http.ResponseWriter, r *http.Request) {
	did := r.PathValue("did")
	s.mu.Lock()
	a, ok := s.accounts[did]
	u := s.url
	s.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprintf(w, `{"message":"DID not registered: %s"}`, did)
		return
	}
	writeJSON(w, map[string]any{
		"@context":    []string{"https://www.w3.org/ns/did/v1"},
		"id":          a.did,
		"alsoKnownAs": []string{"at://" + a.handle},
		"service":     []map[string]string{{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": u}},
	})
}

func (s *Server) resolveHandle(w http.ResponseWriter, r *http.Request) {
	h, err := syntax.ParseHandle(r.URL.Query().Get("handle"))
	if err != nil {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Error: handle must be a valid handle")
		return
	}
	s.mu.Lock()
	did, ok := s.handles[h.Normalize().String()]
	s.mu.Unlock()
	if !ok {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Unable to resolve handle")
		return
	}
	writeJSON(w, map[string]string{"did": did})
}

// sessionOut is createSession's and refreshSession's answer for a session
// of scope.
func (s *Server) sessionOut(a *account, scope string) map[string]any {
	return map[string]any{
		"accessJwt":  s.issue(a.did, false, s.cfg.AccessTTL, scope),
		"refreshJwt": s.issue(a.did, true, s.cfg.RefreshTTL, scope),
		"handle":     a.handle,
		"did":        a.did,
		"active":     true,
	}
}

func (s *Server) createSession(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Identifier string `json:"identifier"`
		Password   string `json:"password"`
	}
	if !decode(w, r, &in) {
		return
	}
	if in.Identifier == "" || in.Password == "" {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Input must have the property \"identifier\" and \"password\"")
		return
	}
	id := strings.ToLower(strings.TrimPrefix(in.Identifier, "@"))
	if !s.take(w, "session:"+id, 1, s.cfg.SessionLimit, s.cfg.SessionWindow) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	did := id
	if !strings.HasPrefix(id, "did:") {
		did = s.handles[id]
	}
	a, ok := s.accounts[did]
	if !ok || (in.Password != a.password && !a.appPasswords[in.Password]) {
		xerr(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	scope := scopeAppPass
	switch {
	case in.Password == a.password:
		scope = scopeAccess
	case a.chatPasswords[in.Password]:
		scope = scopePrivileged
	}
	if a.deactivated {
		writeJSON(w, map[string]any{"accessJwt": s.issue(a.did, false, s.cfg.AccessTTL, scope), "refreshJwt": s.issue(a.did, true, s.cfg.RefreshTTL, scope),
			"handle": a.handle, "did": a.did, "active": false, "status": "deactivated"})
		return
	}
	writeJSON(w, s.sessionOut(a, scope))
}

func (s *Server) refreshSession(w http.ResponseWriter, r *http.Request) {
	did := s.auth(w, r, true)
	if did == "" {
		return
	}
	raw := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.tokens[raw]
	old.revoked = true // refresh tokens are single use
	writeJSON(w, s.sessionOut(s.accounts[did], old.scope))
}

func (s *Server) getSession(w http.ResponseWriter, r *http.Request) {
	did := s.auth(w, r, false)
	if did == "" {
		return
	}
	s.mu.Lock()
	a := s.accounts[did]
	s.mu.Unlock()
	writeJSON(w, map[string]any{"did": a.did, "handle": a.handle, "active": true})
}

// actorRef finds an account by DID or handle.
func (s *Server) actorRef(actor string) (*account, bool) {
	actor = strings.ToLower(strings.TrimPrefix(actor, "@"))
	if !strings.HasPrefix(actor, "did:") {
		actor = s.handles[actor]
	}
	a, ok := s.accounts[actor]
	return a, ok
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	if s.auth(w, r, false) == "" {
		return
	}
	s.mu.Lock()
	a, ok := s.actorRef(r.URL.Query().Get("actor"))
	var v map[string]any
	if ok {
		v = map[string]any{"did": a.did, "handle": a.handle, "displayName": a.displayName,
			"avatar": s.url + "/img/avatar/" + a.did}
		s.profileCounts(a.did, v)
	}
	s.mu.Unlock()
	if !ok {
		xerr(w, http.StatusBadRequest, "InvalidRequest", "Profile not found")
		return
	}
	writeJSON(w, v)
}
