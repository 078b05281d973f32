// Package x is Herald's connector for X (formerly Twitter), a thin
// hand-written client of the X API v2: OAuth 2.0 with PKCE to connect,
// POST /2/tweets to publish (threads as replies), the v2 chunked media
// upload with alt text, lookup-based reconciliation (X has no idempotency
// key), delete, metrics, mentions, replies, likes and direct messages. Text is measured by
// package xtext, the twitter-text rules in Go.
//
// Credentials are JSON:
//
//	{"access_token":"…","refresh_token":"…","expires_at":"2030-01-01T00:00:00Z",
//	 "user_id":"2244994945","username":"herald","scope":"tweet.read tweet.write …"}
//
// refresh_token is there when offline.access was granted (always, for
// accounts Herald connects); X rotates it on every refresh.
package x

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
	"github.com/heraldsocial/herald/internal/herald"
)

// Where X lives.
const (
	DefaultBaseURL      = "https://api.x.com"
	DefaultAuthorizeURL = "https://x.com/i/oauth2/authorize"
)

// Scopes are the OAuth 2.0 scopes Herald asks for.
const Scopes = "tweet.read tweet.write users.read offline.access like.write media.write dm.read dm.write tweet.moderate.write"

// optionalScopes are scopes of Scopes an account may connect without:
// without them its direct messages are refused (DMRefusedReason) and
// everything else works.
var optionalScopes = map[string]bool{"dm.read": true, "dm.write": true, "tweet.moderate.write": true}

// Credentials are what the connector keeps for an account.
type Credentials struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	UserID       string     `json:"user_id,omitempty"`
	Username     string     `json:"username,omitempty"`
	Scope        string     `json:"scope,omitempty"`
}

// MarshalCredentials encodes credentials (for the connect flow, seed data
// and tests).
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and a time always encode
	return b
}

// Connector talks to X. It is safe for concurrent use.
type Connector struct {
	client       *http.Client
	clientID     string
	clientSecret string
	baseURL      string
	authorizeURL string
	now          func() time.Time
	poll         time.Duration
	maxPoll      time.Duration
	chunkSize    int64
	findWindow   time.Duration
	findPages    int
	log          *slog.Logger
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithClient sets Herald's X app: its OAuth 2.0 client id and, for a
// confidential client, its secret ("" for a public client).
func WithClient(id, secret string) Option {
	return func(c *Connector) { c.clientID, c.clientSecret = id, secret }
}

// WithBaseURL sets the API's address (default https://api.x.com); tests
// point it at the fake.
func WithBaseURL(u string) Option {
	return func(c *Connector) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithAuthorizeURL sets the consent page's address (default
// https://x.com/i/oauth2/authorize).
func WithAuthorizeURL(u string) Option { return func(c *Connector) { c.authorizeURL = u } }

// WithClock sets the clock used for token expiry and lookup windows.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithPollInterval sets the shortest wait between media status checks
// (default 1s; X's check_after_secs is used when longer) and the longest
// (default 30s).
func WithPollInterval(least, most time.Duration) Option {
	return func(c *Connector) { c.poll, c.maxPoll = least, most }
}

// WithChunkSize sets the size of media upload segments (default 4 MiB;
// X takes at most 5 MB per segment and 1,000 segments).
func WithChunkSize(n int64) Option { return func(c *Connector) { c.chunkSize = n } }

// WithFindWindow sets how far back Find looks for a post it may have
// published (default 24 hours).
func WithFindWindow(d time.Duration) Option { return func(c *Connector) { c.findWindow = d } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{client: client, baseURL: DefaultBaseURL, authorizeURL: DefaultAuthorizeURL,
		now: time.Now, poll: time.Second, maxPoll: 30 * time.Second, chunkSize: 4 << 20,
		findWindow: 24 * time.Hour, findPages: 3, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	if c.chunkSize <= 0 {
		c.chunkSize = 4 << 20
	}
	if c.maxPoll < c.poll {
		c.maxPoll = c.poll
	}
	return c
}

var (
	_ connector.IdempotentPublisher = (*Connector)(nil)
	_ connector.Reconciler          = (*Connector)(nil)
	_ connector.Refresher           = (*Connector)(nil)
	_ connector.Deleter             = (*Connector)(nil)
	_ connector.Limiter             = (*Connector)(nil)
	_ connector.Validator           = (*Connector)(nil)
	_ connector.Authorizer          = (*Connector)(nil)
	_ connector.MetricsReader       = (*Connector)(nil)
	_ connector.InboxReader         = (*Connector)(nil)
	_ connector.Replier             = (*Connector)(nil)
	_ connector.Liker               = (*Connector)(nil)
)

// Idempotent is false: X has no idempotency key, so an ambiguous publish
// is reconciled with Find, never repeated blindly.
func (c *Connector) Idempotent(context.Context, connector.Account) bool { return false }

// creds opens an account's credentials.
func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored X credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no X access token; reconnect the account"}
	}
	if cr.UserID == "" {
		cr.UserID = acct.RemoteID
	}
	return cr, nil
}

// request is one API call.
type request struct {
	method string
	path   string
	query  url.Values
	json   any       // encoded as the JSON body, if not nil
	body   io.Reader // a raw body with contentType, if json is nil
	ctype  string
	out    any // the 2xx body is decoded into it, if not nil
	// create marks the call that publishes: a server error after it was
	// sent may have published, so it is Ambiguous, not Transient.
	create bool
}

// call sends one API request with the account's token and classifies the
// answer.
func (c *Connector) call(ctx context.Context, cr Credentials, rq request) (*connector.Response, error) {
	body := rq.body
	ctype := rq.ctype
	if rq.json != nil {
		b, err := json.Marshal(rq.json)
		if err != nil {
			return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be encoded", Err: err}
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	u := c.baseURL + rq.path
	if len(rq.query) > 0 {
		u += "?" + rq.query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, u, body)
	if err != nil {
		return nil, &connector.Error{Class: connector.Invalid, Message: "the request cannot be built: " + err.Error(), Err: err}
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+cr.AccessToken)
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return res, fmt.Errorf("x: %s %s: %w", rq.method, rq.path, c.sharpen(err, rq))
	}
	if e := classify(res, cr.RefreshToken != "", c.now()); e != nil {
		return res, fmt.Errorf("x: %s %s: %w", rq.method, rq.path, c.sharpen(e, rq))
	}
	if rq.out != nil {
		if err := json.Unmarshal(res.Body, rq.out); err != nil {
			class := connector.Transient
			msg := fmt.Sprintf("X answered HTTP %d with a body that is not the expected JSON", res.Status)
			if rq.create {
				class = connector.Ambiguous
				msg += "; the post may have been published"
			}
			return res, fmt.Errorf("x: %s %s: %w", rq.method, rq.path,
				&connector.Error{Class: class, Status: res.Status, Message: msg, Err: err})
		}
	}
	return res, nil
}

// sharpen makes a transient failure of the publishing call ambiguous once
// the request reached a server: X is known to answer 5xx for posts it did
// create, and an HTML page from a proxy says nothing about what X did.
// Retrying blindly could post twice (and X would then refuse the retry as
// duplicate content, failing a post that exists); Find settles it.
func (c *Connector) sharpen(err error, rq request) error {
	var e *connector.Error
	if !rq.create || !errors.As(err, &e) || e.Class != connector.Transient {
		return err
	}
	if e.Status != 0 {
		a := *e
		a.Class = connector.Ambiguous
		a.Message += "; the post may have been published"
		return &a
	}
	return err
}

// problem is an X error body: an RFC 7807 problem ("type", "title",
// "detail"), the specification's {"code","message"}, or an answer with
// "errors".
type problem struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	Detail  string `json:"detail"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
	Field   string `json:"field"`
	Errors  []struct {
		Type    string `json:"type"`
		Title   string `json:"title"`
		Detail  string `json:"detail"`
		Message string `json:"message"`
	} `json:"errors"`
}

func parseProblem(body []byte) problem {
	var p problem
	_ = json.Unmarshal(body, &p) // a body of another shape leaves it empty
	if p.Detail == "" && p.Title == "" && p.Message == "" && len(p.Errors) > 0 {
		p.Type, p.Title, p.Detail, p.Message = p.Errors[0].Type, p.Errors[0].Title, p.Errors[0].Detail, p.Errors[0].Message
	}
	return p
}

// text is the problem's words for people.
func (p problem) text() string {
	for _, s := range []string{p.Detail, p.Message, p.Title} {
		if s != "" {
			return s
		}
	}
	return ""
}

// classify maps an X answer to an error class (nil below 400). It starts
// from connector.Classify and applies what X documents:
//
//	401                      → AuthExpired when a refresh token can renew the
//	                           access token (X's access tokens live 2 hours),
//	                           else AuthRevoked
//	403 client-forbidden,
//	    unsupported-authentication, a missing scope,
//	    a suspended or locked account → AuthRevoked
//	403 otherwise            → Invalid: X refused this action (duplicate
//	                           content, a reply to a post one cannot see,
//	                           not-authorized-for-resource, …)
//	429, 5xx, HTML pages     → as connector.Classify says
func classify(res *connector.Response, canRefresh bool, now time.Time) *connector.Error {
	e := connector.Classify(res.Status, res.Header, res.Body, now)
	if e == nil {
		return nil
	}
	p := parseProblem(res.Body)
	if t := p.text(); t != "" {
		e.Message = t
	}
	if e.Class != connector.AuthRevoked && e.Class != connector.AuthExpired && e.Class != connector.Invalid {
		return e
	}
	switch res.Status {
	case http.StatusUnauthorized:
		e.Class = connector.AuthRevoked
		if canRefresh {
			e.Class = connector.AuthExpired
		}
	case http.StatusForbidden:
		e.Class = connector.Invalid
		lower := strings.ToLower(p.Type + " " + p.Reason + " " + p.text())
		for _, s := range []string{"client-forbidden", "client-not-enrolled", "unsupported-authentication", "scope", "suspended", "locked"} {
			if strings.Contains(lower, s) {
				e.Class = connector.AuthRevoked
				break
			}
		}
	}
	return e
}

// postURL is where people see a post.
func postURL(username, id string) string {
	username = strings.TrimPrefix(username, "@")
	if username == "" {
		return "https://x.com/i/web/status/" + id
	}
	return "https://x.com/" + username + "/status/" + id
}

// username is the account's handle without "@".
func username(acct connector.Account, cr Credentials) string {
	if cr.Username != "" {
		return cr.Username
	}
	return strings.TrimPrefix(acct.Handle, "@")
}

// invalid returns a connector error for bad input Herald caught itself.
func invalid(format string, args ...any) error {
	return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf(format, args...)}
}

// me reads the token's user.
func (c *Connector) me(ctx context.Context, cr Credentials) (xUser, error) {
	var out struct {
		Data *xUser `json:"data"`
	}
	q := url.Values{"user.fields": {"name,username,profile_image_url"}}
	if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/users/me", query: q, out: &out}); err != nil {
		return xUser{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		return xUser{}, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "X did not say who the token belongs to"}
	}
	return *out.Data, nil
}

// userID is the account's X user id, asking X when it is not stored.
func (c *Connector) userID(ctx context.Context, cr Credentials) (string, error) {
	if cr.UserID != "" {
		return cr.UserID, nil
	}
	u, err := c.me(ctx, cr)
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

type xUser struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Username        string `json:"username"`
	ProfileImageURL string `json:"profile_image_url"`
}

// refOf turns a published post into a RemoteRef.
func refOf(acct connector.Account, cr Credentials, id string) herald.RemoteRef {
	return herald.RemoteRef{ID: id, URL: postURL(username(acct, cr), id)}
}
