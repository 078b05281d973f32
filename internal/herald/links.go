package herald

import (
	"context"
	"time"
)

// Link is a tracked short link: Herald's /l/{Code} redirects to
// Destination (the address as written with its UTM parameters) and counts
// the click. Each published target gets its own link per address, so
// clicks are credited to the target; a link made in the UTM builder has no
// target.
type Link struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Code        string `json:"code"`
	// URL is the address as written in the post (or the builder).
	URL string `json:"url"`
	// Destination is URL with the UTM parameters; the redirect adds the
	// click id (ClickIDParam) to it.
	Destination string `json:"destination"`
	TargetID    int64  `json:"target_id,omitempty"` // 0: made in the UTM builder
	PostID      int64  `json:"post_id,omitempty"`
	CampaignID  int64  `json:"campaign_id,omitempty"`
	// CreatedBy is the person who made a builder link, 0 for a target's.
	CreatedBy int64     `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// ClickIDParam is the query parameter the redirect appends to a link's
// destination: the click's id, by which conversions are attributed.
const ClickIDParam = "hclid"

// ClickKind tells a person's click from a machine's.
type ClickKind string

// Click kinds. Bots and link-preview fetchers (Mastodon servers fetch
// every link they see) are counted apart from people.
const (
	ClickHuman   ClickKind = "human"
	ClickBot     ClickKind = "bot"
	ClickPreview ClickKind = "preview"
)

// Click is one request of a short link.
type Click struct {
	ID          string    `json:"id"` // random, unique; appended to the destination as hclid
	LinkID      int64     `json:"link_id"`
	WorkspaceID int64     `json:"workspace_id"`
	TargetID    int64     `json:"target_id,omitempty"`
	At          time.Time `json:"at"`
	Kind        ClickKind `json:"kind"`
	// Visitor is a salted hash of the day's salt, the IP address and the
	// user agent (hex); the raw address is never stored. Clicks of one
	// link with the same Visitor on one UTC day count as one unique click.
	Visitor  string `json:"-"`
	Referrer string `json:"referrer,omitempty"` // the referring host, only when the operator turned it on
	Country  string `json:"country,omitempty"`  // ISO 3166-1 alpha-2, only when the operator turned it on
}

// LinkCounts are a link's clicks so far.
type LinkCounts struct {
	Clicks      int64 `json:"clicks"`        // people's clicks
	Unique      int64 `json:"unique_clicks"` // people's clicks, one per visitor per UTC day
	Bots        int64 `json:"bot_clicks"`
	Previews    int64 `json:"preview_clicks"`
	Conversions int64 `json:"conversions"`
	// Revenue is the sum of the conversions' values in the workspace's
	// currency, in hundredths (cents); conversions in other currencies
	// count but their values are not summed.
	Revenue int64 `json:"revenue_cents"`
}

// LinkStats is a link with its counts.
type LinkStats struct {
	Link
	LinkCounts
}

// Conversion is a goal reached by a visitor who came through a tracked
// link, reported by the workspace's server (signed) or by the pixel.
type Conversion struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	ClickID     string `json:"click_id"`
	LinkID      int64  `json:"link_id"`
	TargetID    int64  `json:"target_id,omitempty"`
	// EventID is the reporter's id for the event; a second conversion with
	// the same EventID in the workspace is a replay and changes nothing.
	EventID string `json:"event_id"`
	Name    string `json:"name,omitempty"` // "purchase", "signup", …
	// Value is in hundredths of Currency (cents), 0 when not given.
	Value    int64  `json:"value_cents"`
	Currency string `json:"currency,omitempty"` // ISO 4217, "" when no value
	// Source is "server" (signed) or "pixel".
	Source     string    `json:"source"`
	OccurredAt time.Time `json:"occurred_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// AnalyticsSettings are a workspace's measuring choices.
type AnalyticsSettings struct {
	WorkspaceID int64 `json:"workspace_id"`
	// TrackLinks is whether new posts track their links (true by default).
	TrackLinks bool `json:"track_links"`
	// RateBy is the engagement rate's default denominator: "followers"
	// (the default) or "impressions".
	RateBy string `json:"rate_by"`
	// Currency is the ISO 4217 code revenue is summed in ("USD" by default).
	Currency string `json:"currency"`
	// ConversionSecret signs conversions sent to the API (HMAC-SHA256),
	// sealed like account credentials; empty until first made.
	ConversionSecret Sealed    `json:"-"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// LinkStore keeps tracked links, their clicks and conversions.
type LinkStore interface {
	// PutLinks stores links and returns them with ids and codes as stored,
	// in the order given. A target's link is unique per (target, URL): when
	// one exists it is returned unchanged (its code and destination kept),
	// so publishing again yields the same short link. A link without a
	// target is always new. A code already taken is ErrConflict.
	PutLinks(ctx context.Context, links []Link) ([]Link, error)
	// LinkByCode returns the link with the code, of any workspace, or
	// ErrNotFound.
	LinkByCode(ctx context.Context, code string) (Link, error)
	// ListLinks returns the workspace's links with their counts, newest
	// first: those of a target published in [from, to) and the builder
	// links made then; zero times do not bound.
	ListLinks(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]LinkStats, error)
	// TargetLinks returns the links of the workspace's target with counts.
	TargetLinks(ctx context.Context, workspaceID, targetID int64) ([]LinkStats, error)
	// RecordClicks stores clicks in one transaction (a click id stored
	// before is skipped) and keeps the counts current: the link's and, for
	// a target's link, the target's in target_stats (clicks, unique clicks),
	// a click being unique when its (link, UTC day, visitor) is new.
	RecordClicks(ctx context.Context, clicks []Click) error
	// ClickByID returns the click, of any workspace, or ErrNotFound.
	ClickByID(ctx context.Context, id string) (Click, error)
	// AddConversion stores the conversion and counts it on its link and
	// target (revenue only when currency is the workspace's, given as
	// revenueCurrency). A conversion with an EventID the workspace has
	// already stored changes nothing: it returns the stored one and false.
	AddConversion(ctx context.Context, c Conversion, revenueCurrency string) (Conversion, bool, error)
	// ListConversions returns the workspace's conversions of [from, to),
	// newest first.
	ListConversions(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]Conversion, error)
	// ClickSalt returns the salt of the UTC day (days since 1970-01-01),
	// made (32 random bytes from newSalt) by the first caller of any
	// process sharing the database; salts of days before day-2 are deleted.
	ClickSalt(ctx context.Context, day int64, newSalt []byte) ([]byte, error)
	// GetAnalyticsSettings returns the workspace's settings, the defaults
	// when none were saved.
	GetAnalyticsSettings(ctx context.Context, workspaceID int64) (AnalyticsSettings, error)
	// PutAnalyticsSettings saves the workspace's settings.
	PutAnalyticsSettings(ctx context.Context, s AnalyticsSettings) error
}

// DefaultAnalyticsSettings are a workspace's settings until it saves its own.
func DefaultAnalyticsSettings(workspaceID int64) AnalyticsSettings {
	return AnalyticsSettings{WorkspaceID: workspaceID, TrackLinks: true, RateBy: "followers", Currency: "USD"}
}
