package pinterest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	RefreshToken          string `json:"refresh_token"`
	TokenType             string `json:"token_type"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
}

type authSecret struct {
	RedirectURL string `json:"redirect_uri"`
}

func (c *Connector) configured() error {
	if c.clientID == "" || c.clientSecret == "" {
		return herald.Errorf(herald.CodeInvalid, "Pinterest is not set up in Herald: its app id and secret are missing (set them in the configuration)")
	}
	return nil
}

// Begin returns Pinterest's consent page for Herald's app with the scopes
// boards:read, pins:read, pins:write and user_accounts:read.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if err := c.configured(); err != nil {
		return connector.AuthRedirect{}, err
	}
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("redirect_url", "must be an absolute http(s) URL registered with the Pinterest app")
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	if err := p.Err("the Pinterest connection cannot start"); err != nil {
		return connector.AuthRedirect{}, err
	}
	q := url.Values{"client_id": {c.clientID}, "redirect_uri": {s.RedirectURL}, "response_type": {"code"},
		"scope": {Scopes}, "state": {s.State}}
	secret, err := json.Marshal(authSecret{RedirectURL: s.RedirectURL})
	if err != nil {
		return connector.AuthRedirect{}, fmt.Errorf("pinterest: encode the connection secret: %w", err)
	}
	sep := "?"
	if strings.Contains(c.authorizeURL, "?") {
		sep = "&"
	}
	return connector.AuthRedirect{URL: c.authorizeURL + sep + q.Encode(), Secret: secret}, nil
}

// Exchange trades the code for tokens (continuous refresh asked for),
// refuses a grant missing a scope, and reads the profile.
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if err := c.configured(); err != nil {
		return connector.Connected{}, err
	}
	var sec authSecret
	if err := json.Unmarshal(secret, &sec); err != nil {
		return connector.Connected{}, fmt.Errorf("pinterest: read the connection secret: %w", err)
	}
	if code == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "Pinterest sent no authorization code")
	}
	tok, err := c.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {sec.RedirectURL}, "continuous_refresh": {"true"}})
	if err != nil {
		return connector.Connected{}, err
	}
	if missing := missingScopes(tok.Scope); len(missing) > 0 {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid,
			"Pinterest did not grant %s; connect again and allow every permission Herald asks for", strings.Join(missing, ", "))
	}
	cr := c.credentials(tok, Credentials{})
	var u struct {
		ID           string `json:"id"`
		Username     string `json:"username"`
		BusinessName string `json:"business_name"`
		ProfileImage string `json:"profile_image"`
	}
	if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/v5/user_account", out: &u}); err != nil {
		return connector.Connected{}, err
	}
	if u.Username == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "Pinterest did not say whose token this is"}
	}
	cr.Username = u.Username
	id := u.ID
	if id == "" {
		id = u.Username
	}
	name := u.BusinessName
	if name == "" {
		name = u.Username
	}
	return connector.Connected{
		Account: herald.Account{Platform: herald.PlatformPinterest, RemoteID: id, Handle: u.Username, DisplayName: name,
			AvatarURL: u.ProfileImage, TokenExpiresAt: cr.ExpiresAt},
		Credentials: MarshalCredentials(cr),
	}, nil
}

func missingScopes(granted string) []string {
	have := map[string]bool{}
	for _, s := range strings.FieldsFunc(granted, func(r rune) bool { return r == ',' || r == ' ' }) {
		have[s] = true
	}
	var out []string
	for _, s := range strings.Split(Scopes, ",") {
		if !have[s] {
			out = append(out, s)
		}
	}
	return out
}

// Refresh renews the access token with the refresh token. With continuous
// refresh Pinterest answers a new refresh token each time (valid 60 days
// from then); when it sends none the old one stays.
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	if err := c.configured(); err != nil {
		return nil, nil, err
	}
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	if cr.RefreshToken == "" {
		return nil, nil, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no Pinterest refresh token; reconnect the account"}
	}
	tok, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}, "continuous_refresh": {"true"}})
	if err != nil {
		return nil, nil, err
	}
	next := c.credentials(tok, cr)
	return MarshalCredentials(next), next.ExpiresAt, nil
}

// credentials applies a token answer to the old credentials.
func (c *Connector) credentials(tok tokenAnswer, old Credentials) Credentials {
	cr := old
	cr.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		cr.RefreshToken = tok.RefreshToken
		if tok.RefreshTokenExpiresIn > 0 {
			t := c.now().Add(time.Duration(tok.RefreshTokenExpiresIn) * time.Second).UTC()
			cr.RefreshExpiresAt = &t
		}
	}
	if tok.ExpiresIn > 0 {
		t := c.now().Add(time.Duration(tok.ExpiresIn) * time.Second).UTC()
		cr.ExpiresAt = &t
	}
	if tok.Scope != "" {
		cr.Scope = tok.Scope
	}
	return cr
}

// token posts a grant to /v5/oauth/token with the app's Basic
// credentials. A refused grant (400, 401) is AuthRevoked.
func (c *Connector) token(ctx context.Context, form url.Values) (tokenAnswer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/v5/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("pinterest: build the token request: %w", err)
	}
	req.SetBasicAuth(c.clientID, c.clientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		// A token request publishes nothing.
		return tokenAnswer{}, fmt.Errorf("pinterest: token: %w", connector.Repeatable(err))
	}
	if e := c.classify(res, false); e != nil {
		if res.Status == http.StatusBadRequest || res.Status == http.StatusUnauthorized {
			e.Class = connector.AuthRevoked
			e.Message += " (Pinterest refused the grant; connect the account again)"
		}
		return tokenAnswer{}, fmt.Errorf("pinterest: token: %w", e)
	}
	var tok tokenAnswer
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
		return tokenAnswer{}, fmt.Errorf("pinterest: token: %w", &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: "Pinterest's token answer has no access token", Err: err})
	}
	return tok, nil
}

// Board is one of the account's boards, for the composer's board_id
// option.
type Board struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Privacy     string `json:"privacy"`
}

// Boards lists the account's boards (GET /v5/boards, every page), for the
// composer to offer as the board_id option.
func (c *Connector) Boards(ctx context.Context, acct connector.Account) ([]Board, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	var out []Board
	q := url.Values{"page_size": {"250"}}
	for range 20 {
		var page struct {
			Items    []Board `json:"items"`
			Bookmark string  `json:"bookmark"`
		}
		if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/v5/boards", query: q, out: &page}); err != nil {
			return nil, err
		}
		out = append(out, page.Items...)
		if page.Bookmark == "" {
			break
		}
		q.Set("bookmark", page.Bookmark)
	}
	return out, nil
}
