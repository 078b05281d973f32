// Package youtube is Herald's connector for YouTube, through the YouTube
// Data API v3 and Google's client library for it: Google's OAuth 2.0
// authorization-code flow with PKCE and offline access, video uploads with
// the resumable upload protocol (written here, so that every upload keeps a
// checkpoint and a later attempt resumes where the last one stopped),
// thumbnails, a first comment, delete, statistics, the channel's comments
// as an inbox, and replies to them.
//
// Credentials are JSON:
//
//	{"access_token":"ya29.…","refresh_token":"1//…","expires_at":"2030-01-01T00:00:00Z",
//	 "scope":"https://www.googleapis.com/auth/youtube.upload …","channel_id":"UC…","region":"US"}
package youtube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/option"
	yt "google.golang.org/api/youtube/v3"

	"github.com/heraldsocial/herald/internal/connector"
)

// Where Google and YouTube live.
const (
	DefaultBaseURL      = "https://youtube.googleapis.com"
	DefaultAuthorizeURL = "https://accounts.google.com/o/oauth2/v2/auth"
	DefaultTokenURL     = "https://oauth2.googleapis.com/token"
)

// The OAuth scopes Herald asks for: uploading videos, managing comments
// (and deleting videos), reading the channel.
const (
	ScopeUpload   = "https://www.googleapis.com/auth/youtube.upload"
	ScopeForceSSL = "https://www.googleapis.com/auth/youtube.force-ssl"
	ScopeReadonly = "https://www.googleapis.com/auth/youtube.readonly"
)

// Scopes are Herald's scopes, in the order they are asked for.
var Scopes = []string{ScopeUpload, ScopeForceSSL, ScopeReadonly}

// ChunkUnit is what the resumable upload protocol wants every chunk but the
// last to be a multiple of (256 KiB).
const ChunkUnit = 256 << 10

// DefaultChunkSize is how much of a video one request carries.
const DefaultChunkSize = 32 * ChunkUnit // 8 MiB

// Credentials are what the connector keeps for an account.
type Credentials struct {
	AccessToken  string     `json:"access_token"`
	RefreshToken string     `json:"refresh_token,omitempty"`
	ExpiresAt    *time.Time `json:"expires_at,omitempty"`
	Scope        string     `json:"scope,omitempty"`
	ChannelID    string     `json:"channel_id,omitempty"`
	// Region is the channel's country (ISO 3166-1), for its video
	// categories; "" when the channel has not set one.
	Region string `json:"region,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and times always encode
	return b
}

// Connector talks to YouTube. It is safe for concurrent use.
type Connector struct {
	client       *http.Client
	clientID     string
	clientSecret string
	baseURL      string
	authorizeURL string
	tokenURL     string
	chunk        int64
	now          func() time.Time
	log          *slog.Logger

	mu         sync.Mutex
	categories map[string]categoryList
}

type categoryList struct {
	at      time.Time
	choices []connector.Choice
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithClient sets Herald's Google OAuth client: its id and secret.
func WithClient(id, secret string) Option {
	return func(c *Connector) { c.clientID, c.clientSecret = id, secret }
}

// WithBaseURL sets the API's address, which also takes uploads (default
// https://youtube.googleapis.com).
func WithBaseURL(u string) Option {
	return func(c *Connector) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithAuthorizeURL sets Google's consent page.
func WithAuthorizeURL(u string) Option { return func(c *Connector) { c.authorizeURL = u } }

// WithTokenURL sets Google's token endpoint.
func WithTokenURL(u string) Option { return func(c *Connector) { c.tokenURL = u } }

// WithChunkSize sets how many bytes of a video one upload request carries,
// rounded up to a multiple of 256 KiB (default 8 MiB).
func WithChunkSize(n int64) Option {
	return func(c *Connector) {
		if n <= 0 {
			n = DefaultChunkSize
		}
		c.chunk = (n + ChunkUnit - 1) / ChunkUnit * ChunkUnit
	}
}

// WithClock sets the clock used for token expiry, schedules and quota
// resets.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{client: client, baseURL: DefaultBaseURL, authorizeURL: DefaultAuthorizeURL, tokenURL: DefaultTokenURL,
		chunk: DefaultChunkSize, now: time.Now, log: slog.New(slog.DiscardHandler), categories: map[string]categoryList{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	_ connector.Publisher       = (*Connector)(nil)
	_ connector.Reconciler      = (*Connector)(nil)
	_ connector.Refresher       = (*Connector)(nil)
	_ connector.Deleter         = (*Connector)(nil)
	_ connector.Limiter         = (*Connector)(nil)
	_ connector.Validator       = (*Connector)(nil)
	_ connector.MetricsReader   = (*Connector)(nil)
	_ connector.InboxReader     = (*Connector)(nil)
	_ connector.Replier         = (*Connector)(nil)
	_ connector.OptionDescriber = (*Connector)(nil)
	_ connector.Authorizer      = (*Connector)(nil)
	_ connector.Refresher       = (*Connector)(nil)
)

func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored YouTube credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.AccessToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no YouTube access token; reconnect the account"}
	}
	return cr, nil
}

// bearer adds the access token to every request.
type bearer struct {
	base  http.RoundTripper
	token string
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.base.RoundTrip(r)
}

// authed is the connector's HTTP client with cr's access token.
func (c *Connector) authed(cr Credentials) *http.Client {
	base := c.client.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cl := *c.client
	cl.Transport = bearer{base: base, token: cr.AccessToken}
	return &cl
}

// service is the client library's YouTube service for cr, pointed at the
// connector's address.
func (c *Connector) service(ctx context.Context, cr Credentials) (*yt.Service, error) {
	s, err := yt.NewService(ctx, option.WithHTTPClient(c.authed(cr)), option.WithEndpoint(c.baseURL+"/"))
	if err != nil {
		return nil, fmt.Errorf("youtube: set up the API client: %w", err)
	}
	return s, nil
}

func invalid(format string, args ...any) error {
	return &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf(format, args...)}
}

// wrapped reports whether err already carries a class.
func wrapped(err error) bool {
	var e *connector.Error
	return errors.As(err, &e)
}
