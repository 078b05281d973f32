// Package instagram is Herald's connector for Instagram professional
// accounts through the Instagram API with Facebook Login (graph.facebook.com,
// package metagraph): the account linked to a Facebook Page, two-step
// publishing (a media container, then media_publish) with the container
// kept as the part's checkpoint, the publishing quota, the first comment,
// lookup-based reconciliation, metrics, comments and the media the account is tagged in as the inbox,
// and replies.
// Instagram fetches media from public addresses: WithMediaURL gives them.
//
// Credentials are JSON:
//
//	{"ig_user_id":"1784…","username":"herald","page_id":"1234","page_token":"EAA…"}
package instagram

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/herald"
)

// Permissions are what Herald asks for in Facebook Login.
var Permissions = []string{"instagram_basic", "instagram_content_publish", "instagram_manage_comments",
	"instagram_manage_insights", "pages_show_list", "pages_read_engagement"}

// Credentials are what the connector keeps for an account. The page token
// (of the linked Page, never expiring) calls the Instagram endpoints.
type Credentials struct {
	IGUserID  string `json:"ig_user_id"`
	Username  string `json:"username,omitempty"`
	PageID    string `json:"page_id,omitempty"`
	PageToken string `json:"page_token"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings always encode
	return b
}

// MediaURLFunc returns a public address Instagram can fetch a file from.
type MediaURLFunc func(ctx context.Context, m connector.Media) (string, error)

// Connector talks to Instagram. It is safe for concurrent use.
type Connector struct {
	graph      *metagraph.Client
	mediaURL   MediaURLFunc
	poll       time.Duration
	maxWait    time.Duration
	findWindow time.Duration
	log        *slog.Logger
	noTags     metagraph.Refusals // Instagram account ids whose tags Meta refused for a permission (logged once)
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithApp sets Herald's Meta app: its id and secret.
func WithApp(id, secret string) Option {
	return func(c *Connector) { c.graph.AppID, c.graph.AppSecret = id, secret }
}

// WithBaseURL sets the Graph API host and the Login dialog's host.
func WithBaseURL(graph, dialog string) Option {
	return func(c *Connector) { c.graph.BaseURL, c.graph.DialogURL = graph, dialog }
}

// WithMediaURL sets how files get the public addresses Instagram fetches
// them from (Herald's signed, expiring links on its base URL). Without it
// no post can be published.
func WithMediaURL(f MediaURLFunc) Option { return func(c *Connector) { c.mediaURL = f } }

// WithClock sets the clock.
func WithClock(now func() time.Time) Option { return func(c *Connector) { c.graph.Now = now } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	c := &Connector{graph: metagraph.NewClient(client, "", ""), poll: 2 * time.Second, maxWait: 5 * time.Minute,
		findWindow: 24 * time.Hour, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	_ connector.Publisher     = (*Connector)(nil)
	_ connector.Reconciler    = (*Connector)(nil)
	_ connector.Authorizer    = (*Connector)(nil)
	_ connector.Limiter       = (*Connector)(nil)
	_ connector.Validator     = (*Connector)(nil)
	_ connector.MetricsReader = (*Connector)(nil)
	_ connector.InboxReader   = (*Connector)(nil)
	_ connector.Replier       = (*Connector)(nil)
)

func creds(acct connector.Account) (Credentials, error) {
	var cr Credentials
	if err := json.Unmarshal(acct.Credentials, &cr); err != nil {
		return cr, &connector.Error{Class: connector.AuthRevoked,
			Message: "the account's stored Instagram credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.PageToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no access token; reconnect the account"}
	}
	if cr.IGUserID == "" {
		cr.IGUserID = acct.RemoteID
	}
	return cr, nil
}

func invalid(msg string) error { return &connector.Error{Class: connector.Invalid, Message: msg} }

// Begin returns Facebook Login's dialog asking for Permissions.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if err := c.graph.Configured("Instagram"); err != nil {
		return connector.AuthRedirect{}, err
	}
	if err := metagraph.CheckRedirect("Instagram", s); err != nil {
		return connector.AuthRedirect{}, err
	}
	return connector.AuthRedirect{URL: c.graph.LoginURL(s.RedirectURL, s.State, Permissions), Secret: []byte(s.RedirectURL)}, nil
}

// Exchange trades the code for a long-lived user token, checks the
// permissions and keeps the page token of the Page whose Instagram
// professional account the person chose (AuthStart.Instance: the
// Instagram username or id, or the Page's name or id; empty when only one
// granted Page has an Instagram account).
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if err := c.graph.Configured("Instagram"); err != nil {
		return connector.Connected{}, err
	}
	redirect := string(secret)
	if redirect == "" {
		redirect = s.RedirectURL
	}
	ut, err := c.graph.Login(ctx, "Instagram", code, redirect, Permissions)
	if err != nil {
		return connector.Connected{}, err
	}
	pages, err := c.graph.Pages(ctx, ut.Token, "id,name,username,access_token,instagram_business_account{id,username,name,profile_picture_url}")
	if err != nil {
		return connector.Connected{}, err
	}
	var linked []metagraph.Page
	for _, p := range pages {
		if p.Instagram != nil && p.Instagram.ID != "" {
			if s.Instance != "" && (s.Instance == p.Instagram.ID || equalHandle(s.Instance, p.Instagram.Username)) {
				linked = []metagraph.Page{p}
				s.Instance = ""
				break
			}
			linked = append(linked, p)
		}
	}
	if len(linked) == 0 {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid,
			"none of the Pages Herald was granted has an Instagram professional account: link one to a Page (Instagram: Settings → Account type and tools), then connect again")
	}
	page, err := metagraph.ChoosePage("Instagram", linked, s.Instance)
	if err != nil {
		return connector.Connected{}, err
	}
	if page.AccessToken == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "Facebook gave no access token for the Page"}
	}
	ig := page.Instagram
	cr := Credentials{IGUserID: ig.ID, Username: ig.Username, PageID: page.ID, PageToken: page.AccessToken}
	name := ig.Name
	if name == "" {
		name = ig.Username
	}
	acct := herald.Account{Platform: herald.PlatformInstagram, RemoteID: ig.ID, Handle: "@" + ig.Username,
		DisplayName: name, AvatarURL: ig.ProfilePictureURL, Status: herald.AccountConnected}
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

func equalHandle(a, b string) bool {
	return b != "" && strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(a), "@"), b)
}
