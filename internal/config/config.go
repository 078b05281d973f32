// Package config holds Herald's configuration: the Config value, read from
// HERALD_* environment variables (with command-line flags on top), with
// derived defaults filled in and every value checked.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Prefix starts the name of every environment variable Herald reads.
const Prefix = "HERALD_"

// Defaults.
const (
	DefaultAddr            = "127.0.0.1:8080"
	DefaultDataDir         = "./herald-data"
	DefaultMediaMaxBytes   = 50 << 20
	DefaultShutdownTimeout = 15 * time.Second
)

// Database drivers, as Driver reports them.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Config is Herald's configuration. Load fills it; fields left empty in the
// environment get defaults derived from the others (KeyFile and MediaDir
// from DataDir, BaseURL from Addr).
type Config struct {
	// Addr is the host:port the HTTP server listens on.
	Addr string `env:"ADDR" envDefault:"127.0.0.1:8080"`
	// DataDir holds the SQLite database, the key file and media by default.
	DataDir string `env:"DATA_DIR" envDefault:"./herald-data"`
	// DatabaseURL selects PostgreSQL (postgres:// or postgresql://); empty
	// means SQLite at DataDir/herald.db.
	DatabaseURL string `env:"DATABASE_URL"`
	// BaseURL is the address people reach Herald at; an https scheme makes
	// session cookies Secure.
	BaseURL string `env:"BASE_URL"`
	// KeyFile holds the keys that encrypt account credentials.
	KeyFile string `env:"KEY_FILE"`
	// MediaDir stores uploaded media files.
	MediaDir string `env:"MEDIA_DIR"`
	// MediaMaxBytes is the largest upload accepted.
	MediaMaxBytes int64 `env:"MEDIA_MAX_BYTES" envDefault:"52428800"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
	// LogFormat is json or text.
	LogFormat string `env:"LOG_FORMAT" envDefault:"json"`
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"15s"`
	// NotifyWebhookURL receives the team's notifications (a publish that
	// failed or needs a person, an account to reconnect) as JSON POSTs.
	NotifyWebhookURL string `env:"NOTIFY_WEBHOOK_URL"`
	// InstanceID names this process in publish leases and attempt logs;
	// empty means host name, process id and a random suffix.
	InstanceID string `env:"INSTANCE_ID"`
	// PublishConcurrency bounds the platform calls in flight.
	PublishConcurrency int `env:"PUBLISH_CONCURRENCY" envDefault:"1024"`
	// XClientID and XClientSecret are Herald's app on X (developer portal,
	// OAuth 2.0, callback BASE_URL/api/v1/connect/callback); without an id
	// X accounts cannot be connected.
	XClientID     string `env:"X_CLIENT_ID"`
	XClientSecret string `env:"X_CLIENT_SECRET"`
	// PinterestClientID and PinterestClientSecret are Herald's app on
	// Pinterest (developers.pinterest.com, redirect URI
	// BASE_URL/api/v1/connect/callback); without both, Pinterest accounts
	// cannot be connected.
	PinterestClientID     string `env:"PINTEREST_CLIENT_ID"`
	PinterestClientSecret string `env:"PINTEREST_CLIENT_SECRET"`
	// MetaAppID and MetaAppSecret are Herald's Meta app (Facebook Login,
	// callback BASE_URL/api/v1/connect/callback), shared by Facebook Pages
	// and Instagram; without both neither can be connected.
	MetaAppID     string `env:"META_APP_ID"`
	MetaAppSecret string `env:"META_APP_SECRET"`
	// LinkedInClientID and LinkedInClientSecret are Herald's app on
	// LinkedIn (developer portal, with Sign In with LinkedIn using OpenID
	// Connect, Share on LinkedIn and the Community Management API;
	// redirect URL BASE_URL/api/v1/connect/callback); without both,
	// LinkedIn accounts cannot be connected.
	LinkedInClientID     string `env:"LINKEDIN_CLIENT_ID"`
	LinkedInClientSecret string `env:"LINKEDIN_CLIENT_SECRET"`
	// ThreadsAppID and ThreadsAppSecret are Herald's Threads app (a Meta
	// app with the Threads use case: its Threads app id and secret, not the
	// Meta app's own; redirect URI BASE_URL/api/v1/connect/callback);
	// without both, Threads accounts cannot be connected.
	ThreadsAppID     string `env:"THREADS_APP_ID"`
	ThreadsAppSecret string `env:"THREADS_APP_SECRET"`
	// GoogleClientID and GoogleClientSecret are Herald's OAuth client in a
	// Google Cloud project with the YouTube Data API v3 enabled (a web
	// application client with the redirect URI
	// BASE_URL/api/v1/connect/callback); without both, YouTube channels
	// cannot be connected.
	GoogleClientID     string `env:"GOOGLE_CLIENT_ID"`
	GoogleClientSecret string `env:"GOOGLE_CLIENT_SECRET"`
	// TestPlatform enables the "fake" test platform connector, for trying
	// Herald out and for end-to-end tests; never needed in production.
	TestPlatform bool `env:"TEST_PLATFORM" envDefault:"false"`
	// TestPlatformIdempotency makes the fake connector send Idempotency-Key
	// (for a fake platform configured to honour it), so end-to-end tests can
	// exercise the idempotent path.
	TestPlatformIdempotency bool `env:"TEST_PLATFORM_IDEMPOTENCY" envDefault:"false"`
	// PublishLease is how long a publish claim is owned before another
	// instance may take it over; 0 keeps the dispatcher's default (5m).
	// Small values make tests retake a dead instance's work quickly.
	PublishLease time.Duration `env:"PUBLISH_LEASE"`
	// PublishCallTimeout bounds one platform call; 0 keeps the dispatcher's
	// default (60s). It must be shorter than the lease.
	PublishCallTimeout time.Duration `env:"PUBLISH_CALL_TIMEOUT"`
	// PublishExpiredEvery is how often the leases of dead instances are
	// looked for; 0 keeps the dispatcher's default (500ms).
	PublishExpiredEvery time.Duration `env:"PUBLISH_EXPIRED_EVERY"`
	// PublishBackoffBase is the first retry wait after a transient or
	// ambiguous failure (exponential with jitter after it); 0 keeps the
	// dispatcher's default (5s).
	PublishBackoffBase time.Duration `env:"PUBLISH_BACKOFF_BASE"`
	// InstanceStaleAfter is how long a running Herald may miss its
	// heartbeat (written every third of it) before the other instances
	// take its publishing leases over; 0 keeps the default (3s).
	InstanceStaleAfter time.Duration `env:"INSTANCE_STALE_AFTER"`
	// TrustedProxies lists the reverse proxies (addresses or CIDRs, comma-
	// or space-separated) whose X-Forwarded-For and Forwarded headers name
	// the client; see ProxyPrefixes. Empty trusts no header.
	TrustedProxies string `env:"TRUSTED_PROXIES"`
	// AllowPrivateNetworks lets Herald call addresses people type (Mastodon
	// instances, links, webhooks) on loopback, private and carrier-grade
	// NAT networks: an instance on the operator's own network, or a test
	// server. Off by default: a typed address must not reach Herald's own
	// machine or network.
	AllowPrivateNetworks bool `env:"ALLOW_PRIVATE_NETWORKS" envDefault:"false"`
	// SMTPHost is the SMTP server Herald sends e-mail through (scheduled
	// reports, notifications); empty turns e-mail off (see MailEnabled)
	// and then the other SMTP settings must be unset too.
	SMTPHost string `env:"SMTP_HOST"`
	// SMTPPort is the SMTP server's port; unset means 587, or 465 when
	// SMTPTLS is "tls".
	SMTPPort int `env:"SMTP_PORT"`
	// SMTPUsername and SMTPPassword log in with SMTP AUTH; both unset
	// sends without logging in.
	SMTPUsername string `env:"SMTP_USERNAME"`
	SMTPPassword string `env:"SMTP_PASSWORD"`
	// SMTPFrom is the sender of Herald's e-mail, e.g. "Herald
	// <herald@example.com>"; required with SMTPHost.
	SMTPFrom string `env:"SMTP_FROM"`
	// SMTPTLS is how the connection is encrypted: starttls (the default;
	// required, never skipped), tls (implicit TLS, usually port 465) or
	// none (plain text, allowed only for a loopback host).
	SMTPTLS string `env:"SMTP_TLS"`
	// LinksReferrer records the referring site (host only) of each click on
	// a tracked link; off by default.
	LinksReferrer bool `env:"LINKS_REFERRER"`
	// LinksCountryHeader names the request header in which a proxy in front
	// of Herald puts the visitor's country as two letters (e.g.
	// CF-IPCountry); unset records no country.
	LinksCountryHeader string `env:"LINKS_COUNTRY_HEADER"`
	// ListenBlueskyFirehose is the Bluesky PDS or relay whose firehose
	// (com.atproto.sync.subscribeRepos) listening reads, such as
	// wss://bsky.network; unset reads none.
	ListenBlueskyFirehose string `env:"LISTEN_BLUESKY_FIREHOSE"`
	// ListenJetstream is a Jetstream instance listening reads instead of
	// (or beside) a firehose, such as wss://jetstream2.us-east.bsky.network.
	ListenJetstream string `env:"LISTEN_JETSTREAM"`
}

// The publishing dispatcher's defaults for the knobs left at 0, used to
// check the knobs against each other.
const (
	DefaultPublishLease       = 5 * time.Minute
	DefaultPublishCallTimeout = 60 * time.Second
	// MaxPublishBackoffBase is the dispatcher's backoff ceiling, which the
	// base must not exceed.
	MaxPublishBackoffBase = 15 * time.Minute
	// MinInstanceStaleAfter is the shortest heartbeat staleness accepted.
	MinInstanceStaleAfter = time.Second
)

// Overrides are values from command-line flags; an empty field leaves the
// environment's value.
type Overrides struct {
	Addr        string
	DataDir     string
	DatabaseURL string
}

// Load reads the configuration from environ (as os.Environ returns it),
// fills derived defaults and validates it.
func Load(environ []string) (Config, error) {
	return LoadWith(environ, Overrides{})
}

// LoadWith is Load with flag values applied over the environment's, before
// derived defaults are filled (so --data-dir also moves the key file and
// media folder unless those are set).
func LoadWith(environ []string, o Overrides) (Config, error) {
	var c Config
	err := env.ParseWithOptions(&c, env.Options{Environment: env.ToMap(environ), Prefix: Prefix})
	if err != nil {
		return Config{}, explainParseError(err)
	}
	if o.Addr != "" {
		c.Addr = o.Addr
	}
	if o.DataDir != "" {
		c.DataDir = o.DataDir
	}
	if o.DatabaseURL != "" {
		c.DatabaseURL = o.DatabaseURL
	}
	c.fillDefaults()
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func (c *Config) fillDefaults() {
	if c.KeyFile == "" && c.DataDir != "" {
		c.KeyFile = filepath.Join(c.DataDir, "secret.key")
	}
	if c.MediaDir == "" && c.DataDir != "" {
		c.MediaDir = filepath.Join(c.DataDir, "media")
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + browsableAddr(c.Addr)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	c.SMTPHost = strings.TrimSpace(c.SMTPHost)
	c.SMTPTLS = strings.ToLower(strings.TrimSpace(c.SMTPTLS))
	if c.SMTPHost != "" {
		// Without a host the SMTP settings stay as given, so Validate can
		// point out the ones set in vain.
		if c.SMTPTLS == "" {
			c.SMTPTLS = SMTPModeStartTLS
		}
		if c.SMTPPort == 0 {
			c.SMTPPort = DefaultSMTPPort
			if c.SMTPTLS == SMTPModeTLS {
				c.SMTPPort = DefaultSMTPTLSPort
			}
		}
	}
}

// browsableAddr turns a listen address into one a browser can open: an
// empty or unspecified host becomes localhost.
func browsableAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// explainParseError rewrites the env library's parse errors to name the
// variable and say what to write instead.
func explainParseError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return fmt.Errorf("config: %w", err)
	}
	var out []error
	for _, e := range agg.Errors {
		var pe env.ParseError
		if !errors.As(e, &pe) {
			out = append(out, fmt.Errorf("config: %w", e))
			continue
		}
		switch pe.Name {
		case "MediaMaxBytes":
			out = append(out, fmt.Errorf("%sMEDIA_MAX_BYTES: not a whole number of bytes; use e.g. 52428800 for 50 MiB: %w", Prefix, pe.Err))
		case "PublishConcurrency":
			out = append(out, fmt.Errorf("%sPUBLISH_CONCURRENCY: not a whole number; use e.g. 1024: %w", Prefix, pe.Err))
		case "TestPlatform":
			out = append(out, fmt.Errorf("%sTEST_PLATFORM: not true or false: %w", Prefix, pe.Err))
		case "ShutdownTimeout":
			out = append(out, fmt.Errorf("%sSHUTDOWN_TIMEOUT: not a duration; use e.g. 15s or 1m: %w", Prefix, pe.Err))
		case "AllowPrivateNetworks":
			out = append(out, fmt.Errorf("%sALLOW_PRIVATE_NETWORKS: not true or false: %w", Prefix, pe.Err))
		case "TestPlatformIdempotency":
			out = append(out, fmt.Errorf("%sTEST_PLATFORM_IDEMPOTENCY: not true or false: %w", Prefix, pe.Err))
		case "PublishLease":
			out = append(out, fmt.Errorf("%sPUBLISH_LEASE: not a duration; use e.g. 5m or 30s: %w", Prefix, pe.Err))
		case "PublishCallTimeout":
			out = append(out, fmt.Errorf("%sPUBLISH_CALL_TIMEOUT: not a duration; use e.g. 60s or 500ms: %w", Prefix, pe.Err))
		case "PublishExpiredEvery":
			out = append(out, fmt.Errorf("%sPUBLISH_EXPIRED_EVERY: not a duration; use e.g. 5s or 200ms: %w", Prefix, pe.Err))
		case "PublishBackoffBase":
			out = append(out, fmt.Errorf("%sPUBLISH_BACKOFF_BASE: not a duration; use e.g. 5s or 100ms: %w", Prefix, pe.Err))
		case "InstanceStaleAfter":
			out = append(out, fmt.Errorf("%sINSTANCE_STALE_AFTER: not a duration; use e.g. 3s or 10s: %w", Prefix, pe.Err))
		case "SMTPPort":
			out = append(out, fmt.Errorf("%sSMTP_PORT: not a whole number; use 587 (STARTTLS) or 465 (TLS): %w", Prefix, pe.Err))
		default:
			out = append(out, fmt.Errorf("config: %w", e))
		}
	}
	return errors.Join(out...)
}

// Validate checks every value; the error names each bad variable and how to
// fix it.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(Prefix+name+" "+format, args...))
	}
	if err := checkAddr(c.Addr); err != nil {
		bad("ADDR", "%q: %v; use e.g. 127.0.0.1:8080", c.Addr, err)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("DATA_DIR", "is empty; use a folder such as ./herald-data")
	}
	if _, err := driver(c.DatabaseURL); err != nil {
		bad("DATABASE_URL", "%v", err)
	}
	if err := checkBaseURL(c.BaseURL); err != nil {
		bad("BASE_URL", "%q: %v; use e.g. https://herald.example.com", c.BaseURL, err)
	}
	for _, l := range []struct{ name, v string }{{"LISTEN_BLUESKY_FIREHOSE", c.ListenBlueskyFirehose}, {"LISTEN_JETSTREAM", c.ListenJetstream}} {
		if l.v == "" {
			continue
		}
		u, err := url.Parse(l.v)
		if err != nil || u.Host == "" || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https") {
			bad(l.name, "%q is not a server address; use e.g. wss://bsky.network", l.v)
		}
	}
	if strings.TrimSpace(c.KeyFile) == "" {
		bad("KEY_FILE", "is empty; leave it unset for %s/secret.key, or name a file", Prefix+"DATA_DIR")
	}
	if strings.TrimSpace(c.MediaDir) == "" {
		bad("MEDIA_DIR", "is empty; leave it unset for %s/media, or name a folder", Prefix+"DATA_DIR")
	}
	if c.MediaMaxBytes <= 0 {
		bad("MEDIA_MAX_BYTES", "%d: must be more than 0; use e.g. 52428800 for 50 MiB", c.MediaMaxBytes)
	}
	if _, ok := parseLevel(c.LogLevel); !ok {
		bad("LOG_LEVEL", "%q: not a level; use debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("LOG_FORMAT", "%q: not a format; use json or text", c.LogFormat)
	}
	if c.NotifyWebhookURL != "" {
		if err := checkBaseURL(c.NotifyWebhookURL); err != nil && !strings.Contains(err.Error(), "query") {
			bad("NOTIFY_WEBHOOK_URL", "%v; use e.g. https://hooks.example.com/herald", err)
		}
	}
	if c.XClientSecret != "" && c.XClientID == "" {
		bad("X_CLIENT_SECRET", "is set but %sX_CLIENT_ID is not; set both from X's developer portal", Prefix)
	}
	if (c.PinterestClientID == "") != (c.PinterestClientSecret == "") {
		bad("PINTEREST_CLIENT_ID", "and %sPINTEREST_CLIENT_SECRET must be set together: Pinterest's app id and app secret, from developers.pinterest.com", Prefix)
	}
	if (c.MetaAppID == "") != (c.MetaAppSecret == "") {
		bad("META_APP_ID", "and %sMETA_APP_SECRET must be set together (App settings → Basic in Meta's app dashboard)", Prefix)
	}
	if (c.LinkedInClientID == "") != (c.LinkedInClientSecret == "") {
		bad("LINKEDIN_CLIENT_ID", "and %sLINKEDIN_CLIENT_SECRET must be set together: the client id and primary client secret from the LinkedIn app's Auth tab", Prefix)
	}
	if (c.ThreadsAppID == "") != (c.ThreadsAppSecret == "") {
		bad("THREADS_APP_ID", "and %sTHREADS_APP_SECRET must be set together: the Threads app id and Threads app secret (App settings → Basic in Meta's app dashboard, Threads use case)", Prefix)
	}
	if (c.GoogleClientID == "") != (c.GoogleClientSecret == "") {
		bad("GOOGLE_CLIENT_ID", "and %sGOOGLE_CLIENT_SECRET must be set together: the client id and client secret of the Google Cloud project's OAuth web client (APIs & Services → Credentials)", Prefix)
	}
	if c.PublishConcurrency < 1 || c.PublishConcurrency > 10_000 {
		bad("PUBLISH_CONCURRENCY", "%d: must be from 1 to 10000; use e.g. 1024", c.PublishConcurrency)
	}
	if c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "%s: must be more than 0; use e.g. 15s", c.ShutdownTimeout)
	}
	if _, err := c.ProxyPrefixes(); err != nil {
		bad("TRUSTED_PROXIES", "%v", err)
	}
	c.validatePublish(bad)
	c.validateSMTP(bad)
	if c.InstanceStaleAfter < 0 || (c.InstanceStaleAfter > 0 && c.InstanceStaleAfter < MinInstanceStaleAfter) {
		bad("INSTANCE_STALE_AFTER", "%s: must be at least %s (a busy instance would lose its leases); leave it unset for 3s",
			c.InstanceStaleAfter, MinInstanceStaleAfter)
	}
	return errors.Join(errs...)
}

// validatePublish checks the publishing knobs, alone and against each
// other (a call must end well within its lease).
func (c Config) validatePublish(bad func(name, format string, args ...any)) {
	for _, k := range []struct {
		name string
		v    time.Duration
	}{{"PUBLISH_LEASE", c.PublishLease}, {"PUBLISH_CALL_TIMEOUT", c.PublishCallTimeout},
		{"PUBLISH_EXPIRED_EVERY", c.PublishExpiredEvery}, {"PUBLISH_BACKOFF_BASE", c.PublishBackoffBase}} {
		if k.v < 0 {
			bad(k.name, "%s: must not be negative; leave it unset (or 0) for the default", k.v)
		}
	}
	if c.PublishBackoffBase > MaxPublishBackoffBase {
		bad("PUBLISH_BACKOFF_BASE", "%s: must be at most %s; use e.g. 5s", c.PublishBackoffBase, MaxPublishBackoffBase)
	}
	lease, call := c.PublishLease, c.PublishCallTimeout
	if lease <= 0 {
		lease = DefaultPublishLease
	}
	if call <= 0 {
		call = DefaultPublishCallTimeout
	}
	if c.PublishLease >= 0 && c.PublishCallTimeout >= 0 && call >= lease {
		bad("PUBLISH_CALL_TIMEOUT", "%s must be shorter than the lease %s (%sPUBLISH_LEASE); set both, e.g. %sPUBLISH_LEASE=30s and %sPUBLISH_CALL_TIMEOUT=10s",
			call, lease, Prefix, Prefix, Prefix)
	}
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return errors.New("not host:port")
	}
	if strings.ContainsAny(host, " /") {
		return errors.New("not a host name or IP address")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 {
		return errors.New("the port is not a number from 0 to 65535")
	}
	return nil
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("the scheme must be http or https")
	}
	if u.Host == "" {
		return errors.New("the host is missing")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return errors.New("it must not have a query, fragment or user")
	}
	return nil
}

// driver returns the database driver a URL selects. The error never
// repeats the URL, which may hold a password.
func driver(databaseURL string) (string, error) {
	switch {
	case databaseURL == "":
		return DriverSQLite, nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		u, err := url.Parse(databaseURL)
		if err != nil || u.Host == "" && u.Query().Get("host") == "" {
			return "", errors.New("is not a valid PostgreSQL URL; use e.g. postgres://herald:secret@127.0.0.1:5432/herald")
		}
		return DriverPostgres, nil
	}
	scheme, _, found := strings.Cut(databaseURL, "://")
	if !found {
		scheme = "none"
	}
	return "", fmt.Errorf("has scheme %q: Herald supports PostgreSQL (postgres://user:pass@host:5432/db) or, left empty, SQLite in %sDATA_DIR", scheme, Prefix)
}

// Driver returns DriverSQLite or DriverPostgres.
func (c Config) Driver() string {
	d, _ := driver(c.DatabaseURL)
	return d
}

// SQLitePath is the SQLite database file used when DatabaseURL is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "herald.db") }

// SecureCookies reports whether BaseURL is https, so cookies must be Secure.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Level returns LogLevel as a slog level (info when invalid).
func (c Config) Level() slog.Level {
	l, _ := parseLevel(c.LogLevel)
	return l
}

func parseLevel(s string) (slog.Level, bool) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, true
	case "info":
		return slog.LevelInfo, true
	case "warn":
		return slog.LevelWarn, true
	case "error":
		return slog.LevelError, true
	}
	return slog.LevelInfo, false
}

// NewLogger returns a logger writing to w in LogFormat at LogLevel.
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level()}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
