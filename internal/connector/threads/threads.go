// Package threads is Herald's connector for Threads through Meta's Threads
// API (graph.threads.net, version v1.0): the Authorization Window with a
// long-lived token renewed before it lapses, two-step publishing (a media
// container, then threads_publish) with the container kept as the part's
// checkpoint, carousels, threads as replies to the part before, the
// publishing quota, lookup-based reconciliation, delete, insights, replies
// and posts that tag the account as the inbox, and answers to them. Threads fetches media from public
// addresses: WithMediaURL gives them.
//
// Credentials are JSON:
//
//	{"user_id":"1234567","username":"herald","access_token":"THAA…","expires_at":"2026-…"}
package threads

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/herald"
)

// Version is the Threads API version Herald speaks.
const Version = "v1.0"

// Where Threads lives.
const (
	DefaultBaseURL   = "https://graph.threads.net"
	DefaultDialogURL = "https://threads.com"
)

// Permissions are what Herald asks for in the Authorization Window.
var Permissions = []string{"threads_basic", "threads_content_publish", "threads_manage_replies",
	"threads_read_replies", "threads_manage_insights", "threads_delete", "threads_manage_mentions"}

// Credentials are what the connector keeps for an account: the
// long-lived user token (60 days, renewed by Refresh).
type Credentials struct {
	UserID      string     `json:"user_id"`
	Username    string     `json:"username,omitempty"`
	AccessToken string     `json:"access_token"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and a time always encode
	return b
}

// MediaURLFunc returns a public address Threads can fetch a file from.
type MediaURLFunc func(ctx context.Context, m connector.Media) (string, error)

// Connector talks to Threads. It is safe for concurrent use.
type Connector struct {
	client     *http.Client
	baseURL    string
	dialogURL  string
	appID      string
	appSecret  string
	mediaURL   MediaURLFunc
	now        func() time.Time
	poll       time.Duration
	maxWait    time.Duration
	findWindow time.Duration
	log        *slog.Logger
	noMentions metagraph.Refusals // user ids whose token lacks threads_manage_mentions (logged once)
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithApp sets Herald's Threads app: the Threads app id and secret (not
// the Meta app's own id and secret).
func WithApp(id, secret string) Option {
	return func(c *Connector) { c.appID, c.appSecret = id, secret }
}

// WithBaseURL sets the API host and the Authorization Window's host.
func WithBaseURL(api, dialog string) Option {
	return func(c *Connector) {
		c.baseURL, c.dialogURL = strings.TrimRight(api, "/"), strings.TrimRight(dialog, "/")
	}
}

// WithMediaURL sets how files get the public addresses Threads fetches
// them from (Herald's signed, expiring links on its base URL). Without it
// only text can be published.
func WithMediaURL(f MediaURLFunc) Option { return func(c *Connector) { c.mediaURL = f } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{client: client, baseURL: DefaultBaseURL, dialogURL: DefaultDialogURL, now: time.Now,
		poll: 2 * time.Second, maxWait: 5 * time.Minute, findWindow: 24 * time.Hour, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	_ connector.Publisher       = (*Connector)(nil)
	_ connector.Reconciler      = (*Connector)(nil)
	_ connector.Authorizer      = (*Connector)(nil)
	_ connector.Refresher       = (*Connector)(nil)
	_ connector.Deleter         = (*Connector)(nil)
	_ connector.Limiter         = (*Connector)(nil)
	_ connector.Validator       = (*Connector)(nil)
	_ connector.OptionDescriber = (*Connector)(nil)
	_ connector.MetricsReader   = (*Connector)(nil)
	_ connector.InboxReader     = (*Connector)(nil)
	_ connector.Replier         = (*Connector)(nil)
)

func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored Threads credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no access token; reconnect the account"}
	}
	if cr.UserID == "" {
		cr.UserID = acct.RemoteID
	}
	return cr, nil
}

func invalid(msg string) error { return &connector.Error{Class: connector.Invalid, Message: msg} }

// request is one Threads API call.
type request struct {
	method string
	path   string // after the version ("/me"), or from the root when raw
	raw    bool   // the path is not under the version (the token endpoints)
	query  url.Values
	form   url.Values // sent as application/x-www-form-urlencoded (POST)
	token  string
	out    any
	// create marks the call that publishes: an answer lost or garbled after
	// it was sent may have published, so it is Ambiguous, not Transient.
	create bool
}

// do sends one call with the token as access_token (in the form of a
// POST, in the query otherwise) and classifies Meta's answer.
func (c *Connector) do(ctx context.Context, rq request) (*connector.Response, error) {
	q := url.Values{}
	for k, v := range rq.query {
		q[k] = v
	}
	form := url.Values{}
	for k, v := range rq.form {
		form[k] = v
	}
	if rq.token != "" {
		if rq.method == http.MethodPost {
			form.Set("access_token", rq.token)
		} else {
			q.Set("access_token", rq.token)
		}
	}
	u := c.baseURL
	if !rq.raw {
		u += "/" + Version
	}
	u += rq.path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var req *http.Request
	var err error
	if rq.method == http.MethodPost {
		req, err = http.NewRequestWithContext(ctx, rq.method, u, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequestWithContext(ctx, rq.method, u, nil)
	}
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	req.Header.Set("Accept", "application/json")
	where := rq.method + " " + rq.path
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return res, fmt.Errorf("threads: %s: %w", where, err)
	}
	if e := metagraph.Classify(res, c.now()); e != nil {
		if rq.create && e.Class == connector.Transient && e.Status != 0 {
			a := *e
			a.Class = connector.Ambiguous
			a.Message += "; it may have been published"
			e = &a
		}
		return res, fmt.Errorf("threads: %s: %w", where, e)
	}
	if rq.out != nil {
		if err := json.Unmarshal(res.Body, rq.out); err != nil {
			e := &connector.Error{Class: connector.Transient, Status: res.Status,
				Message: fmt.Sprintf("Threads answered HTTP %d with a body that is not the expected JSON", res.Status), Err: err}
			if rq.create {
				e.Class = connector.Ambiguous
				e.Message += "; it may have been published"
			}
			return res, fmt.Errorf("threads: %s: %w", where, e)
		}
	}
	return res, nil
}

// configured says whether the app's id and secret are set.
func (c *Connector) configured() error {
	if c.appID == "" || c.appSecret == "" {
		return herald.Errorf(herald.CodeInvalid, "Threads is not set up in Herald: its Threads app id and secret are missing (set them in the configuration)")
	}
	return nil
}
