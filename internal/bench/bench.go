// Package bench measures the publishing dispatcher end to end: the real
// dispatcher and store (SQLite or PostgreSQL) publishing to the fake
// platform over loopback HTTP, with lateness read from the platform's own
// ledger. `herald bench publish` is its command line.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/publish"
)

// Databases the benchmark runs on.
const (
	DBSQLite   = "sqlite"
	DBPostgres = "postgres"
)

// Config is one benchmark run. Zero values take the defaults noted.
type Config struct {
	// DB is DBSQLite (default) or DBPostgres.
	DB string
	// DatabaseURL is the PostgreSQL database to run in (DBPostgres only);
	// the benchmark creates its own schema there and drops it at the end.
	DatabaseURL string
	// Posts is how many posts (one target each) to schedule (10,000).
	Posts int
	// Window is the span their due times are spread evenly over (10 s);
	// 0 would be invalid, so a burst uses a short window such as 1 s.
	Window time.Duration
	// Lead is how long after the start the first post is due (5 s). The
	// posts must be inserted, and the dispatcher started, well before.
	Lead time.Duration
	// Latency is how long the fake platform takes to answer a post.
	Latency time.Duration
	// Accounts is how many accounts the posts are spread over, round-robin (50).
	Accounts int
	// Concurrency caps the dispatcher's platform calls in flight (0: the
	// dispatcher's default).
	Concurrency int
	// Instances is how many dispatchers publish the posts (1), each with
	// its own name and its own connection pool, as separate Herald
	// instances on one database would (DBPostgres only when above 1).
	Instances int
	// PlatformURL is an external fake platform (`herald dev
	// fake-platform`); empty runs one in this process. The benchmark resets
	// an external platform's ledger and sets its latency.
	PlatformURL string
	// Platforms, when set, mixes these platforms (MixablePlatforms): each
	// one's fake server runs in this process behind Herald's real connector
	// for it, and the accounts are spread over them, round-robin.
	Platforms []herald.Platform
	// MaxWait is how long after the last due time to wait for every post
	// to arrive before counting the missing ones as lost (2 min).
	MaxWait time.Duration
	// MeasureIdleRSS schedules the posts far ahead (Lead of 1 h unless
	// set longer), starts the dispatcher, waits until its timer holds
	// every post, and reports the process's RSS; nothing is published.
	MeasureIdleRSS bool
	// Redirects, above 0, also runs the tracked-links service on the same
	// store, its recorder writing, and sends its redirect (GET /l/{code},
	// over loopback HTTP) this many requests a second, open loop, from the
	// first due time to the last; see RedirectResult.
	Redirects int
	// VisitorsCommand, when set, runs the redirect load's visitors in a
	// process of their own: the command (herald bench visitors) reads a
	// VisitorsPlan as JSON on its standard input and writes the
	// VisitorsResult on its standard output (RunVisitors). Empty, the
	// visitors run in this process.
	VisitorsCommand []string
	// Ingest, above 0, also runs the listening ingest on the same store,
	// with topics in the benchmark's workspace, and delivers it this many
	// generated public posts a second (each one match), in batches as the
	// Bluesky firehose source does, open loop, over the window from the
	// first due time; see IngestResult.
	Ingest int
	// CPUProfile, if set, receives a CPU profile of the dispatch phase
	// (from the dispatcher's start until the last post arrived).
	CPUProfile io.Writer
	// Logger receives progress and the dispatcher's warnings (nil: discarded).
	Logger *slog.Logger
}

// Defaults.
const (
	DefaultPosts    = 10_000
	DefaultWindow   = 10 * time.Second
	DefaultLead     = 5 * time.Second
	DefaultAccounts = 50
	DefaultMaxWait  = 2 * time.Minute
	// IdleLead is the lead of an idle-RSS run: far enough that nothing
	// becomes due while it is measured.
	IdleLead = time.Hour
	// IdleObserve is how long an idle run samples the resident set: long
	// enough for two of the dispatcher's periodic reloads.
	IdleObserve = 65 * time.Second
)

func (c Config) withDefaults() Config {
	if c.DB == "" {
		c.DB = DBSQLite
	}
	if c.Posts == 0 {
		c.Posts = DefaultPosts
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Lead == 0 {
		c.Lead = DefaultLead
	}
	if c.MeasureIdleRSS && c.Lead < IdleLead {
		c.Lead = IdleLead
	}
	if c.Accounts == 0 {
		c.Accounts = DefaultAccounts
	}
	if c.MaxWait == 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.Instances == 0 {
		c.Instances = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate checks the configuration (after defaults) and names every
// field to fix.
func (c Config) Validate() error {
	c = c.withDefaults()
	var p herald.Problems
	switch c.DB {
	case DBSQLite:
		if c.DatabaseURL != "" {
			p.Add("database_url", "is only used with --db postgres; drop it or choose postgres")
		}
	case DBPostgres:
		if c.DatabaseURL == "" {
			p.Add("database_url", "is required with --db postgres: a database the benchmark may create a schema in")
		}
	default:
		p.Add("db", "is %q; choose sqlite or postgres", c.DB)
	}
	if c.Posts < 0 {
		p.Add("posts", "is %d; give a positive number of posts", c.Posts)
	}
	if c.Window < 0 {
		p.Add("window", "is %s; give a positive duration such as 10s", c.Window)
	}
	if c.Lead < time.Second && c.Lead >= 0 {
		p.Add("lead", "is %s; give at least 1s so the posts are stored before they are due", c.Lead)
	} else if c.Lead < 0 {
		p.Add("lead", "is %s; give a positive duration such as 5s", c.Lead)
	}
	if c.Latency < 0 {
		p.Add("latency", "is %s; give zero or a positive duration such as 100ms", c.Latency)
	}
	if c.Accounts < 0 {
		p.Add("accounts", "is %d; give a positive number of accounts", c.Accounts)
	}
	if c.Concurrency < 0 {
		p.Add("concurrency", "is %d; give a positive number (0 takes the dispatcher's default)", c.Concurrency)
	}
	switch {
	case c.Redirects < 0:
		p.Add("redirects", "is %d; give a positive number of requests a second (0: none)", c.Redirects)
	case c.Redirects > 0 && c.MeasureIdleRSS:
		p.Add("redirects", "need posts being published; drop --redirects or --measure-idle-rss")
	}
	switch {
	case c.Ingest < 0:
		p.Add("ingest", "is %d; give a positive number of matches a second (0: none)", c.Ingest)
	case c.Ingest > 0 && c.MeasureIdleRSS:
		p.Add("ingest", "needs posts being published; drop --ingest or --measure-idle-rss")
	}
	if c.MaxWait < 0 {
		p.Add("max_wait", "is %s; give a positive duration such as 2m", c.MaxWait)
	}
	for _, pl := range c.Platforms {
		if !slices.Contains(MixablePlatforms, pl) {
			p.Add("platforms", "names %q; choose among %s", pl, mixableList())
		}
	}
	if len(c.Platforms) > 0 && c.PlatformURL != "" {
		p.Add("platforms", "mixes platforms in this process; drop --platform-url or --platforms")
	}
	if len(c.Platforms) > 0 && len(c.Platforms) > c.Accounts && c.Accounts >= 0 {
		p.Add("accounts", "is %d; give at least one account per platform (%d)", c.Accounts, len(c.Platforms))
	}
	switch {
	case c.Instances < 0:
		p.Add("instances", "is %d; give a positive number of instances", c.Instances)
	case c.Instances > 1 && c.DB != DBPostgres:
		p.Add("instances", "is %d; several instances share only a PostgreSQL database: use --db postgres or 1", c.Instances)
	case c.Instances > 1 && c.MeasureIdleRSS:
		p.Add("instances", "is %d; the idle measure is of one instance: use 1", c.Instances)
	}
	return p.Err("the benchmark settings are not valid")
}

// Result is one run's measurements, printed as one JSON line. Lateness is
// the fake platform's receive time minus the post's due time.
type Result struct {
	DB             string  `json:"db"`
	Posts          int     `json:"posts"`
	WindowS        float64 `json:"window_s"`
	LeadS          float64 `json:"lead_s"`
	P50MS          float64 `json:"p50_ms"`
	P95MS          float64 `json:"p95_ms"`
	P99MS          float64 `json:"p99_ms"`
	MaxMS          float64 `json:"max_ms"`
	ThroughputPerS float64 `json:"throughput_per_s"` // posts / (last receive − first receive)
	Lost           int     `json:"lost"`             // posts never received
	Duplicated     int     `json:"duplicated"`       // keys received more than once
	// RSSMB is the peak resident set of this process (getrusage maxrss),
	// which includes the fake platform when it runs in process.
	RSSMB float64 `json:"rss_mb"`

	// Context for reading the numbers.
	LatencyMS   float64 `json:"latency_ms"`
	Accounts    int     `json:"accounts"`
	Concurrency int     `json:"concurrency"`
	Instances   int     `json:"instances"`
	Platform    string  `json:"platform"` // "in-process", "external" or "mixed"
	// Platforms are a mixed run's platforms, the accounts spread over them.
	Platforms []string `json:"platforms,omitempty"`
	InsertS   float64  `json:"insert_s"`       // time to store the posts
	Idle      bool     `json:"idle,omitempty"` // an idle-RSS run: nothing was published
	Tracked   int      `json:"tracked,omitempty"`
	// RSSNowMB is the resident set when the run ended (Linux only).
	RSSNowMB float64 `json:"rss_now_mb,omitempty"`
	// IdleRSSMaxMB is, for an idle run, the highest resident set sampled
	// while the dispatcher held every post for IdleObserve (its periodic
	// reloads included): the memory the scheduled posts cost (Linux only).
	IdleRSSMaxMB float64 `json:"idle_rss_max_mb,omitempty"`
	// Redirect is the redirect load's figures (Config.Redirects), measured
	// in the same run.
	Redirect *RedirectResult `json:"redirect,omitempty"`
	// Ingest is the listening ingest load's figures (Config.Ingest),
	// measured in the same run.
	Ingest *IngestResult `json:"ingest,omitempty"`
}

// Run sets up a fresh database and platform, schedules the posts, runs the
// dispatcher until every post arrived (or MaxWait after the last due
// time), and measures. It cleans up what it created.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	cfg = cfg.withDefaults()
	log := cfg.Logger
	start := time.Now()

	var (
		plat        *platform
		rc          *recorder
		venues      []*venue
		makeAccount accountMaker
		client      *http.Client
		kind        string
	)
	if len(cfg.Platforms) > 0 {
		rc, client, kind = newRecorder(cfg.Latency), loopbackClient(), PlatformMixed
		for _, p := range cfg.Platforms {
			v, err := openVenue(p, rc, client)
			if err != nil {
				return Result{}, err
			}
			defer func() { err = errors.Join(err, v.close()) }()
			venues = append(venues, v)
		}
		makeAccount = venueAccounts(venues)
	} else {
		plat, err = openPlatform(ctx, cfg)
		if err != nil {
			return Result{}, err
		}
		defer func() { err = errors.Join(err, plat.close()) }()
		makeAccount, client, kind = fakeAccounts(plat.url), plat.client, plat.kind
	}

	db, err := openDB(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	defer func() { err = errors.Join(err, db.close()) }()
	log.InfoContext(ctx, "database ready", slog.String("db", cfg.DB), slog.Duration("took", time.Since(start)))

	fx, err := newFixture(ctx, db.store, makeAccount, cfg.Accounts)
	if err != nil {
		return Result{}, err
	}
	fx.venues = venues
	// The lead runs from here: opening and migrating the database is not
	// part of the workload.
	insertStart := time.Now()
	firstDue := insertStart.Add(cfg.Lead).UTC().Truncate(time.Microsecond)
	sched, err := fx.schedule(ctx, db.insert, cfg.Posts, firstDue, cfg.Window)
	if err != nil {
		return Result{}, err
	}
	insertTook := time.Since(insertStart)
	// The posts were stored by the benchmark itself, not by Herald: what
	// that allocated goes back to the system before Herald starts.
	debug.FreeOSMemory()
	log.InfoContext(ctx, "posts scheduled", slog.Int("posts", cfg.Posts), slog.Duration("took", insertTook))

	res = Result{DB: cfg.DB, Posts: cfg.Posts, WindowS: cfg.Window.Seconds(), LeadS: cfg.Lead.Seconds(),
		LatencyMS: ms(cfg.Latency), Accounts: cfg.Accounts, Concurrency: cfg.Concurrency, Instances: cfg.Instances,
		Platform: kind, Platforms: platformNames(cfg.Platforms), InsertS: round3(insertTook.Seconds()), Idle: cfg.MeasureIdleRSS}
	if res.Concurrency == 0 {
		res.Concurrency = publish.DefaultConcurrency
	}

	var (
		redirects *redirectLoad
		tracker   publish.LinkTracker // nil unless the links service runs
	)
	if cfg.Redirects > 0 {
		if redirects, err = openRedirects(ctx, cfg, db.store, fx); err != nil {
			return Result{}, err
		}
		defer func() { err = errors.Join(err, redirects.close()) }()
		tracker = redirects.svc
	}
	var ingest *ingestLoad
	if cfg.Ingest > 0 {
		if ingest, err = openIngest(ctx, cfg, db.store, fx); err != nil {
			return Result{}, err
		}
		defer func() { err = errors.Join(err, ingest.close()) }()
	}

	ds := make([]*publish.Dispatcher, cfg.Instances)
	for i := range ds {
		st := db.store
		if i > 0 {
			other, closeOther, openErr := db.another(ctx)
			if openErr != nil {
				return Result{}, openErr
			}
			defer func() { err = errors.Join(err, closeOther()) }()
			st = other
		}
		ds[i] = newDispatcher(cfg, i, st, fx, client, tracker)
	}

	// Insertion (and starting the dispatcher) must end well before the
	// first post is due, or the lateness would measure the insert.
	margin := cfg.Lead / 4
	if cfg.CPUProfile != nil {
		if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
			return Result{}, fmt.Errorf("bench: start the CPU profile: %w", err)
		}
	}
	profiling := cfg.CPUProfile != nil
	stopProfile := func() {
		if profiling {
			pprof.StopCPUProfile()
			profiling = false
		}
	}
	defer stopProfile()
	for _, d := range ds {
		if err := d.Start(ctx); err != nil {
			return Result{}, fmt.Errorf("bench: start the dispatcher: %w", err)
		}
		defer d.Stop()
	}
	d := ds[0]
	if late := time.Since(firstDue.Add(-margin)); late > 0 {
		return Result{}, &LeadTooShortError{Posts: cfg.Posts, Took: time.Since(insertStart), Margin: margin, Lead: cfg.Lead}
	}

	if cfg.MeasureIdleRSS {
		tracked, err := waitTracked(ctx, d, cfg.Posts)
		if err != nil {
			return Result{}, err
		}
		res.Tracked = tracked
		res.Lost = 0
		if res.IdleRSSMaxMB, err = observeRSS(ctx, IdleObserve); err != nil {
			return Result{}, err
		}
		res.RSSMB = peakRSSMB()
		res.RSSNowMB = currentRSSMB()
		return res, nil
	}

	lastDue := sched.lastDue()
	deadline := lastDue.Add(cfg.MaxWait)
	if redirects != nil {
		// The links are made while the dispatcher waits for its first due
		// time, as it would be running when people click.
		if err := redirects.prepare(ctx, fx, sched); err != nil {
			return Result{}, err
		}
		// Making them must end before the first post is due too, or the
		// load would start late (or, past the last due time, not at all).
		if time.Now().After(firstDue) {
			return Result{}, &LeadTooShortError{Posts: cfg.Posts, Took: time.Since(insertStart), Lead: cfg.Lead}
		}
		redirects.start(ctx, firstDue, lastDue)
	}
	if ingest != nil {
		ingest.start(ctx, firstDue)
	}
	if rc != nil {
		if err := rc.waitCount(ctx, cfg.Posts, deadline); err != nil {
			return Result{}, err
		}
	} else if err := plat.waitCount(ctx, cfg.Posts, deadline); err != nil {
		return Result{}, err
	}
	stopProfile()
	// Give a late duplicate (a retry of a call that did arrive) a moment to
	// show, as the peer benchmarks do, then stop and read the ledger.
	if err := sleep(ctx, time.Second); err != nil {
		return Result{}, err
	}
	for _, d := range ds {
		d.Stop()
	}
	var led ledgerView
	if rc != nil {
		led = mixedLedger(rc, venues, sched)
	} else if led, err = plat.ledger(ctx); err != nil {
		return Result{}, err
	}
	measure(&res, sched, led)
	if redirects != nil {
		if res.Redirect, err = redirects.finish(ctx, fx.ws.ID); err != nil {
			return Result{}, err
		}
	}
	if ingest != nil {
		if res.Ingest, err = ingest.finish(ctx); err != nil {
			return Result{}, err
		}
	}
	res.RSSMB = peakRSSMB()
	res.RSSNowMB = currentRSSMB()
	return res, nil
}

// newDispatcher returns the i-th instance's dispatcher on st.
// tracker is the tracked-links service, as herald serve hands it over
// (nil: none).
func newDispatcher(cfg Config, i int, st benchStore, fx *fixture, client *http.Client, tracker publish.LinkTracker) *publish.Dispatcher {
	name := "herald-bench"
	if cfg.Instances > 1 {
		name = fmt.Sprintf("herald-bench-%d", i+1)
	}
	pcfg := publish.Config{Instance: name, Concurrency: cfg.Concurrency}
	// The timer must hold every post to be measured: production loads five
	// minutes ahead, an idle run schedules an hour ahead.
	if need := cfg.Lead + cfg.Window + time.Minute; need > publish.DefaultLookahead {
		pcfg.Lookahead = need
	}
	if cfg.Posts > publish.DefaultMaxTracked {
		pcfg.MaxTracked = cfg.Posts
	}
	log := cfg.Logger.With(slog.String("instance", name))
	return publish.New(pcfg, publish.Deps{
		Store:      st,
		Connectors: fx.registry(client),
		Open:       fx.keys.Open,
		Seal:       fx.keys.Seal,
		OpenMedia:  noMedia,
		Links:      tracker,
		Notifier:   logNotifier{log: log},
		// One line per attempt would swamp the run: only its warnings.
		Logger: slog.New(minLevel{Handler: log.Handler(), min: slog.LevelWarn}),
	})
}

// LeadTooShortError reports that storing the posts and starting the
// dispatcher (and, with Config.Redirects, making the tracked links; with
// Config.Ingest, creating the listening topics) did not end well before
// the first post was due: the lateness would have measured the insert. It
// unwraps to an invalid herald.Error.
type LeadTooShortError struct {
	Posts  int
	Took   time.Duration // storing the posts and starting the dispatcher (and making the links)
	Margin time.Duration // how long before the first due time it had to end
	Lead   time.Duration
}

// Error says what happened and what to change.
func (e *LeadTooShortError) Error() string { return e.Unwrap().Error() }

// Unwrap returns the error as a herald.Error, with the flag to change.
func (e *LeadTooShortError) Unwrap() error {
	return &herald.Error{Code: herald.CodeInvalid,
		Message: fmt.Sprintf("storing %d posts and starting the dispatcher took %s, which ends less than %s before the first post is due; raise --lead (now %s)",
			e.Posts, e.Took.Round(time.Millisecond), e.Margin, e.Lead),
		Details: []herald.FieldProblem{{Field: "lead", Problem: "is too short for this many posts on this machine"}}}
}

// measure fills res from the schedule and what the platform received.
func measure(res *Result, sched schedule, led ledgerView) {
	late := make([]time.Duration, 0, len(sched.ids))
	var first, last time.Time
	for i, id := range sched.ids {
		at, ok := led.received[partKey(sched.installation, id)]
		if !ok {
			res.Lost++
			continue
		}
		late = append(late, at.Sub(sched.due(i)))
		if first.IsZero() || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
	}
	res.Duplicated = len(led.duplicates)
	if len(late) == 0 {
		return
	}
	p := percentiles(late)
	res.P50MS, res.P95MS, res.P99MS, res.MaxMS = ms(p.p50), ms(p.p95), ms(p.p99), ms(p.max)
	if span := last.Sub(first); span > 0 {
		res.ThroughputPerS = math.Round(float64(len(late))/span.Seconds()*10) / 10
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bench: interrupted: %w", ctx.Err())
	}
}

// logNotifier logs what the dispatcher would tell people about.
type logNotifier struct{ log *slog.Logger }

// Notify logs n.
func (n logNotifier) Notify(ctx context.Context, nt herald.Notification) {
	n.log.WarnContext(ctx, "notification", slog.String("kind", string(nt.Kind)),
		slog.Int64("target_id", nt.TargetID), slog.String("message", nt.Message))
}

// minLevel passes on records at min or above.
type minLevel struct {
	slog.Handler
	min slog.Level
}

// Enabled reports whether level is at least min and the handler wants it.
func (h minLevel) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

// WithAttrs keeps the minimum level.
func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{Handler: h.Handler.WithAttrs(as), min: h.min}
}

// WithGroup keeps the minimum level.
func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{Handler: h.Handler.WithGroup(name), min: h.min}
}

// noMedia refuses to open media: benchmark posts have none.
func noMedia(context.Context, string) (io.ReadCloser, error) {
	return nil, errors.New("bench: benchmark posts carry no media")
}
