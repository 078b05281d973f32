// Package bluesky is Herald's connector for Bluesky and any AT Protocol
// service that speaks the app.bsky lexicons: it connects accounts with a
// handle and an app password, publishes posts (text with link, mention and
// hashtag facets, images with alt text, link cards, threads), finds them
// again after an ambiguous end, deletes them, reads their counts and the
// account's mentions, replies and likes, and reads and answers direct
// messages through Bluesky's chat service (see dm.go).
//
// Publishing is retry-safe by construction: each part is written with
// com.atproto.repo.putRecord under a record key (a TID) derived from the
// part's key and the account's DID, with swapRecord null, so a repeated
// attempt either finds its own earlier record or is refused without
// creating a second post.
//
// Credentials are JSON (see Credentials):
//
//	{"did":"did:plc:…","handle":"alice.bsky.social","pds":"https://…",
//	 "access_jwt":"…","refresh_jwt":"…","access_expires_at":"2026-01-01T02:00:00Z",
//	 "app_password":"xxxx-xxxx-xxxx-xxxx"}
//
// The app password is kept (sealed by Herald, like every credential) so
// that a session whose refresh token has lapsed can be recreated without
// asking the person again; revoking the app password on Bluesky revokes
// Herald's access.
package bluesky

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// Bluesky's content limits (app.bsky.feed.post and app.bsky.embed.* lexicons,
// and the official app's alt-text limit).
const (
	// MaxGraphemes is how many grapheme clusters a post's text may have.
	MaxGraphemes = 300
	// MaxTextBytes is how many UTF-8 bytes a post's text may have.
	MaxTextBytes = 3000
	// MaxImages is how many images one post may carry.
	MaxImages = 4
	// DefaultMaxImageBytes is the per-image size Herald allows by default.
	DefaultMaxImageBytes = 1_000_000
	// MaxThumbBytes is the largest link-card thumbnail (app.bsky.embed.external).
	MaxThumbBytes = 1_000_000
	// MaxAltGraphemes is the longest alt text the Bluesky app accepts.
	MaxAltGraphemes = 2000
	// MaxLangs is how many languages a post may declare.
	MaxLangs = 3
	// MaxThreadParts is how many parts a thread may have (the post and
	// Herald's limit of replies after it).
	MaxThreadParts = herald.MaxThreadParts + 1
)

// Credentials are what the connector keeps for an account.
type Credentials struct {
	DID             string     `json:"did"`
	Handle          string     `json:"handle,omitempty"`
	PDS             string     `json:"pds"`
	AccessJWT       string     `json:"access_jwt"`
	RefreshJWT      string     `json:"refresh_jwt"`
	AccessExpiresAt *time.Time `json:"access_expires_at,omitempty"`
	AppPassword     string     `json:"app_password,omitempty"`
}

// Connector talks to Bluesky. It is safe for concurrent use.
type Connector struct {
	client        *http.Client
	log           *slog.Logger
	now           func() time.Time
	plcURL        string
	handleService string
	webURL        string
	maxImageBytes int64
	linkCards     bool
	links         *http.Client
	cardTimeout   time.Duration

	mu       sync.Mutex
	sessions map[string]session // by DID: the newest session this process has seen
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithPLCURL sets the PLC directory used to resolve did:plc identities
// (default https://plc.directory).
func WithPLCURL(u string) Option { return func(c *Connector) { c.plcURL = strings.TrimRight(u, "/") } }

// WithHandleResolver resolves handles with com.atproto.identity.resolveHandle
// on this service (a PDS or an entryway) instead of DNS and
// /.well-known/atproto-did; needed for development handles such as
// alice.test.
func WithHandleResolver(serviceURL string) Option {
	return func(c *Connector) { c.handleService = strings.TrimRight(serviceURL, "/") }
}

// WithWebURL sets the web app that post URLs point to (default https://bsky.app).
func WithWebURL(u string) Option { return func(c *Connector) { c.webURL = strings.TrimRight(u, "/") } }

// WithMaxImageBytes sets the largest image accepted (default 1,000,000 bytes).
func WithMaxImageBytes(n int64) Option { return func(c *Connector) { c.maxImageBytes = n } }

// WithLinkCards turns link cards (app.bsky.embed.external from the page's
// Open Graph tags) on or off (default on).
func WithLinkCards(on bool) Option { return func(c *Connector) { c.linkCards = on } }

// WithLinkClient sets the client that fetches linked pages and their
// images for link cards (default: an outbound client that refuses
// loopback, private and other internal addresses). Herald passes its
// outbound client, so HERALD_ALLOW_PRIVATE_NETWORKS applies here too.
func WithLinkClient(client *http.Client) Option { return func(c *Connector) { c.links = client } }

// WithLoopbackLinks lets link cards be fetched from loopback and private
// addresses (an outbound client with AllowPrivate). For tests only: in
// production a post's link must never make Herald fetch from its own
// machine or network.
func WithLoopbackLinks(allow bool) Option {
	return func(c *Connector) { c.links = outbound.NewClient(outbound.Options{AllowPrivate: allow}) }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// WithClock sets the clock for record timestamps and token expiry.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.now = now } }

// New returns a connector that uses client (nil: http.DefaultClient) for
// the platform's API: the PDS, the PLC directory and handle resolution.
// Since a person's handle names a host of their choosing and their
// identity names their PDS, Herald passes its outbound client. Link cards
// are fetched with the link client (WithLinkClient).
func New(client *http.Client, opts ...Option) *Connector {
	if client == nil {
		client = http.DefaultClient
	}
	c := &Connector{
		client:        client,
		log:           slog.Default(),
		now:           time.Now,
		plcURL:        "https://plc.directory",
		webURL:        "https://bsky.app",
		maxImageBytes: DefaultMaxImageBytes,
		linkCards:     true,
		cardTimeout:   5 * time.Second,
		sessions:      map[string]session{},
	}
	for _, o := range opts {
		o(c)
	}
	if c.links == nil {
		c.links = outbound.NewClient(outbound.Options{})
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
	_ connector.MetricsReader       = (*Connector)(nil)
	_ connector.InboxReader         = (*Connector)(nil)
	_ connector.Replier             = (*Connector)(nil)
	_ connector.Liker               = (*Connector)(nil)
	_ connector.PasswordConnector   = (*Connector)(nil)
)

// Idempotent reports that Publish may be repeated with the same Part.Key:
// the record key is derived from it.
func (c *Connector) Idempotent(context.Context, connector.Account) bool { return true }

// creds opens an account's credentials.
func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.PDS == "" {
		cr.PDS = acct.InstanceURL
	}
	if cr.DID == "" {
		cr.DID = acct.RemoteID
	}
	cr.PDS = strings.TrimRight(cr.PDS, "/")
	u, err := url.Parse(cr.PDS)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: fmt.Sprintf("the account's PDS address %q is not an http(s) URL; reconnect the account", cr.PDS), Err: err}
	}
	if !strings.HasPrefix(cr.DID, "did:") {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account's credentials have no DID; reconnect the account"}
	}
	if cr.AccessJWT == "" && cr.RefreshJWT == "" && cr.AppPassword == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no Bluesky session; reconnect the account"}
	}
	return cr, nil
}

// MarshalCredentials encodes credentials for an account (the connect flow,
// tests and seed data).
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings and a time always encode
	return b
}

// postURL is where people see a post on the web app.
func (c *Connector) postURL(handleOrDID, rkey string) string {
	return c.webURL + "/profile/" + url.PathEscape(handleOrDID) + "/post/" + url.PathEscape(rkey)
}
