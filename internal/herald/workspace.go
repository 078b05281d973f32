package herald

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Clock tells the time. Services take one so tests can control it.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC, truncated to microseconds (the
// precision both stores keep exactly).
type SystemClock struct{}

// Now returns the current UTC time truncated to microseconds.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Workspace is one brand or client: its own accounts, posts, people and time zone.
type Workspace struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	TimeZone   string     `json:"time_zone"` // IANA name, e.g. "Europe/Paris"
	BrandRules BrandRules `json:"brand_rules"`
	// PublishingPausedAt is set while publishing is paused for the workspace.
	PublishingPausedAt *time.Time `json:"publishing_paused_at,omitempty"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// BrandRules are the workspace's house rules the composer checks drafts
// against (package voice applies them). BannedWords and RequiredHashtags
// are the older form of Banned and RequiredTags, kept so stored rules keep
// working: they are blocks (see Normalized).
type BrandRules struct {
	Voice            string   `json:"voice,omitempty"`             // free text shown to writers
	BannedWords      []string `json:"banned_words,omitempty"`      // words a post must not contain (blocks)
	RequiredHashtags []string `json:"required_hashtags,omitempty"` // hashtags every post must carry (blocks)
	RequireApproval  bool     `json:"require_approval,omitempty"`  // every post needs a reviewer, whatever the role

	Banned       []BannedPhrase   `json:"banned,omitempty"`        // words and phrases, with a replacement
	RequiredTags []RequiredTag    `json:"required_tags,omitempty"` // tags for every post, a label or a campaign
	MaxEmoji     *CountLimit      `json:"max_emoji,omitempty"`     // emoji per published text
	MaxHashtags  *CountLimit      `json:"max_hashtags,omitempty"`  // hashtags per published text
	Link         *LinkRule        `json:"link,omitempty"`          // link required or forbidden; nil: either
	Shouting     *ShoutingRule    `json:"shouting,omitempty"`      // share of capital letters
	Readability  *ReadabilityRule `json:"readability,omitempty"`   // Flesch reading ease target
}

// Limits of free-text fields.
const (
	MaxNameLen     = 100
	MaxTextLen     = 100_000 // a post variant's text; platforms' own limits are checked by connectors
	MaxAltTextLen  = 1_500
	MaxThreadParts = 50
)

// Location returns the workspace's time zone.
func (w Workspace) Location() (*time.Location, error) {
	return LoadLocation(w.TimeZone)
}

// LoadLocation loads an IANA time zone by name, refusing "" and "Local".
func LoadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, Errorf(CodeInvalid, "time zone %q is not an IANA zone name such as Europe/Paris", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(CodeInvalid, "unknown time zone %q: use an IANA name such as America/New_York", name)
	}
	return loc, nil
}

// Validate checks the workspace's fields.
func (w *Workspace) Validate() error {
	var p Problems
	w.Name = strings.TrimSpace(w.Name)
	checkName(&p, "name", w.Name)
	if _, err := LoadLocation(w.TimeZone); err != nil {
		p.Add("time_zone", "%s", err.(*Error).Message)
	}
	w.BrandRules.validate(&p)
	return p.Err("the workspace is not valid")
}

func checkName(p *Problems, field, v string) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0:
		p.Add(field, "is required")
	case n > MaxNameLen:
		p.Add(field, "is %d characters; at most %d are allowed", n, MaxNameLen)
	}
	CheckLine(p, field, v)
}

// User is a person who can sign in.
type User struct {
	ID           int64      `json:"id"`
	Email        string     `json:"email"` // stored lower-cased
	Name         string     `json:"name"`
	PasswordHash string     `json:"-"` // argon2id, PHC string format
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	LastLoginAt  *time.Time `json:"last_login_at,omitempty"`
}

// NormalizeEmail trims and lower-cases an address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail reports problems with an e-mail address under field.
func ValidateEmail(p *Problems, field, email string) {
	if email == "" {
		p.Add(field, "is required")
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		p.Add(field, "%q is not an e-mail address such as ana@example.com", email)
	}
}

// Validate checks the user's fields (not the password, which is hashed before).
func (u *User) Validate() error {
	var p Problems
	u.Email = NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	ValidateEmail(&p, "email", u.Email)
	checkName(&p, "name", u.Name)
	return p.Err("the user is not valid")
}

// Membership gives a user a role in a workspace.
type Membership struct {
	WorkspaceID int64     `json:"workspace_id"`
	UserID      int64     `json:"user_id"`
	Role        Role      `json:"role"`
	CreatedAt   time.Time `json:"created_at"`
}

// Member is a membership with the user's name and address, for listings.
type Member struct {
	Membership
	Email string `json:"email"`
	Name  string `json:"name"`
}

// UserWorkspace is a workspace as one of its members sees it.
type UserWorkspace struct {
	Workspace
	Role Role `json:"role"`
}

// Invitation asks someone, by e-mail, to join a workspace with a role.
// The secret token is shown once; only its SHA-256 is stored.
type Invitation struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Email       string     `json:"email"`
	Role        Role       `json:"role"`
	TokenHash   []byte     `json:"-"`
	InvitedBy   int64      `json:"invited_by"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	AcceptedAt  *time.Time `json:"accepted_at,omitempty"`
	AcceptedBy  *int64     `json:"accepted_by,omitempty"`
}

// APIToken lets a program act for a user in one workspace with a role no
// stronger than the user's. The secret is shown once; only its SHA-256 is stored.
type APIToken struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	UserID      int64      `json:"user_id"`
	Name        string     `json:"name"`
	Role        Role       `json:"role"`
	Prefix      string     `json:"prefix"` // the first characters, to recognise a token in lists
	Hash        []byte     `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// Active reports whether the token may be used at now.
func (t APIToken) Active(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// Label tags posts (e.g. "Product launch"), with a display colour.
type Label struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"`  // unique per workspace, case-insensitively
	Color       string    `json:"color"` // #rrggbb
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks the label's fields.
func (l *Label) Validate() error {
	var p Problems
	l.Name = strings.TrimSpace(l.Name)
	checkName(&p, "name", l.Name)
	if l.Color == "" {
		l.Color = "#6b7280"
	}
	if !validColor(l.Color) {
		p.Add("color", "%q is not a colour like #1d4ed8", l.Color)
	}
	return p.Err("the label is not valid")
}

func validColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// Campaign groups posts toward a goal over a period.
type Campaign struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id"`
	Name        string    `json:"name"`
	Goal        string    `json:"goal,omitempty"`
	StartDate   string    `json:"start_date,omitempty"` // YYYY-MM-DD in the workspace's zone
	EndDate     string    `json:"end_date,omitempty"`   // YYYY-MM-DD, inclusive
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Validate checks the campaign's fields.
func (c *Campaign) Validate() error {
	var p Problems
	c.Name = strings.TrimSpace(c.Name)
	checkName(&p, "name", c.Name)
	if utf8.RuneCountInString(c.Goal) > 2000 {
		p.Add("goal", "is longer than 2000 characters")
	}
	CheckText(&p, "goal", c.Goal)
	var start, end time.Time
	var err error
	if c.StartDate != "" {
		if start, err = time.Parse(time.DateOnly, c.StartDate); err != nil {
			p.Add("start_date", "%q is not a date like 2026-03-01", c.StartDate)
		}
	}
	if c.EndDate != "" {
		if end, err = time.Parse(time.DateOnly, c.EndDate); err != nil {
			p.Add("end_date", "%q is not a date like 2026-03-31", c.EndDate)
		}
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		p.Add("end_date", "is before the start date: a campaign ends on or after the day it starts")
	}
	return p.Err("the campaign is not valid")
}
