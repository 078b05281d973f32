package web

import (
	"net/http"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// accountsWithoutDMs returns the accounts whose direct messages the inbox
// cannot show (none when the inbox service is not wired).
func (h *Handler) accountsWithoutDMs(r *http.Request, p *page) ([]inbox.NoDMs, error) {
	if h.d.Inbox == nil {
		return nil, nil
	}
	return h.d.Inbox.AccountsWithoutDMs(r.Context(), p.Actor)
}

// conversation returns a direct item's conversation, oldest first (none
// for a public item).
func (h *Handler) conversation(r *http.Request, p *page, it herald.InboxItem) ([]herald.InboxItem, error) {
	if !it.Direct || h.d.Inbox == nil {
		return nil, nil
	}
	return h.d.Inbox.Conversation(r.Context(), p.Actor, it.ID)
}
