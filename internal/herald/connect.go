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

// InstanceSoftware is what server program one instance of a platform runs
// (Mastodon-API servers differ: Mastodon, GoToSocial, Pleroma, …), as
// Herald learned it from the instance's nodeinfo and version, and whether
// that program is known to deduplicate a repeated post carrying the same
// idempotency key. (Platform, Instance) is unique.
type InstanceSoftware struct {
	Platform     Platform  `json:"platform"`
	Instance     string    `json:"instance"`
	Name         string    `json:"name"`    // nodeinfo software.name, lower case; "" when unknown
	Version      string    `json:"version"` // as the instance says it
	Deduplicates bool      `json:"deduplicates"`
	CheckedAt    time.Time `json:"checked_at"`
}

// softwareLabels are how people know the server programs.
var softwareLabels = map[string]string{
	"mastodon": "Mastodon", "gotosocial": "GoToSocial", "pleroma": "Pleroma", "akkoma": "Akkoma",
	"misskey": "Misskey", "sharkey": "Sharkey", "iceshrimp": "Iceshrimp", "firefish": "Firefish",
	"pixelfed": "Pixelfed", "friendica": "Friendica", "hometown": "Hometown",
}

// Label names the software for people: "GoToSocial 0.17.3", or "unknown
// software".
func (s InstanceSoftware) Label() string {
	if s.Name == "" {
		return "unknown software"
	}
	l, ok := softwareLabels[s.Name]
	if !ok {
		l = s.Name
	}
	if s.Version != "" {
		l += " " + s.Version
	}
	return l
}

// InstanceSoftwareStore keeps what each instance runs.
type InstanceSoftwareStore interface {
	// GetInstanceSoftware returns what Herald learned of an instance, or ErrNotFound.
	GetInstanceSoftware(ctx context.Context, platform Platform, instance string) (InstanceSoftware, error)
	// SaveInstanceSoftware inserts or replaces what Herald learned of an instance.
	SaveInstanceSoftware(ctx context.Context, s *InstanceSoftware) error
}
