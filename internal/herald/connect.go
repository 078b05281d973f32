package herald

import (
	"context"
	"time"
)

// OAuthState is one connection in progress: Herald sent a person to a
// platform's authorization page and waits for them to come back to the
// callback with the state. Only the SHA-256 of the state is stored; the
// connector's secret (PKCE verifier, registered client) is sealed. A state
// is used once and expires after a few minutes.
type OAuthState struct {
	StateHash   []byte    `json:"-"`
	WorkspaceID int64     `json:"workspace_id"`
	UserID      int64     `json:"user_id"` // who started the connection
	Platform    Platform  `json:"platform"`
	Instance    string    `json:"instance,omitempty"` // the server named (Mastodon), "" where the platform has one
	Secret      Sealed    `json:"-"`
	RedirectURL string    `json:"redirect_url"` // Herald's callback the platform was told about
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// OAuthStateAAD binds a state's sealed secret to the state.
func OAuthStateAAD(stateHash []byte) []byte {
	return append([]byte("oauth-state:"), stateHash...)
}

// AppRegistration is Herald's app as registered on one instance of a
// platform (Mastodon registers a client per server). (Platform, Instance)
// is unique.
type AppRegistration struct {
	Platform     Platform  `json:"platform"`
	Instance     string    `json:"instance"`
	ClientID     string    `json:"client_id"`
	ClientSecret Sealed    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// AAD binds a registration's sealed client secret to its platform and instance.
func (r AppRegistration) AAD() []byte {
	return []byte("app:" + string(r.Platform) + ":" + r.Instance)
}

// ConnectStore keeps connections in progress and app registrations.
type ConnectStore interface {
	// CreateOAuthState stores a new state; ErrConflict if the hash exists.
	CreateOAuthState(ctx context.Context, s *OAuthState) error
	// TakeOAuthState removes and returns the state with this hash, so that
	// it works once; ErrNotFound if there is none (used or never issued).
	// An expired state is returned too: the caller tells the person.
	TakeOAuthState(ctx context.Context, hash []byte) (OAuthState, error)
	// DeleteExpiredOAuthStates removes states that expired before now.
	DeleteExpiredOAuthStates(ctx context.Context, now time.Time) (int64, error)
	// GetAppRegistration returns the registration on an instance, or ErrNotFound.
	GetAppRegistration(ctx context.Context, platform Platform, instance string) (AppRegistration, error)
	// SaveAppRegistration inserts or replaces the registration on an instance.
	SaveAppRegistration(ctx context.Context, r *AppRegistration) error
}
