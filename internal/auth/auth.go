// Package auth signs people in and decides who is calling: passwords
// (argon2id), browser sessions (alexedwards/scs over the store), API tokens
// (stored as SHA-256), sign-in attempt limits, and the Actor a principal
// becomes in a workspace.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Service is the authentication use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	clock  herald.Clock
	logger *slog.Logger

	limits *limiter
	// slots bounds the password hashes running at once (see slots.go);
	// slotWait is how long a request waits for one.
	slots    chan struct{}
	slotWait time.Duration
	// check is CheckPassword; tests count and time the checks through it.
	check func(hash, password string) (bool, error)

	dummyOnce sync.Once
	dummyHash string

	touchMu sync.Mutex
	touched map[int64]time.Time // token id → when LastUsedAt was last written
}

// New returns a Service over store.
func New(store herald.Store, clock herald.Clock, logger *slog.Logger) *Service {
	return &Service{store: store, clock: clock, logger: logger,
		limits: newLimiter(limitWindow, limitPerEmailIP, limitPerIP, limitPerEmail),
		slots:  make(chan struct{}, passwordSlots()), slotWait: slotWait, check: CheckPassword,
		touched: map[int64]time.Time{}}
}

var errWrongLogin = &herald.Error{Code: herald.CodeUnauthorized, Message: "wrong e-mail or password"}

// CreateUser creates a person who can sign in. The e-mail is stored
// lower-cased and must be unused.
func (s *Service) CreateUser(ctx context.Context, email, name, password string) (herald.User, error) {
	u := herald.User{Email: email, Name: name}
	var p herald.Problems
	if err := u.Validate(); err != nil {
		var he *herald.Error
		if !errors.As(err, &he) {
			return herald.User{}, fmt.Errorf("auth: validate user: %w", err)
		}
		p = append(p, he.Details...)
	}
	checkPassword(&p, "password", password)
	if err := p.Err("the user is not valid"); err != nil {
		return herald.User{}, err
	}
	if _, err := s.store.GetUserByEmail(ctx, u.Email); err == nil {
		return herald.User{}, errDuplicateEmail()
	} else if !errors.Is(err, herald.ErrNotFound) {
		return herald.User{}, fmt.Errorf("auth: look up %s: %w", u.Email, err)
	}
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return herald.User{}, err
	}
	now := s.clock.Now()
	u.PasswordHash, u.CreatedAt, u.UpdatedAt = hash, now, now
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		if err := tx.CreateUser(ctx, &u); err != nil {
			return err
		}
		e := herald.NewAudit(herald.Actor{}, "user.create", "user", u.ID, nil, u, now)
		return tx.AppendAudit(ctx, &e)
	})
	if errors.Is(err, herald.ErrConflict) {
		return herald.User{}, errDuplicateEmail()
	}
	if err != nil {
		return herald.User{}, fmt.Errorf("auth: create user: %w", err)
	}
	s.logger.InfoContext(ctx, "user created", "user_id", u.ID)
	return u, nil
}

func errDuplicateEmail() error {
	return &herald.Error{Code: herald.CodeConflict, Message: "an account with this e-mail already exists",
		Details: []herald.FieldProblem{{Field: "email", Problem: "is already used by another account"}}}
}

// Login checks an e-mail and password. A wrong e-mail and a wrong password
// give the same error after the same work. Repeated failures are refused
// for a while with a rate-limited error saying when to try again (see
// RetryAfter): per e-mail and address, per address and per e-mail. The
// attempt is counted before the password is checked, so concurrent
// attempts cannot exceed the limits, and at most a few checks run at once.
// remoteAddr is the client's address (host or host:port).
func (s *Service) Login(ctx context.Context, email, password, remoteAddr string) (herald.User, error) {
	email = herald.NormalizeEmail(email)
	ip := clientIP(remoteAddr)
	now := s.clock.Now()
	ok, retryAt := s.limits.reserve(email, ip, now)
	if !ok {
		wait := max(retryAt.Sub(now), time.Second)
		s.logger.WarnContext(ctx, "sign-in refused: too many failures", "ip", ip)
		return herald.User{}, &retryError{after: wait, err: &herald.Error{Code: herald.CodeRateLimited,
			Message: fmt.Sprintf("too many failed sign-in attempts; try again in %s (at %s)",
				humanDuration(wait.Round(time.Second)), retryAt.UTC().Format(time.RFC3339))}}
	}
	u, err := s.login(ctx, email, password)
	switch {
	case err == nil:
		s.limits.succeed(email, ip, now)
	case errors.Is(err, errWrongLogin):
		// The reservation stays: it was a failure.
	default:
		// Not an answer about the password (busy, store failure): no failure.
		s.limits.release(email, ip, now)
	}
	return u, err
}

// login checks the password of an e-mail's account.
func (s *Service) login(ctx context.Context, email, password string) (herald.User, error) {
	u, err := s.store.GetUserByEmail(ctx, email)
	switch {
	case errors.Is(err, herald.ErrNotFound):
		// Spend the same time as a real check so timing does not reveal
		// which addresses have accounts.
		if _, err := s.checkPassword(ctx, s.dummy(), password); err != nil {
			return herald.User{}, err
		}
		return herald.User{}, errWrongLogin
	case err != nil:
		return herald.User{}, fmt.Errorf("auth: look up user: %w", err)
	}
	ok, err := s.checkPassword(ctx, u.PasswordHash, password)
	if err != nil {
		if isRetry(err) {
			return herald.User{}, err
		}
		return herald.User{}, fmt.Errorf("auth: user %d: %w", u.ID, err)
	}
	if !ok {
		return herald.User{}, errWrongLogin
	}
	now := s.clock.Now()
	u.LastLoginAt = &now
	if err := s.store.UpdateUser(ctx, &u); err != nil {
		return herald.User{}, fmt.Errorf("auth: record sign-in of user %d: %w", u.ID, err)
	}
	return u, nil
}

func isRetry(err error) bool {
	_, ok := RetryAfter(err)
	return ok
}

// dummy returns a hash of a random password, made once, for Login to check
// against when the e-mail has no account.
func (s *Service) dummy() string {
	s.dummyOnce.Do(func() {
		h, err := HashPassword("no account has this password " + time.Now().String())
		if err != nil {
			// Without a random salt, a fixed one still costs the same work.
			h = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE"
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// Actor turns a principal into the actor it is in workspaceID, with its
// membership role (for a token, the weaker of the token's role and the
// membership's). A workspace the principal may not see is "not found",
// exactly as one that does not exist.
func (s *Service) Actor(ctx context.Context, p herald.Principal, workspaceID int64) (herald.Actor, error) {
	if p.UserID == 0 {
		return herald.Actor{}, herald.ErrUnauthorized
	}
	if p.Token != nil && p.Token.WorkspaceID != workspaceID {
		return herald.Actor{}, herald.NotFound("workspace")
	}
	m, err := s.store.GetMembership(ctx, workspaceID, p.UserID)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Actor{}, herald.NotFound("workspace")
	}
	if err != nil {
		return herald.Actor{}, fmt.Errorf("auth: membership of user %d in workspace %d: %w", p.UserID, workspaceID, err)
	}
	a := herald.Actor{UserID: p.UserID, WorkspaceID: workspaceID, Role: m.Role}
	if p.Token != nil {
		a.TokenID = p.Token.ID
		a.Role = p.Token.Role.Min(m.Role)
	}
	return a, nil
}

// clientIP returns the host part of remoteAddr, or remoteAddr itself.
func clientIP(remoteAddr string) string {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		return host
	}
	return remoteAddr
}

// humanDuration renders a wait as "42 seconds" or "12 minutes".
func humanDuration(d time.Duration) string {
	if d < time.Minute {
		n := max(int(d/time.Second), 1)
		return plural(n, "second")
	}
	return plural(int((d+time.Minute-1)/time.Minute), "minute")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
