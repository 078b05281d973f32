package herald

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Evergreen defaults and bounds.
const (
	DefaultEvergreenCooldownDays = 30
	DefaultEvergreenMaxShare     = 25
	MaxEvergreenCooldownDays     = 365
	MaxEvergreenVariants         = 20
)

// EvergreenSettings is a workspace's recycling policy.
type EvergreenSettings struct {
	WorkspaceID int64 `json:"workspace_id"`
	// Enabled turns the recycling job on for the workspace.
	Enabled bool `json:"enabled"`
	// CooldownDays is the least time between two publications of one
	// evergreen post on one account, and between two uses of one text on
	// one platform.
	CooldownDays int `json:"cooldown_days"`
	// MaxSharePercent is the most of an account's scheduled posts in the
	// coming week that may be recycled evergreen copies.
	MaxSharePercent int `json:"max_share_percent"`
	// AccountIDs are the accounts recycling fills; empty means every
	// account of the workspace.
	AccountIDs []int64   `json:"account_ids"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// DefaultEvergreenSettings is the policy of a workspace that never set one.
func DefaultEvergreenSettings(workspaceID int64) EvergreenSettings {
	return EvergreenSettings{WorkspaceID: workspaceID, CooldownDays: DefaultEvergreenCooldownDays,
		MaxSharePercent: DefaultEvergreenMaxShare, AccountIDs: []int64{}}
}

// Cooldown is CooldownDays as a duration.
func (s EvergreenSettings) Cooldown() time.Duration {
	return time.Duration(s.CooldownDays) * 24 * time.Hour
}

// Includes reports whether recycling fills accountID's queue.
func (s EvergreenSettings) Includes(accountID int64) bool {
	if len(s.AccountIDs) == 0 {
		return true
	}
	for _, id := range s.AccountIDs {
		if id == accountID {
			return true
		}
	}
	return false
}

// Validate checks the bounds and removes repeated account ids.
func (s *EvergreenSettings) Validate() error {
	var p Problems
	if s.CooldownDays < 1 || s.CooldownDays > MaxEvergreenCooldownDays {
		p.Add("cooldown_days", "is %d; give a number of days from 1 to %d", s.CooldownDays, MaxEvergreenCooldownDays)
	}
	if s.MaxSharePercent < 1 || s.MaxSharePercent > 100 {
		p.Add("max_share_percent", "is %d; give a percentage from 1 to 100", s.MaxSharePercent)
	}
	seen := map[int64]bool{}
	ids := []int64{}
	for i, id := range s.AccountIDs {
		if id <= 0 {
			p.Add(fmt.Sprintf("account_ids[%d]", i), "is not an account id")
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	s.AccountIDs = ids
	return p.Err("the evergreen settings are not valid")
}

// EvergreenPost marks a published post for recycling, with alternative
// texts to rotate.
type EvergreenPost struct {
	WorkspaceID int64 `json:"workspace_id"`
	PostID      int64 `json:"post_id"`
	// Variants are alternative texts; the post's own text (per account,
	// its target's variant text when it has one) is always the first.
	Variants  []string  `json:"variants"`
	MarkedBy  *int64    `json:"marked_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks the variants, dropping empty ones and repeats (after
// normalising) so a rotation never offers one text twice.
func (e *EvergreenPost) Validate() error {
	var p Problems
	seen := map[string]bool{}
	out := []string{}
	for i, v := range e.Variants {
		field := fmt.Sprintf("variants[%d]", i)
		if strings.TrimSpace(v) == "" {
			continue
		}
		if n := utf8.RuneCountInString(v); n > MaxTextLen {
			p.Add(field, "is %d characters; at most %d are allowed", n, MaxTextLen)
		}
		CheckText(&p, field, v)
		k := NormalizeText(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	if len(out) > MaxEvergreenVariants {
		p.Add("variants", "has %d texts; at most %d are allowed", len(out), MaxEvergreenVariants)
	}
	e.Variants = out
	return p.Err("the evergreen variants are not valid")
}

// EvergreenCopy is one recycled copy of an evergreen post: a new post on
// one account at one slot. (origin, account, slot) and (account, slot) are
// unique, so two runs can never make two copies for one slot.
type EvergreenCopy struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	OriginID    int64     `json:"origin_id"`
	AccountID   int64     `json:"account_id"`
	SlotAt      time.Time `json:"slot_at"`
	// PostID is the copy's post, nil once a person deleted it (the slot
	// stays used, so it is not filled again).
	PostID *int64 `json:"post_id,omitempty"`
	// Variant is the text used: 0 the post's own, i the i-th variant.
	Variant   int       `json:"variant"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// NormalizeText is the form in which two texts count as the same post:
// case folded, spaces collapsed, trimmed.
func NormalizeText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// CalendarFeed is one person's secret calendar (iCalendar) address for a
// workspace. Only the SHA-256 of its token is kept.
type CalendarFeed struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	UserID      int64      `json:"user_id"`
	TokenHash   []byte     `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}
