package herald

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Logo limits: a workspace's logo is a PNG or JPEG image of at most
// MaxLogoBytes, shown in the header of its PDF reports.
const (
	MaxLogoBytes = 1 << 20
	LogoPNG      = "image/png"
	LogoJPEG     = "image/jpeg"
)

// WorkspaceLogo is the image a workspace's PDF reports show in their
// header. A workspace has at most one.
type WorkspaceLogo struct {
	WorkspaceID int64     `json:"workspace_id"`
	ContentType string    `json:"content_type"` // LogoPNG or LogoJPEG
	Data        []byte    `json:"-"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// LogoInfo describes a logo without its bytes: for listings, the API and
// the audit log.
type LogoInfo struct {
	ContentType string    `json:"content_type" doc:"image/png or image/jpeg"`
	Size        int       `json:"size" doc:"Bytes"`
	SHA256      string    `json:"sha256" doc:"SHA-256 of the image, hex"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Info describes l.
func (l WorkspaceLogo) Info() LogoInfo {
	sum := sha256.Sum256(l.Data)
	return LogoInfo{ContentType: l.ContentType, Size: len(l.Data), SHA256: hex.EncodeToString(sum[:]), UpdatedAt: l.UpdatedAt}
}
