package inbox

import (
	"context"
	"fmt"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// DMPlatforms says which platforms have a connector; the connector
// registry is one.
type DMPlatforms interface {
	Get(p herald.Platform) (connector.Publisher, bool)
}

// WithDMPlatforms lets the service tell which accounts can give direct
// messages, from the platforms' connectors.
func WithDMPlatforms(p DMPlatforms) Option {
	return func(s *Service) { s.dms = p }
}

// conversationLimit is how many of a conversation's latest messages the
// conversation page shows.
const conversationLimit = 200

// Conversation returns the messages of a direct item's conversation as
// Herald holds them (its account's direct items with the same
// conversation id), oldest first; an item that is not direct has none.
func (s *Service) Conversation(ctx context.Context, actor herald.Actor, itemID int64) ([]herald.InboxItem, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	it, err := s.store.GetInboxItem(ctx, actor.WorkspaceID, itemID)
	if err != nil {
		return nil, fmt.Errorf("inbox: inbox item %d: %w", itemID, err)
	}
	if !it.Direct || it.ConversationID == "" {
		return []herald.InboxItem{}, nil
	}
	msgs, err := s.store.ListConversation(ctx, actor.WorkspaceID, it.AccountID, it.ConversationID, conversationLimit)
	if err != nil {
		return nil, fmt.Errorf("inbox: conversation of inbox item %d: %w", itemID, err)
	}
	return msgs, nil
}

// NoDMs is a connected account whose direct messages the inbox cannot
// show, and why.
type NoDMs struct {
	Account herald.Account `json:"account"`
	Reason  string         `json:"reason"`
}

// AccountsWithoutDMs returns the workspace's accounts whose direct
// messages the inbox cannot show: their platform does not give messages
// to apps, or it refused them at the last sync (an older connection
// without the permission: "reconnect to allow direct messages").
func (s *Service) AccountsWithoutDMs(ctx context.Context, actor herald.Actor) ([]NoDMs, error) {
	if err := actor.Require(herald.ActPostsRead); err != nil {
		return nil, err
	}
	accts, err := s.store.ListAccounts(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: list accounts: %w", err)
	}
	refused, err := s.store.DMRefusals(ctx, actor.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("inbox: direct-message refusals: %w", err)
	}
	out := []NoDMs{}
	for _, a := range accts {
		if a.Status != herald.AccountConnected && a.Status != herald.AccountExpiring {
			continue // the accounts page already says to reconnect it
		}
		reason := refused[a.ID]
		if reason == "" && !s.readsDMs(a.Platform) {
			reason = connector.NoDMsReason
		}
		if reason != "" {
			out = append(out, NoDMs{Account: a, Reason: reason})
		}
	}
	return out, nil
}

// readsDMs reports whether the platform's connector reads direct messages.
func (s *Service) readsDMs(p herald.Platform) bool {
	if s.dms == nil {
		return false
	}
	c, ok := s.dms.Get(p)
	if !ok {
		return false
	}
	_, ok = c.(connector.DMReader)
	return ok
}
