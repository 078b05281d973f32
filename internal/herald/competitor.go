package herald

import (
	"context"
	"fmt"
	"time"
)

// Competitor is a brand a workspace compares itself with: public accounts
// on platforms, read once a day, and optionally the listening topic whose
// matches are its mentions (for share of voice).
type Competitor struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Name        string `json:"name"` // unique per workspace, case-insensitively
	// TopicID is the listening topic that counts the brand's mentions; 0
	// leaves the brand out of share of voice.
	TopicID   int64               `json:"topic_id,omitempty"`
	Accounts  []CompetitorAccount `json:"accounts"` // by platform, then handle
	CreatedBy int64               `json:"created_by"`
	CreatedAt time.Time           `json:"created_at"`
	UpdatedAt time.Time           `json:"updated_at"`
}

// CompetitorAccount is one public account of a competitor on a platform.
type CompetitorAccount struct {
	ID           int64    `json:"id"`
	WorkspaceID  int64    `json:"workspace_id"`
	CompetitorID int64    `json:"competitor_id"`
	Platform     Platform `json:"platform"`
	// Handle is as people typed it, without a leading @ (user@host on
	// Mastodon-API servers, a domain handle on Bluesky, a username on X).
	Handle string `json:"handle"`
	// RemoteID is the account's stable id on its platform, resolved when
	// it was added (a DID, an account id on the instance read from, a user
	// id); DisplayName and URL as the platform gave them then.
	RemoteID    string `json:"remote_id"`
	DisplayName string `json:"display_name,omitempty"`
	URL         string `json:"url,omitempty"`
	// CollectedAt is the last successful reading; AttemptedAt the last try
	// (successful or not); LastError the last try's failure, "" when it
	// succeeded.
	CollectedAt *time.Time `json:"collected_at,omitempty"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
}

// CompetitorDay is a tracked account's public metrics of one UTC day: the
// last reading of that day. A count the platform does not give is -1,
// never 0.
type CompetitorDay struct {
	AccountID   int64     `json:"account_id"`
	WorkspaceID int64     `json:"workspace_id"`
	Day         time.Time `json:"day"` // UTC midnight
	Followers   int64     `json:"followers"`
	Following   int64     `json:"following"`
	PostsTotal  int64     `json:"posts_total"`
	// PostsDay counts the account's own posts (no reposts) published that
	// day; Engagements their likes, reposts, replies and quotes as read at
	// CollectedAt, -1 when the platform gives none of them.
	PostsDay    int64            `json:"posts_day"`
	Engagements int64            `json:"engagements"`
	TopPosts    []CompetitorPost `json:"top_posts"` // most engaged first
	CollectedAt time.Time        `json:"collected_at"`
}

// CompetitorPost is one of a day's most engaged posts of a tracked
// account.
type CompetitorPost struct {
	RemoteID    string    `json:"remote_id"`
	URL         string    `json:"url,omitempty"`
	Engagements int64     `json:"engagements"` // -1 when not given
	Excerpt     string    `json:"excerpt"`     // the start of its text
	PostedAt    time.Time `json:"posted_at"`
}

// CompetitorSettings are a workspace's share-of-voice settings: the
// listening topic that counts the workspace's own brand's mentions (0:
// the own brand is left out of share of voice).
type CompetitorSettings struct {
	WorkspaceID int64 `json:"workspace_id"`
	OwnTopicID  int64 `json:"own_topic_id,omitempty"`
}

// MaxTopPosts is how many top posts a CompetitorDay keeps.
const MaxTopPosts = 3

// MaxExcerpt is how many characters of a top post's text are kept.
const MaxExcerpt = 200

// Validate checks the day's fields.
func (d *CompetitorDay) Validate() error {
	var p Problems
	if d.AccountID <= 0 {
		p.Add("account_id", "is required")
	}
	if d.Day.IsZero() || !d.Day.Equal(ListenDay(d.Day)) {
		p.Add("day", "must be a UTC midnight")
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"followers", d.Followers}, {"following", d.Following}, {"posts_total", d.PostsTotal}, {"engagements", d.Engagements}} {
		if c.v < -1 {
			p.Add(c.name, "is %d; a count is 0 or more, or -1 when the platform does not give it", c.v)
		}
	}
	if d.PostsDay < 0 {
		p.Add("posts_day", "is %d; it cannot be negative", d.PostsDay)
	}
	if len(d.TopPosts) > MaxTopPosts {
		p.Add("top_posts", "has %d posts; keep at most %d", len(d.TopPosts), MaxTopPosts)
	}
	return p.Err("the competitor's day is not valid")
}

// CompetitorClash is the conflict message of a competitor name already
// taken.
func CompetitorClash(name string) string {
	return fmt.Sprintf("a competitor named %q already exists", name)
}

// CompetitorAccountClash is the conflict message of an account a
// competitor already tracks.
func CompetitorAccountClash(p Platform, handle string) string {
	return fmt.Sprintf("the competitor already tracks %s on %s", handle, p.Name())
}

// CompetitorStore keeps competitors, their tracked accounts, the accounts'
// daily public metrics and the workspace's share-of-voice settings.
type CompetitorStore interface {
	// CreateCompetitor inserts c (not its accounts) and sets its ID.
	CreateCompetitor(ctx context.Context, c *Competitor) error
	// GetCompetitor returns the competitor with its accounts.
	GetCompetitor(ctx context.Context, workspaceID, id int64) (Competitor, error)
	// ListCompetitors returns the workspace's competitors by name, with
	// their accounts.
	ListCompetitors(ctx context.Context, workspaceID int64) ([]Competitor, error)
	UpdateCompetitor(ctx context.Context, c *Competitor) error // name, topic, UpdatedAt
	// DeleteCompetitor deletes it with its accounts and their days.
	DeleteCompetitor(ctx context.Context, workspaceID, id int64) error
	// AddCompetitorAccount inserts a and sets its ID; a competitor of
	// another workspace is ErrConflict, as is a platform and handle the
	// competitor already tracks (handles ignore case).
	AddCompetitorAccount(ctx context.Context, a *CompetitorAccount) error
	// GetCompetitorAccount returns one tracked account.
	GetCompetitorAccount(ctx context.Context, workspaceID, id int64) (CompetitorAccount, error)
	// DeleteCompetitorAccount deletes the account and its days.
	DeleteCompetitorAccount(ctx context.Context, workspaceID, id int64) error
	// CompetitorAccountsDue returns up to limit tracked accounts of any
	// workspace not collected on now's UTC day and not attempted since
	// retryAfter before now: never attempted first, then by id.
	CompetitorAccountsDue(ctx context.Context, now time.Time, retryAfter time.Duration, limit int) ([]CompetitorAccount, error)
	// PutCompetitorDay stores d as its account's reading of d.Day,
	// replacing one stored earlier, and marks the account collected at
	// d.CollectedAt with no error. An account of another workspace is
	// ErrNotFound.
	PutCompetitorDay(ctx context.Context, d CompetitorDay) error
	// SetCompetitorError records a failed attempt to read the account.
	SetCompetitorError(ctx context.Context, workspaceID, accountID int64, message string, at time.Time) error
	// ListCompetitorDays returns the days in [from, to) of the
	// competitor's accounts (0: every competitor of the workspace), by
	// account then day.
	ListCompetitorDays(ctx context.Context, workspaceID, competitorID int64, from, to time.Time) ([]CompetitorDay, error)
	// GetCompetitorSettings returns the workspace's settings; a zero
	// value (with WorkspaceID) when it never saved any.
	GetCompetitorSettings(ctx context.Context, workspaceID int64) (CompetitorSettings, error)
	// PutCompetitorSettings saves them; a topic of another workspace is
	// ErrConflict.
	PutCompetitorSettings(ctx context.Context, s CompetitorSettings) error
}
