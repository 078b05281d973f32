package herald

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Review link limits.
const (
	// ReviewLinkDefaultTTL is how long a review link works when its
	// creator gives no expiry.
	ReviewLinkDefaultTTL = 14 * 24 * time.Hour
	// ReviewLinkMaxTTL is the longest a review link may work.
	ReviewLinkMaxTTL = 90 * 24 * time.Hour
	// ReviewRangeMax is the longest date range a review link may cover.
	ReviewRangeMax = 366 * 24 * time.Hour
	// MaxReviewLinkName bounds a review link's name.
	MaxReviewLinkName = 100
)

// ReviewLink is a secret address through which someone outside the
// workspace (a client) reviews the posts of a campaign or of a date range,
// without signing in. Only the SHA-256 of its token is kept; its optional
// password is an argon2id hash.
type ReviewLink struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	Name        string `json:"name"` // who reviews through it ("Acme marketing team"); the audit log's actor
	// The scope: a campaign, or the posts scheduled in [From, To).
	CampaignID   *int64     `json:"campaign_id,omitempty"`
	From         *time.Time `json:"from,omitempty"`
	To           *time.Time `json:"to,omitempty"`
	TokenHash    []byte     `json:"-"`
	PasswordHash string     `json:"-"`
	ExpiresAt    time.Time  `json:"expires_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	CreatedBy    int64      `json:"created_by"`
	CreatedAt    time.Time  `json:"created_at"`
}

// HasPassword reports whether the link asks for a password first.
func (l ReviewLink) HasPassword() bool { return l.PasswordHash != "" }

// Review link states, as Status reports them.
const (
	ReviewLinkActive  = "active"
	ReviewLinkExpired = "expired"
	ReviewLinkRevoked = "revoked"
)

// Status is "active", "expired" or "revoked" at now.
func (l ReviewLink) Status(now time.Time) string {
	switch {
	case l.RevokedAt != nil:
		return ReviewLinkRevoked
	case !now.Before(l.ExpiresAt):
		return ReviewLinkExpired
	}
	return ReviewLinkActive
}

// Validate checks a new link at now: a name, exactly one scope (a
// campaign, or a range whose end is after its start and at most
// ReviewRangeMax long), and an expiry in the future, at most
// ReviewLinkMaxTTL away.
func (l *ReviewLink) Validate(now time.Time) error {
	var pr Problems
	l.Name = strings.TrimSpace(l.Name)
	switch n := utf8.RuneCountInString(l.Name); {
	case n == 0:
		pr.Add("name", "is empty: say who reviews through the link, e.g. \"Acme marketing team\"")
	case n > MaxReviewLinkName:
		pr.Add("name", "is %d characters; at most %d are allowed", n, MaxReviewLinkName)
	default:
		CheckLine(&pr, "name", l.Name)
	}
	hasRange := l.From != nil || l.To != nil
	switch {
	case l.CampaignID != nil && hasRange:
		pr.Add("scope", "give either a campaign or a date range, not both")
	case l.CampaignID != nil:
		if *l.CampaignID <= 0 {
			pr.Add("campaign_id", "must be a campaign id")
		}
	case hasRange:
		switch {
		case l.From == nil:
			pr.Add("from", "is missing: a date range needs a start")
		case l.To == nil:
			pr.Add("to", "is missing: a date range needs an end")
		case !l.To.After(*l.From):
			pr.Add("to", "must be after from")
		case l.To.Sub(*l.From) > ReviewRangeMax:
			pr.Add("to", "is more than %d days after from; review a shorter range", int(ReviewRangeMax/(24*time.Hour)))
		}
	default:
		pr.Add("scope", "is missing: give a campaign or a date range (from, to)")
	}
	switch {
	case l.ExpiresAt.IsZero():
		pr.Add("expires_at", "is missing")
	case !l.ExpiresAt.After(now):
		pr.Add("expires_at", "is in the past: choose a time in the future")
	case l.ExpiresAt.Sub(now) > ReviewLinkMaxTTL:
		pr.Add("expires_at", "is more than %d days away; a review link works at most %d days",
			int(ReviewLinkMaxTTL/(24*time.Hour)), int(ReviewLinkMaxTTL/(24*time.Hour)))
	}
	return pr.Err("the review link is not valid")
}

// ReviewVerdict is what a client decided about a post.
type ReviewVerdict string

// Review verdicts.
const (
	VerdictApprove        ReviewVerdict = "approve"
	VerdictRequestChanges ReviewVerdict = "request_changes"
)

// Valid reports whether v is a known verdict.
func (v ReviewVerdict) Valid() bool { return v == VerdictApprove || v == VerdictRequestChanges }

// Review outcomes: what a decision did to the post.
const (
	// ReviewApplied: the post moved (approved, or back to draft).
	ReviewApplied = "applied"
	// ReviewRecorded: the post was in no state the decision could move
	// (published, a draft not submitted, …); the decision and its comment
	// are kept for the team all the same.
	ReviewRecorded = "recorded"
)

// ReviewDecision is one decision made through a review link.
type ReviewDecision struct {
	ID          int64         `json:"id"`
	WorkspaceID int64         `json:"workspace_id"`
	LinkID      int64         `json:"link_id"`
	LinkName    string        `json:"link_name"` // filled by reads
	PostID      int64         `json:"post_id"`
	Verdict     ReviewVerdict `json:"verdict"`
	Comment     string        `json:"comment,omitempty"`
	Outcome     string        `json:"outcome"` // applied or recorded
	Note        string        `json:"note,omitempty"`
	At          time.Time     `json:"at"`
}

// ReviewDecisionFilter selects decisions of a workspace, newest first;
// zero fields do not filter.
type ReviewDecisionFilter struct {
	WorkspaceID int64
	LinkID      int64
	PostID      int64
	Limit       int // 0: every one
}

// ReviewStore keeps review links (hashed) and the decisions made through them.
type ReviewStore interface {
	CreateReviewLink(ctx context.Context, l *ReviewLink) error
	GetReviewLink(ctx context.Context, workspaceID, id int64) (ReviewLink, error)
	// GetReviewLinkByHash returns the link with that token hash in any
	// workspace, revoked or expired or not.
	GetReviewLinkByHash(ctx context.Context, hash []byte) (ReviewLink, error)
	ListReviewLinks(ctx context.Context, workspaceID int64) ([]ReviewLink, error) // newest first
	// RevokeReviewLink sets RevokedAt if it is not set yet.
	RevokeReviewLink(ctx context.Context, workspaceID, id int64, at time.Time) error
	CreateReviewDecision(ctx context.Context, d *ReviewDecision) error
	ListReviewDecisions(ctx context.Context, f ReviewDecisionFilter) ([]ReviewDecision, error)
}
