package fakeserver

import (
	"crypto/rand"
	"encoding/hex"
	"hash/maphash"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Token problems, in Mastodon's words.
const (
	msgTokenInvalid = "The access token is invalid"
	msgTokenExpired = "The access token expired"
)

// tokenTable holds the bearer tokens. Empty means open: any token is
// accepted and names its account.
type tokenTable struct {
	mu        sync.RWMutex
	byAccess  map[string]Token
	byRefresh map[string]string // refresh token → account
	order     []string          // access tokens in the order they were added
}

func (t *tokenTable) set(tokens []Token) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.byAccess = make(map[string]Token, len(tokens))
	t.byRefresh = map[string]string{}
	t.order = t.order[:0]
	for _, tok := range tokens {
		t.addLocked(tok)
	}
}

func (t *tokenTable) addLocked(tok Token) {
	t.byAccess[tok.AccessToken] = tok
	t.order = append(t.order, tok.AccessToken)
	if tok.RefreshToken != "" && !tok.Revoked {
		t.byRefresh[tok.RefreshToken] = tok.Account
	}
}

func (t *tokenTable) list() []Token {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if len(t.order) == 0 {
		return nil
	}
	out := make([]Token, 0, len(t.order))
	for _, a := range t.order {
		out = append(out, t.byAccess[a])
	}
	return out
}

// authenticate returns the account of an Authorization header, or the
// problem to answer 401 with.
func (t *tokenTable) authenticate(header string, now time.Time) (account, problem string) {
	const prefix = "Bearer "
	if len(header) <= len(prefix) || !strings.EqualFold(header[:len(prefix)], prefix) {
		return "", msgTokenInvalid
	}
	access := strings.TrimSpace(header[len(prefix):])
	if access == "" {
		return "", msgTokenInvalid
	}
	t.mu.RLock()
	open := len(t.byAccess) == 0
	tok, ok := t.byAccess[access]
	t.mu.RUnlock()
	switch {
	case open:
		return access, ""
	case !ok || tok.Revoked:
		return "", msgTokenInvalid
	case !tok.ExpiresAt.IsZero() && !now.Before(tok.ExpiresAt):
		return "", msgTokenExpired
	}
	return tok.Account, ""
}

// refresh issues a new access token for a refresh token. The old access
// tokens stay valid until they expire, so requests in flight during a
// refresh are not refused.
func (t *tokenTable) refresh(refreshToken string, lifetime time.Duration, now time.Time) (Token, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	account, ok := t.byRefresh[refreshToken]
	if !ok {
		return Token{}, false
	}
	tok := Token{Account: account, AccessToken: randomToken(), RefreshToken: refreshToken,
		ExpiresAt: now.Add(lifetime).UTC()}
	t.addLocked(tok)
	return tok, true
}

func randomToken() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// token is POST /oauth/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	cfg := s.cfg.Load()
	s.stats.requests.Add(1)
	if cfg.draw() == fateError {
		s.stats.errors.Add(1)
		s.answerError(w, r, cfg, cfg.ErrorStatus, "The server is temporarily unavailable")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.oauthError(w, r, cfg, "invalid_request", "the body is not a form: "+err.Error())
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "refresh_token":
	case "authorization_code":
		s.exchangeCode(w, r, cfg, now)
		return
	case "":
		s.oauthError(w, r, cfg, "invalid_request", "grant_type is required")
		return
	default:
		s.oauthError(w, r, cfg, "unsupported_grant_type", "grant_type "+strconv.Quote(gt)+" is not supported; use refresh_token or authorization_code")
		return
	}
	rt := r.PostForm.Get("refresh_token")
	if rt == "" {
		s.oauthError(w, r, cfg, "invalid_request", "refresh_token is required")
		return
	}
	tok, ok := s.tokens.refresh(rt, cfg.TokenLifetime, now)
	if !ok {
		s.oauthError(w, r, cfg, "invalid_grant", "The provided authorization grant is invalid, expired, revoked, or was issued to another client")
		return
	}
	s.answer(w, r, cfg, http.StatusOK, map[string]any{
		"access_token":  tok.AccessToken,
		"token_type":    "Bearer",
		"refresh_token": tok.RefreshToken,
		"expires_in":    int64(cfg.TokenLifetime / time.Second),
		"scope":         "read write",
		"created_at":    now.Unix(),
	})
}

func (s *Server) oauthError(w http.ResponseWriter, r *http.Request, cfg *Config, code, desc string) {
	s.stats.rejected.Add(1)
	s.answer(w, r, cfg, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}

// rateLimiter is a fixed window per account, sharded like the ledger.
type rateLimiter struct {
	seed   maphash.Seed
	shards [shardCount]limitShard
}

type limitShard struct {
	mu sync.Mutex
	m  map[string]window
	_  [64]byte
}

type window struct {
	start time.Time
	used  int
}

func (l *rateLimiter) init() {
	l.seed = maphash.MakeSeed()
	l.reset()
}

func (l *rateLimiter) reset() {
	for i := range l.shards {
		sh := &l.shards[i]
		sh.mu.Lock()
		sh.m = map[string]window{}
		sh.mu.Unlock()
	}
}

// take counts one request of account and reports whether it is allowed,
// how many remain in the window and when the window resets.
func (l *rateLimiter) take(account string, limit int, per time.Duration, now time.Time) (allowed bool, remaining int, reset time.Time) {
	sh := &l.shards[maphash.String(l.seed, account)&(shardCount-1)]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	w := sh.m[account]
	if w.start.IsZero() || !now.Before(w.start.Add(per)) {
		w = window{start: now}
	}
	reset = w.start.Add(per)
	if w.used >= limit {
		return false, 0, reset
	}
	w.used++
	sh.m[account] = w
	return true, limit - w.used, reset
}
