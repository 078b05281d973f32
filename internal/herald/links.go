package herald

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// LinkTracking is a post's choice about its links.
type LinkTracking struct {
	// Track turns tracking on or off for the post; nil: the workspace's
	// default (AnalyticsSettings.TrackLinks).
	Track *bool `json:"track,omitempty"`
	// UTM overrides the default parameters; an empty field keeps the
	// default.
	UTM UTM `json:"utm,omitzero"`
}

// Tracked says whether the post's links are tracked, given the
// workspace's default.
func (l *LinkTracking) Tracked(byDefault bool) bool {
	if l == nil || l.Track == nil {
		return byDefault
	}
	return *l.Track
}

// UTM are the parameters a tracked link adds to its destination. The
// defaults are utm_source = the platform, utm_medium = social,
// utm_campaign = the campaign's slug, utm_content = the post's id.
type UTM struct {
	Source   string `json:"source,omitempty"`
	Medium   string `json:"medium,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	Content  string `json:"content,omitempty"`
	Term     string `json:"term,omitempty"`
}

// MaxUTMLen bounds one UTM parameter.
const MaxUTMLen = 200

func (u UTM) validate(p *Problems, field string) {
	for _, f := range []struct{ name, v string }{
		{"source", u.Source}, {"medium", u.Medium}, {"campaign", u.Campaign}, {"content", u.Content}, {"term", u.Term},
	} {
		if n := utf8.RuneCountInString(f.v); n > MaxUTMLen {
			p.Add(field+"."+f.name, "is %d characters; at most %d are allowed", n, MaxUTMLen)
		}
		if strings.TrimSpace(f.v) != f.v {
			p.Add(field+"."+f.name, "starts or ends with spaces; remove them")
		}
		CheckLine(p, field+"."+f.name, f.v)
	}
}

// Validate checks the parameters' lengths and characters.
func (u UTM) Validate() error {
	var p Problems
	u.validate(&p, "utm")
	return p.Err("the UTM parameters are not valid")
}

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
	// PostTitle names the link's post (ShortTitle), "" for a builder link.
	PostTitle string `json:"post_title,omitempty"`
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
	// target is always new. A code already taken (by any workspace's link),
	// or a target, post or campaign not of the link's workspace, is
	// ErrConflict, and nothing of the call is stored. A target's link
	// takes its target's PostID.
	PutLinks(ctx context.Context, links []Link) ([]Link, error)
	// LinkByCode returns the link with the code, of any workspace, or
	// ErrNotFound.
	LinkByCode(ctx context.Context, code string) (Link, error)
	// ListLinks returns the workspace's links with their counts, newest
	// first: those of a target published in [from, to) and the builder
	// links made then (a target's link whose target has no publishing time,
	// not yet published or deleted, counts by its CreatedAt); zero times do
	// not bound; a limit of 0 or less means 500.
	ListLinks(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]LinkStats, error)
	// TargetLinks returns the links of the workspace's target with counts,
	// by id; none (not an error) for a target of another workspace.
	TargetLinks(ctx context.Context, workspaceID, targetID int64) ([]LinkStats, error)
	// RecordClicks stores clicks in one transaction (a click id stored
	// before is skipped) and keeps the counts current: the link's and, for
	// a target's link, the target's in target_stats (clicks, unique clicks),
	// a click being unique when its (link, UTC day, visitor) is new. Only
	// people's clicks count as clicks and unique clicks; bots' and
	// previews' are counted apart, on the link. A click's TargetID is its
	// link's; a click whose link is not of its WorkspaceID (or no longer
	// exists) is skipped, and a batch with an invalid click (no id, an
	// unknown kind) is CodeInvalid and stores nothing. A link keeps
	// counting after its target is deleted; the target's stats go with it.
	RecordClicks(ctx context.Context, clicks []Click) error
	// ClickByID returns the click, of any workspace, or ErrNotFound.
	ClickByID(ctx context.Context, id string) (Click, error)
	// AddConversion stores the conversion and counts it on its link and
	// target (revenue only when currency is the workspace's, given as
	// revenueCurrency). A conversion with an EventID the workspace has
	// already stored changes nothing: it returns the stored one and false.
	// The stored conversion's TargetID is its link's; a link not of the
	// conversion's workspace is ErrConflict. A value needs a Currency.
	AddConversion(ctx context.Context, c Conversion, revenueCurrency string) (Conversion, bool, error)
	// ListConversions returns the workspace's conversions that occurred in
	// [from, to), newest first (by OccurredAt); zero times do not bound; a
	// limit of 0 or less means 500.
	ListConversions(ctx context.Context, workspaceID int64, from, to time.Time, limit int) ([]Conversion, error)
	// ClickSalt returns the salt of the UTC day (days since 1970-01-01),
	// made (32 random bytes from newSalt) by the first caller of any
	// process sharing the database; salts of days before day-2 are deleted.
	ClickSalt(ctx context.Context, day int64, newSalt []byte) ([]byte, error)
	// GetAnalyticsSettings returns the workspace's settings, the defaults
	// when none were saved.
	GetAnalyticsSettings(ctx context.Context, workspaceID int64) (AnalyticsSettings, error)
	// PutAnalyticsSettings saves the workspace's settings: RateBy is
	// "followers" or "impressions" and Currency three capital letters,
	// else CodeInvalid.
	PutAnalyticsSettings(ctx context.Context, s AnalyticsSettings) error
}

// DefaultAnalyticsSettings are a workspace's settings until it saves its own.
func DefaultAnalyticsSettings(workspaceID int64) AnalyticsSettings {
	return AnalyticsSettings{WorkspaceID: workspaceID, TrackLinks: true, RateBy: "followers", Currency: "USD"}
}

// EncodeLinkTracking is l as the stores keep it: "" for nil.
func EncodeLinkTracking(l *LinkTracking) string {
	if l == nil {
		return ""
	}
	b, err := json.Marshal(l)
	if err != nil {
		return "" // a struct of strings and a bool always marshals
	}
	return string(b)
}

// DecodeLinkTracking reads what EncodeLinkTracking wrote.
func DecodeLinkTracking(s string) (*LinkTracking, error) {
	if s == "" {
		return nil, nil
	}
	var l LinkTracking
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, fmt.Errorf("decode link tracking: %w", err)
	}
	return &l, nil
}
