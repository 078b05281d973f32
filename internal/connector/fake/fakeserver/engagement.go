package fakeserver

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Engagement: favourites, reply counts, mention notifications and a
// minimal OAuth authorization-code flow for connecting accounts.
//
//	POST /api/v1/statuses/{id}/favourite  favourites a status as the caller; answers it
//	GET  /api/v1/notifications            the caller's mentions (replies to its posts and
//	                                      posts naming @account), newest first; min_id
//	                                      gives the page just after an id, since_id the
//	                                      newest after it, limit ≤ 40
//	GET  /oauth/authorize                 response_type=code, client_id, redirect_uri,
//	                                      state, code_challenge (S256), login (the account
//	                                      to sign in as, default "fake-user"): approves at
//	                                      once and redirects to redirect_uri?code=…&state=…
//	POST /oauth/token                     grant_type=authorization_code, code, redirect_uri,
//	                                      code_verifier: a token for the approved account
//
// Statuses carry favourites_count, reblogs_count and replies_count.
//
//	POST /api/v1/statuses/{id}/reblog     boosts it (once per account)

// engagement counts favourites and replies per status.
type engagement struct {
	mu      sync.RWMutex
	favs    map[string]map[string]bool // status id → accounts that favourited it
	boosts  map[string]map[string]bool // status id → accounts that reblogged it
	replies map[string]int             // status id → replies
}

func (e *engagement) init() {
	e.mu.Lock()
	e.favs = map[string]map[string]bool{}
	e.boosts = map[string]map[string]bool{}
	e.replies = map[string]int{}
	e.mu.Unlock()
}

func (e *engagement) counts(id string) (favs, replies int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.favs[id]), e.replies[id]
}

func (e *engagement) reply(parent string) {
	e.mu.Lock()
	e.replies[parent]++
	e.mu.Unlock()
}

func (e *engagement) boost(id, account string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.boosts[id] == nil {
		e.boosts[id] = map[string]bool{}
	}
	e.boosts[id][account] = true
}

// boosts counts the accounts that reblogged id.
func (e *engagement) boostCount(id string) int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return len(e.boosts[id])
}

// reblog is POST /api/v1/statuses/{id}/reblog: the account boosts the
// status once, however often it asks.
func (s *Server) reblog(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, time.Now())
	if !ok {
		return
	}
	p, found := s.ledger.Get(r.PathValue("id"))
	if !found || p.DeletedAt != nil {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	s.engage.boost(p.ID, account)
	s.answer(w, r, cfg, http.StatusOK, s.statusOf(r, p))
}

// Reblogs returns how many accounts reblogged the status id.
func (s *Server) Reblogs(id string) int { return s.engage.boostCount(id) }

func (e *engagement) favourite(id, account string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.favs[id] == nil {
		e.favs[id] = map[string]bool{}
	}
	e.favs[id][account] = true
}

// favourite is POST /api/v1/statuses/{id}/favourite.
func (s *Server) favourite(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, time.Now())
	if !ok {
		return
	}
	p, found := s.ledger.Get(r.PathValue("id"))
	if !found || p.DeletedAt != nil {
		s.answerError(w, r, cfg, http.StatusNotFound, "Record not found")
		return
	}
	s.engage.favourite(p.ID, account)
	s.answer(w, r, cfg, http.StatusOK, s.statusOf(r, p))
}

// notificationJSON is a notification on the wire.
type notificationJSON struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	CreatedAt string      `json:"created_at"`
	Account   accountJSON `json:"account"`
	Status    statusJSON  `json:"status"`
}

// notifications is GET /api/v1/notifications: mentions only.
func (s *Server) notifications(w http.ResponseWriter, r *http.Request) {
	cfg := s.cfg.Load()
	account, _, ok := s.begin(w, r, cfg, time.Now())
	if !ok {
		return
	}
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.answerError(w, r, cfg, http.StatusUnprocessableEntity, "limit must be a positive whole number, not "+strconv.Quote(v))
			return
		}
		limit = min(n, MaxLookupLimit)
	}
	bound := func(name string) (uint64, bool) {
		v := q.Get(name)
		if v == "" {
			return 0, true
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			s.answerError(w, r, cfg, http.StatusUnprocessableEntity, name+" must be a notification id, not "+strconv.Quote(v))
			return 0, false
		}
		return n, true
	}
	minID, ok1 := bound("min_id")
	sinceID, ok2 := bound("since_id")
	if !ok1 || !ok2 {
		return
	}
	after := max(minID, sinceID)
	var mentions []Post // oldest first
	for _, p := range s.ledger.Posts() {
		if p.seq <= after || p.DeletedAt != nil || p.Account == account || !s.mentions(p, account) {
			continue
		}
		mentions = append(mentions, p)
	}
	if minID != 0 && len(mentions) > limit {
		mentions = mentions[:limit] // the page just after min_id
	} else if len(mentions) > limit {
		mentions = mentions[len(mentions)-limit:] // the newest
	}
	slices.Reverse(mentions)
	out := make([]notificationJSON, 0, len(mentions))
	for _, p := range mentions {
		st := s.statusOf(r, p)
		out = append(out, notificationJSON{ID: p.ID, Type: "mention", CreatedAt: st.CreatedAt, Account: st.Account, Status: st})
	}
	s.answer(w, r, cfg, http.StatusOK, out)
}

// mentions reports whether p replies to one of account's posts or names it.
func (s *Server) mentions(p Post, account string) bool {
	if p.InReplyToID != "" {
		if parent, ok := s.ledger.Get(p.InReplyToID); ok && parent.Account == account {
			return true
		}
	}
	for _, word := range strings.Fields(p.Text) {
		if strings.TrimRight(word, ".,:;!?") == "@"+account {
			return true
		}
	}
	return false
}

// authCode is an approved authorization waiting to be exchanged.
type authCode struct {
	account     string
	redirectURI string
	challenge   string
	expires     time.Time
}

// codeTable holds authorization codes; each works once.
type codeTable struct {
	mu sync.Mutex
	m  map[string]authCode
}

func (c *codeTable) put(code string, a authCode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]authCode{}
	}
	c.m[code] = a
}

func (c *codeTable) take(code string) (authCode, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, ok := c.m[code]
	delete(c.m, code)
	return a, ok
}

// authorize is GET /oauth/authorize: the person approves at once.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	if redirect == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeError(w, http.StatusBadRequest, "redirect_uri must be an absolute http(s) URL")
		return
	}
	if q.Get("response_type") != "code" {
		writeError(w, http.StatusBadRequest, "response_type must be code")
		return
	}
	if q.Get("code_challenge") != "" && q.Get("code_challenge_method") != "S256" {
		writeError(w, http.StatusBadRequest, "code_challenge_method must be S256")
		return
	}
	account := q.Get("login")
	if account == "" {
		account = "fake-user"
	}
	code := randomToken()
	s.codes.put(code, authCode{account: account, redirectURI: redirect, challenge: q.Get("code_challenge"),
		expires: time.Now().Add(10 * time.Minute)})
	back := u.Query()
	back.Set("code", code)
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	u.RawQuery = back.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// exchangeCode answers grant_type=authorization_code.
func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request, cfg *Config, now time.Time) {
	f := r.PostForm
	a, ok := s.codes.take(f.Get("code"))
	switch {
	case !ok || now.After(a.expires):
		s.oauthError(w, r, cfg, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, or was issued to another client")
		return
	case f.Get("redirect_uri") != a.redirectURI:
		s.oauthError(w, r, cfg, "invalid_grant", "redirect_uri does not match the one the code was issued for")
		return
	case a.challenge != "" && pkceChallenge(f.Get("code_verifier")) != a.challenge:
		s.oauthError(w, r, cfg, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}
	tok := s.tokens.issue(a.account, cfg.TokenLifetime, now)
	body := map[string]any{
		"access_token": tok.AccessToken,
		"token_type":   "Bearer",
		"scope":        "read write",
		"created_at":   now.Unix(),
	}
	if tok.RefreshToken != "" {
		body["refresh_token"] = tok.RefreshToken
		body["expires_in"] = int64(cfg.TokenLifetime / time.Second)
	}
	s.answer(w, r, cfg, http.StatusOK, body)
}

// issue makes a token for account. An open table (no tokens configured)
// stays open: the access token is the account name itself, as any token is.
func (t *tokenTable) issue(account string, lifetime time.Duration, now time.Time) Token {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.byAccess) == 0 {
		return Token{Account: account, AccessToken: account}
	}
	tok := Token{Account: account, AccessToken: randomToken(), RefreshToken: randomToken(), ExpiresAt: now.Add(lifetime).UTC()}
	t.addLocked(tok)
	return tok
}

// pkceChallenge is the S256 code challenge of a verifier (RFC 7636).
func pkceChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
