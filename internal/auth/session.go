package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// Session settings.
const (
	// SessionCookie is the name of the browser session cookie.
	SessionCookie = "herald_session"
	// SessionLifetime is the longest a session lives, active or not.
	SessionLifetime = 14 * 24 * time.Hour
	// SessionIdleTimeout ends a session nobody used for this long.
	SessionIdleTimeout = 24 * time.Hour
	// sessionUserKey holds the signed-in user's id in the session data.
	sessionUserKey = "user_id"
)

// NewSessionManager returns an scs session manager that keeps sessions in
// store, with Herald's cookie: HttpOnly, SameSite=Lax, Secure when
// secureCookie (the site is served over HTTPS).
func NewSessionManager(store herald.SessionStore, secureCookie bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = sessionStore{store: store, codec: sm.Codec}
	sm.Lifetime = SessionLifetime
	sm.IdleTimeout = SessionIdleTimeout
	sm.Cookie.Name = SessionCookie
	sm.Cookie.Path = "/"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secureCookie
	sm.Cookie.Persist = true
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		writeError(w, http.StatusInternalServerError, herald.ErrInternal)
	}
	return sm
}

// StartSession signs userID in: it renews the session token (against
// session fixation) and records the user in the session.
func (s *Service) StartSession(ctx context.Context, sm *scs.SessionManager, userID int64) error {
	if err := sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("auth: renew session token: %w", err)
	}
	sm.Put(ctx, sessionUserKey, userID)
	return nil
}

// EndSession signs out: the session is destroyed in the store and the
// cookie cleared.
func (s *Service) EndSession(ctx context.Context, sm *scs.SessionManager) error {
	if err := sm.Destroy(ctx); err != nil {
		return fmt.Errorf("auth: destroy session: %w", err)
	}
	return nil
}

// Middleware puts the caller's principal in the request context: from an
// "Authorization: Bearer" API token (a bad token is refused with 401), else
// from the session's user. Without either there is no principal and the
// handlers decide. It must run inside sm.LoadAndSave.
func (s *Service) Middleware(sm *scs.SessionManager) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if secret, ok := BearerToken(r); ok {
				p, err := s.AuthenticateToken(ctx, secret)
				if err != nil {
					var he *herald.Error
					if errors.As(err, &he) && he.Code == herald.CodeUnauthorized {
						w.Header().Set("WWW-Authenticate", `Bearer realm="herald", error="invalid_token"`)
						writeError(w, http.StatusUnauthorized, he)
						return
					}
					s.logger.ErrorContext(ctx, "authenticate token", "error", err)
					writeError(w, http.StatusInternalServerError, herald.ErrInternal)
					return
				}
				next.ServeHTTP(w, r.WithContext(herald.WithPrincipal(ctx, p)))
				return
			}
			if id := sm.GetInt64(ctx, sessionUserKey); id != 0 {
				ctx = herald.WithPrincipal(ctx, herald.Principal{UserID: id})
				r = r.WithContext(ctx)
			}
			next.ServeHTTP(w, r)
		})
	}
}

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header, if the request has one.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// writeError writes Herald's JSON error body. It is the auth layer's own
// copy for the few errors it answers before any handler runs.
func writeError(w http.ResponseWriter, status int, e *herald.Error) {
	details := e.Details
	if details == nil {
		details = []herald.FieldProblem{}
	}
	body := struct {
		Error struct {
			Code    herald.Code           `json:"code"`
			Message string                `json:"message"`
			Details []herald.FieldProblem `json:"details"`
		} `json:"error"`
	}{}
	body.Error.Code, body.Error.Message, body.Error.Details = e.Code, e.Message, details
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// sessionStore adapts herald.SessionStore to scs.CtxStore. The store never
// sees a session's token: its key is the token's SHA-256 (as for API
// tokens), so a copy of the sessions table opens no session. Each commit
// also records the session's user, read from the data, so that a person's
// sessions can be ended together.
type sessionStore struct {
	store herald.SessionStore
	codec scs.Codec
}

var _ scs.CtxStore = sessionStore{}

// sessionKey is the store's key for a session token.
func sessionKey(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// FindCtx returns a session's data; expired sessions are not found.
func (s sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return s.store.FindSession(ctx, sessionKey(token))
}

// CommitCtx saves a session's data until expiry.
func (s sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	var userID int64
	if _, values, err := s.codec.Decode(b); err == nil {
		userID, _ = values[sessionUserKey].(int64)
	}
	return s.store.CommitSession(ctx, sessionKey(token), userID, b, expiry.UTC().Truncate(time.Microsecond))
}

// DeleteCtx removes a session.
func (s sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.store.DeleteSession(ctx, sessionKey(token))
}

// Find is FindCtx without a context; scs calls the Ctx methods.
func (s sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a context.
func (s sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a context.
func (s sessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
