package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/outbound"
)

// StateTTL is how long a person has to approve Herald on the platform.
const StateTTL = 15 * time.Minute

// ConnectTimeout bounds the platform's part of starting and finishing a
// connection: a server that accepts the connection and never answers
// fails the form after this long instead of holding it forever.
const ConnectTimeout = 30 * time.Second

// Actors resolves a principal's role in a workspace (auth.Service does).
type Actors interface {
	Actor(ctx context.Context, p herald.Principal, workspaceID int64) (herald.Actor, error)
}

// Option adjusts a Service.
type Option func(*Service)

// connecting is what connecting new accounts needs.
type connecting struct {
	registry    *connector.Registry
	callbackURL string
	actors      Actors
}

// WithConnectTimeout replaces ConnectTimeout (tests).
func WithConnectTimeout(d time.Duration) Option { return func(s *Service) { s.connTimeout = d } }

// connectTimeout is how long the platform's part of a connection may take.
func (s *Service) connectTimeout() time.Duration {
	if s.connTimeout > 0 {
		return s.connTimeout
	}
	return ConnectTimeout
}

// WithConnectors lets the service connect accounts through the platforms'
// connectors: callbackURL is Herald's public address of
// GET /api/v1/connect/callback, registered with the platforms, and actors
// re-resolves the person who comes back to it.
func WithConnectors(reg *connector.Registry, callbackURL string, actors Actors) Option {
	return func(s *Service) { s.conn = connecting{registry: reg, callbackURL: callbackURL, actors: actors} }
}

// connectorFor returns the platform's connector or a clear error.
func (s *Service) connectorFor(platform herald.Platform) (connector.Publisher, error) {
	if !platform.Valid() {
		return nil, &herald.Error{Code: herald.CodeInvalid, Message: fmt.Sprintf("%q is not a platform Herald knows", platform),
			Details: []herald.FieldProblem{{Field: "platform", Problem: "is not a known platform"}}}
	}
	if s.conn.registry == nil {
		return nil, herald.Errorf(herald.CodeConflict, "connecting accounts is not set up on this Herald server")
	}
	c, ok := s.conn.registry.Get(platform)
	if ok {
		return c, nil
	}
	if setup, offered := s.conn.registry.Setup(platform); offered {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("%s is not set up on this Herald server; its operator must %s", platform, setup),
			Details: []herald.FieldProblem{{Field: "platform", Problem: "is not set up on this server"}}}
	}
	names := make([]string, 0, len(herald.Platforms))
	for _, p := range s.conn.registry.Platforms() {
		names = append(names, string(p))
	}
	return nil, &herald.Error{Code: herald.CodeInvalid,
		Message: fmt.Sprintf("Herald cannot connect %s accounts; it connects: %s", platform, strings.Join(names, ", ")),
		Details: []herald.FieldProblem{{Field: "platform", Problem: "must be one of " + strings.Join(names, ", ")}}}
}

// Connectable lists the platforms this build can connect accounts of, set
// up or not, in the order of herald.Platforms.
func (s *Service) Connectable() []herald.Platform {
	if s.conn.registry == nil {
		return nil
	}
	return s.conn.registry.Platforms()
}

// NotSetUp is a platform this build can connect once the installation's
// operator sets it up.
type NotSetUp struct {
	Platform herald.Platform
	// Setup is what the operator must do.
	Setup string
}

// NotSetUp lists the platforms this build can connect that this
// installation has not set up, in the order of herald.Platforms.
func (s *Service) NotSetUp() []NotSetUp {
	if s.conn.registry == nil {
		return nil
	}
	var out []NotSetUp
	for _, p := range s.conn.registry.Platforms() {
		if setup, ok := s.conn.registry.Setup(p); ok {
			out = append(out, NotSetUp{Platform: p, Setup: setup})
		}
	}
	return out
}

// BeginConnect starts connecting an account through the platform's OAuth
// flow and returns the address to send the person to. instance is the
// server to connect to where the platform has many (Mastodon).
func (s *Service) BeginConnect(ctx context.Context, actor herald.Actor, platform herald.Platform, instance string) (string, error) {
	if err := actor.Require(herald.ActAccountsManage); err != nil {
		return "", err
	}
	c, err := s.connectorFor(platform)
	if err != nil {
		return "", err
	}
	az, ok := c.(connector.Authorizer)
	if !ok {
		msg := fmt.Sprintf("%s accounts are not connected through the platform's sign-in page", platform)
		if _, pw := c.(connector.PasswordConnector); pw {
			msg = fmt.Sprintf("%s accounts connect with an identifier and a password: use connect-password", platform)
		}
		return "", &herald.Error{Code: herald.CodeInvalid, Message: msg,
			Details: []herald.FieldProblem{{Field: "platform", Problem: "does not connect through OAuth"}}}
	}
	if s.conn.callbackURL == "" {
		return "", herald.Errorf(herald.CodeConflict, "this Herald server has no public address for the connect callback; ask its operator to set it")
	}
	instance = strings.TrimSpace(instance)
	if len(instance) > 2000 {
		return "", &herald.Error{Code: herald.CodeInvalid, Message: "the instance address is too long",
			Details: []herald.FieldProblem{{Field: "instance", Problem: "is longer than 2000 bytes"}}}
	}
	state := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(state))
	start := connector.AuthStart{WorkspaceID: actor.WorkspaceID, Instance: instance, RedirectURL: s.conn.callbackURL, State: state}
	bctx, cancel := context.WithTimeout(ctx, s.connectTimeout())
	red, err := az.Begin(bctx, start)
	cancel()
	if err != nil {
		return "", platformError(err, "instance", "the platform did not let Herald start connecting", s.connectTimeout())
	}
	if _, err := url.Parse(red.URL); err != nil || red.URL == "" {
		return "", fmt.Errorf("account: the %s connector gave an authorization address that is not a URL: %q", platform, red.URL)
	}
	sealed, err := s.keys.Seal(red.Secret, herald.OAuthStateAAD(sum[:]))
	if err != nil {
		return "", fmt.Errorf("account: seal the connection secret: %w", err)
	}
	now := s.clock.Now()
	st := herald.OAuthState{StateHash: sum[:], WorkspaceID: actor.WorkspaceID, UserID: actor.UserID, Platform: platform,
		Instance: instance, Secret: sealed, RedirectURL: s.conn.callbackURL, CreatedAt: now, ExpiresAt: now.Add(StateTTL)}
	if err := s.store.CreateOAuthState(ctx, &st); err != nil {
		return "", fmt.Errorf("account: save the connection state: %w", err)
	}
	if n, err := s.store.DeleteExpiredOAuthStates(ctx, now); err != nil {
		s.logger.WarnContext(ctx, "expired connection states not deleted", slog.Any("error", err))
	} else if n > 0 {
		s.logger.DebugContext(ctx, "expired connection states deleted", slog.Int64("count", n))
	}
	return red.URL, nil
}

// FinishConnect completes a connection at the callback: the state says
// which workspace and platform; the person who comes back must be the one
// who started, with a role that still allows connecting accounts. The
// account is created, or updated (credentials, status) when it was
// connected before. A state works once. When it fails after the state is
// known to be the person's own, the account returned carries the
// workspace and platform (nothing else), so the person can be sent back
// to the right workspace with the error.
func (s *Service) FinishConnect(ctx context.Context, p herald.Principal, state, code string) (herald.Account, error) {
	state, code = strings.TrimSpace(state), strings.TrimSpace(code)
	if state == "" {
		return herald.Account{}, &herald.Error{Code: herald.CodeBadRequest,
			Message: "the callback has no state; start connecting the account again from Herald",
			Details: []herald.FieldProblem{{Field: "state", Problem: "is required"}}}
	}
	sum := sha256.Sum256([]byte(state))
	st, err := s.store.TakeOAuthState(ctx, sum[:])
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Account{}, &herald.Error{Code: herald.CodeInvalid,
			Message: "this connection link was already used or is unknown; start connecting the account again from Herald",
			Details: []herald.FieldProblem{{Field: "state", Problem: "is not a connection in progress"}}, Err: err}
	}
	if err != nil {
		return herald.Account{}, fmt.Errorf("account: read the connection state: %w", err)
	}
	if !s.clock.Now().Before(st.ExpiresAt) {
		return herald.Account{}, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the connection was not finished within %d minutes; start connecting the account again", int(StateTTL/time.Minute)),
			Details: []herald.FieldProblem{{Field: "state", Problem: "expired"}}}
	}
	if p.UserID != st.UserID {
		return herald.Account{}, herald.Errorf(herald.CodeForbidden,
			"this connection was started by another person; sign in as them, or start connecting the account yourself")
	}
	// From here on, failures say where the connection was started.
	where := herald.Account{WorkspaceID: st.WorkspaceID, Platform: st.Platform}
	if s.conn.actors == nil {
		return where, herald.Errorf(herald.CodeConflict, "connecting accounts is not set up on this Herald server")
	}
	actor, err := s.conn.actors.Actor(ctx, p, st.WorkspaceID)
	if err != nil {
		return where, err
	}
	if err := actor.Require(herald.ActAccountsManage); err != nil {
		return where, err
	}
	if code == "" {
		return where, &herald.Error{Code: herald.CodeInvalid,
			Message: "the platform sent no authorization code (was access denied?); start connecting the account again",
			Details: []herald.FieldProblem{{Field: "code", Problem: "is required"}}}
	}
	c, err := s.connectorFor(st.Platform)
	if err != nil {
		return where, err
	}
	az, ok := c.(connector.Authorizer)
	if !ok {
		return where, herald.Errorf(herald.CodeInvalid, "%s accounts no longer connect through OAuth on this server", st.Platform)
	}
	secret, err := s.keys.Open(st.Secret, herald.OAuthStateAAD(sum[:]))
	if err != nil {
		return where, fmt.Errorf("account: open the connection secret: %w", err)
	}
	ectx, cancel := context.WithTimeout(ctx, s.connectTimeout())
	got, err := az.Exchange(ectx, connector.AuthStart{WorkspaceID: st.WorkspaceID, Instance: st.Instance,
		RedirectURL: st.RedirectURL, State: state}, secret, code)
	cancel()
	if err != nil {
		return where, platformError(err, "code", "the platform did not complete the connection; start again", s.connectTimeout())
	}
	return s.connected(ctx, actor, st.Platform, got)
}

// AbandonConnect forgets a connection the platform did not complete (the
// person refused, say) and returns the workspace it was started in, or 0
// when the state is unknown, expired or another person's.
func (s *Service) AbandonConnect(ctx context.Context, p herald.Principal, state string) (int64, error) {
	state = strings.TrimSpace(state)
	if state == "" {
		return 0, nil
	}
	sum := sha256.Sum256([]byte(state))
	st, err := s.store.TakeOAuthState(ctx, sum[:])
	if errors.Is(err, herald.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("account: read the connection state: %w", err)
	}
	if p.UserID != st.UserID || !s.clock.Now().Before(st.ExpiresAt) {
		return 0, nil
	}
	return st.WorkspaceID, nil
}

// ConnectMethod says how accounts of one platform connect on this server.
type ConnectMethod struct {
	Platform herald.Platform
	// OAuth: through the platform's sign-in page (BeginConnect).
	OAuth bool
	// Password: with an identifier and a password (ConnectWithPassword).
	Password bool
}

// ConnectMethods lists the platforms this server can connect accounts
// of, in the order of herald.Platforms, with how each connects. It is
// empty when connecting is not set up.
func (s *Service) ConnectMethods() []ConnectMethod {
	if s.conn.registry == nil {
		return nil
	}
	var out []ConnectMethod
	for _, p := range herald.Platforms {
		c, ok := s.conn.registry.Get(p)
		if !ok {
			continue
		}
		_, az := c.(connector.Authorizer)
		_, pw := c.(connector.PasswordConnector)
		m := ConnectMethod{Platform: p, OAuth: az && s.conn.callbackURL != "", Password: pw}
		if m.OAuth || m.Password {
			out = append(out, m)
		}
	}
	return out
}

// ConnectWithPassword connects an account from an identifier and a
// password (a Bluesky handle and app password, say).
func (s *Service) ConnectWithPassword(ctx context.Context, actor herald.Actor, platform herald.Platform, identifier, password string) (herald.Account, error) {
	if err := actor.Require(herald.ActAccountsManage); err != nil {
		return herald.Account{}, err
	}
	var p herald.Problems
	if strings.TrimSpace(identifier) == "" {
		p.Add("identifier", "is required")
	}
	if password == "" {
		p.Add("password", "is required")
	}
	if err := p.Err("the connection details are not complete"); err != nil {
		return herald.Account{}, err
	}
	c, err := s.connectorFor(platform)
	if err != nil {
		return herald.Account{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.connectTimeout())
	defer cancel()
	pc, ok := c.(connector.PasswordConnector)
	if !ok {
		msg := fmt.Sprintf("%s accounts do not connect with a password", platform)
		if _, az := c.(connector.Authorizer); az {
			msg = fmt.Sprintf("%s accounts connect through the platform's sign-in page: use connect", platform)
		}
		return herald.Account{}, &herald.Error{Code: herald.CodeInvalid, Message: msg,
			Details: []herald.FieldProblem{{Field: "platform", Problem: "does not connect with a password"}}}
	}
	got, err := pc.ConnectWithPassword(ctx, strings.TrimSpace(identifier), password)
	if err != nil {
		return herald.Account{}, platformError(err, "password", "the platform did not accept the identifier and password", s.connectTimeout())
	}
	return s.connected(ctx, actor, platform, got)
}

// connected stores what a connector returned.
func (s *Service) connected(ctx context.Context, actor herald.Actor, platform herald.Platform, got connector.Connected) (herald.Account, error) {
	a := got.Account
	a.Platform = platform
	a.Status, a.StatusReason = herald.AccountConnected, ""
	if a.TokenExpiresAt != nil {
		t := a.TokenExpiresAt.UTC().Truncate(time.Microsecond)
		a.TokenExpiresAt = &t
	}
	return s.Connect(ctx, actor, a, got.Credentials)
}

// platformError turns a connector's error into one people can act on.
// A deadline is said in words: the server did not answer in limit.
func platformError(err error, field, what string, limit time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		n := max(1, int(limit.Round(time.Second)/time.Second))
		secs := fmt.Sprintf("%d seconds", n)
		if n == 1 {
			secs = "1 second"
		}
		return &herald.Error{Code: herald.CodeUnavailable,
			Message: fmt.Sprintf("%s: the server did not answer in %s; check the address, or try again later", what, secs),
			Details: []herald.FieldProblem{{Field: field, Problem: "the server did not answer in " + secs}}, Err: err}
	}
	if he := (*herald.Error)(nil); errors.As(err, &he) {
		// The connector already said it in words for people (and may
		// wrap the classified cause, whose message is not for them).
		return err
	}
	if re := (*outbound.RefusedError)(nil); errors.As(err, &re) {
		// Herald's own address policy, not the platform, said no; the
		// address came from what was typed (a handle names its host).
		if field == "password" {
			field = "identifier"
		}
		return &herald.Error{Code: herald.CodeInvalid, Message: what + ": Herald does not connect to this address",
			Details: []herald.FieldProblem{{Field: field, Problem: re.Error()}}, Err: err}
	}
	var ce *connector.Error
	if !errors.As(err, &ce) {
		return &herald.Error{Code: herald.CodeUnavailable, Message: what + ": the platform could not be reached; try again in a moment", Err: err}
	}
	msg := what
	if ce.Message != "" {
		msg += ": " + ce.Message
	}
	switch ce.Class {
	case connector.RateLimited:
		wait := ""
		if ce.RetryAfter > 0 {
			wait = fmt.Sprintf(" (about %s)", ce.RetryAfter.Round(time.Second))
		}
		return &herald.Error{Code: herald.CodeRateLimited, Message: msg + "; the platform asks Herald to wait" + wait + " before trying again", Err: err}
	case connector.Transient, connector.Ambiguous:
		return &herald.Error{Code: herald.CodeUnavailable, Message: msg + "; try again in a moment", Err: err}
	}
	return &herald.Error{Code: herald.CodeInvalid, Message: msg,
		Details: []herald.FieldProblem{{Field: field, Problem: "was refused by the platform"}}, Err: err}
}
