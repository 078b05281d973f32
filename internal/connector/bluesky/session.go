package bluesky

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/atproto/identity"
	"github.com/bluesky-social/indigo/atproto/syntax"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// session is one Bluesky session: the tokens createSession or
// refreshSession gave.
type session struct {
	did        string
	handle     string
	pds        string
	access     string
	refresh    string
	accessExp  time.Time // zero when the token does not say
	passwordID [32]byte  // hash of the app password that made it (for reuse on reconnect)
}

// sessionAnswer is createSession's and refreshSession's answer.
type sessionAnswer struct {
	AccessJWT  string `json:"accessJwt"`
	RefreshJWT string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
	Active     *bool  `json:"active"`
	Status     string `json:"status"`
}

// remember keeps s as the newest session for its DID, unless a newer one
// is already known.
func (c *Connector) remember(s session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.sessions[s.did]; ok && old.accessExp.After(s.accessExp) {
		return
	}
	c.sessions[s.did] = s
}

// forget drops the cached session whose access or refresh token is token.
func (c *Connector) forget(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for did, s := range c.sessions {
		if s.access == token || s.refresh == token {
			delete(c.sessions, did)
		}
	}
}

// current returns the session to use for an account: the stored one, or a
// newer one this process obtained since (a refresh by another job), so that
// concurrent work on one account does not use a rotated refresh token.
func (c *Connector) current(acct connector.Account) (session, error) {
	cr, err := creds(acct)
	if err != nil {
		return session{}, err
	}
	s := session{did: cr.DID, handle: cr.Handle, pds: cr.PDS, access: cr.AccessJWT, refresh: cr.RefreshJWT}
	if cr.AccessExpiresAt != nil {
		s.accessExp = *cr.AccessExpiresAt
	} else {
		s.accessExp = jwtExpiry(cr.AccessJWT)
	}
	c.mu.Lock()
	cached, ok := c.sessions[cr.DID]
	c.mu.Unlock()
	// The process's own session is newer unless the stored one outlives it
	// (another process refreshed since).
	if ok && cached.pds == s.pds && cached.access != s.access && !cached.accessExp.Before(s.accessExp) {
		cached.handle = firstNonEmpty(cached.handle, s.handle)
		return cached, nil
	}
	if s.access == "" {
		return s, &connector.Error{Class: connector.AuthExpired, Message: "the account has no Bluesky access token yet; refresh the session"}
	}
	return s, nil
}

// jwtExpiry reads the exp claim of a JWT without verifying it (the PDS
// verifies; Herald only wants to know when to refresh). Zero if unknown.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(b, &claims) != nil || claims.Exp <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(claims.Exp), 0).UTC()
}

// identityOf resolves a handle or DID to the account's DID, declared handle
// and PDS.
func (c *Connector) identityOf(ctx context.Context, identifier string) (did syntax.DID, handle, pds string, err error) {
	id := strings.TrimPrefix(strings.TrimSpace(identifier), "@")
	invalid := func(format string, args ...any) error {
		return &herald.Error{Code: herald.CodeInvalid, Message: "the Bluesky account cannot be found",
			Details: []herald.FieldProblem{{Field: "identifier", Problem: fmt.Sprintf(format, args...)}}}
	}
	if id == "" {
		return "", "", "", invalid("is required: give the handle (alice.bsky.social) or the DID")
	}
	var wantHandle syntax.Handle
	if strings.HasPrefix(id, "did:") {
		did, err = syntax.ParseDID(id)
		if err != nil {
			return "", "", "", invalid("%q is not a valid DID", id)
		}
	} else {
		wantHandle, err = syntax.ParseHandle(id)
		if err != nil {
			return "", "", "", invalid("%q is not a valid handle: a handle looks like alice.bsky.social", id)
		}
		wantHandle = wantHandle.Normalize()
		did, err = c.resolveHandle(ctx, wantHandle)
		if err != nil {
			return "", "", "", err
		}
	}
	dir := c.directory()
	ident, err := dir.LookupDID(ctx, did)
	if err != nil {
		if errors.Is(err, identity.ErrDIDNotFound) {
			return "", "", "", invalid("the identity %s does not exist", did)
		}
		return "", "", "", &connector.Error{Class: connector.Transient,
			Message: fmt.Sprintf("the identity %s could not be resolved", did), Err: err}
	}
	pds = strings.TrimRight(ident.PDSEndpoint(), "/")
	if pds == "" {
		return "", "", "", invalid("the identity %s names no PDS", did)
	}
	declared, derr := ident.DeclaredHandle()
	if wantHandle != "" && (derr != nil || declared != wantHandle) {
		return "", "", "", invalid("the handle %s points to %s, whose identity does not claim that handle", wantHandle, did)
	}
	if derr == nil {
		handle = declared.String()
	}
	return did, handle, pds, nil
}

// directory returns the identity directory for DID documents.
func (c *Connector) directory() identity.Directory {
	return &identity.BaseDirectory{
		PLCURL:                 c.plcURL,
		HTTPClient:             *c.client,
		SkipHandleVerification: true,
		UserAgent:              "Herald",
	}
}

// resolveHandle finds the DID a handle points to: through the configured
// XRPC service, or by DNS and /.well-known/atproto-did.
func (c *Connector) resolveHandle(ctx context.Context, h syntax.Handle) (syntax.DID, error) {
	notFound := &herald.Error{Code: herald.CodeInvalid, Message: "the Bluesky account cannot be found",
		Details: []herald.FieldProblem{{Field: "identifier", Problem: fmt.Sprintf("no Bluesky account has the handle %s", h)}}}
	if c.handleService == "" {
		dir := &identity.BaseDirectory{PLCURL: c.plcURL, HTTPClient: *c.client, UserAgent: "Herald"}
		did, err := dir.ResolveHandle(ctx, h)
		switch {
		case errors.Is(err, identity.ErrHandleNotFound):
			return "", notFound
		case err != nil:
			return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("the handle %s could not be resolved", h), Err: err}
		}
		return did, nil
	}
	did, err := c.resolveHandleAt(ctx, c.handleService, h)
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Class == connector.Invalid {
		return "", notFound
	}
	return did, err
}

// resolveHandleAt resolves a handle with com.atproto.identity.resolveHandle
// on the service at host.
func (c *Connector) resolveHandleAt(ctx context.Context, host string, h syntax.Handle) (syntax.DID, error) {
	var out struct {
		DID string `json:"did"`
	}
	_, err := c.call(ctx, request{method: http.MethodGet, host: host, nsid: "com.atproto.identity.resolveHandle",
		query: url.Values{"handle": {h.String()}}, out: &out})
	if err != nil {
		return "", err
	}
	did, err := syntax.ParseDID(out.DID)
	if err != nil {
		return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("the handle service answered %q, which is not a DID", out.DID), Err: err}
	}
	return did, nil
}

// ConnectWithPassword connects an account from its handle (or DID) and an
// app password: it resolves the identity to its PDS, creates a session
// there (or reuses one this process made with the same password) and reads
// the profile.
func (c *Connector) ConnectWithPassword(ctx context.Context, identifier, password string) (connector.Connected, error) {
	password = strings.TrimSpace(password)
	if password == "" {
		return connector.Connected{}, &herald.Error{Code: herald.CodeInvalid, Message: "an app password is required",
			Details: []herald.FieldProblem{{Field: "password", Problem: "is required: create an app password in Bluesky's settings (Privacy and security → App passwords)"}}}
	}
	did, handle, pds, err := c.identityOf(ctx, identifier)
	if err != nil {
		return connector.Connected{}, err
	}
	pw := sha256.Sum256([]byte(password))
	c.mu.Lock()
	s, ok := c.sessions[did.String()]
	c.mu.Unlock()
	if !ok || s.passwordID != pw || s.pds != pds || !s.accessExp.After(c.now().Add(10*time.Minute)) {
		s, err = c.createSession(ctx, pds, did.String(), password)
		if err != nil {
			return connector.Connected{}, err
		}
	}
	if s.did != did.String() {
		return connector.Connected{}, &connector.Error{Class: connector.Invalid,
			Message: fmt.Sprintf("the PDS opened a session for %s, not for %s", s.did, did)}
	}
	handle = firstNonEmpty(s.handle, handle)
	acct := herald.Account{Platform: herald.PlatformBluesky, RemoteID: s.did, Handle: handle, DisplayName: handle,
		InstanceURL: pds, Status: herald.AccountConnected}
	var prof struct {
		DID         string `json:"did"`
		Handle      string `json:"handle"`
		DisplayName string `json:"displayName"`
		Avatar      string `json:"avatar"`
	}
	_, err = c.call(ctx, request{method: http.MethodGet, host: pds, nsid: "app.bsky.actor.getProfile",
		query: url.Values{"actor": {s.did}}, token: s.access, out: &prof})
	switch {
	case err == nil:
		acct.Handle = firstNonEmpty(prof.Handle, acct.Handle)
		acct.DisplayName = firstNonEmpty(prof.DisplayName, acct.Handle)
		acct.AvatarURL = prof.Avatar
	case connector.ClassOf(err) == connector.AuthRevoked || connector.ClassOf(err) == connector.AuthExpired:
		return connector.Connected{}, err
	default:
		// The profile comes from the AppView, through the PDS; a PDS
		// without one still publishes. The handle stands in for the name.
		c.log.WarnContext(ctx, "bluesky profile could not be read", "did", s.did, "error", err)
	}
	if !s.accessExp.IsZero() {
		t := s.accessExp
		acct.TokenExpiresAt = &t
	}
	cr := s.credentials()
	cr.Handle = acct.Handle
	cr.AppPassword = password
	return connector.Connected{Account: acct, Credentials: MarshalCredentials(cr)}, nil
}

// credentials returns the stored form of s.
func (s session) credentials() Credentials {
	cr := Credentials{DID: s.did, Handle: s.handle, PDS: s.pds, AccessJWT: s.access, RefreshJWT: s.refresh}
	if !s.accessExp.IsZero() {
		t := s.accessExp
		cr.AccessExpiresAt = &t
	}
	return cr
}

// createSession signs in with an app password. createSession is rate
// limited (30 per 5 minutes per account), so sessions are kept and
// refreshed rather than recreated.
func (c *Connector) createSession(ctx context.Context, pds, identifier, password string) (session, error) {
	var a sessionAnswer
	res, err := c.call(ctx, request{method: http.MethodPost, host: pds, nsid: "com.atproto.server.createSession",
		body: map[string]string{"identifier": identifier, "password": password}, out: &a, repeatable: true})
	if err != nil {
		var ce *connector.Error
		if errors.As(err, &ce) && (ce.Status == http.StatusUnauthorized || ce.Class == connector.Invalid) && ce.Status < 500 &&
			!isError(err, "RateLimitExceeded") && ce.Class != connector.Transient {
			msg := ce.Message
			if isError(err, "AuthFactorTokenRequired") {
				msg = "Bluesky asks for an email code: use an app password, not the account's main password"
			}
			return session{}, &herald.Error{Code: herald.CodeInvalid, Message: "Bluesky refused the handle and app password",
				Details: []herald.FieldProblem{{Field: "password", Problem: msg}}, Err: err}
		}
		return session{}, err
	}
	return c.sessionFrom(a, pds, res.Status, "com.atproto.server.createSession", password)
}

// sessionFrom checks a session answer and remembers it.
func (c *Connector) sessionFrom(a sessionAnswer, pds string, status int, nsid, password string) (session, error) {
	if a.AccessJWT == "" || a.RefreshJWT == "" || a.DID == "" {
		return session{}, missing(nsid, "accessJwt, refreshJwt or did", status, connector.Transient)
	}
	if a.Active != nil && !*a.Active {
		reason := a.Status
		if reason == "" {
			reason = "inactive"
		}
		return session{}, &connector.Error{Class: connector.AuthRevoked, Status: status,
			Message: fmt.Sprintf("the Bluesky account is %s", reason)}
	}
	s := session{did: a.DID, handle: a.Handle, pds: pds, access: a.AccessJWT, refresh: a.RefreshJWT, accessExp: jwtExpiry(a.AccessJWT)}
	if s.accessExp.IsZero() {
		// Bluesky's access tokens last two hours; assume less.
		s.accessExp = c.now().Add(90 * time.Minute).UTC()
	}
	if password != "" {
		s.passwordID = sha256.Sum256([]byte(password))
	}
	c.remember(s)
	return s, nil
}

// Refresh renews the session with refreshSession. A newer session this
// process already holds is handed back without a call. A refresh token the
// PDS no longer accepts is replaced by a new session from the kept app
// password; only when that fails too is the account revoked. Nothing is
// returned on failure, so the stored refresh token is never lost.
func (c *Connector) Refresh(ctx context.Context, acct connector.Account) ([]byte, *time.Time, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	cached, ok := c.sessions[cr.DID]
	c.mu.Unlock()
	if ok && cached.pds == cr.PDS && cached.access != cr.AccessJWT && cached.accessExp.After(c.now().Add(10*time.Minute)) {
		return c.refreshed(cr, cached)
	}
	refresh := cr.RefreshJWT
	if ok && cached.pds == cr.PDS && cached.refresh != "" && jwtExpiry(cached.refresh).After(jwtExpiry(refresh)) {
		refresh = cached.refresh
	}
	var lastErr error
	if refresh != "" {
		var a sessionAnswer
		res, err := c.call(ctx, request{method: http.MethodPost, host: cr.PDS, nsid: "com.atproto.server.refreshSession",
			token: refresh, out: &a, repeatable: true})
		if err == nil {
			s, err := c.sessionFrom(a, cr.PDS, res.Status, "com.atproto.server.refreshSession", "")
			if err != nil {
				return nil, nil, err
			}
			return c.refreshed(cr, s)
		}
		switch connector.ClassOf(err) {
		case connector.AuthExpired, connector.AuthRevoked, connector.Invalid:
			lastErr = err // the refresh token is spent: try the app password
		default:
			return nil, nil, err
		}
	}
	if cr.AppPassword == "" {
		return nil, nil, &connector.Error{Class: connector.AuthRevoked,
			Message: "the Bluesky session ended and cannot be renewed; reconnect the account with an app password", Err: lastErr}
	}
	s, err := c.createSession(ctx, cr.PDS, cr.DID, cr.AppPassword)
	if err != nil {
		var he *herald.Error
		if errors.As(err, &he) {
			msg := "Bluesky no longer accepts the app password (was it revoked?); reconnect the account"
			if len(he.Details) > 0 {
				msg = "Bluesky no longer accepts the app password (" + he.Details[0].Problem + "); reconnect the account"
			}
			return nil, nil, &connector.Error{Class: connector.AuthRevoked, Message: msg, Err: err}
		}
		return nil, nil, err
	}
	return c.refreshed(cr, s)
}

// refreshed returns the stored form of a renewed session.
func (c *Connector) refreshed(old Credentials, s session) ([]byte, *time.Time, error) {
	cr := s.credentials()
	cr.Handle = firstNonEmpty(s.handle, old.Handle)
	cr.AppPassword = old.AppPassword
	return MarshalCredentials(cr), cr.AccessExpiresAt, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
