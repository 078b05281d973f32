package post

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// optionsTimeout bounds asking a platform for an account's options (its
// boards, say), so a slow platform does not hold the composer.
const optionsTimeout = 5 * time.Second

// optionsTTL is how long an account's options are reused: long enough
// that opening the composer again does not ask the platform for the same
// boards, short enough that a board made on the platform shows up soon.
const optionsTTL = 5 * time.Minute

// optionCache keeps the option fields each account's connector listed,
// for optionsTTL and only while the account's sealed credentials are the
// same (a reconnect or a token refresh asks again).
type optionCache struct {
	mu sync.Mutex
	m  map[int64]cachedOptions
}

type cachedOptions struct {
	sealed []byte
	at     time.Time
	fields []connector.OptionField
}

func (c *optionCache) get(id int64, sealed []byte, now time.Time) ([]connector.OptionField, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || !bytes.Equal(e.sealed, sealed) || now.Sub(e.at) >= optionsTTL || now.Before(e.at) {
		return nil, false
	}
	return e.fields, true
}

func (c *optionCache) put(id int64, sealed []byte, now time.Time, fields []connector.OptionField) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]cachedOptions{}
	}
	for k, e := range c.m { // keep it small: drop what has lapsed
		if now.Sub(e.at) >= optionsTTL {
			delete(c.m, k)
		}
	}
	c.m[id] = cachedOptions{sealed: bytes.Clone(sealed), at: now, fields: fields}
}

// OptionFields returns the platform options of posts to one account of
// the actor's workspace, as its connector describes them (none for a
// platform without options). An account whose connector cannot be asked
// (not connected, credentials that do not open, the platform failing) is
// an error that says so, for the composer to show beside the account.
func (s *Service) OptionFields(ctx context.Context, actor herald.Actor, accountID int64) ([]connector.OptionField, error) {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return nil, err
	}
	a, err := s.store.GetAccount(ctx, actor.WorkspaceID, accountID)
	if err != nil {
		return nil, fmt.Errorf("post: options: get account %d: %w", accountID, err)
	}
	if s.conn.registry == nil {
		return nil, nil
	}
	c, ok := s.conn.registry.Get(a.Platform)
	if !ok {
		return nil, nil
	}
	d, ok := c.(connector.OptionDescriber)
	if !ok {
		return nil, nil
	}
	if a.Credentials.Empty() || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired {
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the %s account %s must be reconnected before its options can be listed", platformWord(a.Platform), a.Handle)}
	}
	now := s.clock.Now()
	if fields, ok := s.options.get(a.ID, a.Credentials.Ciphertext, now); ok {
		return fields, nil
	}
	plain, err := s.conn.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		s.logger.ErrorContext(ctx, "account credentials do not open", "account_id", a.ID, "error", err)
		return nil, &herald.Error{Code: herald.CodeInvalid,
			Message: fmt.Sprintf("the credentials of the %s account %s cannot be opened; reconnect it", platformWord(a.Platform), a.Handle)}
	}
	ctx, cancel := context.WithTimeout(ctx, optionsTimeout)
	defer cancel()
	fields, err := d.OptionFields(ctx, connector.Account{Account: a, Credentials: plain})
	if err != nil {
		var ce *connector.Error
		msg := fmt.Sprintf("%s did not list this account's options", platformWord(a.Platform))
		if errors.As(err, &ce) && ce.Message != "" {
			msg += ": " + ce.Message
		}
		s.logger.WarnContext(ctx, "listing an account's options failed", "account_id", accountID, "error", err)
		return nil, &herald.Error{Code: herald.CodeUnavailable, Message: msg}
	}
	s.options.put(a.ID, a.Credentials.Ciphertext, now, fields)
	return fields, nil
}

// platformWord is a platform's name for messages.
func platformWord(p herald.Platform) string {
	switch p {
	case herald.PlatformX:
		return "X"
	case herald.PlatformLinkedIn:
		return "LinkedIn"
	case herald.PlatformYouTube:
		return "YouTube"
	}
	s := string(p)
	if s == "" {
		return "The platform"
	}
	return string(s[0]-'a'+'A') + s[1:]
}
