package post

import (
	"context"
	"fmt"
	"maps"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// "Answer as": an item may be answered from another account of the
// workspace on the same platform that can act on it (connector.AnswerAs;
// on Mastodon an account of another server finds the post there first). The reply records the account, and
// every later check of it (settling, a person's decision) is made on that
// account.

// AnswerAccounts returns the accounts the item can be answered from: the
// account it came to first, then the workspace's other connected accounts
// that can answer it, by platform and handle. A direct message is
// answered only from its own account.
func (s *Service) AnswerAccounts(ctx context.Context, actor herald.Actor, itemID int64) ([]herald.Account, error) {
	it, err := s.getInboxItem(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return nil, err
	}
	own, err := s.account(ctx, actor.WorkspaceID, it.AccountID)
	if err != nil {
		return nil, err
	}
	out := []herald.Account{own}
	if it.Direct {
		return out, nil
	}
	all, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("post: accounts that can answer item %d: %w", itemID, err)
	}
	for _, a := range all {
		if a.ID != own.ID && s.canAnswerAs(it, own, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// canAnswerAs reports whether other, connected, can answer item it that
// came to own.
func (s *Service) canAnswerAs(it herald.InboxItem, own, other herald.Account) bool {
	if it.Direct || other.Platform != own.Platform || other.Credentials.Empty() ||
		other.Status == herald.AccountRevoked || other.Status == herald.AccountExpired || s.conn.registry == nil {
		return false
	}
	c, ok := s.conn.registry.Get(own.Platform)
	if !ok {
		return false
	}
	if _, ok := c.(connector.Replier); !ok {
		return false
	}
	as, ok := c.(connector.AnswerAs)
	return ok && as.CanAnswerAs(own, other)
}

// answerFrom returns the account a reply to it is sent from: own, or the
// account asID when that one can answer it (else a clear error).
func (s *Service) answerFrom(ctx context.Context, ws int64, it herald.InboxItem, own herald.Account, asID int64) (herald.Account, error) {
	if asID == 0 || asID == own.ID {
		return own, nil
	}
	other, err := s.account(ctx, ws, asID)
	if err != nil {
		return herald.Account{}, err
	}
	if !s.canAnswerAs(it, own, other) {
		why := fmt.Sprintf("the %s account %s cannot answer a message that came to the %s account %s", other.Platform,
			other.Handle, own.Platform, own.Handle)
		switch {
		case it.Direct:
			why += ": a direct message is answered from the account it came to"
		case other.Platform != own.Platform:
			why += ": it is on another platform"
		case other.Credentials.Empty() || other.Status == herald.AccountRevoked || other.Status == herald.AccountExpired:
			why += ": it must be reconnected first"
		default:
			why += ": it cannot act on a post another account received (on the test platform, only an account of the same server can)"
		}
		return herald.Account{}, &herald.Error{Code: herald.CodeInvalid, Message: why,
			Details: []herald.FieldProblem{{Field: "account_id", Problem: "cannot answer this item"}}}
	}
	return other, nil
}

// replyAccount opens the account reply r was (or is to be) sent from.
func (s *Service) replyAccount(ctx context.Context, ws int64, it herald.InboxItem, r herald.Reply) (connector.Account, connector.Publisher, error) {
	id := it.AccountID
	if r.AccountID != nil {
		id = *r.AccountID
	}
	a, err := s.account(ctx, ws, id)
	if err != nil {
		return connector.Account{}, nil, err
	}
	return s.openAccount(a)
}

// replyTo is the item's reference for reply r. A reply sent from another
// account than the item's names the server the item was read on
// (connector.MetaReadOn), so that a platform whose ids are each server's
// own (Mastodon) first finds the post on the answering account's server.
func (s *Service) replyTo(ctx context.Context, it herald.InboxItem, r herald.Reply) (herald.RemoteRef, error) {
	ref := it.Ref()
	if r.AccountID == nil || *r.AccountID == it.AccountID {
		return ref, nil
	}
	own, err := s.account(ctx, it.WorkspaceID, it.AccountID)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	meta := make(map[string]string, len(ref.Meta)+1)
	maps.Copy(meta, ref.Meta)
	meta[connector.MetaReadOn] = own.InstanceURL
	ref.Meta = meta
	return ref, nil
}
