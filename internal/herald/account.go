package herald

import (
	"strconv"
	"strings"
	"time"
)

// Platform names a social network.
type Platform string

// Platforms Herald knows. Connectors register themselves for one of these.
const (
	PlatformMastodon  Platform = "mastodon"
	PlatformBluesky   Platform = "bluesky"
	PlatformX         Platform = "x"
	PlatformLinkedIn  Platform = "linkedin"
	PlatformFacebook  Platform = "facebook"
	PlatformInstagram Platform = "instagram"
	PlatformThreads   Platform = "threads"
	PlatformTelegram  Platform = "telegram"
	PlatformDiscord   Platform = "discord"
	PlatformYouTube   Platform = "youtube"
	PlatformPinterest Platform = "pinterest"
	PlatformFake      Platform = "fake" // the test platform
)

// Platforms lists every platform.
var Platforms = []Platform{PlatformMastodon, PlatformBluesky, PlatformX, PlatformLinkedIn,
	PlatformFacebook, PlatformInstagram, PlatformThreads, PlatformTelegram, PlatformDiscord,
	PlatformYouTube, PlatformPinterest, PlatformFake}

// Name is the platform as people call it ("X", "LinkedIn", "Mastodon").
func (p Platform) Name() string {
	switch p {
	case PlatformX:
		return "X"
	case PlatformLinkedIn:
		return "LinkedIn"
	case PlatformYouTube:
		return "YouTube"
	case PlatformFake:
		return "Test platform"
	case "":
		return "Unknown"
	}
	s := string(p)
	return strings.ToUpper(s[:1]) + s[1:]
}

// Valid reports whether p is a known platform.
func (p Platform) Valid() bool {
	for _, x := range Platforms {
		if x == p {
			return true
		}
	}
	return false
}

// AccountStatus says whether Herald can act for an account.
type AccountStatus string

// Account statuses.
const (
	AccountConnected AccountStatus = "connected"
	AccountExpiring  AccountStatus = "expiring" // token expires soon and cannot be refreshed automatically
	AccountExpired   AccountStatus = "expired"  // token expired: reconnect
	AccountRevoked   AccountStatus = "revoked"  // access withdrawn or disconnected: reconnect
)

// Valid reports whether s is a known status.
func (s AccountStatus) Valid() bool {
	switch s {
	case AccountConnected, AccountExpiring, AccountExpired, AccountRevoked:
		return true
	}
	return false
}

// Sealed is an encrypted secret: AES-256-GCM ciphertext (nonce first) and the
// id of the key that sealed it, so keys can rotate.
type Sealed struct {
	KeyID      string `json:"-"`
	Ciphertext []byte `json:"-"`
}

// Empty reports whether nothing is sealed.
func (s Sealed) Empty() bool { return len(s.Ciphertext) == 0 }

// Account is one connected profile on one platform.
type Account struct {
	ID             int64         `json:"id"`
	WorkspaceID    int64         `json:"workspace_id"`
	Platform       Platform      `json:"platform"`
	RemoteID       string        `json:"remote_id"` // the platform's id of the profile
	Handle         string        `json:"handle"`
	DisplayName    string        `json:"display_name"`
	AvatarURL      string        `json:"avatar_url,omitempty"`
	InstanceURL    string        `json:"instance_url,omitempty"` // Mastodon instance, Bluesky PDS, …
	Credentials    Sealed        `json:"-"`
	Status         AccountStatus `json:"status"`
	StatusReason   string        `json:"status_reason,omitempty"`
	TokenExpiresAt *time.Time    `json:"token_expires_at,omitempty"`
	PausedAt       *time.Time    `json:"paused_at,omitempty"` // publishing paused for this account
	// PostingSchedule is the account's weekly queue slots.
	PostingSchedule PostingSchedule `json:"posting_schedule"`
	// InboxCursor is where the next inbox sync starts (the platform's own
	// cursor). UpdateAccount leaves it alone; InboxStore.SetInboxCursor
	// sets it.
	InboxCursor string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the account's fields.
func (a *Account) Validate() error {
	var p Problems
	if !a.Platform.Valid() {
		p.Add("platform", "%q is not a platform Herald knows", a.Platform)
	}
	if strings.TrimSpace(a.RemoteID) == "" {
		p.Add("remote_id", "is required")
	}
	a.Handle = strings.TrimSpace(a.Handle)
	if a.Handle == "" {
		p.Add("handle", "is required")
	}
	if len(a.DisplayName) > 200 {
		p.Add("display_name", "is longer than 200 bytes")
	}
	if !a.Status.Valid() {
		p.Add("status", "%q is not one of connected, expiring, expired, revoked", a.Status)
	}
	return p.Err("the account is not valid")
}

// CredentialsAAD is the additional authenticated data credentials are sealed
// with, binding the ciphertext to this account: a sealed blob copied onto
// another account row does not open.
func (a Account) CredentialsAAD() []byte {
	return []byte("account:" + strconv.FormatInt(a.WorkspaceID, 10) + ":" + string(a.Platform) + ":" + a.RemoteID)
}
