package herald

import (
	"context"
	"time"
)

// InboxPriority is how urgently an inbox item needs an answer.
type InboxPriority string

// Inbox priorities; new items are normal.
const (
	PriorityNormal InboxPriority = "normal"
	PriorityHigh   InboxPriority = "high"
	PriorityUrgent InboxPriority = "urgent"
)

// Valid reports whether p is a known priority.
func (p InboxPriority) Valid() bool {
	return p == PriorityNormal || p == PriorityHigh || p == PriorityUrgent
}

// Inbox sentiments, as stored on an item (InboxItem.Sentiment); "" means
// the item was not analysed yet.
const (
	SentimentPositive = "positive"
	SentimentNeutral  = "neutral"
	SentimentNegative = "negative"
)

// InboxAnalysis is what Herald reads in an item's text on arrival.
type InboxAnalysis struct {
	// Sentiment is positive, neutral or negative; "" before analysis.
	Sentiment string `json:"sentiment,omitempty"`
	// SentimentScore is VADER's compound score, -1 to 1.
	SentimentScore float64 `json:"sentiment_score"`
	// Language is an ISO 639-1 code, "" when unknown or not reliable.
	Language    string `json:"language,omitempty"`
	HasQuestion bool   `json:"has_question"`
	// LanguageDue marks an item whose language is detected after it is
	// stored (no rule of its workspace matches on language); Language is
	// "" until then.
	LanguageDue bool `json:"-"`
}

// MaxInboxTagLen bounds one tag, in characters.
const MaxInboxTagLen = 50

// InboxRule is a workspace's rule applied, in Position order, to every new
// inbox item on arrival: when all its conditions hold, its actions run.
type InboxRule struct {
	ID          int64               `json:"id"`
	WorkspaceID int64               `json:"workspace_id"`
	Name        string              `json:"name"`
	Position    int                 `json:"position"`
	Enabled     bool                `json:"enabled"`
	Conditions  InboxRuleConditions `json:"conditions"`
	Actions     InboxRuleActions    `json:"actions"`
	CreatedBy   int64               `json:"created_by,omitempty"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
}

// InboxRuleConditions must all hold for a rule to match; an empty field
// holds for every item. Lists hold when any of their values matches.
type InboxRuleConditions struct {
	// Terms holds when the text contains any of them, case-insensitively.
	Terms []string `json:"terms,omitempty"`
	// Pattern is an RE2 regular expression the text must match.
	Pattern       string      `json:"pattern,omitempty"`
	AccountIDs    []int64     `json:"account_ids,omitempty"`
	Platforms     []Platform  `json:"platforms,omitempty"`
	Kinds         []InboxKind `json:"kinds,omitempty"`
	Sentiments    []string    `json:"sentiments,omitempty"`
	Languages     []string    `json:"languages,omitempty"`
	HasQuestion   *bool       `json:"has_question,omitempty"`
	AuthorHandles []string    `json:"author_handles,omitempty"`
}

// InboxRuleActions are what a matching rule does to the item.
type InboxRuleActions struct {
	AddTags []string `json:"add_tags,omitempty"`
	// AssignTo is one member (assign) or several (round-robin, the turn
	// kept in the store).
	AssignTo []int64       `json:"assign_to,omitempty"`
	Priority InboxPriority `json:"priority,omitempty"`
	MarkDone bool          `json:"mark_done,omitempty"`
}

// InboxRuleHit records that a rule touched an item, and how.
type InboxRuleHit struct {
	WorkspaceID int64  `json:"workspace_id"`
	RuleID      int64  `json:"rule_id"`
	RuleName    string `json:"rule_name"` // filled by listings
	ItemID      int64  `json:"item_id"`
	// Did says what it did, in words ("tagged billing, priority urgent").
	Did string    `json:"did"`
	At  time.Time `json:"at"`
}

// InboxRuleStore keeps inbox rules, their round-robin turns and their
// hits, and the items' tags, priorities and analyses.
type InboxRuleStore interface {
	// CreateInboxRule adds r after the workspace's last rule (setting ID
	// and Position).
	CreateInboxRule(ctx context.Context, r *InboxRule) error
	GetInboxRule(ctx context.Context, workspaceID, id int64) (InboxRule, error)
	// ListInboxRules returns the workspace's rules by position.
	ListInboxRules(ctx context.Context, workspaceID int64) ([]InboxRule, error)
	// UpdateInboxRule saves name, enabled, conditions, actions, UpdatedAt.
	UpdateInboxRule(ctx context.Context, r *InboxRule) error
	DeleteInboxRule(ctx context.Context, workspaceID, id int64) error
	// ReorderInboxRules sets the positions to the order of ids, which must
	// be exactly the workspace's rules (else ErrConflict, nothing changes).
	ReorderInboxRules(ctx context.Context, workspaceID int64, ids []int64) error
	// TakeInboxRuleTurns advances the rule's round-robin counter by n
	// atomically and returns its value before the advance (0, 1, 2, …):
	// the turns taken are first, first+1, …, first+n-1.
	TakeInboxRuleTurns(ctx context.Context, workspaceID, ruleID int64, n int) (first int64, err error)
	// AddInboxRuleHits records applications (each hit's rule in its
	// workspace; the rule's name is copied).
	AddInboxRuleHits(ctx context.Context, hits []InboxRuleHit) error
	// ListInboxRuleHits returns the item's hits, oldest first, with names.
	ListInboxRuleHits(ctx context.Context, workspaceID, itemID int64) ([]InboxRuleHit, error)

	// AddInboxTags tags the items (ids all in the workspace, else
	// ErrNotFound and nothing changes); a tag an item has already, in any
	// case, is kept as it is.
	AddInboxTags(ctx context.Context, workspaceID int64, ids []int64, tags []string) error
	// RemoveInboxTags removes the tags, case-insensitively.
	RemoveInboxTags(ctx context.Context, workspaceID int64, ids []int64, tags []string) error
	// ListInboxTagNames returns the workspace's distinct tags, by name.
	ListInboxTagNames(ctx context.Context, workspaceID int64) ([]string, error)
	// SetInboxPriority sets the items' priority (ErrNotFound as above).
	SetInboxPriority(ctx context.Context, workspaceID int64, ids []int64, p InboxPriority) error
	// SetInboxAnalysis saves an item's analysis (and clears LanguageDue).
	SetInboxAnalysis(ctx context.Context, workspaceID, id int64, a InboxAnalysis) error
	// SetInboxLanguages saves the items' Language (found by workspace and
	// ID; an item gone meanwhile is skipped) and clears LanguageDue.
	SetInboxLanguages(ctx context.Context, items []InboxItem) error
	// UnanalysedInbox returns up to limit items of any workspace not yet
	// analysed (Sentiment "") or whose language is due, oldest first.
	UnanalysedInbox(ctx context.Context, limit int) ([]InboxItem, error)
}
