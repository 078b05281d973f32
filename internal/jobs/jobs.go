// Package jobs runs Herald's background work other than publishing as River
// jobs on Herald's own database: on PostgreSQL through riverpgxv5 over the
// store's connection pool, on SQLite through riversqlite over the store's
// single write connection.
//
// The periodic jobs (token refresh, recurring series, session sweep) are
// enqueued by River's elected leader only, so several Herald instances on
// one PostgreSQL database run each of them once per period; every instance
// works whatever is enqueued. Each periodic job is also unique per period
// of its schedule, so a restart or a change of leader within a period does
// not run it twice.
//
// On SQLite, River shares the write connection with the store. That is
// safe because Herald never calls River inside a store transaction (InTx
// holds the connection until it returns; River just waits for it) and
// River's own transactions never reach for a second connection.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Defaults for Config's zero fields.
const (
	DefaultRefreshEvery   = 5 * time.Minute
	DefaultRefreshWindow  = time.Hour
	DefaultRefreshBatch   = 500
	DefaultRefreshTimeout = 30 * time.Second
	DefaultExtendEvery    = 24 * time.Hour
	DefaultSweepEvery     = time.Hour
	DefaultWorkers        = 4
	DefaultMetricsEvery   = 5 * time.Minute
	DefaultMetricsBatch   = 1000
	// DefaultInboxEvery is how often sync_inbox looks for accounts due a
	// read; each account is read every DefaultInboxQuietEvery, or every
	// DefaultInboxActiveEvery for DefaultInboxActiveFor after something
	// new arrived.
	DefaultInboxEvery       = 15 * time.Second
	DefaultInboxQuietEvery  = time.Minute
	DefaultInboxActiveEvery = 15 * time.Second
	DefaultInboxActiveFor   = 10 * time.Minute
	DefaultCallTimeout      = 30 * time.Second
	DefaultFeedsEvery       = time.Minute
)

// MinEvery is the shortest period a periodic job may have.
const MinEvery = time.Second

// maxIDLen bounds Config.ID: River keeps client ids below 128 characters.
const maxIDLen = 100

// Config says how often the periodic jobs run and how much they do. Zero
// fields take their defaults.
type Config struct {
	// ID names this instance among those sharing the database (River's
	// client id, also recorded on the jobs it enqueues); "" picks a random
	// one. Two running instances must never share an id.
	ID string
	// RefreshEvery is how often expiring tokens are refreshed (default 5m).
	RefreshEvery time.Duration
	// RefreshWindow: tokens that expire within it are refreshed (default
	// 1h). It must be longer than RefreshEvery, or a token could expire
	// between two runs.
	RefreshWindow time.Duration
	// RefreshBatch is the most accounts one run refreshes (default 500);
	// the rest, which expire later, wait for the next run.
	RefreshBatch int
	// RefreshTimeout bounds one platform refresh call (default 30s).
	RefreshTimeout time.Duration
	// ExtendEvery is how often recurring series get their next posts
	// (default 24h).
	ExtendEvery time.Duration
	// SweepEvery is how often expired browser sessions (sweep_sessions)
	// and notifications past their keeping time (prune_notifications) are
	// deleted (default 1h).
	SweepEvery time.Duration
	// Workers is how many jobs this instance works at once (default 4).
	Workers int
	// MetricsEvery is how often published posts' counts are collected
	// (default 5m); each target is measured 10 minutes, 1 hour, 6 hours
	// and 24 hours after publishing, then daily for 30 days. A negative
	// value turns collect_metrics off.
	MetricsEvery time.Duration
	// MetricsBatch is the most targets one run measures (default 1000);
	// the rest wait for the next run, longest overdue first.
	MetricsBatch int
	// InboxEvery is how often sync_inbox looks for accounts due a read
	// (default 15s). A negative value turns sync_inbox off.
	InboxEvery time.Duration
	// InboxQuietEvery is how often a quiet account's mentions, replies
	// and messages are read (default 1m); InboxActiveEvery how often
	// while a conversation is going on (default 15s), that is for
	// InboxActiveFor (default 10m) after the last new item.
	InboxQuietEvery, InboxActiveEvery, InboxActiveFor time.Duration
	// EvergreenEvery is how often evergreen posts fill free slots
	// (default 1h).
	EvergreenEvery time.Duration
	// CallTimeout bounds one platform call of the metrics and inbox jobs
	// (default 30s).
	CallTimeout time.Duration
	// FeedsEvery is how often poll_feeds looks for feeds due a poll
	// (default 1m); each feed has its own interval and back-off.
	FeedsEvery time.Duration
	// WebhookWorkers is how many webhook deliveries this instance attempts
	// at once (default 8), in their own queue.
	WebhookWorkers int
	// WebhookSweepEvery is how often deliveries whose job was lost are
	// enqueued again (default 1m).
	WebhookSweepEvery time.Duration
	// TasksEvery is how often notify_tasks_due tells people about tasks
	// due soon or overdue (default 10m).
	TasksEvery time.Duration
	// RepliesEvery is how often settle_replies checks replies the
	// platform did not confirm (default 30s).
	RepliesEvery time.Duration
	// OverdueEvery is how often inbox_overdue tells of inbox items past
	// their response target (default 1m).
	OverdueEvery time.Duration
	// CrisisEvery is how often check_crisis runs the crisis detectors
	// (DefaultCrisisEvery).
	CrisisEvery time.Duration
	// ListenTermsEvery is how often refresh_listen_terms computes the
	// listening topics' terms and top authors again
	// (DefaultListenTermsEvery).
	ListenTermsEvery time.Duration
	// CheckEvery is how often check_inbox reads the inbox's posts of the
	// last 48 hours again to learn of edits and deletions (default 10m;
	// each post at most every 30 minutes, 100 per account a run). A
	// negative value turns check_inbox off.
	CheckEvery time.Duration
	// AudienceEvery is how often snapshot_accounts looks for accounts
	// whose followers, following and post counts were not read yet on the
	// current UTC day (default 15m; each account once a day). A negative
	// value turns snapshot_accounts off.
	AudienceEvery time.Duration
	// ReportsEvery is how often send_reports looks for scheduled reports
	// due (default 5m).
	ReportsEvery time.Duration
}

// withDefaults fills the zero fields.
func (c Config) withDefaults() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&c.RefreshEvery, DefaultRefreshEvery)
	set(&c.RefreshWindow, DefaultRefreshWindow)
	set(&c.RefreshTimeout, DefaultRefreshTimeout)
	set(&c.ExtendEvery, DefaultExtendEvery)
	set(&c.SweepEvery, DefaultSweepEvery)
	set(&c.MetricsEvery, DefaultMetricsEvery)
	set(&c.InboxEvery, DefaultInboxEvery)
	set(&c.InboxQuietEvery, DefaultInboxQuietEvery)
	set(&c.InboxActiveEvery, DefaultInboxActiveEvery)
	set(&c.InboxActiveFor, DefaultInboxActiveFor)
	set(&c.CallTimeout, DefaultCallTimeout)
	set(&c.EvergreenEvery, DefaultEvergreenEvery)
	set(&c.FeedsEvery, DefaultFeedsEvery)
	set(&c.WebhookSweepEvery, DefaultWebhookSweepEvery)
	if c.WebhookWorkers == 0 {
		c.WebhookWorkers = DefaultWebhookWorkers
	}
	set(&c.TasksEvery, DefaultTasksEvery)
	set(&c.RepliesEvery, DefaultRepliesEvery)
	set(&c.OverdueEvery, DefaultOverdueEvery)
	set(&c.CrisisEvery, DefaultCrisisEvery)
	set(&c.ListenTermsEvery, DefaultListenTermsEvery)
	set(&c.CheckEvery, DefaultCheckEvery)
	set(&c.AudienceEvery, DefaultAudienceEvery)
	set(&c.ReportsEvery, DefaultReportsEvery)
	if c.MetricsBatch == 0 {
		c.MetricsBatch = DefaultMetricsBatch
	}
	if c.RefreshBatch == 0 {
		c.RefreshBatch = DefaultRefreshBatch
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	return c
}

// Validate checks the configuration (after defaults), naming each bad field.
func (c Config) Validate() error {
	var p herald.Problems
	if len(c.ID) > maxIDLen {
		p.Add("id", "is %d characters long; keep it to %d", len(c.ID), maxIDLen)
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"refresh_every", c.RefreshEvery}, {"extend_every", c.ExtendEvery}, {"sweep_every", c.SweepEvery}, {"feeds_every", c.FeedsEvery},
		{"webhook_sweep_every", c.WebhookSweepEvery}, {"metrics_every", c.MetricsEvery}, {"inbox_every", c.InboxEvery},
		{"evergreen_every", c.EvergreenEvery}, {"tasks_every", c.TasksEvery}, {"replies_every", c.RepliesEvery},
		{"overdue_every", c.OverdueEvery}, {"crisis_every", c.CrisisEvery}, {"listen_terms_every", c.ListenTermsEvery}, {"check_every", c.CheckEvery}, {"audience_every", c.AudienceEvery},
		{"reports_every", c.ReportsEvery},
		{"inbox_quiet_every", c.InboxQuietEvery}, {"inbox_active_every", c.InboxActiveEvery}, {"inbox_active_for", c.InboxActiveFor}} {
		if f.v < 0 && (f.name == "metrics_every" || f.name == "inbox_every" || f.name == "check_every" || f.name == "audience_every") {
			continue // turned off
		}
		if f.v < MinEvery {
			p.Add(f.name, "is %s; a periodic job runs at most once a second", f.v)
		}
	}
	if c.RefreshWindow <= c.RefreshEvery {
		p.Add("refresh_window", "is %s, not longer than refresh_every (%s): a token could expire between two refreshes",
			c.RefreshWindow, c.RefreshEvery)
	}
	if c.RefreshBatch < 1 {
		p.Add("refresh_batch", "must be at least 1, not %d", c.RefreshBatch)
	}
	if c.RefreshTimeout <= 0 {
		p.Add("refresh_timeout", "must be positive, not %s", c.RefreshTimeout)
	}
	if c.MetricsBatch < 1 {
		p.Add("metrics_batch", "must be at least 1, not %d", c.MetricsBatch)
	}
	if c.CallTimeout <= 0 {
		p.Add("call_timeout", "must be positive, not %s", c.CallTimeout)
	}
	if c.WebhookWorkers < 1 || c.WebhookWorkers > 10_000 {
		p.Add("webhook_workers", "must be between 1 and 10000, not %d", c.WebhookWorkers)
	}
	if c.Workers < 1 || c.Workers > 10_000 {
		p.Add("workers", "must be between 1 and 10000, not %d", c.Workers)
	}
	return p.Err("the background jobs configuration is not valid")
}

// Keys seals and opens account credentials (keyring.(*Keyring) does).
type Keys interface {
	Seal(plaintext, aad []byte) (herald.Sealed, error)
	Open(s herald.Sealed, aad []byte) ([]byte, error)
}

// SeriesExtender creates the next posts of recurring series, up to its own
// horizon, and says how many it created. The post service implements it.
type SeriesExtender interface {
	ExtendSeries(ctx context.Context, now time.Time) (int, error)
}

// FeedPoller polls the RSS and Atom feeds due at now and says how many
// it polled. The feeds service implements it.
type FeedPoller interface {
	PollDue(ctx context.Context, now time.Time) (int, error)
}

// Deps are what the jobs work with.
type Deps struct {
	// Store is Herald's database: a SQLite store (with WriteDB() *sql.DB)
	// or a PostgreSQL store (with Pool() *pgxpool.Pool). River's tables
	// live in the same database.
	Store herald.Store
	// Connectors gives each platform's connector; those implementing
	// connector.Refresher get their tokens refreshed.
	Connectors *connector.Registry
	// Keys opens and seals account credentials.
	Keys Keys
	// Extender extends recurring series; nil leaves extend_series out.
	Extender SeriesExtender
	// Evergreen recycles evergreen posts; nil leaves recycle_evergreen out.
	Evergreen EvergreenRecycler
	// Reports sends the scheduled reports; nil leaves send_reports out.
	Reports ReportSender
	// Feeds polls RSS and Atom feeds; nil leaves poll_feeds out.
	Feeds FeedPoller
	// Webhooks delivers to workspace notification channels; nil leaves
	// deliver_webhook and sweep_webhooks out.
	Webhooks WebhookDeliverer
	// Tasks tells people about tasks due soon or overdue; nil leaves
	// notify_tasks_due out.
	Tasks TaskReminder
	// Inbox analyses new inbox items and applies the workspaces' rules
	// to them; nil stores them as the platforms give them.
	Inbox InboxArrivals
	// Replies settles replies to inbox items the platform did not
	// confirm; nil leaves settle_replies out.
	Replies ReplySettler
	// Overdue tells of inbox items past their response target; nil
	// leaves inbox_overdue out.
	Overdue InboxOverdue
	// Crisis runs the crisis detectors; nil leaves check_crisis out.
	Crisis CrisisChecker
	// Competitors reads tracked competitor accounts daily; nil leaves
	// collect_competitors out.
	Competitors CompetitorCollector
	// Listen computes the listening topics' terms in the background; nil
	// leaves refresh_listen_terms out (the pages then compute them).
	Listen ListenTermsRefresher
	// Notifier tells people about accounts to reconnect; nil only logs.
	Notifier Notifier
	// Clock tells the time; nil means the system clock.
	Clock herald.Clock
	// RateGate is shared with the publishing dispatcher: an account a
	// platform rate-limited is not called until its reset; nil: the jobs
	// keep their own.
	RateGate *connector.RateGate
	// Logger receives the jobs' and River's logs; nil discards them.
	Logger *slog.Logger
}

// Runner runs River on Herald's database with Herald's job kinds. Start
// it once and Stop it when done; it is safe for concurrent use.
type Runner struct {
	cfg Config
	log *slog.Logger
	q   queue

	mu    sync.Mutex
	state runState
	// streams holds push streams open (stream_inbox.go); stopStreams
	// ends them and waits.
	streams     *streams
	stopStreams func()
}

type runState int

const (
	stateNew runState = iota
	stateStarted
	stateStopped
)

// queue is River on one driver.
type queue interface {
	// migrate brings River's tables up to date, one instance at a time.
	migrate(ctx context.Context) error
	start(ctx context.Context) error
	// insert enqueues one job.
	insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	// stop stops gracefully until ctx ends, then cancels running jobs.
	stop(ctx context.Context) error
	id() string
	// leader returns the id of the elected leader, "" when there is none.
	leader(ctx context.Context) (string, error)
}

// New checks cfg and deps and prepares a Runner; nothing touches the
// database until Start.
func New(cfg Config, deps Deps) (*Runner, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var p herald.Problems
	if deps.Store == nil {
		p.Add("store", "is required")
	}
	if deps.Connectors == nil {
		p.Add("connectors", "is required: the connector registry, for token refresh")
	}
	if deps.Keys == nil {
		p.Add("keys", "is required: the keyring that seals account credentials")
	}
	if err := p.Err("the background jobs cannot start"); err != nil {
		return nil, err
	}
	if deps.Clock == nil {
		deps.Clock = herald.SystemClock{}
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	log := deps.Logger.With(slog.String("component", "jobs"))
	if deps.Notifier == nil {
		deps.Notifier = logNotifier{log: log}
	}
	r := &Runner{cfg: cfg, log: log}
	q, err := newQueue(cfg, deps, log, r.kinds(deps))
	if err != nil {
		return nil, err
	}
	r.q = q
	if r.cfg.InboxEvery > 0 {
		r.streams = newStreams(r.engage(deps), q.id(), q.insert)
	}
	return r, nil
}

// Start brings River's tables up to date (waiting for another instance
// doing the same) and starts working jobs and, when this instance is
// elected leader, enqueuing the periodic ones. Cancelling ctx stops the
// runner too; call Stop to wait for that. A Runner starts only once.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch r.state {
	case stateStarted:
		return errors.New("jobs: the runner is already started")
	case stateStopped:
		return errors.New("jobs: the runner was stopped; make a new one")
	}
	if err := r.q.migrate(ctx); err != nil {
		return fmt.Errorf("jobs: migrate River's tables: %w", err)
	}
	if err := r.q.start(ctx); err != nil {
		return fmt.Errorf("jobs: start River: %w", err)
	}
	r.state = stateStarted
	if r.streams != nil {
		sctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			r.streams.run(sctx)
		}()
		r.stopStreams = func() { cancel(); <-done }
	}
	r.log.InfoContext(ctx, "background jobs started", slog.String("instance", r.q.id()))
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends; then
// it cancels them and waits a little longer for them to return. It may be
// called more than once, and before Start.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != stateStarted {
		r.state = stateStopped
		return nil
	}
	r.state = stateStopped
	if r.stopStreams != nil {
		r.stopStreams()
	}
	if err := r.q.stop(ctx); err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	r.log.InfoContext(ctx, "background jobs stopped")
	return nil
}

// ID returns this instance's id among those sharing the database.
func (r *Runner) ID() string { return r.q.id() }

// IsLeader reports whether this instance is River's elected leader, the
// one that enqueues periodic jobs.
func (r *Runner) IsLeader(ctx context.Context) (bool, error) {
	id, err := r.q.leader(ctx)
	if err != nil {
		return false, fmt.Errorf("jobs: read the elected leader: %w", err)
	}
	return id != "" && id == r.q.id(), nil
}
