// Package mastodon is Herald's connector for any server that speaks the
// Mastodon client API (Mastodon itself, GoToSocial, Akkoma, …).
//
// It connects accounts with OAuth's authorization-code flow (registering
// Herald's app once per instance, remembered in an AppStore), reads the
// instance's own limits from GET /api/v2/instance, publishes statuses with
// media, threads, content warnings, visibility and language, makes
// publishing retry-safe with the Idempotency-Key header and a lookup of the
// account's recent statuses, edits and deletes statuses, reads their
// counts, reads mentions and replies, and favourites.
//
// Credentials are JSON:
//
//	{"instance":"https://mastodon.example","access_token":"…","token_type":"Bearer","scope":"read write","client_id":"…"}
//
// instance may be left out when the account's InstanceURL is set. Mastodon
// access tokens do not expire (they are revoked), so the connector has no
// Refresher: a token the instance refuses moves the account to revoked.
package mastodon

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Credentials are what the connector keeps for an account.
type Credentials struct {
	Instance    string `json:"instance,omitempty"`
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type,omitempty"`
	Scope       string `json:"scope,omitempty"`
	ClientID    string `json:"client_id,omitempty"` // the app the token belongs to
}

// MarshalCredentials encodes credentials for an account.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // plain strings always encode
	return b
}

// Defaults.
const (
	// DefaultAppName is the client_name Herald registers on instances.
	DefaultAppName = "Herald"
	// DefaultScopes are the OAuth scopes Herald asks for.
	DefaultScopes = "read write"
	// MaxThreadParts is how many parts a thread may have: the post and
	// herald.MaxThreadParts replies. Mastodon itself sets no limit.
	MaxThreadParts = herald.MaxThreadParts + 1
	// DefaultCallTimeout bounds one call to an instance when the caller's
	// context has no deadline.
	DefaultCallTimeout = 30 * time.Second
)

// Connector talks to Mastodon-API servers. It is safe for concurrent use.
type Connector struct {
	client      *http.Client
	log         *slog.Logger
	now         func() time.Time
	appName     string
	website     string
	scopes      string
	apps        AppStore
	forceLogin  bool
	idempotent  bool
	poll        time.Duration
	maxPolls    int
	instanceTTL time.Duration
	findWindow  time.Duration
	findPages   int
	concurrency int
	callTimeout time.Duration
	software    SoftwareStore

	mu        sync.Mutex
	instances map[string]instanceEntry // by instance base URL
	sent      map[string]time.Time     // Part.Key → when it was first sent, for Find
	// registering holds one lock per instance while Herald's app is
	// registered there, so that each instance gets one app and a hanging
	// instance blocks nobody else.
	registering map[string]chan struct{}
	privacy     map[string]privacyEntry // instance + token → the account's default visibility
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithApp sets the name and website Herald registers itself with on each
// instance (POST /api/v1/apps); people see them on the authorization page
// and under their posts.
func WithApp(name, website string) Option {
	return func(c *Connector) { c.appName, c.website = name, website }
}

// WithAppStore sets where registered apps are remembered, one per instance
// (default: an in-memory MemoryAppStore, forgotten on restart).
func WithAppStore(s AppStore) Option { return func(c *Connector) { c.apps = s } }

// WithScopes sets the OAuth scopes asked for (default "read write").
func WithScopes(s string) Option { return func(c *Connector) { c.scopes = s } }

// WithForceLogin sets whether the authorization page asks the person to log
// in again (default true), so that a second account on the same instance
// can be connected from the same browser.
func WithForceLogin(on bool) Option { return func(c *Connector) { c.forceLogin = on } }

// WithIdempotency(false) makes Idempotent false for every instance, whatever
// its software (default true: Idempotent is true only for instances whose
// software is known to honour Idempotency-Key; see Deduplicates). The key
// is sent either way: a server that ignores it loses nothing.
func WithIdempotency(on bool) Option { return func(c *Connector) { c.idempotent = on } }

// WithSoftwareStore sets where the software each instance runs is recorded
// (default: the AppStore when it is a SoftwareStore, else memory).
func WithSoftwareStore(s SoftwareStore) Option { return func(c *Connector) { c.software = s } }

// WithCallTimeout sets how long one call to an instance may take when the
// caller's context sets no deadline (default 30s), so that a server that
// accepts the connection and never answers cannot hold Herald forever.
func WithCallTimeout(d time.Duration) Option { return func(c *Connector) { c.callTimeout = d } }

// WithPollInterval sets how often an upload still processing is checked
// (default 500ms) and how many checks are made before giving up (default 120).
func WithPollInterval(d time.Duration, maxPolls int) Option {
	return func(c *Connector) { c.poll, c.maxPolls = d, maxPolls }
}

// WithInstanceTTL sets how long an instance's limits are cached (default 1h).
func WithInstanceTTL(d time.Duration) Option { return func(c *Connector) { c.instanceTTL = d } }

// WithFindWindow sets how far back Find looks for a post whose first send
// this process did not see (after a restart); default 6h.
func WithFindWindow(d time.Duration) Option { return func(c *Connector) { c.findWindow = d } }

// WithConcurrency sets how many status reads Metrics makes at once (default 4).
func WithConcurrency(n int) Option { return func(c *Connector) { c.concurrency = n } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// WithClock sets the clock (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{
		client: client, log: slog.New(slog.DiscardHandler), now: time.Now,
		appName: DefaultAppName, scopes: DefaultScopes, forceLogin: true, idempotent: true,
		poll: 500 * time.Millisecond, maxPolls: 120, instanceTTL: time.Hour,
		findWindow: 6 * time.Hour, findPages: 5, concurrency: 4, callTimeout: DefaultCallTimeout,
		instances: map[string]instanceEntry{}, sent: map[string]time.Time{},
		registering: map[string]chan struct{}{}, privacy: map[string]privacyEntry{},
	}
	for _, o := range opts {
		o(c)
	}
	if c.apps == nil {
		c.apps = NewMemoryAppStore()
	}
	if c.software == nil {
		if ss, ok := c.apps.(SoftwareStore); ok {
			c.software = ss
		} else {
			c.software = &MemorySoftwareStore{}
		}
	}
	if c.callTimeout <= 0 {
		c.callTimeout = DefaultCallTimeout
	}
	if c.concurrency < 1 {
		c.concurrency = 1
	}
	if c.maxPolls < 1 {
		c.maxPolls = 1
	}
	return c
}

var (
	_ connector.IdempotentPublisher = (*Connector)(nil)
	_ connector.Reconciler          = (*Connector)(nil)
	_ connector.Deleter             = (*Connector)(nil)
	_ connector.Editor              = (*Connector)(nil)
	_ connector.Limiter             = (*Connector)(nil)
	_ connector.Validator           = (*Connector)(nil)
	_ connector.Authorizer          = (*Connector)(nil)
	_ connector.MetricsReader       = (*Connector)(nil)
	_ connector.InboxReader         = (*Connector)(nil)
	_ connector.Replier             = (*Connector)(nil)
	_ connector.Liker               = (*Connector)(nil)
)

// AccountCredentials reads a connected account's credentials (its
// instance normalised), with an error that says to reconnect when they
// cannot be used.
func AccountCredentials(acct connector.Account) (Credentials, error) { return creds(acct) }

// creds opens an account's credentials.
func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.Instance == "" {
		cr.Instance = acct.InstanceURL
	}
	inst, err := NormalizeInstance(cr.Instance)
	if err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: fmt.Sprintf("the account's instance address %q is not usable; reconnect the account", cr.Instance), Err: err}
	}
	cr.Instance = inst
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no access token; reconnect the account"}
	}
	return cr, nil
}

// NormalizeInstance turns what a person typed ("mastodon.social",
// "https://Mastodon.Social/", "@me@mastodon.social") into the instance's
// base URL ("https://mastodon.social"). http is kept only when typed
// explicitly. Anything else is a herald.Error naming the field "instance".
func NormalizeInstance(s string) (string, error) {
	in := strings.TrimSpace(s)
	bad := func(why string) error {
		return &herald.Error{Code: herald.CodeInvalid, Message: "the Mastodon instance address is not valid",
			Details: []herald.FieldProblem{{Field: "instance", Problem: fmt.Sprintf("%q %s; type the server's name, like mastodon.social", s, why)}}}
	}
	if in == "" {
		return "", bad("is empty")
	}
	// A full handle names its server after the second @.
	if strings.HasPrefix(in, "@") {
		if i := strings.LastIndex(in, "@"); i > 0 {
			in = in[i+1:]
		}
	}
	if !strings.Contains(in, "://") {
		in = "https://" + in
	}
	u, err := url.Parse(in)
	if err != nil {
		return "", bad("is not an address")
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", bad("must be an https address")
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "" {
		return "", bad("must be just the server's name, with no path, user or query")
	}
	host := u.Hostname()
	if strings.ContainsAny(host, " _") || !strings.Contains(host, ".") && host != "localhost" && net.ParseIP(host) == nil {
		return "", bad("is not a server name")
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// request is one API call.
type request struct {
	method string
	path   string // with its query
	token  string // "" for unauthenticated calls
	json   any    // a JSON body, or
	body   io.Reader
	ctype  string
	header http.Header
	// creates says the call creates something on the platform (a status):
	// failures after sending are Ambiguous, and so are gateway errors.
	creates bool
	// timeout replaces the connector's call timeout (uploads take longer)
	// when the caller's context has no deadline.
	timeout time.Duration
}

// call sends one API request to instance and classifies the answer. A 2xx
// body is decoded into out (if not nil); one that does not decode is
// Ambiguous for a creating call and Transient otherwise.
func (c *Connector) call(ctx context.Context, instance string, r request, out any) (*connector.Response, error) {
	body := r.body
	ctype := r.ctype
	if r.json != nil {
		b, err := json.Marshal(r.json)
		if err != nil {
			return nil, fmt.Errorf("mastodon: encode %s %s: %w", r.method, r.path, err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		d := c.callTimeout
		if r.timeout > 0 {
			d = r.timeout
		}
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, r.method, instance+r.path, body)
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	if r.creates {
		// Go's transport silently sends a request again when a kept-alive
		// connection fails, for any request carrying Idempotency-Key whose
		// body it can replay. Creating a status must be repeated only by
		// the dispatcher's decision (Idempotent, Find), never blindly.
		req.GetBody = nil
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return res, fmt.Errorf("mastodon: %s %s: %w", r.method, pathOnly(r.path), err)
	}
	if e := connector.Classify(res.Status, res.Header, res.Body, c.now()); e != nil {
		if r.creates && (res.Status == http.StatusInternalServerError || res.Status == http.StatusBadGateway || res.Status == http.StatusGatewayTimeout) {
			// A proxy's 502/504 or a crash after the insert: the status may
			// exist. Look before sending again.
			e.Class = connector.Ambiguous
		}
		return res, fmt.Errorf("mastodon: %s %s: %w", r.method, pathOnly(r.path), e)
	}
	if out != nil {
		if err := json.Unmarshal(res.Body, out); err != nil {
			class := connector.Transient
			msg := fmt.Sprintf("the instance answered HTTP %d with a body that is not the expected JSON", res.Status)
			if r.creates {
				class = connector.Ambiguous
				msg += "; the post may have been published"
			}
			return res, fmt.Errorf("mastodon: %s %s: %w", r.method, pathOnly(r.path),
				&connector.Error{Class: class, Status: res.Status, Message: msg, Err: err})
		}
	}
	return res, nil
}

func pathOnly(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// statusOf returns the HTTP status of a classified error, 0 if none.
func statusOf(err error) int {
	var e *connector.Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}
