package youtube

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	yt "google.golang.org/api/youtube/v3"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
}

type authSecret struct {
	RedirectURL string `json:"redirect_uri"`
	Verifier    string `json:"code_verifier"`
}

func (c *Connector) configured() error {
	if c.clientID == "" || c.clientSecret == "" {
		return herald.Errorf(herald.CodeInvalid, "YouTube is not set up in Herald: its Google OAuth client id and secret are missing (set them in the configuration)")
	}
	return nil
}

// Begin returns Google's consent page for Herald's OAuth client: the
// authorization-code flow with PKCE (S256), offline access (a refresh
// token) and prompt=consent (so that Google sends a refresh token again
// when an account reconnects), for the scopes in Scopes.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	if err := c.configured(); err != nil {
		return connector.AuthRedirect{}, err
	}
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.Add("redirect_url", "must be an absolute http(s) URL registered with the Google OAuth client")
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	if err := p.Err("the YouTube connection cannot start"); err != nil {
		return connector.AuthRedirect{}, err
	}
	verifier := rand.Text() + rand.Text() // 52 characters of base32: within PKCE's 43–128
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"client_id": {c.clientID}, "redirect_uri": {s.RedirectURL}, "response_type": {"code"},
		"scope": {strings.Join(Scopes, " ")}, "state": {s.State}, "access_type": {"offline"}, "prompt": {"consent"},
		"include_granted_scopes": {"true"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}}
	secret, err := json.Marshal(authSecret{RedirectURL: s.RedirectURL, Verifier: verifier})
	if err != nil {
		return connector.AuthRedirect{}, fmt.Errorf("youtube: encode the connection secret: %w", err)
	}
	sep := "?"
	if strings.Contains(c.authorizeURL, "?") {
		sep = "&"
	}
	return connector.AuthRedirect{URL: c.authorizeURL + sep + q.Encode(), Secret: secret}, nil
}

// Exchange trades the code for tokens, refuses a grant missing a scope or
// a refresh token, and reads the channel (channels.list mine=true).
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	if err := c.configured(); err != nil {
		return connector.Connected{}, err
	}
	var sec authSecret
	if err := json.Unmarshal(secret, &sec); err != nil {
		return connector.Connected{}, fmt.Errorf("youtube: read the connection secret: %w", err)
	}
	if code == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "Google sent no authorization code")
	}
	tok, err := c.token(ctx, url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {sec.RedirectURL}, "code_verifier": {sec.Verifier}})
	if err != nil {
		return connector.Connected{}, err
	}
	if missing := hasAll(tok.Scope, Scopes); len(missing) > 0 {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid,
			"Google did not grant %s; connect again and tick every permission Herald asks for", strings.Join(missing, ", "))
	}
	if tok.RefreshToken == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid,
			"Google sent no refresh token, so Herald could not publish once the hour-long access token expires; remove Herald's access in your Google account's security settings and connect again")
	}
	cr := c.credentials(tok, Credentials{})
	ch, err := c.channel(ctx, cr)
	if err != nil {
		return connector.Connected{}, err
	}
	cr.ChannelID, cr.Region = ch.Id, ch.Snippet.Country
	handle := ch.Snippet.CustomUrl
	if handle == "" {
		handle = ch.Id
	}
	avatar := ""
	if th := ch.Snippet.Thumbnails; th != nil {
		switch {
		case th.Default != nil:
			avatar = th.Default.Url
		case th.Medium != nil:
			avatar = th.Medium.Url
		}
	}
	return connector.Connected{
		Account: herald.Account{Platform: herald.PlatformYouTube, RemoteID: ch.Id, Handle: handle,
			DisplayName: ch.Snippet.Title, AvatarURL: avatar, TokenExpiresAt: cr.ExpiresAt},
		Credentials: MarshalCredentials(cr),
	}, nil
}

// Refresh renews the access token (Google's last an hour) with the refresh
// token. Google keeps the refresh token; a refused one (invalid_grant: the
// person revoked Herald's access, changed the password, or the token went
// unused for six months) means the account must be connected again.
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	if err := c.configured(); err != nil {
		return nil, nil, err
	}
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	if cr.RefreshToken == "" {
		return nil, nil, &connector.Error{Class: connector.AuthRevoked, Message: "the account has no Google refresh token; reconnect the account"}
	}
	tok, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {cr.RefreshToken}})
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

// token posts a grant to Google's token endpoint with the client's id and
// secret in the form. Google answers a refused grant with 400 and
// {"error":"invalid_grant","error_description":"…"}: AuthRevoked.
func (c *Connector) token(ctx context.Context, form url.Values) (tokenAnswer, error) {
	form.Set("client_id", c.clientID)
	form.Set("client_secret", c.clientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenAnswer{}, fmt.Errorf("youtube: build the token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		// A token request publishes nothing.
		return tokenAnswer{}, fmt.Errorf("youtube: token: %w", connector.Repeatable(err))
	}
	if res.Status >= 400 {
		var b struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(res.Body, &b)
		e := connector.Classify(res.Status, res.Header, res.Body, c.now())
		if b.Error != "" {
			e.Message = strings.TrimSpace(b.Error + ": " + b.Description)
		}
		switch {
		case b.Error == "invalid_grant":
			e.Class = connector.AuthRevoked
			e.Message += " (Google refused the grant; connect the account again)"
		case b.Error == "invalid_client" || b.Error == "unauthorized_client":
			e.Class = connector.Invalid
			e.Message += " (Herald's Google OAuth client id or secret is wrong; check the configuration)"
		}
		return tokenAnswer{}, fmt.Errorf("youtube: token: %w", e)
	}
	var tok tokenAnswer
	if err := json.Unmarshal(res.Body, &tok); err != nil || tok.AccessToken == "" {
		return tokenAnswer{}, fmt.Errorf("youtube: token: %w", &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: "Google's token answer has no access token", Err: err})
	}
	return tok, nil
}

// channel reads the token's channel (channels.list
// part=snippet,contentDetails,statistics mine=true). A Google account
// without a YouTube channel gets none.
func (c *Connector) channel(ctx context.Context, cr Credentials) (*yt.Channel, error) {
	svc, err := c.service(ctx, cr)
	if err != nil {
		return nil, err
	}
	res, err := svc.Channels.List([]string{"snippet", "contentDetails", "statistics"}).Mine(true).Context(ctx).Do()
	if err != nil {
		return nil, c.apiErr("channels.list", err, false)
	}
	if len(res.Items) == 0 || res.Items[0].Snippet == nil {
		return nil, &connector.Error{Class: connector.Invalid,
			Message: "this Google account has no YouTube channel; create one at https://www.youtube.com/create_channel, then connect again"}
	}
	return res.Items[0], nil
}
