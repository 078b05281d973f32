package mastodon

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
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// AppStore remembers the OAuth app Herald registered on each instance, so
// that it registers once per instance (POST /api/v1/apps), not once per
// connection. instance is a base URL as NormalizeInstance returns it.
//
// SaveApp may keep the first app saved for an instance or replace it: the
// connector reads the app back after saving and uses whatever is stored,
// so two Herald processes registering at once agree on one app.
type AppStore interface {
	GetApp(ctx context.Context, instance string) (clientID, clientSecret string, found bool, err error)
	SaveApp(ctx context.Context, instance, clientID, clientSecret string) error
}

// MemoryAppStore is an AppStore in memory, for tests and single runs. The
// zero value is not usable; call NewMemoryAppStore.
type MemoryAppStore struct {
	mu       sync.Mutex
	apps     map[string][2]string
	software MemorySoftwareStore
}

// NewMemoryAppStore returns an empty MemoryAppStore.
func NewMemoryAppStore() *MemoryAppStore { return &MemoryAppStore{apps: map[string][2]string{}} }

// GetApp returns the app stored for instance.
func (m *MemoryAppStore) GetApp(_ context.Context, instance string) (string, string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[instance]
	return a[0], a[1], ok, nil
}

// SaveApp keeps the first app saved for an instance.
func (m *MemoryAppStore) SaveApp(_ context.Context, instance, clientID, clientSecret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.apps[instance]; !ok {
		m.apps[instance] = [2]string{clientID, clientSecret}
	}
	return nil
}

// authSecret is what Begin hands Herald to keep sealed until Exchange.
type authSecret struct {
	Instance    string `json:"instance"`
	ClientID    string `json:"client_id"`
	RedirectURI string `json:"redirect_uri"`
	Verifier    string `json:"code_verifier"`
}

// Begin registers Herald's app on the instance the person named (once per
// instance) and returns the instance's authorization URL, with PKCE.
func (c *Connector) Begin(ctx context.Context, s connector.AuthStart) (connector.AuthRedirect, error) {
	inst, err := c.checkStart(s)
	if err != nil {
		return connector.AuthRedirect{}, err
	}
	clientID, _, err := c.app(ctx, inst, s.RedirectURL)
	if err != nil {
		return connector.AuthRedirect{}, err
	}
	verifier := rand.Text() + rand.Text() // 52 base32 characters: 260 bits
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id":             {clientID},
		"redirect_uri":          {s.RedirectURL},
		"response_type":         {"code"},
		"scope":                 {c.scopes},
		"state":                 {s.State},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	if c.forceLogin {
		q.Set("force_login", "true")
	}
	secret, err := json.Marshal(authSecret{Instance: inst, ClientID: clientID, RedirectURI: s.RedirectURL, Verifier: verifier})
	if err != nil {
		return connector.AuthRedirect{}, fmt.Errorf("mastodon: encode the connection secret: %w", err)
	}
	return connector.AuthRedirect{URL: inst + "/oauth/authorize?" + q.Encode(), Secret: secret}, nil
}

// checkStart validates what Herald passes to Begin.
func (c *Connector) checkStart(s connector.AuthStart) (string, error) {
	inst, err := NormalizeInstance(s.Instance)
	if err != nil {
		return "", err
	}
	var p herald.Problems
	if u, err := url.Parse(s.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.Add("redirect_url", "%q must be an absolute http(s) URL: Herald's callback address", s.RedirectURL)
	}
	if s.State == "" {
		p.Add("state", "is required")
	}
	if err := p.Err("the connection cannot start"); err != nil {
		return "", err
	}
	return inst, nil
}

// Registration bounds: how long a connection waits for another
// registration on the same instance, and how long the registration call
// itself may take.
const (
	registerLockWait = 15 * time.Second
	registerTimeout  = 20 * time.Second
)

// lockInstance takes the registration lock of inst, waiting at most
// registerLockWait; unlock releases it.
func (c *Connector) lockInstance(ctx context.Context, inst string) (unlock func(), err error) {
	c.mu.Lock()
	l, ok := c.registering[inst]
	if !ok {
		l = make(chan struct{}, 1)
		c.registering[inst] = l
	}
	c.mu.Unlock()
	t := time.NewTimer(registerLockWait)
	defer t.Stop()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, &connector.Error{Class: connector.Transient,
			Message: "Herald was still registering itself on " + inst + " for another connection; try again in a moment", Err: ctx.Err()}
	case <-t.C:
		return nil, &connector.Error{Class: connector.Transient,
			Message: fmt.Sprintf("Herald was still registering itself on %s for another connection after %d seconds; try again in a moment", inst, int(registerLockWait/time.Second))}
	}
}

// app returns Herald's app on inst, registering it first if none is stored.
func (c *Connector) app(ctx context.Context, inst, redirect string) (clientID, clientSecret string, err error) {
	id, sec, found, err := c.apps.GetApp(ctx, inst)
	if err != nil {
		return "", "", fmt.Errorf("mastodon: read the app for %s: %w", inst, err)
	}
	if found {
		return id, sec, nil
	}
	unlock, err := c.lockInstance(ctx, inst)
	if err != nil {
		return "", "", err
	}
	defer unlock()
	if id, sec, found, err = c.apps.GetApp(ctx, inst); err != nil {
		return "", "", fmt.Errorf("mastodon: read the app for %s: %w", inst, err)
	} else if found {
		return id, sec, nil
	}
	// redirect_uris is a string: Mastodon and Pleroma accept a string or an
	// array, GoToSocial only a string (an array is a 400).
	body := map[string]any{"client_name": c.appName, "redirect_uris": redirect, "scopes": c.scopes}
	if c.website != "" {
		body["website"] = c.website
	}
	var app struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	rctx, cancel := context.WithTimeout(ctx, registerTimeout)
	defer cancel()
	if _, err := c.call(rctx, inst, request{method: http.MethodPost, path: "/api/v1/apps", json: body}, &app); err != nil {
		return "", "", connectError(inst, "did not accept Herald's app registration", connector.Repeatable(err))
	}
	if app.ClientID == "" || app.ClientSecret == "" {
		return "", "", notMastodon(inst, "answered the app registration without a client id and secret", nil)
	}
	if err := c.apps.SaveApp(ctx, inst, app.ClientID, app.ClientSecret); err != nil {
		return "", "", fmt.Errorf("mastodon: save the app for %s: %w", inst, err)
	}
	id, sec, found, err = c.apps.GetApp(ctx, inst)
	if err != nil || !found {
		return "", "", fmt.Errorf("mastodon: read back the app for %s (found %v): %w", inst, found, err)
	}
	c.log.InfoContext(ctx, "registered app on instance", "instance", inst)
	return id, sec, nil
}

// connectError turns the failure of a call made while connecting into an
// error that says what went wrong without repeating the server's words:
// until an account is connected its address is only what a person typed,
// and whatever answers there must not put its text on Herald's pages. A
// refusal by Herald's address policy names the instance field; a server
// error or rate limit stays a classified connector error (try again); any
// other answer means the address is not a Mastodon-API server.
func connectError(inst, what string, err error) error {
	if re := (*outbound.RefusedError)(nil); errors.As(err, &re) {
		return &herald.Error{Code: herald.CodeInvalid, Message: "Herald does not connect to this address",
			Details: []herald.FieldProblem{{Field: "instance", Problem: re.Error()}}, Err: err}
	}
	var ce *connector.Error
	if !errors.As(err, &ce) || ce.Status == 0 {
		return err // no answer: the message is Herald's own
	}
	switch {
	case ce.Class == connector.RateLimited:
		q := *ce
		q.Message = fmt.Sprintf("%s asks Herald to slow down (HTTP %d)", inst, ce.Status)
		return &q
	case ce.Status >= 500, ce.Status == http.StatusRequestTimeout, ce.Status == http.StatusConflict, ce.Status == http.StatusTooEarly:
		q := *ce
		q.Class = connector.Transient
		q.Message = fmt.Sprintf("%s answered HTTP %d, a temporary failure on its side", inst, ce.Status)
		return &q
	}
	return notMastodon(inst, fmt.Sprintf("%s: it answered HTTP %d with something that is not a Mastodon API", what, ce.Status), err)
}

// notMastodon says that the server at inst is not one Herald can connect
// to, naming the instance field.
func notMastodon(inst, what string, err error) error {
	return &herald.Error{Code: herald.CodeInvalid, Message: "the server is not a Mastodon-API server Herald can connect to",
		Details: []herald.FieldProblem{{Field: "instance", Problem: fmt.Sprintf("%s %s; check the address", inst, what)}}, Err: err}
}

// oauthErrorCode returns the OAuth error code of a token endpoint's error
// answer ("invalid_grant"): a word from RFC 6749's small alphabet, safe to
// repeat, unlike the free text beside it.
func oauthErrorCode(res *connector.Response) string {
	if res == nil {
		return ""
	}
	var v struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(res.Body, &v) != nil || len(v.Error) == 0 || len(v.Error) > 40 {
		return ""
	}
	for _, r := range v.Error {
		if (r < 'a' || r > 'z') && r != '_' {
			return ""
		}
	}
	return v.Error
}

// token is the answer of POST /oauth/token.
type token struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
}

// account is the part of a Mastodon account the connector reads.
type account struct {
	ID          flexID `json:"id"`
	Username    string `json:"username"`
	Acct        string `json:"acct"`
	DisplayName string `json:"display_name"`
	Avatar      string `json:"avatar"`
	URL         string `json:"url"`
	Source      struct {
		Privacy string `json:"privacy"` // the default visibility of new posts
	} `json:"source"`
}

// Exchange trades the authorization code for a token, verifies it and
// reads the profile.
func (c *Connector) Exchange(ctx context.Context, s connector.AuthStart, secret []byte, code string) (connector.Connected, error) {
	var sec authSecret
	if err := json.Unmarshal(secret, &sec); err != nil || sec.Instance == "" || sec.ClientID == "" {
		return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "the connection's saved state cannot be read; start connecting again")
	}
	if s.Instance != "" {
		if inst, err := NormalizeInstance(s.Instance); err != nil || inst != sec.Instance {
			return connector.Connected{}, herald.Errorf(herald.CodeInvalid, "the callback is for another instance than the one this connection started with; start connecting again")
		}
	}
	if strings.TrimSpace(code) == "" {
		return connector.Connected{}, &herald.Error{Code: herald.CodeInvalid, Message: "the instance sent no authorization code",
			Details: []herald.FieldProblem{{Field: "code", Problem: "is required; start connecting again"}}}
	}
	clientID, clientSecret, found, err := c.apps.GetApp(ctx, sec.Instance)
	if err != nil {
		return connector.Connected{}, fmt.Errorf("mastodon: read the app for %s: %w", sec.Instance, err)
	}
	if !found || clientID != sec.ClientID {
		return connector.Connected{}, herald.Errorf(herald.CodeConflict, "Herald's app on %s changed while you were connecting; start connecting again", sec.Instance)
	}
	redirect := sec.RedirectURI
	if s.RedirectURL != "" {
		redirect = s.RedirectURL
	}
	body := map[string]string{
		"grant_type": "authorization_code", "code": code, "client_id": clientID, "client_secret": clientSecret,
		"redirect_uri": redirect, "code_verifier": sec.Verifier, "scope": c.scopes,
	}
	var tok token
	// Exchanging a code is not repeatable (codes are single-use), but it
	// creates nothing people see: a failure is at worst a new connection.
	res, err := c.call(ctx, sec.Instance, request{method: http.MethodPost, path: "/oauth/token", json: body}, &tok)
	if err != nil {
		if code := oauthErrorCode(res); code != "" && statusOf(err) >= 400 && statusOf(err) < 500 && statusOf(err) != http.StatusTooManyRequests {
			return connector.Connected{}, &herald.Error{Code: herald.CodeInvalid,
				Message: "the instance refused the authorization (" + code + "); start connecting again", Err: err}
		}
		return connector.Connected{}, connectError(sec.Instance, "did not give Herald a token", connector.Repeatable(err))
	}
	if tok.AccessToken == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "the instance's token answer has no access_token"}
	}
	var me account
	if _, err := c.call(ctx, sec.Instance, request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", token: tok.AccessToken}, &me); err != nil {
		return connector.Connected{}, connectError(sec.Instance, "did not show the account its token belongs to", err)
	}
	c.keepPrivacy(sec.Instance, tok.AccessToken, me.Source.Privacy)
	if me.ID == "" || me.Username == "" {
		return connector.Connected{}, &connector.Error{Class: connector.Transient, Message: "the instance's answer to verify_credentials has no account id or username"}
	}
	domain := hostOf(sec.Instance)
	if info, err := c.instance(ctx, sec.Instance, tok.AccessToken); err == nil && info.Domain != "" {
		domain = info.Domain
	}
	cr := Credentials{Instance: sec.Instance, AccessToken: tok.AccessToken, TokenType: tok.TokenType, Scope: tok.Scope, ClientID: clientID}
	return connector.Connected{
		Account: herald.Account{
			Platform: herald.PlatformMastodon, RemoteID: string(me.ID), Handle: "@" + me.Username + "@" + domain,
			DisplayName: me.DisplayName, AvatarURL: me.Avatar, InstanceURL: sec.Instance, Status: herald.AccountConnected,
		},
		Credentials: MarshalCredentials(cr),
	}, nil
}

func hostOf(inst string) string {
	if u, err := url.Parse(inst); err == nil {
		return u.Host
	}
	return inst
}

// flexID is an id sent as a JSON string (as the API documents) or, by
// some servers, as a number.
type flexID string

// UnmarshalJSON accepts a string, a number or null.
func (f *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("an id must be a string or a number, not %s", b)
	}
	*f = flexID(n.String())
	return nil
}
