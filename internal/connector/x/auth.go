package x

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// authSecret is what Begin hands Herald to keep until the callback.
type authSecret struct {
	Verifier    string `json:"code_verifier"`
	RedirectURL string `json:"redirect_uri"`
}

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	TokenType    string `json:"token_type"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

func (c *Connector) configured() error {
	if c.clientID == "" {
		return herald.Errorf(herald.CodeInvalid, "X is not set up in Herald: its OAuth 2.0 client id is missing (set it in the configuration)")
	}
	return nil
}

// Begin returns X's consent page for Herald's app with a PKCE (S256)
// challenge; the verifier travels in the secret.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if err := c.configured(); err != nil {
		return connector.AuthRedirect{}, err
	}
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("redirect_url", "must be an absolute http(s) URL registered with the X app")
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	if err := p.Err("the X connection cannot start"); err != nil {
		return connector.AuthRedirect{}, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return connector.AuthRedirect{}, fmt.Errorf("x: make a PKCE verifier: %w", err)
	}
	verifier := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {c.clientID},
		"redirect_uri":          {s.RedirectURL},
		"scope":                 {Scopes},
		"state":                 {s.State},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	secret, err := json.Marshal(authSecret{Verifier: verifier, RedirectURL: s.RedirectURL})
	if err != nil {
		return connector.AuthRedirect{}, fmt.Errorf("x: encode the connection secret: %w", err)
	}
	sep := "?"
	if strings.Contains(c.authorizeURL, "?") {
		sep = "&"
	}
	return connector.AuthRedirect{URL: c.authorizeURL + sep + q.Encode(), Secret: secret}, nil
}

// Exchange trades the code for tokens, checks the scopes X granted, and
// reads the profile.
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if err := c.configured(); err != nil {
		return connector.Connected{}, err
	}
	var sec authSecret
	if err := json.Unmarshal(secret, &sec); err != nil || sec.Verifier == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "the X connection's saved state is unreadable; start connecting again")
	}
	if strings.TrimSpace(code) == "" {
		return connector.Connected{}, &herald.Error{Code: herald.CodeInvalid, Message: "X sent no authorization code back; start connecting again",
			Details: []herald.FieldProblem{{Field: "code", Problem: "is required"}}}
	}
	redirect := sec.RedirectURL
	if redirect == "" {
		redirect = s.RedirectURL
	}
	start := c.now()
	tok, err := c.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {redirect}, "code_verifier": {sec.Verifier}})
	if err != nil {
		var e *connector.Error
		if errors.As(err, &e) && e.Class == connector.Invalid {
			return connector.Connected{}, &herald.Error{Code: herald.CodeInvalid,
				Message: "X refused the authorization (" + e.Message + "); start connecting again", Err: err}
		}
		return connector.Connected{}, err
	}
	if missing := missingScopes(tok.Scope); len(missing) > 0 {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid,
			"X granted Herald less than it needs (missing %s); connect again and allow all of it", strings.Join(missing, ", "))
	}
	cr := Credentials{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Scope: tok.Scope}
	cr.ExpiresAt = expiry(start, tok.ExpiresIn)
	u, err := c.me(ctx, cr)
	if err != nil {
		return connector.Connected{}, err
	}
	cr.UserID, cr.Username = u.ID, u.Username
	acct := herald.Account{Platform: herald.PlatformX, RemoteID: u.ID, Handle: "@" + u.Username,
		DisplayName: u.Name, AvatarURL: u.ProfileImageURL, Status: herald.AccountConnected,
		TokenExpiresAt: cr.ExpiresAt}
	if acct.DisplayName == "" {
		acct.DisplayName = u.Username
	}
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

// missingScopes lists the scopes Herald needs that scope (X's answer,
// space-separated) lacks; an answer without a scope lacks none. The
// direct-message scopes are not needed to connect (see optionalScopes).
func missingScopes(scope string) []string {
	if scope == "" {
		return nil
	}
	granted := map[string]bool{}
	for _, s := range strings.Fields(scope) {
		granted[s] = true
	}
	var missing []string
	for _, s := range strings.Fields(Scopes) {
		if !granted[s] && !optionalScopes[s] {
			missing = append(missing, s)
		}
	}
	return missing
}

func expiry(start time.Time, seconds int64) *time.Time {
	if seconds <= 0 {
		return nil
	}
	t := start.Add(time.Duration(seconds) * time.Second).UTC()
	return &t
}

// Refresh trades the refresh token for new tokens. X rotates refresh
// tokens: the new one is kept, and when X sends none the old one stays.
// On any failure nothing is returned, so the caller keeps the stored
// credentials; a refused refresh token is AuthRevoked (reconnect).
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	if cr.RefreshToken == "" {
		return nil, nil, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no X refresh token; reconnect the account"}
	}
	if err := c.configured(); err != nil {
		return nil, nil, &connector.Error{Class: connector.Transient, Message: err.Error(), Err: err}
	}
	start := c.now()
	tok, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}})
	if err != nil {
		var e *connector.Error
		if errors.As(err, &e) && (e.Class == connector.Invalid || e.Class == connector.AuthRevoked || e.Class == connector.AuthExpired) {
			return nil, nil, &connector.Error{Class: connector.AuthRevoked, Status: e.Status,
				Message: "X refused the refresh token (" + e.Message + "); reconnect the account", Err: err}
		}
		// The refresh may have been carried out (and the refresh token
		// used up) without an answer; trying again is all one can do.
		return nil, nil, connector.Repeatable(err)
	}
	cr.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		cr.RefreshToken = tok.RefreshToken
	}
	if tok.Scope != "" {
		cr.Scope = tok.Scope
	}
	cr.ExpiresAt = expiry(start, tok.ExpiresIn)
	return MarshalCredentials(cr), cr.ExpiresAt, nil
}

// token calls the token endpoint with the client's credentials: HTTP Basic
// for a confidential client, client_id in the body for a public one.
func (c *Connector) token(ctx context.Context, form url.Values) (tokenAnswer, error) {
	form.Set("client_id", c.clientID)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/2/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, &connector.Error{Class: connector.Invalid, Message: "the token request cannot be built", Err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if c.clientSecret != "" {
		req.SetBasicAuth(url.QueryEscape(c.clientID), url.QueryEscape(c.clientSecret))
	}
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("x: token: %w", err)
	}
	if e := connector.Classify(res.Status, res.Header, res.Body, c.now()); e != nil {
		// OAuth's own errors (400 invalid_request, invalid_grant; 401
		// unauthorized_client) refuse the grant itself.
		if e.Class == connector.AuthRevoked || e.Class == connector.AuthExpired {
			e.Class = connector.Invalid
		}
		return tokenAnswer{}, fmt.Errorf("x: token: %w", e)
	}
	var tok tokenAnswer
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
		return tokenAnswer{}, fmt.Errorf("x: token: %w", &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: "X's token answer has no access_token", Err: err})
	}
	return tok, nil
}
