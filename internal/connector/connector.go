// Package connector defines what the publishing dispatcher and the services
// need from a social platform: small interfaces, each an ability a platform
// may or may not have (checked with a type assertion, never with a chain of
// platform names), the error classes the dispatcher acts on, and the
// registry that maps a platform to its connector.
package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Account is a connected account with its credentials opened, as a
// connector needs it. Credentials are the connector's own encoding (JSON of
// tokens, typically) and never leave the process.
type Account struct {
	herald.Account
	Credentials []byte
}

// Media is one file to attach.
type Media struct {
	Asset herald.MediaAsset
	// Open returns the file's bytes; each call starts from the beginning.
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Part is one item to publish: the post itself (Index 0), a later thread
// part (Index ≥ 1, a reply to ReplyTo), or the first comment (Comment true,
// a reply to the post).
type Part struct {
	WorkspaceID int64
	TargetID    int64
	Index       int
	Comment     bool
	Text        string
	Media       []Media
	Options     map[string]string // the variant's options: visibility, spoiler_text, language, …
	ReplyTo     *herald.RemoteRef // the part before (nil for Index 0)
	Root        *herald.RemoteRef // the first part of the thread (nil for Index 0)
	// Key is stable for this target and part across retries and restarts:
	// the idempotency key (Mastodon), the record key seed (Bluesky), the
	// fingerprint for lookups (X).
	Key string
	// Checkpoint is what an earlier attempt at this part saved with Save
	// (an Instagram container id, a YouTube upload session), nil when none:
	// a two-step publication resumes from it instead of starting over.
	Checkpoint map[string]string
	// Save keeps a checkpoint for later attempts, replacing the last one.
	// A connector calls it after a step the platform confirmed and before
	// the next; an error means it was not kept, and the connector must stop
	// (returning that error) rather than go on without it. Nil where the
	// caller keeps no checkpoints (validation, replies).
	Save func(ctx context.Context, checkpoint map[string]string) error
}

// Publisher publishes one part.
type Publisher interface {
	Publish(ctx context.Context, acct Account, p Part) (herald.RemoteRef, error)
}

// Reconciler finds a part we may already have published (after a timeout or
// a crash), by idempotency key, record key or a lookup of recent posts.
type Reconciler interface {
	Find(ctx context.Context, acct Account, p Part) (ref herald.RemoteRef, found bool, err error)
}

// IdempotentPublisher is implemented by connectors whose Publish may be
// safe to repeat with the same Part.Key (the platform deduplicates, or the
// record key is ours). Idempotent answers for one account, since servers
// that speak the same API differ (a Mastodon-API server may ignore
// Idempotency-Key): it must be true only where deduplication is known, not
// assumed. Where it is false and the lookup cannot tell, the part is
// unconfirmed, never sent again.
type IdempotentPublisher interface {
	Publisher
	Idempotent(ctx context.Context, acct Account) bool
}

// Refresher renews an account's access token before or after it expires.
type Refresher interface {
	Refresh(ctx context.Context, acct Account) (credentials []byte, expiresAt *time.Time, err error)
}

// Deleter removes a published post.
type Deleter interface {
	Delete(ctx context.Context, acct Account, ref herald.RemoteRef) error
}

// Limits are a platform's content limits, for validation before publishing.
type Limits struct {
	MaxChars         int // 0: no limit
	MaxMedia         int // per post
	MaxImageBytes    int64
	MaxVideoBytes    int64
	MaxThreadParts   int // 0: threads not supported
	FirstComment     bool
	AltTextMaxChars  int
	CharsReservedURL int // characters a URL counts as (0: its own length)
}

// Limiter reports an account's limits (they may depend on the instance).
type Limiter interface {
	Limits(ctx context.Context, acct Account) (Limits, error)
}

// Class is what the dispatcher does about an error.
type Class string

// Error classes (see DESIGN.md).
const (
	RateLimited Class = "rate_limited" // wait RetryAfter, this account only
	Transient   Class = "transient"    // back off and retry
	AuthExpired Class = "auth_expired" // refresh the token once, then retry
	AuthRevoked Class = "auth_revoked" // the account must be reconnected
	Invalid     Class = "invalid"      // the platform refused the content: Message is its words
	Ambiguous   Class = "ambiguous"    // it may have been published: reconcile before anything else
)

// Error is a classified platform error.
type Error struct {
	Class      Class
	Status     int           // HTTP status, 0 if none
	RetryAfter time.Duration // for RateLimited (and Transient when the platform says)
	Limit      int           // for RateLimited: calls allowed per window, 0 if not said (ParseRateLimit)
	Message    string        // the platform's own message, shown to people
	Err        error
}

func (e *Error) Error() string {
	s := string(e.Class)
	if e.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// ClassOf returns the class of err: its *Error's class, Ambiguous for a
// context deadline (the request may have been sent), Transient otherwise.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Ambiguous
	}
	return Transient
}

// Registry maps platforms to connectors. It also knows the platforms this
// build has a connector for that the installation has not set up (X
// without its app's client id, say), and what their operator must set.
type Registry struct {
	m       map[herald.Platform]Publisher
	offered map[herald.Platform]string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{m: map[herald.Platform]Publisher{}, offered: map[herald.Platform]string{}}
}

// Register sets the connector for a platform (a value implementing at least
// Publisher); it replaces an earlier one.
func (r *Registry) Register(p herald.Platform, c Publisher) {
	r.m[p] = c
	delete(r.offered, p)
}

// Offer records that this build can connect p once its operator does what
// setup says ("set HERALD_X_CLIENT_ID …"), though no connector is
// registered for it now.
func (r *Registry) Offer(p herald.Platform, setup string) {
	if _, ok := r.m[p]; !ok {
		r.offered[p] = setup
	}
}

// Get returns the connector for a platform.
func (r *Registry) Get(p herald.Platform) (Publisher, bool) {
	c, ok := r.m[p]
	return c, ok
}

// Setup returns what the operator must do to enable an offered platform.
func (r *Registry) Setup(p herald.Platform) (string, bool) {
	s, ok := r.offered[p]
	return s, ok
}

// Platforms lists the platforms this build can connect: registered or
// offered, in the order of herald.Platforms.
func (r *Registry) Platforms() []herald.Platform {
	var out []herald.Platform
	for _, p := range herald.Platforms {
		_, reg := r.m[p]
		_, off := r.offered[p]
		if reg || off {
			out = append(out, p)
		}
	}
	return out
}
