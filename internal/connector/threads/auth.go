package threads

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// Connecting: the Authorization Window (threads.com/oauth/authorize)
// gives a code; POST /oauth/access_token trades it for a short-lived token
// (one hour); GET /access_token?grant_type=th_exchange_token trades that
// for a long-lived one (60 days); GET
// /refresh_access_token?grant_type=th_refresh_token renews a long-lived
// token at least 24 hours old and not yet expired, for 60 more days.

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	UserID      any    `json:"user_id"` // a number in the code exchange
}

// Begin returns the Authorization Window asking for Permissions. The
// secret kept until the callback is the redirect URL, which the code
// exchange must repeat exactly.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if err := c.configured(); err != nil {
		return connector.AuthRedirect{}, err
	}
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("redirect_url", "must be an absolute http(s) URL registered with the Threads app")
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	if err := p.Err("the Threads connection cannot start"); err != nil {
		return connector.AuthRedirect{}, err
	}
	q := url.Values{"client_id": {c.appID}, "redirect_uri": {s.RedirectURL}, "scope": {strings.Join(Permissions, ",")},
		"response_type": {"code"}, "state": {s.State}}
	return connector.AuthRedirect{URL: c.dialogURL + "/oauth/authorize?" + q.Encode(), Secret: []byte(s.RedirectURL)}, nil
}

// Exchange trades the code for a long-lived token and reads the profile.
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if err := c.configured(); err != nil {
		return connector.Connected{}, err
	}
	code = strings.TrimSuffix(strings.TrimSpace(code), "#_")
	if code == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "Threads sent no authorization code back; start connecting again")
	}
	redirect := string(secret)
	if redirect == "" {
		redirect = s.RedirectURL
	}
	var short tokenAnswer
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/oauth/access_token", raw: true, form: url.Values{
		"client_id": {c.appID}, "client_secret": {c.appSecret}, "grant_type": {"authorization_code"},
		"redirect_uri": {redirect}, "code": {code}}, out: &short}); err != nil {
		return connector.Connected{}, refused(err)
	}
	if short.AccessToken == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Threads' token answer has no access_token"}
	}
	start := c.now()
	var long tokenAnswer
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/access_token", raw: true, query: url.Values{
		"grant_type": {"th_exchange_token"}, "client_secret": {c.appSecret}, "access_token": {short.AccessToken}}, out: &long}); err != nil {
		return connector.Connected{}, refused(err)
	}
	if long.AccessToken == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Threads' long-lived token answer has no access_token"}
	}
	var me struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
		Picture  string `json:"threads_profile_picture_url"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/me", query: url.Values{"fields": {"id,username,name,threads_profile_picture_url"}},
		token: long.AccessToken, out: &me}); err != nil {
		return connector.Connected{}, err
	}
	if me.ID == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Threads' profile answer has no user id"}
	}
	cr := Credentials{UserID: me.ID, Username: me.Username, AccessToken: long.AccessToken, ExpiresAt: expiry(start, long.ExpiresIn)}
	name := me.Name
	if name == "" {
		name = me.Username
	}
	acct := herald.Account{Platform: herald.PlatformThreads, RemoteID: me.ID, Handle: "@" + me.Username, DisplayName: name,
		AvatarURL: me.Picture, Status: herald.AccountConnected, TokenExpiresAt: cr.ExpiresAt}
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

// refused words a refused code or token exchange for people.
func refused(err error) error {
	var e *connector.Error
	if errors.As(err, &e) && (e.Class == connector.Invalid || e.Class == connector.AuthRevoked || e.Class == connector.AuthExpired) {
		return &herald.Error{Code: herald.CodeInvalid,
			Message: "Threads refused the authorization (" + e.Message + "); start connecting again", Err: err}
	}
	return err
}

func expiry(start time.Time, seconds int64) *time.Time {
	if seconds <= 0 {
		return nil
	}
	t := start.Add(time.Duration(seconds) * time.Second).UTC()
	return &t
}

// Refresh renews the long-lived token for 60 more days (Threads renews a
// token at least 24 hours old that has not expired; Herald's refresh job
// calls this days before TokenExpiresAt). A token that expired, or that
// the person withdrew, cannot be renewed: the account must be
// reconnected.
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	start := c.now()
	if cr.ExpiresAt != nil && !start.Before(*cr.ExpiresAt) {
		return nil, nil, &connector.Error{Class: connector.AuthRevoked,
			Message: "the Threads token expired before Herald could renew it; reconnect the account"}
	}
	var tok tokenAnswer
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/refresh_access_token", raw: true, query: url.Values{
		"grant_type": {"th_refresh_token"}, "access_token": {cr.AccessToken}}, out: &tok}); err != nil {
		var e *connector.Error
		if errors.As(err, &e) && (e.Class == connector.Invalid || e.Class == connector.AuthRevoked || e.Class == connector.AuthExpired) {
			return nil, nil, &connector.Error{Class: connector.AuthRevoked, Status: e.Status,
				Message: "Threads refused to renew the token (" + e.Message + "); reconnect the account", Err: err}
		}
		return nil, nil, err
	}
	if tok.AccessToken == "" {
		return nil, nil, &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Threads' refresh answer has no access_token"}
	}
	cr.AccessToken = tok.AccessToken
	cr.ExpiresAt = expiry(start, tok.ExpiresIn)
	return MarshalCredentials(cr), cr.ExpiresAt, nil
}
