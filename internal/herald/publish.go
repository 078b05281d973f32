package herald

import (
	"context"
	"encoding/json"
	"time"
)

// The publishing contract: what the dispatcher (internal/publish) needs from
// a store. Target rows are the queue; there is no second queue.
//
// A target is "due" when its state is scheduled or retrying and its DueAt
// has come. Claiming moves it to publishing under a lease and records the
// publish intent (an Attempt with no outcome yet) in the same transaction,
// before any network call. Completing records the outcome and the next
// state. A publishing target whose lease ran out belongs to an instance
// that died mid-call: it must be reconciled, never blindly re-sent.

// DueTarget is the little the dispatcher's timer keeps in memory per target.
type DueTarget struct {
	ID        int64
	DueAt     time.Time
	AccountID int64 // so that a target of a rate-limited account is not claimed
}

// Claim is a target the dispatcher now owns, with what it needs to publish.
type Claim struct {
	Target    Target
	Account   Account
	PostText  string // the post's base text, used when the variant's text is empty
	AttemptID int64  // the attempt recorded by the claim
	Attempt   int    // 1 for the first try
	// Recovered is true when the claim took over an expired lease: the
	// previous attempt may have reached the platform, so reconcile first.
	Recovered bool
}

// AttemptOutcome is how one publish attempt ended.
type AttemptOutcome string

// Attempt outcomes.
const (
	OutcomePublished   AttemptOutcome = "published"    // the platform has it (RemoteID set)
	OutcomeReconciled  AttemptOutcome = "reconciled"   // found on the platform after an ambiguous end
	OutcomeRateLimited AttemptOutcome = "rate_limited" // retry after the platform's reset
	OutcomeTransient   AttemptOutcome = "transient"    // retry with backoff
	OutcomeAuthExpired AttemptOutcome = "auth_expired" // token refreshed (or not); retry
	OutcomeAuthRevoked AttemptOutcome = "auth_revoked" // account must be reconnected; target waits
	OutcomeInvalid     AttemptOutcome = "invalid"      // the platform refused the content: failed
	OutcomeAmbiguous   AttemptOutcome = "ambiguous"    // may or may not have been published
	OutcomeLeaseLost   AttemptOutcome = "lease_lost"   // the instance died during the attempt
)

// Attempt is one try at publishing a target: the durable intent and its end.
type Attempt struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"workspace_id"`
	TargetID    int64          `json:"target_id"`
	Number      int            `json:"number"`
	Instance    string         `json:"instance"` // which Herald process made it
	StartedAt   time.Time      `json:"started_at"`
	FinishedAt  *time.Time     `json:"finished_at,omitempty"`
	DurationMS  int64          `json:"duration_ms"`
	HTTPStatus  int            `json:"http_status,omitempty"`
	Outcome     AttemptOutcome `json:"outcome,omitempty"` // "" while in flight
	RemoteID    string         `json:"remote_id,omitempty"`
	Error       string         `json:"error,omitempty"` // the platform's own words
}

// Progress is what a multi-step publication has confirmed so far, so that a
// thread resumes after its last confirmed part after a crash.
type Progress struct {
	Parts        []RemoteRef `json:"parts,omitempty"`         // one per confirmed part, in order
	FirstComment *RemoteRef  `json:"first_comment,omitempty"` // set once the first comment is out
	// Checkpoint is how far a two-step publication of the next part got
	// (an Instagram or Threads container made, a YouTube upload session
	// opened), so a later attempt resumes there instead of starting over.
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
}

// Checkpoint is a connector's saved step of one part: "0", "1", … for the
// post and its thread parts, "c" for the first comment.
type Checkpoint struct {
	Part  string            `json:"part"`
	State map[string]string `json:"state"`
}

// RemoteRef identifies a published item on a platform.
type RemoteRef struct {
	ID   string            `json:"id"`
	URL  string            `json:"url,omitempty"`
	Meta map[string]string `json:"meta,omitempty"` // platform specifics (Bluesky uri and cid, …)
}

// Completion is the end of an attempt, written back in a batch.
type Completion struct {
	WorkspaceID int64
	TargetID    int64
	AttemptID   int64
	Owner       string // the claiming instance; a completion from a lost lease is ignored
	To          TargetState
	Outcome     AttemptOutcome
	HTTPStatus  int
	Error       string
	RemoteID    string
	RemoteURL   string
	Progress    *Progress  // nil leaves the stored progress unchanged
	DueAt       *time.Time // for retrying: when to try again
	FinishedAt  time.Time
	DurationMS  int64
}

// PublishStore is the dispatcher's view of the database.
type PublishStore interface {
	// NextDue returns up to limit targets due at or before until (scheduled
	// or retrying, DueAt ≤ until, account not paused, publishing not paused
	// for the workspace or the installation), earliest first.
	NextDue(ctx context.Context, until time.Time, limit int) ([]DueTarget, error)
	// NextDueAfter is NextDue for the targets after after in NextDue's
	// order (due time, then id) only: the next page of a load, or, with
	// after's ID at its maximum, the targets that came into a window since a
	// load up to after's DueAt.
	NextDueAfter(ctx context.Context, after DueTarget, until time.Time, limit int) ([]DueTarget, error)
	// ClaimTargets moves those of ids that are still due at now into
	// publishing, leased to owner until leaseUntil, records a transition and
	// an Attempt for each, all in one transaction, and returns them. Ids
	// that are no longer due are skipped. It also takes over publishing
	// targets among ids whose lease expired, or whose owner's heartbeat
	// ran out (its Instance.AliveUntil is before now): Claim.Recovered.
	ClaimTargets(ctx context.Context, ids []int64, owner string, now, leaseUntil time.Time) ([]Claim, error)
	// ExpiredLeases returns up to limit ids of publishing targets whose
	// instance died: their lease ended before now, or their owner's
	// heartbeat ran out before now. A lease whose owner has no instance row
	// counts only by its own end.
	ExpiredLeases(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// EndLeases ends, at now, the leases of the publishing targets held by
	// owners (every lease when owners is nil), so that they are taken over
	// (and reconciled) at once, and returns how many it ended. Only for
	// owners known to be dead: at start, an instance's own name (a process
	// of that name before it died), or every owner for the process that
	// holds a SQLite data folder's lock.
	EndLeases(ctx context.Context, owners []string, now time.Time) (int64, error)
	// ReleaseLostClaim ends, at now, the leases that a claim of ids by
	// owner until leaseUntil took, if it was committed after all, and
	// returns how many it ended: for a claim whose answer was lost (the
	// connection failed), so that its targets are taken over and
	// reconciled at once. A later claim of the same targets (another
	// leaseUntil) is left alone.
	ReleaseLostClaim(ctx context.Context, owner string, ids []int64, leaseUntil, now time.Time) (int64, error)
	// CompleteTargets writes a batch of completions in one transaction:
	// target state (with a transition), remote id/url, last error, progress,
	// due time, lease cleared, and the attempt's end. A completion whose
	// target is no longer leased to its Owner is skipped and reported in
	// the returned ids.
	CompleteTargets(ctx context.Context, cs []Completion) (skipped []int64, err error)
	// SaveProgress records a confirmed thread part while the lease is held.
	SaveProgress(ctx context.Context, targetID int64, owner string, p Progress) error
	// ListAttempts returns a target's attempts, oldest first.
	ListAttempts(ctx context.Context, workspaceID, targetID int64) ([]Attempt, error)

	// HoldTargets moves a workspace's scheduled and retrying targets (ids nil:
	// all of them) to held, recording a transition for each with who, when
	// and why (the crisis switch), and returns how many moved.
	HoldTargets(ctx context.Context, workspaceID int64, ids []int64, actorID *int64, reason string, now time.Time) (int, error)
	// ResumeTargets moves a workspace's held targets (ids nil: all of them)
	// back to scheduled, or to in_review when reapprove is set, and returns
	// how many moved. Targets whose time passed while held become due at once.
	ResumeTargets(ctx context.Context, workspaceID int64, ids []int64, reapprove bool, actorID *int64, now time.Time) (int, error)
	// SetPublishingPaused pauses (at non-nil) or resumes (nil) publishing for
	// a workspace, or for the whole installation when workspaceID is 0.
	SetPublishingPaused(ctx context.Context, workspaceID int64, at *time.Time) error
	// PublishingPaused reports since when publishing is paused for a
	// workspace (0: the installation), or nil.
	PublishingPaused(ctx context.Context, workspaceID int64) (*time.Time, error)
}

// DueWatcher is implemented by stores that signal when a target may have
// become due earlier than the dispatcher knows (scheduled, rescheduled,
// retry time set, resumed): in process, and on PostgreSQL across instances
// through LISTEN/NOTIFY.
type DueWatcher interface {
	// WatchDue returns a channel of coalesced signals, closed when ctx ends.
	WatchDue(ctx context.Context) (<-chan struct{}, error)
}

// MarshalProgress encodes p for storage.
func MarshalProgress(p Progress) ([]byte, error) { return json.Marshal(p) }
