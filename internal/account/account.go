// Package account manages a workspace's connected social accounts: listing
// them, renaming, pausing and disconnecting them, and keeping their
// credentials sealed at rest with the keyring.
package account

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/keyring"
)

// Service is the account use-case. It is safe for concurrent use.
type Service struct {
	store  herald.Store
	keys   *keyring.Keyring
	clock  herald.Clock
	logger *slog.Logger
	conn   connecting // set by WithConnectors
	// connTimeout replaces ConnectTimeout when set (WithConnectTimeout).
	connTimeout time.Duration
}

// New returns a Service over store that seals credentials with keys.
func New(store herald.Store, keys *keyring.Keyring, clock herald.Clock, logger *slog.Logger, opts ...Option) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, keys: keys, clock: clock, logger: logger}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Patch changes some of an account's fields; nil fields stay as they are.
type Patch struct {
	DisplayName *string
	AvatarURL   *string
	// Paused pauses publishing for the account (true) or resumes it (false).
	Paused *bool
}

// List returns the workspace's accounts by platform, then handle.
func (s *Service) List(ctx context.Context, actor herald.Actor) ([]herald.Account, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return nil, err
	}
	as, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("account: list: %w", err)
	}
	return as, nil
}

// Get returns one account of the actor's workspace.
func (s *Service) Get(ctx context.Context, actor herald.Actor, id int64) (herald.Account, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return herald.Account{}, err
	}
	return get(ctx, s.store, actor.WorkspaceID, id)
}

func get(ctx context.Context, tx herald.Tx, workspaceID, id int64) (herald.Account, error) {
	a, err := tx.GetAccount(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Account{}, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("account %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.Account{}, fmt.Errorf("account: get %d: %w", id, err)
	}
	return a, nil
}

// Update changes an account's display name or avatar, or pauses or resumes
// publishing for it.
func (s *Service) Update(ctx context.Context, actor herald.Actor, id int64, p Patch) (herald.Account, error) {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return herald.Account{}, err
	}
	var after herald.Account
	err := s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		// Existence first, then the role: another workspace's account is
		// not found whatever the caller's role.
		if err := actor.Require(herald.ActAccountsManage); err != nil {
			return err
		}
		after = before
		now := s.clock.Now()
		if p.DisplayName != nil {
			after.DisplayName = strings.TrimSpace(*p.DisplayName)
		}
		if p.AvatarURL != nil {
			after.AvatarURL = strings.TrimSpace(*p.AvatarURL)
		}
		if p.Paused != nil {
			switch {
			case *p.Paused && after.PausedAt == nil:
				after.PausedAt = &now
			case !*p.Paused:
				after.PausedAt = nil
			}
		}
		if err := validate(&after); err != nil {
			return err
		}
		if same(before, after) {
			return nil
		}
		after.UpdatedAt = now
		if err := tx.UpdateAccount(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, auditAction(before, after), "account", id, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Account{}, fmt.Errorf("account: update %d: %w", id, err)
	}
	return after, nil
}

func auditAction(before, after herald.Account) string {
	switch {
	case before.PausedAt == nil && after.PausedAt != nil:
		return "account.pause"
	case before.PausedAt != nil && after.PausedAt == nil:
		return "account.resume"
	}
	return "account.update"
}

func same(a, b herald.Account) bool {
	return a.DisplayName == b.DisplayName && a.AvatarURL == b.AvatarURL &&
		(a.PausedAt == nil) == (b.PausedAt == nil)
}

// validate checks the domain rules and the avatar address.
func validate(a *herald.Account) error {
	var p herald.Problems
	if err := a.Validate(); err != nil {
		var he *herald.Error
		if !errors.As(err, &he) {
			return err
		}
		p = append(p, he.Details...)
	}
	if a.AvatarURL != "" {
		u, err := url.Parse(a.AvatarURL)
		switch {
		case len(a.AvatarURL) > 2000:
			p.Add("avatar_url", "is longer than 2000 bytes")
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			p.Add("avatar_url", "%q is not an http(s) address such as https://example.com/me.png", a.AvatarURL)
		}
	}
	if a.InstanceURL != "" {
		u, err := url.Parse(a.InstanceURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("instance_url", "%q is not an http(s) address such as https://mastodon.social", a.InstanceURL)
		}
	}
	return p.Err("the account is not valid")
}

// Disconnect forgets an account's credentials and marks it revoked. Its
// posts and targets stay; publishing to it fails until it is reconnected.
func (s *Service) Disconnect(ctx context.Context, actor herald.Actor, id int64) error {
	if err := actor.Require(herald.ActAccountsRead); err != nil {
		return err
	}
	who, err := s.actorName(ctx, actor)
	if err != nil {
		return err
	}
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		before, err := get(ctx, tx, actor.WorkspaceID, id)
		if err != nil {
			return err
		}
		if err := actor.Require(herald.ActAccountsManage); err != nil {
			return err
		}
		now := s.clock.Now()
		after := before
		after.Credentials = herald.Sealed{}
		after.Status = herald.AccountRevoked
		after.StatusReason = "disconnected by " + who
		after.TokenExpiresAt = nil
		after.UpdatedAt = now
		if err := tx.UpdateAccount(ctx, &after); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "account.disconnect", "account", id, before, after, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return fmt.Errorf("account: disconnect %d: %w", id, err)
	}
	s.logger.InfoContext(ctx, "account disconnected", "workspace_id", actor.WorkspaceID, "account_id", id)
	return nil
}

// actorName is how the actor is named in status reasons: their name, or
// their address when they have none.
func (s *Service) actorName(ctx context.Context, actor herald.Actor) (string, error) {
	u, err := s.store.GetUser(ctx, actor.UserID)
	if errors.Is(err, herald.ErrNotFound) {
		return fmt.Sprintf("user %d", actor.UserID), nil
	}
	if err != nil {
		return "", fmt.Errorf("account: get user %d: %w", actor.UserID, err)
	}
	if u.Name != "" {
		return u.Name, nil
	}
	return u.Email, nil
}

// Connect stores an account with its credentials sealed. Connecting the
// same profile again (platform and remote id, and on federated platforms
// the same server: herald.Account.SameRemote) updates the stored account
// (profile, credentials, status) instead of failing, so reconnecting an
// expired or revoked account works. The status defaults to connected.
func (s *Service) Connect(ctx context.Context, actor herald.Actor, a herald.Account, credentials []byte) (herald.Account, error) {
	if err := actor.Require(herald.ActAccountsManage); err != nil {
		return herald.Account{}, err
	}
	a.ID = 0
	a.WorkspaceID = actor.WorkspaceID
	a.RemoteID = strings.TrimSpace(a.RemoteID)
	if a.Status == "" {
		a.Status = herald.AccountConnected
	}
	if err := validate(&a); err != nil {
		return herald.Account{}, err
	}
	if len(credentials) == 0 {
		return herald.Account{}, &herald.Error{Code: herald.CodeInvalid, Message: "the account is not valid",
			Details: []herald.FieldProblem{{Field: "credentials", Problem: "are required to act for the account"}}}
	}
	sealed, err := s.keys.Seal(credentials, aad(a.WorkspaceID, a.Platform, a.RemoteID))
	if err != nil {
		return herald.Account{}, fmt.Errorf("account: seal credentials: %w", err)
	}
	a.Credentials = sealed
	now := s.clock.Now()
	a.UpdatedAt = now
	err = s.store.InTx(ctx, func(tx herald.Tx) error {
		existing, found, err := findRemote(ctx, tx, a)
		if err != nil {
			return err
		}
		if !found {
			a.CreatedAt = now
			if err := tx.CreateAccount(ctx, &a); err != nil {
				return err
			}
			e := herald.NewAudit(actor, "account.connect", "account", a.ID, nil, a, now)
			return tx.AppendAudit(ctx, &e)
		}
		a.ID = existing.ID
		a.CreatedAt = existing.CreatedAt
		a.PausedAt = existing.PausedAt
		a.PostingSchedule = existing.PostingSchedule
		if a.DisplayName == "" {
			a.DisplayName = existing.DisplayName
		}
		if a.AvatarURL == "" {
			a.AvatarURL = existing.AvatarURL
		}
		if err := tx.UpdateAccount(ctx, &a); err != nil {
			return err
		}
		e := herald.NewAudit(actor, "account.reconnect", "account", a.ID, existing, a, now)
		return tx.AppendAudit(ctx, &e)
	})
	if err != nil {
		return herald.Account{}, fmt.Errorf("account: connect %s %s: %w", a.Platform, a.RemoteID, err)
	}
	s.logger.InfoContext(ctx, "account connected", "workspace_id", a.WorkspaceID, "account_id", a.ID,
		"platform", string(a.Platform))
	return a, nil
}

// findRemote returns the workspace's account that is the same profile as
// a: a Mastodon id names different people on different servers.
func findRemote(ctx context.Context, tx herald.Tx, a herald.Account) (herald.Account, bool, error) {
	as, err := tx.ListAccounts(ctx, a.WorkspaceID)
	if err != nil {
		return herald.Account{}, false, err
	}
	for _, x := range as {
		if x.SameRemote(a) {
			return x, true, nil
		}
	}
	return herald.Account{}, false, nil
}

// Credentials opens the sealed credentials of an account, for connectors.
// An account without credentials (disconnected) gives a conflict error
// that says to reconnect it.
func (s *Service) Credentials(ctx context.Context, workspaceID, accountID int64) ([]byte, error) {
	a, err := get(ctx, s.store, workspaceID, accountID)
	if err != nil {
		return nil, err
	}
	if a.Credentials.Empty() {
		return nil, herald.Errorf(herald.CodeConflict,
			"the %s account %s has no credentials (it was disconnected): reconnect it", a.Platform, a.Handle)
	}
	plain, err := s.keys.Open(a.Credentials, aad(a.WorkspaceID, a.Platform, a.RemoteID))
	if err != nil {
		return nil, fmt.Errorf("account: open credentials of account %d: %w", accountID, err)
	}
	return plain, nil
}

// aad binds sealed credentials to their account, so a ciphertext copied to
// another account's row does not open.
func aad(workspaceID int64, platform herald.Platform, remoteID string) []byte {
	return fmt.Appendf(nil, "account:%d:%s:%s", workspaceID, platform, remoteID)
}
