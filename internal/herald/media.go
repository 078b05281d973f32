package herald

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of a media asset's tags.
const (
	MaxMediaTags = 20 // tags per asset
	MaxTagLen    = 40 // characters per tag
)

// MediaAsset is an uploaded image or video in a workspace's library. The
// file itself lives in media storage under StorageKey.
type MediaAsset struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	UploaderID  int64  `json:"uploader_id"`
	Filename    string `json:"filename"`     // as uploaded, for display
	ContentType string `json:"content_type"` // sniffed from the bytes, not trusted from the client
	Size        int64  `json:"size"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	// DurationMS is a video's length in milliseconds (0: not a video, or
	// unknown), read from its header at upload.
	DurationMS int64  `json:"duration_ms,omitempty"`
	AltText    string `json:"alt_text"`
	// Tags group assets for search: lower-case, trimmed, unique and
	// sorted (NormalizeTags), never nil once stored.
	Tags       []string  `json:"tags"`
	SHA256     string    `json:"sha256"` // hex
	StorageKey string    `json:"-"`      // path relative to the media root
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
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
	CheckLine(&p, "filename", m.Filename)
	CheckText(&p, "alt_text", m.AltText)
	if len(m.Tags) > MaxMediaTags {
		p.Add("tags", "are %d; at most %d tags are allowed", len(m.Tags), MaxMediaTags)
	}
	for _, t := range m.Tags {
		switch n := utf8.RuneCountInString(t); {
		case n == 0:
			p.Add("tags", "contain an empty tag")
		case n > MaxTagLen:
			p.Add("tags", "tag %q is %d characters; at most %d are allowed", t, n, MaxTagLen)
		case strings.ContainsFunc(t, func(r rune) bool { return r == ',' || unicode.IsControl(r) }):
			p.Add("tags", "tag %q contains a comma or a control character; separate tags with commas", t)
		case t != strings.ToLower(strings.TrimSpace(t)):
			p.Add("tags", "tag %q must be lower-case without spaces around it", t)
		}
	}
	return p.Err("the media asset is not valid")
}

// NormalizeTags returns tags as an asset keeps them: each trimmed, inner
// spaces collapsed to one, lower-cased; empty ones and repeats dropped;
// sorted. The result is never nil. It does not bound them: Validate does.
func NormalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// SplitTags reads tags typed into one box, separated by commas.
func SplitTags(s string) []string {
	return NormalizeTags(strings.Split(s, ","))
}

// MediaUse is one target of a post that uses a media asset, in its
// variant or in a part of its thread.
type MediaUse struct {
	PostID      int64       `json:"post_id"`
	PostTitle   string      `json:"post_title,omitempty"`
	PostText    string      `json:"post_text"`
	TargetID    int64       `json:"target_id"`
	AccountID   int64       `json:"account_id"`
	State       TargetState `json:"state"`
	ScheduledAt *time.Time  `json:"scheduled_at,omitempty"`
}

// Pending reports whether the target may still be published (or
// published again): its media must stay in the library.
func (u MediaUse) Pending() bool {
	return u.State != StatePublished && u.State != StateCancelled
}

// MediaFilter selects media for a listing.
type MediaFilter struct {
	WorkspaceID int64
	Query       string // matches filename, alt text or a tag, case-insensitively
	Page
}

// AuditEntry records one change: who did what to which object, with the
// object before and after as JSON.
type AuditEntry struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"` // 0 for installation-wide events (users)
	ActorID     *int64 `json:"actor_id,omitempty"`
	TokenID     *int64 `json:"token_id,omitempty"`
	// ActorName names an actor that is not a member (a review link).
	ActorName  string          `json:"actor_name,omitempty"`
	Action     string          `json:"action"` // "post.create", "member.role", …
	ObjectType string          `json:"object_type"`
	ObjectID   int64           `json:"object_id"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
	At         time.Time       `json:"at"`
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
	if actor.ReviewLinkID != 0 {
		e.ActorName = actor.Name
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
