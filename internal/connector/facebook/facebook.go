// Package facebook is Herald's connector for Facebook Pages, a thin client
// of Meta's Graph API (package metagraph): Facebook Login to connect a
// Page (its never-expiring page token), posts with text, a link, photos
// or a video, the first comment, lookup-based reconciliation (the Graph
// API has no idempotency key), delete, metrics, comments on the Page's
// posts as the inbox, and replies to them.
//
// Credentials are JSON:
//
//	{"page_id":"1234","page_name":"Herald","page_token":"EAA…","user_id":"5678"}
package facebook

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

// DefaultVideoURL is the host Meta takes video uploads on.
const DefaultVideoURL = "https://graph-video.facebook.com"

// Permissions are what Herald asks for in Facebook Login.
var Permissions = []string{"pages_show_list", "pages_manage_posts", "pages_read_engagement",
	"pages_read_user_content", "pages_manage_engagement", "read_insights"}

// Credentials are what the connector keeps for a Page.
type Credentials struct {
	PageID    string `json:"page_id"`
	PageName  string `json:"page_name,omitempty"`
	PageToken string `json:"page_token"`
	UserID    string `json:"user_id,omitempty"`
}

// MarshalCredentials encodes credentials.
func MarshalCredentials(cr Credentials) []byte {
	b, _ := json.Marshal(cr) // strings always encode
	return b
}

// Connector talks to Facebook. It is safe for concurrent use.
type Connector struct {
	graph      *metagraph.Client
	video      *metagraph.Client
	findWindow time.Duration
	log        *slog.Logger
}

// Option adjusts a Connector.
type Option func(*Connector)

// WithApp sets Herald's Meta app: its id and secret.
func WithApp(id, secret string) Option {
	return func(c *Connector) {
		c.graph.AppID, c.graph.AppSecret = id, secret
		c.video.AppID, c.video.AppSecret = id, secret
	}
}

// WithBaseURL sets the Graph API host (default https://graph.facebook.com),
// the Login dialog's host (default https://www.facebook.com) and the video
// upload host (default https://graph-video.facebook.com); tests point all
// three at the fake.
func WithBaseURL(graph, dialog, video string) Option {
	return func(c *Connector) {
		c.graph.BaseURL, c.graph.DialogURL, c.video.BaseURL = graph, dialog, video
	}
}

// WithClock sets the clock.
func WithClock(now func() time.Time) Option {
	return func(c *Connector) { c.graph.Now, c.video.Now = now, now }
}

// WithFindWindow sets how far back Find looks (default 24 hours).
func WithFindWindow(d time.Duration) Option { return func(c *Connector) { c.findWindow = d } }

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(c *Connector) { c.log = l } }

// New returns a connector that uses client (nil: http.DefaultClient).
func New(client *http.Client, opts ...Option) *Connector {
	c := &Connector{graph: metagraph.NewClient(client, "", ""), video: metagraph.NewClient(client, "", ""),
		findWindow: 24 * time.Hour, log: slog.New(slog.DiscardHandler)}
	c.video.BaseURL = DefaultVideoURL
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	_ connector.Publisher     = (*Connector)(nil)
	_ connector.Reconciler    = (*Connector)(nil)
	_ connector.Authorizer    = (*Connector)(nil)
	_ connector.Deleter       = (*Connector)(nil)
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
			Message: "the Page's stored Facebook credentials cannot be read; reconnect the account", Err: err}
	}
	if cr.PageToken == "" {
		return cr, &connector.Error{Class: connector.AuthRevoked, Message: "the Page has no Facebook access token; reconnect the account"}
	}
	if cr.PageID == "" {
		cr.PageID = acct.RemoteID
	}
	return cr, nil
}

func invalid(msg string) error { return &connector.Error{Class: connector.Invalid, Message: msg} }

// Begin returns Facebook Login's dialog asking for Permissions.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if err := c.graph.Configured("Facebook"); err != nil {
		return connector.AuthRedirect{}, err
	}
	if err := metagraph.CheckRedirect("Facebook", s); err != nil {
		return connector.AuthRedirect{}, err
	}
	return connector.AuthRedirect{URL: c.graph.LoginURL(s.RedirectURL, s.State, Permissions), Secret: []byte(s.RedirectURL)}, nil
}

// Exchange trades the code for a long-lived user token, checks the
// permissions, reads the person's Pages and keeps the chosen one's page
// token (AuthStart.Instance names it by id, name or username; empty when
// the person has one Page or granted Herald only one).
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if err := c.graph.Configured("Facebook"); err != nil {
		return connector.Connected{}, err
	}
	redirect := string(secret)
	if redirect == "" {
		redirect = s.RedirectURL
	}
	ut, err := c.graph.Login(ctx, "Facebook", code, redirect, Permissions)
	if err != nil {
		return connector.Connected{}, err
	}
	pages, err := c.graph.Pages(ctx, ut.Token, "id,name,username,access_token,tasks,picture")
	if err != nil {
		return connector.Connected{}, err
	}
	page, err := metagraph.ChoosePage("Facebook", pages, s.Instance)
	if err != nil {
		return connector.Connected{}, err
	}
	if !hasTask(page.Tasks, "CREATE_CONTENT") {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid,
			"your role on the Page %s does not let you create content; ask one of its admins for it, then connect again", page.Name)
	}
	if page.AccessToken == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "Facebook gave no access token for the Page"}
	}
	var me struct {
		ID string `json:"id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/me", Token: ut.Token, Out: &me}); err != nil {
		return connector.Connected{}, err
	}
	cr := Credentials{PageID: page.ID, PageName: page.Name, PageToken: page.AccessToken, UserID: me.ID}
	handle := page.Name
	if page.Username != "" {
		handle = "@" + page.Username
	}
	acct := herald.Account{Platform: herald.PlatformFacebook, RemoteID: page.ID, Handle: handle,
		DisplayName: page.Name, AvatarURL: page.PictureURL(), Status: herald.AccountConnected}
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

func hasTask(tasks []string, want string) bool {
	if len(tasks) == 0 {
		return true // Meta leaves tasks out for some page roles; the first publish will tell
	}
	for _, t := range tasks {
		if strings.EqualFold(t, want) {
			return true
		}
	}
	return false
}

// postURL is where people see a post or a video.
func postURL(pageID, id string) string {
	if page, post, ok := strings.Cut(id, "_"); ok {
		return "https://www.facebook.com/" + page + "/posts/" + post
	}
	return "https://www.facebook.com/" + pageID + "/posts/" + id
}
