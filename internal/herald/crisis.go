package herald

import (
	"context"
	"time"
)

// DetectorKind is what a crisis detector watches.
type DetectorKind string

// Detector kinds.
const (
	// DetectSpike: matches (of a sentiment, negative by default) in the
	// last Window at least Multiple times their usual level over the
	// Baseline before it, and at least MinCount.
	DetectSpike DetectorKind = "spike"
	// DetectPhrase: one of the watched Phrases appears in a match.
	DetectPhrase DetectorKind = "phrase"
	// DetectReplies: at least MinCount matches answer one post within
	// Window (a pile-on).
	DetectReplies DetectorKind = "replies"
)

// HoldMode says what a firing does to the workspace's scheduled posts.
type HoldMode string

// Hold modes.
const (
	HoldAuto    HoldMode = "auto"    // hold every scheduled post at once
	HoldPropose HoldMode = "propose" // the incident offers the hold, one click
)

// Detector watches a workspace's listening matches for a crisis.
type Detector struct {
	ID          int64        `json:"id"`
	WorkspaceID int64        `json:"workspace_id"`
	Name        string       `json:"name"`
	Kind        DetectorKind `json:"kind"`
	// TopicID limits it to one topic's matches; 0: every topic.
	TopicID int64 `json:"topic_id,omitempty"`
	// Sentiment counts only matches of it (spike); "" every match.
	Sentiment string        `json:"sentiment,omitempty"`
	Window    time.Duration `json:"window"`
	Baseline  time.Duration `json:"baseline,omitempty"`
	Multiple  float64       `json:"multiple,omitempty"`
	MinCount  int           `json:"min_count,omitempty"`
	Phrases   []string      `json:"phrases,omitempty"`
	Hold      HoldMode      `json:"hold"`
	Enabled   bool          `json:"enabled"`
	// FiredAt is when it last opened an incident; BelowSince when its
	// condition stopped holding after that (it fires again only after a
	// whole Window below). Both nil while armed.
	FiredAt    *time.Time `json:"fired_at,omitempty"`
	BelowSince *time.Time `json:"-"`
	// CheckedAt is its last evaluation (phrases are looked for in the
	// matches seen since).
	CheckedAt *time.Time `json:"checked_at,omitempty"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// IncidentStatus is an incident's state.
type IncidentStatus string

// Incident states.
const (
	IncidentOpen     IncidentStatus = "open"
	IncidentResolved IncidentStatus = "resolved"
)

// Incident is a crisis being handled: opened by a detector (or a person,
// or a drill), with its evidence and a timeline of what was done.
type Incident struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"workspace_id"`
	DetectorID  int64          `json:"detector_id,omitempty"`
	Title       string         `json:"title"`
	Status      IncidentStatus `json:"status"`
	// Drill marks a rehearsal: a synthetic spike through the same path,
	// which holds nothing.
	Drill bool `json:"drill"`
	// Why is the detector's sentence ("64 negative mentions in the last 15
	// minutes; usually 14 …"); Evidence the matches behind it.
	Why      string  `json:"why"`
	Evidence []int64 `json:"evidence,omitempty"` // listening match ids
	// HoldProposed: the hold is offered (HoldPropose) and not yet applied;
	// HeldAt: when the hold was applied.
	HoldProposed bool       `json:"hold_proposed"`
	HeldAt       *time.Time `json:"held_at,omitempty"`
	OpenedAt     time.Time  `json:"opened_at"`
	ResolvedAt   *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy   int64      `json:"resolved_by,omitempty"`
}

// IncidentEventKind is one kind of timeline entry.
type IncidentEventKind string

// Timeline entries.
const (
	EventDetected IncidentEventKind = "detected"
	EventAlerted  IncidentEventKind = "alerted"
	EventHeld     IncidentEventKind = "held"
	EventNote     IncidentEventKind = "note"
	EventReplied  IncidentEventKind = "replied"
	EventPosted   IncidentEventKind = "posted" // a holding statement published
	EventStep     IncidentEventKind = "step"   // a checklist step done or undone
	EventResumed  IncidentEventKind = "resumed"
	EventResolved IncidentEventKind = "resolved"
)

// IncidentEvent is one entry of an incident's timeline.
type IncidentEvent struct {
	ID         int64             `json:"id"`
	IncidentID int64             `json:"incident_id"`
	At         time.Time         `json:"at"`
	Kind       IncidentEventKind `json:"kind"`
	ActorID    int64             `json:"actor_id,omitempty"` // 0: Herald itself
	Message    string            `json:"message"`
}

// CrisisStore keeps detectors, incidents and their timelines.
type CrisisStore interface {
	CreateDetector(ctx context.Context, d *Detector) error
	GetDetector(ctx context.Context, workspaceID, id int64) (Detector, error)
	ListDetectors(ctx context.Context, workspaceID int64) ([]Detector, error) // by name
	// EnabledDetectors returns every workspace's enabled detectors, by id.
	EnabledDetectors(ctx context.Context) ([]Detector, error)
	UpdateDetector(ctx context.Context, d *Detector) error // everything but the state and CreatedAt
	// SetDetectorState saves an evaluation's outcome: fired, below since,
	// checked at.
	SetDetectorState(ctx context.Context, d Detector) error
	DeleteDetector(ctx context.Context, workspaceID, id int64) error
	// ListenCounts returns the workspace's matches (of a topic, 0: any; of
	// a sentiment, "": any) per step-long bucket from `from` (each match
	// once), for buckets [from, to).
	ListenCounts(ctx context.Context, workspaceID, topicID int64, sentiment string, from, to time.Time, step time.Duration) ([]int, error)
	// ListenReplies returns, for the matches posted in [from, to) that
	// answer a post, the ids and posting times per answered post.
	ListenReplies(ctx context.Context, workspaceID, topicID int64, from, to time.Time) (map[string][]ListenReply, error)

	// CreateIncident stores an incident with its first timeline entries and
	// a copy of the workspace's playbook checklist (PlaybookStore).
	CreateIncident(ctx context.Context, in *Incident, events []IncidentEvent) error
	GetIncident(ctx context.Context, workspaceID, id int64) (Incident, error)
	// ListIncidents returns the workspace's incidents, open ones first,
	// then newest first, at most limit.
	ListIncidents(ctx context.Context, workspaceID int64, limit int) ([]Incident, error)
	// UpdateIncident saves status, hold and resolution.
	UpdateIncident(ctx context.Context, in *Incident) error
	AddIncidentEvent(ctx context.Context, workspaceID int64, e *IncidentEvent) error
	ListIncidentEvents(ctx context.Context, workspaceID, incidentID int64) ([]IncidentEvent, error) // oldest first
}

// ListenReply is one match answering a post.
type ListenReply struct {
	MatchID  int64
	PostedAt time.Time
}
