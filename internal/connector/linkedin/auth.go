package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// tokenAnswer is the accessToken endpoint's answer.
type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
}

// Begin returns LinkedIn's consent page for Herald's app. LinkedIn's web
// flow takes the client secret at the token endpoint (PKCE is for native
// apps only), so the secret kept until the callback is the redirect URL.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if c.clientID == "" || c.clientSecret == "" {
		return connector.AuthRedirect{}, unconfigured()
	}
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("redirect_url", "must be an absolute http(s) URL registered with the LinkedIn app")
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	if err := p.Err("the LinkedIn connection cannot start"); err != nil {
		return connector.AuthRedirect{}, err
	}
	q := url.Values{"response_type": {"code"}, "client_id": {c.clientID}, "redirect_uri": {s.RedirectURL},
		"state": {s.State}, "scope": {Scopes}}
	return connector.AuthRedirect{URL: c.oauthURL + "/authorization?" + q.Encode(), Secret: []byte(s.RedirectURL)}, nil
}

// Exchange trades the code for tokens, reads the member's profile and
// chooses the author: the member, or the organization AuthStart.Instance
// names (its vanity name, id, name or company page address), which the
// member must administer.
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if c.clientID == "" || c.clientSecret == "" {
		return connector.Connected{}, unconfigured()
	}
	if strings.TrimSpace(code) == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "LinkedIn sent no authorization code back; start connecting again")
	}
	redirect := string(secret)
	if redirect == "" {
		redirect = s.RedirectURL
	}
	start := c.now()
	tok, err := c.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}})
	if err != nil {
		var e *connector.Error
		if errors.As(err, &e) && e.Class == connector.Invalid {
			return connector.Connected{}, &herald.Error{Code: herald.CodeInvalid,
				Message: "LinkedIn refused the authorization (" + e.Message + "); start connecting again", Err: err}
		}
		return connector.Connected{}, err
	}
	cr := Credentials{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Scope: tok.Scope,
		ExpiresAt: expiry(start, tok.ExpiresIn), RefreshExpiresAt: expiry(start, tok.RefreshTokenExpiresIn)}
	var me struct {
		Sub     string `json:"sub"`
		Name    string `json:"name"`
		Picture string `json:"picture"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v2/userinfo", token: cr.AccessToken, out: &me}); err != nil {
		return connector.Connected{}, err
	}
	if me.Sub == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "LinkedIn's profile answer has no member id"}
	}
	cr.Person = "urn:li:person:" + me.Sub
	cr.Author = cr.Person
	acct := herald.Account{Platform: herald.PlatformLinkedIn, RemoteID: cr.Person, Handle: me.Name,
		DisplayName: me.Name, AvatarURL: me.Picture, Status: herald.AccountConnected, TokenExpiresAt: cr.ExpiresAt}
	if choice := strings.TrimSpace(s.Instance); choice != "" {
		org, err := c.chooseOrg(ctx, cr.AccessToken, choice)
		if err != nil {
			return connector.Connected{}, err
		}
		cr.Author = "urn:li:organization:" + strconv.FormatInt(org.ID, 10)
		acct.RemoteID, acct.DisplayName, acct.AvatarURL = cr.Author, org.LocalizedName, ""
		acct.Handle = org.LocalizedName
		if org.VanityName != "" {
			acct.Handle = org.VanityName
		}
	}
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

// organization is what Herald reads of an organization.
type organization struct {
	ID            int64  `json:"id"`
	LocalizedName string `json:"localizedName"`
	VanityName    string `json:"vanityName"`
}

// chooseOrg finds the organization choice names among those the member
// administers (approved ADMINISTRATOR role).
func (c *Connector) chooseOrg(ctx context.Context, token, choice string) (organization, error) {
	choice = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(choice), "@"), "/")
	if i := strings.Index(choice, "/company/"); i >= 0 {
		choice = strings.Trim(choice[i+len("/company/"):], "/")
	}
	choice = strings.TrimPrefix(choice, "urn:li:organization:")
	var acls struct {
		Elements []struct {
			Organization string `json:"organization"`
		} `json:"elements"`
	}
	q := url.Values{"q": {"roleAssignee"}, "role": {"ADMINISTRATOR"}, "state": {"APPROVED"}}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/organizationAcls", query: q, token: token, out: &acls}); err != nil {
		return organization{}, err
	}
	var orgs []organization
	for _, a := range acls.Elements {
		id := strings.TrimPrefix(a.Organization, "urn:li:organization:")
		var o organization
		if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/organizations/" + url.PathEscape(id), token: token, out: &o}); err != nil {
			return organization{}, err
		}
		if strconv.FormatInt(o.ID, 10) == choice || strings.EqualFold(o.VanityName, choice) || strings.EqualFold(o.LocalizedName, choice) {
			return o, nil
		}
		orgs = append(orgs, o)
	}
	if len(orgs) == 0 {
		return organization{}, herald.Errorf(herald.CodeInvalid,
			"you administer no LinkedIn page Herald can see, so it cannot post as %q; leave the page field empty to post as yourself", choice)
	}
	var names []string
	for _, o := range orgs {
		names = append(names, fmt.Sprintf("%s (%s, %d)", o.LocalizedName, o.VanityName, o.ID))
	}
	return organization{}, herald.Errorf(herald.CodeInvalid, "you are not an administrator of the LinkedIn page %q; the pages you administer are: %s",
		choice, strings.Join(names, ", "))
}

func expiry(start time.Time, seconds int64) *time.Time {
	if seconds <= 0 {
		return nil
	}
	t := start.Add(time.Duration(seconds) * time.Second).UTC()
	return &t
}

// Refresh trades the refresh token for a new access token. LinkedIn
// grants refresh tokens only to some apps; without one the access token
// lasts its 60 days and the account must be reconnected before then
// (Herald's refresh job warns from TokenExpiresAt).
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	if cr.RefreshToken == "" {
		return nil, nil, &connector.Error{Class: connector.AuthExpired,
			Message: "LinkedIn gave this app no refresh token, so its 60-day access token cannot be renewed: reconnect the account before it expires"}
	}
	if c.clientID == "" || c.clientSecret == "" {
		err := unconfigured()
		return nil, nil, &connector.Error{Class: connector.Transient, Message: err.Error(), Err: err}
	}
	start := c.now()
	tok, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}})
	if err != nil {
		var e *connector.Error
		if errors.As(err, &e) && (e.Class == connector.Invalid || e.Class == connector.AuthRevoked || e.Class == connector.AuthExpired) {
			return nil, nil, &connector.Error{Class: connector.AuthRevoked, Status: e.Status,
				Message: "LinkedIn refused the refresh token (" + e.Message + "); reconnect the account", Err: err}
		}
		return nil, nil, connector.Repeatable(err)
	}
	cr.AccessToken = tok.AccessToken
	if tok.RefreshToken != "" {
		cr.RefreshToken = tok.RefreshToken
		cr.RefreshExpiresAt = expiry(start, tok.RefreshTokenExpiresIn)
	}
	cr.ExpiresAt = expiry(start, tok.ExpiresIn)
	return MarshalCredentials(cr), cr.ExpiresAt, nil
}

// token calls the accessToken endpoint with the app's id and secret in the
// form, as LinkedIn documents.
func (c *Connector) token(ctx context.Context, form url.Values) (tokenAnswer, error) {
	form.Set("client_id", c.clientID)
	form.Set("client_secret", c.clientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.oauthURL+"/accessToken", strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("linkedin: make the token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return tokenAnswer{}, connector.Repeatable(err)
	}
	if e := connector.Classify(res.Status, res.Header, res.Body, c.now()); e != nil {
		if res.Status == http.StatusBadRequest || res.Status == http.StatusUnauthorized {
			e.Class = connector.Invalid
		}
		return tokenAnswer{}, e
	}
	var tok tokenAnswer
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
		return tokenAnswer{}, &connector.Error{Class: connector.Transient, Message: "LinkedIn's token answer has no access token", Err: err}
	}
	return tok, nil
}
