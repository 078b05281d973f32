// Package pinterest is Herald's connector for Pinterest, a thin
// hand-written client of the Pinterest API v5: OAuth 2.0 authorization
// code flow with continuous refresh, pins with an image, a carousel or a
// video on a board the person picks (the part option board_id), delete,
// metrics from the pin's lifetime counts and its analytics, and
// reconciliation through a marker in the pin's private note.
//
// Credentials are JSON:
//
//	{"access_token":"pina_…","refresh_token":"pinr_…","expires_at":"2030-01-01T00:00:00Z",
//	 "refresh_expires_at":"2031-01-01T00:00:00Z","scope":"boards:read,pins:read,…","username":"herald"}
package pinterest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// Where Pinterest lives.
const (
	DefaultBaseURL      = "https://api.pinterest.com"
	DefaultAuthorizeURL = "https://www.pinterest.com/oauth/"
)

// Scopes are the OAuth scopes Herald asks for (comma-separated, as
// Pinterest takes them).
const Scopes = "boards:read,pins:read,pins:write,user_accounts:read"

// Credentials are what the connector keeps for an account.
type Credentials struct {
	AccessToken      string     `json:"access_token"`
	RefreshToken     string     `json:"refresh_token,omitempty"`
	ExpiresAt        *time.Time `json:"expires_at,omitempty"`
	RefreshExpiresAt *time.Time `json:"refresh_expires_at,omitempty"`
	Scope            string     `json:"scope,omitempty"`
	Username         string     `json:"username,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and times always encode
	return b
}

// Connector talks to Pinterest. It is safe for concurrent use.
type Connector struct {
	client       *http.Client
	clientID     string
	clientSecret string
	baseURL      string
	authorizeURL string
	now          func() time.Time
	poll         time.Duration
	maxPolls     int
	findPages    int
	log          *slog.Logger
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithClient sets Herald's Pinterest app: its app id and secret.
func WithClient(id, secret string) Option {
	return func(c *Connector) { c.clientID, c.clientSecret = id, secret }
}

// WithBaseURL sets the API's address (default https://api.pinterest.com).
func WithBaseURL(u string) Option {
	return func(c *Connector) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithAuthorizeURL sets the consent page (default https://www.pinterest.com/oauth/).
func WithAuthorizeURL(u string) Option { return func(c *Connector) { c.authorizeURL = u } }

// WithClock sets the clock used for token expiry and analytics dates.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithPollInterval sets the wait between checks of an uploaded video's
// processing (default 2s) and how many checks to make (default 150).
func WithPollInterval(d time.Duration, polls int) Option {
	return func(c *Connector) { c.poll, c.maxPolls = d, polls }
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{client: client, baseURL: DefaultBaseURL, authorizeURL: DefaultAuthorizeURL, now: time.Now,
		poll: 2 * time.Second, maxPolls: 150, findPages: 2, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	if c.maxPolls <= 0 {
		c.maxPolls = 1
	}
	return c
}

var (
	_ connector.IdempotentPublisher = (*Connector)(nil)
	_ connector.Reconciler          = (*Connector)(nil)
	_ connector.Authorizer          = (*Connector)(nil)
	_ connector.Refresher           = (*Connector)(nil)
	_ connector.Deleter             = (*Connector)(nil)
	_ connector.Limiter             = (*Connector)(nil)
	_ connector.Validator           = (*Connector)(nil)
	_ connector.MetricsReader       = (*Connector)(nil)
)

// Idempotent is false: creating a pin takes no idempotency key; an
// ambiguous create is settled by Find.
func (c *Connector) Idempotent(context.Context, connector.Account) bool { return false }

func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored Pinterest credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no Pinterest access token; reconnect the account"}
	}
	return cr, nil
}

// request is one API call.
type request struct {
	method string
	path   string
	query  url.Values
	json   any
	out    any
	// create marks the call that makes a pin: a server error after it was
	// sent may have made it, so it is Ambiguous, not Transient.
	create bool
}

func (c *Connector) call(ctx context.Context, cr Credentials, rq request) (*connector.Response, error) {
	var body io.Reader
	if rq.json != nil {
		b, err := json.Marshal(rq.json)
		if err != nil {
			return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be encoded", Err: err}
		}
		body = bytes.NewReader(b)
	}
	u := c.baseURL + rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built", Err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return res, fmt.Errorf("pinterest: %s %s: %w", rq.method, rq.path, sharpen(err, rq.create))
	}
	if e := c.classify(res, cr.RefreshToken != ""); e != nil {
		return res, fmt.Errorf("pinterest: %s %s: %w", rq.method, rq.path, sharpen(e, rq.create))
	}
	if rq.out != nil {
		if err := json.Unmarshal(res.Body, rq.out); err != nil {
			class, msg := connector.Transient, fmt.Sprintf("Pinterest answered HTTP %d with a body that is not the expected JSON", res.Status)
			if rq.create {
				class, msg = connector.Ambiguous, msg+"; the pin may have been made"
			}
			return res, fmt.Errorf("pinterest: %s %s: %w", rq.method, rq.path, &connector.Error{Class: class, Status: res.Status, Message: msg, Err: err})
		}
	}
	return res, nil
}

func sharpen(err error, create bool) error {
	var e *connector.Error
	if !create || !errors.As(err, &e) || e.Class != connector.Transient || e.Status == 0 {
		return err
	}
	a := *e
	a.Class = connector.Ambiguous
	a.Message += "; the pin may have been made"
	return &a
}

// classify maps an answer to a class (nil below 400). Pinterest's error
// body is {"code":…,"message":…}:
//
//	429            → RateLimited (X-RateLimit-Reset, Retry-After)
//	401            → AuthExpired when a refresh token can renew the access
//	                 token (they live 30 days), else AuthRevoked
//	403            → AuthRevoked: a scope is missing or the app lost access
//	400, 404, 409… → Invalid with Pinterest's message (409 is a conflict
//	                 about the content, not a transient state, on Pinterest)
//	5xx            → Transient
func (c *Connector) classify(res *connector.Response, canRefresh bool) *connector.Error {
	e := connector.Classify(res.Status, res.Header, res.Body, c.now())
	if e == nil {
		return nil
	}
	var body struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(res.Body, &body) != nil {
		return e
	}
	if body.Message != "" {
		e.Message = body.Message
	}
	switch res.Status {
	case http.StatusUnauthorized:
		e.Class = connector.AuthRevoked
		if canRefresh {
			e.Class = connector.AuthExpired
		}
	case http.StatusForbidden:
		e.Class = connector.AuthRevoked
	case http.StatusConflict:
		e.Class = connector.Invalid
	}
	return e
}

func invalid(format string, args ...any) error {
	return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf(format, args...)}
}
