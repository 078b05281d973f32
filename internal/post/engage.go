package post

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// TargetMetrics returns a published target's metric snapshots, oldest
// first (counts a platform does not give are -1).
func (s *Service) TargetMetrics(ctx context.Context, actor herald.Actor, postID, targetID int64) ([]herald.MetricSnapshot, error) {
	if err := actor.Require(herald.ActAnalyticsRead); err != nil {
		return nil, err
	}
	t, err := s.store.GetTarget(ctx, actor.WorkspaceID, targetID)
	if errors.Is(err, herald.ErrNotFound) || (err == nil && t.PostID != postID) {
		return nil, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("post %d has no target %d in this workspace", postID, targetID), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("post: metrics: get target %d: %w", targetID, err)
	}
	ms, err := s.store.ListMetricSnapshots(ctx, actor.WorkspaceID, targetID)
	if err != nil {
		return nil, fmt.Errorf("post: metrics of target %d: %w", targetID, err)
	}
	return ms, nil
}

// account returns an account of the workspace or a not-found error naming it.
func (s *Service) account(ctx context.Context, workspaceID, id int64) (herald.Account, error) {
	a, err := s.store.GetAccount(ctx, workspaceID, id)
	if errors.Is(err, herald.ErrNotFound) {
		return herald.Account{}, &herald.Error{Code: herald.CodeNotFound,
			Message: fmt.Sprintf("account %d not found in this workspace", id), Err: err}
	}
	if err != nil {
		return herald.Account{}, fmt.Errorf("post: get account %d: %w", id, err)
	}
	return a, nil
}

// inboxItem loads an item and its account, opened for the connector.
func (s *Service) inboxItem(ctx context.Context, actor herald.Actor, id int64) (herald.InboxItem, connector.Account, connector.Publisher, error) {
	it, err := s.getInboxItem(ctx, actor.WorkspaceID, id)
	if err != nil {
		return it, connector.Account{}, nil, err
	}
	a, err := s.account(ctx, actor.WorkspaceID, it.AccountID)
	if err != nil {
		return it, connector.Account{}, nil, err
	}
	acct, c, err := s.openAccount(a)
	return it, acct, c, err
}

// openAccount opens a connected account's credentials and finds its
// connector.
func (s *Service) openAccount(a herald.Account) (connector.Account, connector.Publisher, error) {
	if a.Credentials.Empty() || a.Status == herald.AccountRevoked || a.Status == herald.AccountExpired {
		return connector.Account{}, nil, herald.Errorf(herald.CodeConflict,
			"the %s account %s must be reconnected first", a.Platform, a.Handle)
	}
	if s.conn.registry == nil {
		return connector.Account{}, nil, herald.Errorf(herald.CodeConflict, "this Herald server cannot reach the platforms")
	}
	c, ok := s.conn.registry.Get(a.Platform)
	if !ok {
		return connector.Account{}, nil, herald.Errorf(herald.CodeConflict, "this Herald server has no %s connector", a.Platform)
	}
	plain, err := s.conn.keys.Open(a.Credentials, a.CredentialsAAD())
	if err != nil {
		return connector.Account{}, nil, fmt.Errorf("post: open the credentials of account %d: %w", a.ID, err)
	}
	return connector.Account{Account: a, Credentials: plain}, c, nil
}

// Like likes an inbox item from the account it came to.
func (s *Service) Like(ctx context.Context, actor herald.Actor, itemID int64) error {
	if err := actor.Require(herald.ActPostsWrite); err != nil {
		return err
	}
	it, acct, c, err := s.inboxItem(ctx, actor, itemID)
	if err != nil {
		return err
	}
	l, ok := c.(connector.Liker)
	if !ok {
		return herald.Errorf(herald.CodeInvalid, "Herald cannot like posts on %s", acct.Platform)
	}
	if err := l.Like(ctx, acct, it.Ref()); err != nil {
		return platformError(err, "the platform did not record the like")
	}
	e := herald.NewAudit(actor, "inbox.like", "inbox_item", it.ID, nil, map[string]string{"remote_id": it.RemoteID}, s.clock.Now())
	if err := s.store.AppendAudit(ctx, &e); err != nil {
		s.logger.ErrorContext(ctx, "like not audited", "inbox_item_id", it.ID, "error", err)
	}
	return nil
}

// platformError turns a connector's error into one people can act on.
func platformError(err error, what string) error {
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
		return &herald.Error{Code: herald.CodeRateLimited, Message: msg + fmt.Sprintf("; wait %s and try again", max(ce.RetryAfter, time.Second).Round(time.Second)), Err: err}
	case connector.Transient:
		return &herald.Error{Code: herald.CodeUnavailable, Message: msg + "; try again in a moment", Err: err}
	case connector.Ambiguous:
		return &herald.Error{Code: herald.CodeUnavailable, Message: msg + "; it may have gone through: check the platform before trying again", Err: err}
	case connector.AuthExpired, connector.AuthRevoked:
		return &herald.Error{Code: herald.CodeConflict, Message: msg + "; reconnect the account", Err: err}
	}
	return &herald.Error{Code: herald.CodeInvalid, Message: msg, Err: err}
}
