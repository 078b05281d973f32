package herald

import (
	"encoding/json"
	"time"
	"unicode/utf8"
)

// MediaAsset is an uploaded image or video in a workspace's library. The
// file itself lives in media storage under StorageKey.
type MediaAsset struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	UploaderID  int64     `json:"uploader_id"`
	Filename    string    `json:"filename"`     // as uploaded, for display
	ContentType string    `json:"content_type"` // sniffed from the bytes, not trusted from the client
	Size        int64     `json:"size"`
	Width       int       `json:"width,omitempty"`
	Height      int       `json:"height,omitempty"`
	AltText     string    `json:"alt_text"`
	SHA256      string    `json:"sha256"` // hex
	StorageKey  string    `json:"-"`      // path relative to the media root
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the asset's editable fields.
func (m *MediaAsset) Validate() error {
	var p Problems
	if n := utf8.RuneCountInString(m.AltText); n > MaxAltTextLen {
		p.Add("alt_text", "is %d characters; at most %d are allowed", n, MaxAltTextLen)
	}
	if m.Filename == "" || len(m.Filename) > 255 {
		p.Add("filename", "must be 1 to 255 bytes")
	}
	return p.Err("the media asset is not valid")
}

// MediaFilter selects media for a listing.
type MediaFilter struct {
	WorkspaceID int64
	Query       string // matches filename or alt text, case-insensitively
	Page
}

// AuditEntry records one change: who did what to which object, with the
// object before and after as JSON.
type AuditEntry struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"workspace_id"` // 0 for installation-wide events (users)
	ActorID     *int64          `json:"actor_id,omitempty"`
	TokenID     *int64          `json:"token_id,omitempty"`
	Action      string          `json:"action"` // "post.create", "member.role", …
	ObjectType  string          `json:"object_type"`
	ObjectID    int64           `json:"object_id"`
	Before      json.RawMessage `json:"before,omitempty"`
	After       json.RawMessage `json:"after,omitempty"`
	At          time.Time       `json:"at"`
}

// NewAudit builds an entry for actor; before and after are marshalled to
// JSON (nil stays empty).
func NewAudit(actor Actor, action, objectType string, objectID int64, before, after any, now time.Time) AuditEntry {
	e := AuditEntry{WorkspaceID: actor.WorkspaceID, Action: action, ObjectType: objectType,
		ObjectID: objectID, At: now}
	if actor.UserID != 0 {
		id := actor.UserID
		e.ActorID = &id
	}
	if actor.TokenID != 0 {
		id := actor.TokenID
		e.TokenID = &id
	}
	e.Before = marshalAudit(before)
	e.After = marshalAudit(after)
	return e
}

func marshalAudit(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(map[string]string{"marshal_error": err.Error()})
	}
	return b
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	WorkspaceID int64
	ObjectType  string
	ObjectID    int64
	ActorID     int64
	Page
}
