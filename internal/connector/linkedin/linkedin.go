// Package linkedin is Herald's connector for LinkedIn, a thin hand-written
// client of LinkedIn's versioned Community Management REST API (the Posts
// API): OAuth 2.0 (3-legged) to connect a member or an organization page
// the member administers, POST /rest/posts to publish text and images
// (the Images API's initializeUpload, multiImage for several), the first
// comment through socialActions, lookup-based reconciliation (LinkedIn has
// no idempotency key), delete, likes and comments counts, comments on the
// author's posts as the inbox, and replies to them.
//
// Credentials are JSON:
//
//	{"access_token":"AQX…","refresh_token":"AQW…","expires_at":"2030-01-01T00:00:00Z",
//	 "person":"urn:li:person:782bbtaQ","author":"urn:li:organization:2414183","scope":"openid profile …"}
//
// author is the URN Herald posts as: the member (person) or the
// organization chosen when connecting. refresh_token is there only where
// LinkedIn grants programmatic refresh tokens to the app.
package linkedin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Where LinkedIn lives, and the API version Herald speaks.
const (
	DefaultBaseURL  = "https://api.linkedin.com"
	DefaultOAuthURL = "https://www.linkedin.com/oauth/v2"
	// Version is the LinkedIn-Version header: the monthly version of the
	// versioned APIs Herald was written against (YYYYMM).
	Version = "202610"
)

// Scopes are the OAuth 2.0 scopes Herald asks for: sign-in (OpenID
// Connect), posting as the member, and posting and reading as the
// organizations the member administers.
const Scopes = "openid profile w_member_social r_organization_admin w_organization_social r_organization_social"

// Credentials are what the connector keeps for an account.
type Credentials struct {
	AccessToken      string     `json:"access_token"`
	RefreshToken     string     `json:"refresh_token,omitempty"`
	ExpiresAt        *time.Time `json:"expires_at,omitempty"`
	RefreshExpiresAt *time.Time `json:"refresh_expires_at,omitempty"`
	Person           string     `json:"person"`
	Author           string     `json:"author"`
	Scope            string     `json:"scope,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and times always encode
	return b
}

// Connector talks to LinkedIn. It is safe for concurrent use.
type Connector struct {
	client       *http.Client
	clientID     string
	clientSecret string
	baseURL      string
	oauthURL     string
	version      string
	now          func() time.Time
	findWindow   time.Duration
	findCount    int
	videoPoll    time.Duration
	log          *slog.Logger
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithApp sets Herald's LinkedIn app: its client id and secret.
func WithApp(id, secret string) Option {
	return func(c *Connector) { c.clientID, c.clientSecret = id, secret }
}

// WithBaseURL sets the API host (default https://api.linkedin.com) and the
// OAuth base (default https://www.linkedin.com/oauth/v2); tests point both
// at the fake.
func WithBaseURL(api, oauth string) Option {
	return func(c *Connector) { c.baseURL, c.oauthURL = strings.TrimRight(api, "/"), strings.TrimRight(oauth, "/") }
}

// WithVersion sets the LinkedIn-Version header (default Version).
func WithVersion(v string) Option { return func(c *Connector) { c.version = v } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithFindWindow sets how far back Find looks (default 24 hours).
func WithFindWindow(d time.Duration) Option { return func(c *Connector) { c.findWindow = d } }

// WithVideoPoll sets the wait between reads of an uploaded video's
// processing status (default 2 seconds).
func WithVideoPoll(d time.Duration) Option { return func(c *Connector) { c.videoPoll = d } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{client: client, baseURL: DefaultBaseURL, oauthURL: DefaultOAuthURL, version: Version,
		now: time.Now, findWindow: 24 * time.Hour, findCount: 20, videoPoll: 2 * time.Second, log: slog.New(slog.DiscardHandler)}
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
	_ connector.MetricsReader   = (*Connector)(nil)
	_ connector.InboxReader     = (*Connector)(nil)
	_ connector.Replier         = (*Connector)(nil)
	_ connector.OptionDescriber = (*Connector)(nil)
)

func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored LinkedIn credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no LinkedIn access token; reconnect the account"}
	}
	if cr.Author == "" {
		cr.Author = cr.Person
	}
	if cr.Author == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account names no LinkedIn author; reconnect the account"}
	}
	return cr, nil
}

func invalid(msg string) error { return &connector.Error{Class: connector.Invalid, Message: msg} }

// isOrg says whether an author URN is an organization.
func isOrg(urn string) bool { return strings.HasPrefix(urn, "urn:li:organization:") }

// esc encodes a URN for a path segment or query value, as Rest.li 2.0
// requires (urn%3Ali%3Ashare%3A123).
func esc(urn string) string { return url.QueryEscape(urn) }

// request is one call to the REST API.
type request struct {
	method string
	path   string // under baseURL, already escaped
	query  url.Values
	raw    string // more query, already encoded (Rest.li List(…) values)
	body   any
	token  string
	out    any
	restli string // X-RestLi-Method, "" for none
}

// apiError is LinkedIn's error body.
type apiError struct {
	Status           int    `json:"status"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Code             string `json:"code"`
	Message          string `json:"message"`
}

// do sends r with LinkedIn's version headers and classifies the answer.
func (c *Connector) do(ctx context.Context, r request) (*connector.Response, error) {
	u := c.baseURL + r.path
	q := r.query.Encode()
	if r.raw != "" {
		if q != "" {
			q += "&"
		}
		q += r.raw
	}
	if q != "" {
		u += "?" + q
	}
	var body *bytes.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("linkedin: encode the request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, r.method, u, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, r.method, u, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("linkedin: make the request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("LinkedIn-Version", c.version)
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.restli != "" {
		req.Header.Set("X-RestLi-Method", r.restli)
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return res, err
	}
	if e := c.classify(res); e != nil {
		return res, e
	}
	if r.out != nil && len(bytes.TrimSpace(res.Body)) > 0 {
		if err := json.Unmarshal(res.Body, r.out); err != nil {
			class := connector.Transient
			if r.method == http.MethodPost {
				class = connector.Ambiguous
			}
			return res, &connector.Error{Class: class, Status: res.Status, Message: "LinkedIn's answer is not the JSON it documents", Err: err}
		}
	}
	return res, nil
}

// classify is connector.Classify with LinkedIn's rules: a 401 is an
// expired token unless LinkedIn says the member revoked it, and a 429
// without Retry-After waits for LinkedIn's daily limits to reset at
// midnight UTC.
func (c *Connector) classify(res *connector.Response) *connector.Error {
	now := c.now()
	e := connector.Classify(res.Status, res.Header, res.Body, now)
	if e == nil {
		return nil
	}
	var ae apiError
	_ = json.Unmarshal(res.Body, &ae) // a body of another shape leaves it empty
	switch {
	case res.Status == http.StatusUnauthorized && e.Class != connector.Transient:
		e.Class = connector.AuthExpired
		if ae.Code == "REVOKED_ACCESS_TOKEN" || ae.ServiceErrorCode == 65601 {
			e.Class = connector.AuthRevoked
		}
	case e.Class == connector.RateLimited && e.RetryAfter <= 0:
		mid := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		e.RetryAfter = mid.Sub(now)
	}
	if ae.Code != "" && e.Err == nil {
		e.Err = fmt.Errorf("linkedin %s (service error %d)", ae.Code, ae.ServiceErrorCode)
	}
	return e
}

// errCode returns LinkedIn's error code in a failed answer, "" for none.
func errCode(res *connector.Response) string {
	if res == nil {
		return ""
	}
	var ae apiError
	_ = json.Unmarshal(res.Body, &ae)
	return ae.Code
}

// postURL is where people see a post.
func postURL(urn string) string {
	return "https://www.linkedin.com/feed/update/" + urn + "/"
}

func unconfigured() error {
	return herald.Errorf(herald.CodeInvalid, "LinkedIn is not set up in Herald: its app's client id and secret are missing (set them in the configuration)")
}
