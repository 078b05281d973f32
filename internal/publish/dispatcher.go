// Package publish is the publishing dispatcher: it keeps the targets due
// soon in memory, fires on time, claims them in leased batches, calls the
// platforms through their connectors with a bounded pool, acts on each error
// class (rate limits per account, backoff, token refresh, reconciliation)
// and writes the outcomes back in batches.
//
// The target rows are the queue. The dispatcher's memory is only a timer:
// losing it loses nothing, because every claim is leased and recorded before
// any network call, and an expired lease is reconciled, never blindly
// re-sent.
package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Store is what the dispatcher needs from the database: the publishing
// contract, plus accounts (to record refreshed tokens and revocations) and
// media records (to attach files).
type Store interface {
	herald.PublishStore
	GetAccount(ctx context.Context, workspaceID, id int64) (herald.Account, error)
	UpdateAccount(ctx context.Context, a *herald.Account) error
	GetMedia(ctx context.Context, workspaceID, id int64) (herald.MediaAsset, error)
	// InstallationID is the installation's random id, part of every part key.
	InstallationID(ctx context.Context) (string, error)
}

// Notifier tells people about what needs them. It must not block for long:
// the dispatcher calls it from its publishing goroutines.
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// Config tunes the dispatcher. Zero values take the defaults noted.
type Config struct {
	// Instance names this process; it owns the leases it takes. Required,
	// and unique among the instances sharing a database: at start, leases
	// under this name are a dead process's and are taken over at once.
	Instance string
	// Exclusive says no other instance shares the database (SQLite, whose
	// data folder the process has locked): at start every lease in it
	// belongs to a process that died and is taken over at once.
	Exclusive bool
	// Lookahead is how far ahead the timer loads due targets (5 min).
	Lookahead time.Duration
	// ReloadEvery is the safety-net reload period (30 s).
	ReloadEvery time.Duration
	// MaxTracked caps the targets held in memory per load (100,000).
	MaxTracked int
	// BatchSize caps one claim and one completion write (500).
	BatchSize int
	// Concurrency caps platform calls in flight (1024).
	Concurrency int
	// ClaimAhead is how early a target may be claimed; the call still waits
	// for the exact due instant (50 ms).
	ClaimAhead time.Duration
	// Lease is how long a claim is owned before another instance may take
	// it over (5 min). It bounds one attempt, all of a thread's parts included.
	Lease time.Duration
	// CallTimeout bounds one platform call (60 s).
	CallTimeout time.Duration
	// ExpiredEvery is how often the leases of dead instances (lease
	// expired, or heartbeat run out) are looked for (1 s).
	ExpiredEvery time.Duration
	// FlushEvery is how long completions wait to be written in a batch (5 ms).
	FlushEvery time.Duration
	// Grace is how long Stop waits for calls in flight (30 s).
	Grace time.Duration
	// MaxAttempts is how many attempts a transient error gets before the
	// target fails (8).
	MaxAttempts int
	// BackoffBase and BackoffCap shape the exponential backoff with full
	// jitter between transient retries (5 s, 15 min).
	BackoffBase time.Duration
	BackoffCap  time.Duration
	// RateLimitWait is the wait after a 429 that gave no reset time (60 s).
	RateLimitWait time.Duration
	// OverdueAfter is how late a target may be before people are told (30 s).
	OverdueAfter time.Duration
}

// Defaults.
const (
	DefaultLookahead     = 5 * time.Minute
	DefaultReloadEvery   = 30 * time.Second
	DefaultMaxTracked    = 100_000
	DefaultBatchSize     = 500
	DefaultConcurrency   = 1024
	DefaultClaimAhead    = 50 * time.Millisecond
	DefaultLease         = 5 * time.Minute
	DefaultCallTimeout   = 60 * time.Second
	DefaultExpiredEvery  = 500 * time.Millisecond
	DefaultFlushEvery    = 5 * time.Millisecond
	DefaultGrace         = 30 * time.Second
	DefaultMaxAttempts   = 8
	DefaultBackoffBase   = 5 * time.Second
	DefaultBackoffCap    = 15 * time.Minute
	DefaultRateLimitWait = 60 * time.Second
	DefaultOverdueAfter  = 30 * time.Second
)

// stuckAfter is how long the fire loop may go without a tick while work is
// due before Healthy reports it stuck.
const stuckAfter = 30 * time.Second

func (c Config) withDefaults() Config {
	dur := func(v *time.Duration, def time.Duration) {
		if *v == 0 {
			*v = def
		}
	}
	num := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	dur(&c.Lookahead, DefaultLookahead)
	dur(&c.ReloadEvery, DefaultReloadEvery)
	num(&c.MaxTracked, DefaultMaxTracked)
	num(&c.BatchSize, DefaultBatchSize)
	num(&c.Concurrency, DefaultConcurrency)
	dur(&c.ClaimAhead, DefaultClaimAhead)
	dur(&c.Lease, DefaultLease)
	dur(&c.CallTimeout, DefaultCallTimeout)
	dur(&c.ExpiredEvery, DefaultExpiredEvery)
	dur(&c.FlushEvery, DefaultFlushEvery)
	dur(&c.Grace, DefaultGrace)
	num(&c.MaxAttempts, DefaultMaxAttempts)
	dur(&c.BackoffBase, DefaultBackoffBase)
	dur(&c.BackoffCap, DefaultBackoffCap)
	dur(&c.RateLimitWait, DefaultRateLimitWait)
	dur(&c.OverdueAfter, DefaultOverdueAfter)
	return c
}

// Validate checks the configuration (after defaults) and names every field
// to fix.
func (c Config) Validate() error {
	var p herald.Problems
	if c.Instance == "" {
		p.Add("instance", "is required: name this Herald process (unique among instances sharing the database)")
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"lookahead", c.Lookahead}, {"reload_every", c.ReloadEvery}, {"claim_ahead", c.ClaimAhead},
		{"lease", c.Lease}, {"call_timeout", c.CallTimeout}, {"expired_every", c.ExpiredEvery},
		{"flush_every", c.FlushEvery}, {"grace", c.Grace}, {"backoff_base", c.BackoffBase},
		{"backoff_cap", c.BackoffCap}, {"rate_limit_wait", c.RateLimitWait}, {"overdue_after", c.OverdueAfter}} {
		if f.v < 0 {
			p.Add(f.name, "is %s; it must be positive (0 takes the default)", f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"max_tracked", c.MaxTracked}, {"batch_size", c.BatchSize}, {"concurrency", c.Concurrency},
		{"max_attempts", c.MaxAttempts}} {
		if f.v < 0 {
			p.Add(f.name, "is %d; it must be positive (0 takes the default)", f.v)
		}
	}
	if c.Lease > 0 && c.CallTimeout >= c.Lease {
		p.Add("call_timeout", "is %s; it must be shorter than the lease (%s)", c.CallTimeout, c.Lease)
	}
	if c.BackoffCap > 0 && c.BackoffCap < c.BackoffBase {
		p.Add("backoff_cap", "is %s; it must be at least backoff_base (%s)", c.BackoffCap, c.BackoffBase)
	}
	return p.Err("the publishing configuration is not valid")
}

// Deps are the dispatcher's collaborators.
type Deps struct {
	Store      Store
	Connectors *connector.Registry
	// Open opens an account's sealed credentials (keyring.(*Keyring).Open);
	// aad is the account's CredentialsAAD.
	Open func(s herald.Sealed, aad []byte) ([]byte, error)
	// Seal seals refreshed credentials (keyring.(*Keyring).Seal).
	Seal func(plaintext, aad []byte) (herald.Sealed, error)
	// OpenMedia opens a media file by its storage key.
	OpenMedia func(ctx context.Context, storageKey string) (io.ReadCloser, error)
	// FitMedia returns a file as the platform will take it under its
	// limits (an image over the size limit re-encoded smaller, the same
	// bytes every time); nil: files are sent as stored.
	FitMedia func(ctx context.Context, m connector.Media, lim connector.Limits) (connector.Media, error)
	// Links turns the addresses in a target's texts into its tracked short
	// links before they are sent (links.Service); nil: sent as written.
	Links    LinkTracker
	Notifier Notifier     // nil: notifications are only logged
	Clock    herald.Clock // nil: herald.SystemClock
	Logger   *slog.Logger // nil: discarded
	// RateGate is shared with everything else that calls platforms (the
	// background jobs), so a 429 holds back every caller of that account;
	// nil: the dispatcher keeps its own.
	RateGate *connector.RateGate
}

// LinkTracker rewrites the addresses in a target's texts (the main text,
// thread parts, first comment, in that order) into tracked short links,
// the same link for the same address on every call, and returns the texts
// to send.
type LinkTracker interface {
	TrackLinks(ctx context.Context, t herald.Target, platform herald.Platform, texts []string) ([]string, error)
}

func (d Deps) validate() error {
	var p herald.Problems
	if d.Store == nil {
		p.Add("store", "is required")
	}
	if d.Connectors == nil {
		p.Add("connectors", "is required")
	}
	if d.Open == nil {
		p.Add("open", "is required: a function that opens sealed credentials")
	}
	if d.Seal == nil {
		p.Add("seal", "is required: a function that seals refreshed credentials")
	}
	if d.OpenMedia == nil {
		p.Add("open_media", "is required: a function that opens media files")
	}
	return p.Err("the dispatcher is missing dependencies")
}

// Dispatcher publishes due targets. Create it with New, run it with Start,
// end it with Stop.
type Dispatcher struct {
	cfg     Config
	deps    Deps
	store   Store
	clock   herald.Clock
	log     *slog.Logger
	notify  Notifier
	metrics *metrics

	due *dueHeap
	// slots bounds the claims held (waiting for a call or in one) to
	// Concurrency + BatchSize, so that the next batch is claimed while the
	// calls of the last one run; calls bounds the calls themselves.
	slots    chan struct{}
	calls    chan struct{}
	claimers chan struct{} // bounds the claims in progress

	claimPause atomic.Int64 // Unix nanoseconds until which no claim starts (after a store error)

	claimMu       sync.Mutex
	claimsRunning int
	claimProgress time.Time // when a claim last ended, or the first of a run started

	reload  chan struct{} // asks the loader to read NextDue
	changed chan struct{} // tells the fire loop the heap changed

	blocks  *connector.RateGate
	refresh *accountLocks
	// held holds the release times the rate gate handed out to targets
	// held back for their account's limit (see admit).
	holdMu sync.Mutex
	held   map[int64]time.Time
	// installation is the installation's id (set by Start), in every part key.
	installation string

	// working holds the ids of the claims this instance works on, so that
	// an overrun lease of its own is never taken over by itself.
	workingMu sync.Mutex
	working   map[int64]bool

	// lost holds the claims whose answer was lost (a store error): they may
	// have been committed, leaving leases of this instance that nothing
	// works on. The expired loop releases them for a take-over.
	lostMu sync.Mutex
	lost   []lostClaim

	overdueMu       sync.Mutex
	overdueNotified map[int64]bool
	// overdueWindow starts the current minute of one-by-one overdue
	// notifications; overdueSent counts them, overdueSuppressed the rest.
	overdueWindow     time.Time
	overdueSent       int
	overdueSuppressed int

	lastTick     atomic.Int64 // Unix nanoseconds of the fire loop's last turn
	loadErrSince atomic.Int64 // Unix nanoseconds since loads fail, 0 when fine
	loadErr      atomic.Pointer[error]
	loadFull     atomic.Bool  // the last load hit MaxTracked: more may be due
	loadedUntil  atomic.Int64 // Unix ns: every target due by then was read

	mu        sync.Mutex
	started   bool
	stopped   bool
	stopDone  chan struct{}      // closed when Stop has finished
	cancel    context.CancelFunc // ends the loops
	abandon   context.CancelFunc // ends the calls still in flight after the grace period
	workCtx   context.Context
	loops     sync.WaitGroup
	workers   sync.WaitGroup
	completer *completer
}

// New returns a dispatcher; call Start to run it.
func New(cfg Config, deps Deps) *Dispatcher {
	cfg = cfg.withDefaults()
	if deps.Clock == nil {
		deps.Clock = herald.SystemClock{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{
		cfg:             cfg,
		deps:            deps,
		store:           deps.Store,
		clock:           deps.Clock,
		log:             deps.Logger.With(slog.String("component", "publish"), slog.String("instance", cfg.Instance)),
		notify:          deps.Notifier,
		metrics:         newMetrics(),
		due:             newDueHeap(),
		reload:          make(chan struct{}, 1),
		changed:         make(chan struct{}, 1),
		blocks:          deps.RateGate,
		refresh:         newAccountLocks(),
		overdueNotified: map[int64]bool{},
		working:         map[int64]bool{},
		held:            map[int64]time.Time{},
		stopDone:        make(chan struct{}),
	}
	if d.blocks == nil {
		d.blocks = connector.NewRateGate()
	}
	d.metrics.withTracked(func() float64 { return float64(d.due.Len()) })
	return d
}

// Collectors returns the dispatcher's Prometheus metrics.
func (d *Dispatcher) Collectors() []prometheus.Collector { return d.metrics.collectors() }

// Start validates the configuration, loads the targets due soon and starts
// the loops. It fails when called twice, or when the store cannot be read.
func (d *Dispatcher) Start(ctx context.Context) error {
	if err := errors.Join(d.cfg.Validate(), d.deps.validate()); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return herald.Errorf(herald.CodeConflict, "the dispatcher was already started; create a new one")
	}
	inst, err := d.store.InstallationID(ctx)
	if err != nil {
		return fmt.Errorf("publish: read the installation id: %w", err)
	}
	d.installation = inst
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	workCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	if err := d.endDeadLeases(loopCtx); err != nil {
		cancel()
		abandon()
		return err
	}
	if err := d.load(loopCtx); err != nil {
		cancel()
		abandon()
		return fmt.Errorf("publish: first load of due targets: %w", err)
	}
	var signals <-chan struct{}
	if w, ok := d.store.(herald.DueWatcher); ok {
		ch, err := w.WatchDue(loopCtx)
		if err != nil {
			cancel()
			abandon()
			return fmt.Errorf("publish: watch for due targets: %w", err)
		}
		signals = ch
	}
	d.started = true
	d.cancel, d.abandon, d.workCtx = cancel, abandon, workCtx
	d.slots = make(chan struct{}, d.cfg.Concurrency+d.cfg.BatchSize)
	for range cap(d.slots) {
		d.slots <- struct{}{}
	}
	d.claimers = make(chan struct{}, claimers)
	for range claimers {
		d.claimers <- struct{}{}
	}
	d.calls = make(chan struct{}, d.cfg.Concurrency)
	for range cap(d.calls) {
		d.calls <- struct{}{}
	}
	d.completer = newCompleter(d)
	d.lastTick.Store(d.clock.Now().UnixNano())

	// Stop when the caller's context ends, too.
	stopOnDone := ctx.Done()
	d.loops.Add(5)
	go func() { defer d.loops.Done(); d.loadLoop(loopCtx, signals) }()
	go func() { defer d.loops.Done(); d.fireLoop(loopCtx) }()
	go func() { defer d.loops.Done(); d.expiredLoop(loopCtx) }()
	go func() { defer d.loops.Done(); d.monitorLoop(loopCtx) }()
	go func() {
		defer d.loops.Done()
		select {
		case <-stopOnDone:
			go d.Stop()
		case <-loopCtx.Done():
		}
	}()
	d.completer.start()
	d.log.InfoContext(ctx, "publishing dispatcher started", slog.Int("tracked", d.due.Len()),
		slog.Int("concurrency", d.cfg.Concurrency))
	return nil
}

// Stop ends the loops, waits up to the grace period for calls in flight,
// writes every completion collected, and returns. Calls still running after
// the grace period are left: their leases expire and an instance reconciles
// them. Stop may be called more than once, from any goroutine; every call
// returns once the dispatcher has stopped.
func (d *Dispatcher) Stop() {
	d.mu.Lock()
	if !d.started {
		d.mu.Unlock()
		return
	}
	if d.stopped {
		// Another Stop is under way (or done): return when it is.
		d.mu.Unlock()
		<-d.stopDone
		return
	}
	d.stopped = true
	d.mu.Unlock()
	defer close(d.stopDone)

	d.cancel()
	d.loops.Wait()

	done := make(chan struct{})
	go func() { d.workers.Wait(); close(done) }()
	grace := time.NewTimer(d.cfg.Grace)
	select {
	case <-done:
		grace.Stop()
	case <-grace.C:
		d.log.Warn("calls still in flight after the grace period are left to lease expiry and reconciliation")
		d.abandon()
		<-done
	}
	d.completer.stop()
	d.abandon()
	d.log.Info("publishing dispatcher stopped")
}

// Wake asks the dispatcher to re-read what is due (after a schedule change
// or a resume in this process). It never blocks.
func (d *Dispatcher) Wake() { signal(d.reload) }

// Healthy reports an error when publishing is not working: not running, the
// fire loop stuck while work is due, or due targets unreadable for a while.
func (d *Dispatcher) Healthy() error {
	d.mu.Lock()
	running := d.started && !d.stopped
	d.mu.Unlock()
	if !running {
		return errors.New("publish: the dispatcher is not running")
	}
	now := d.clock.Now()
	if next, ok := d.due.Peek(); ok && !next.After(now) {
		last := time.Unix(0, d.lastTick.Load())
		if idle := now.Sub(last); idle > stuckAfter {
			return fmt.Errorf("publish: the publishing loop has not run for %s while targets are due", idle.Round(time.Second))
		}
	}
	if stuck := d.claimsStuckFor(now); stuck > stuckAfter {
		return fmt.Errorf("publish: claiming due targets has not returned for %s", stuck.Round(time.Second))
	}
	if since := d.loadErrSince.Load(); since != 0 {
		if failing := now.Sub(time.Unix(0, since)); failing > stuckAfter {
			var cause error
			if p := d.loadErr.Load(); p != nil {
				cause = *p
			}
			return fmt.Errorf("publish: due targets unreadable for %s: %w", failing.Round(time.Second), cause)
		}
	}
	return nil
}

// signal does a non-blocking send on a coalescing channel.
func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// sendNotification hands n to the notifier, which logs it; without one,
// it is logged here.
func (d *Dispatcher) sendNotification(ctx context.Context, n herald.Notification) {
	if n.At.IsZero() {
		n.At = d.clock.Now()
	}
	if d.notify != nil {
		d.notify.Notify(ctx, n)
		return
	}
	d.log.WarnContext(ctx, "notification", slog.String("kind", string(n.Kind)),
		slog.Int64("workspace_id", n.WorkspaceID), slog.Int64("target_id", n.TargetID),
		slog.Int64("account_id", n.AccountID), slog.String("message", n.Message))
}
