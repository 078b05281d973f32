package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// ConversationList is a direct message's conversation, oldest first.
type ConversationList struct {
	Body ListBody[herald.InboxItem]
}

// NoDMsList is the accounts whose direct messages the inbox cannot show.
type NoDMsList struct {
	Body ListBody[inbox.NoDMs]
}

// registerDMs registers the direct-message routes of the inbox.
func (a *API) registerDMs() {
	if a.d.Inbox == nil {
		return
	}
	tags := []string{"Inbox"}
	register(a, huma.Operation{
		OperationID: "get-inbox-conversation", Method: http.MethodGet,
		Path:    "/api/v1/workspaces/{workspace}/inbox/{item}/conversation",
		Summary: "Read a direct message's conversation", Tags: tags,
		Description: "The messages of the direct item's conversation that Herald holds (the account's direct items " +
			"with the same conversation_id), oldest first, at most the latest 200. A public item has none.",
	}, func(ctx context.Context, in *InboxItemPath) (*ConversationList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		msgs, err := a.d.Inbox.Conversation(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &ConversationList{Body: list(msgs, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-accounts-without-dms", Method: http.MethodGet,
		Path:    "/api/v1/workspaces/{workspace}/inbox/accounts-without-dms",
		Summary: "List the accounts whose direct messages the inbox cannot show", Tags: tags,
		Description: "Connected accounts whose platform does not give messages to apps, or refused them at the last " +
			"sync (an older connection without the permission: reconnect the account), with the reason.",
	}, func(ctx context.Context, in *WorkspaceParam) (*NoDMsList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		no, err := a.d.Inbox.AccountsWithoutDMs(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &NoDMsList{Body: list(no, "")}, nil
	})
}
