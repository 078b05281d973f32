package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/inbox"
)

// InboxNotePath addresses one note of an inbox item.
type InboxNotePath struct {
	InboxItemPath
	Note int64 `path:"note" minimum:"1" doc:"Note id"`
}

// InboxNoteInput adds a note to an item.
type InboxNoteInput struct {
	InboxItemPath
	Body struct {
		Body string `json:"body" minLength:"1" maxLength:"20000" doc:"The note; @name mentions a member (their name without spaces, or their e-mail address before the @), who is notified"`
	}
}

// InboxNoteOutput is one note.
type InboxNoteOutput struct {
	Body herald.InboxNote
}

// InboxNoteList lists an item's notes.
type InboxNoteList struct {
	Body ListBody[herald.InboxNote]
}

// SavedReplyPath addresses one saved reply.
type SavedReplyPath struct {
	WorkspaceParam
	Reply int64 `path:"reply" minimum:"1" doc:"Saved reply id"`
}

// SavedReplyBody is a saved reply as a person writes it.
type SavedReplyBody struct {
	Name string `json:"name" minLength:"1" maxLength:"400" doc:"Found by typing / and part of it in the reply box; unique in the workspace ignoring case"`
	Body string `json:"body" minLength:"1" maxLength:"20000" doc:"The answer; may use {{author.name}}, {{author.handle}}, {{account.name}}, {{account.handle}}, {{me.name}} and {{workspace.name}}"`
}

// SavedReplyCreateInput adds a saved reply.
type SavedReplyCreateInput struct {
	WorkspaceParam
	Body SavedReplyBody
}

// SavedReplyUpdateInput replaces a saved reply.
type SavedReplyUpdateInput struct {
	SavedReplyPath
	Body SavedReplyBody
}

// SavedReplyOutput is one saved reply.
type SavedReplyOutput struct {
	Body herald.SavedReply
}

// SavedReplyList lists saved replies.
type SavedReplyList struct {
	Body ListBody[herald.SavedReply]
}

// FilledReplyList lists saved replies filled in for an item.
type FilledReplyList struct {
	Body ListBody[inbox.FilledReply]
}

func (a *API) registerInboxNotes() {
	tags := []string{"Inbox"}
	item := "/api/v1/workspaces/{workspace}/inbox/{item}"
	register(a, huma.Operation{
		OperationID: "list-inbox-notes", Method: http.MethodGet, Path: item + "/notes", Summary: "List an inbox item's notes",
		Tags: tags, Description: "The team's internal notes on the item, oldest first. They are never sent to the platform.",
	}, func(ctx context.Context, in *InboxItemPath) (*InboxNoteList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ns, err := a.d.Inbox.Notes(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &InboxNoteList{Body: list(ns, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "add-inbox-note", Method: http.MethodPost, Path: item + "/notes", Summary: "Add an internal note",
		Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Adds a note the item's author never sees; the members it @mentions are notified. Roles that write posts may.",
	}, func(ctx context.Context, in *InboxNoteInput) (*InboxNoteOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		n, err := a.d.Inbox.AddNote(ctx, actor, in.Item, in.Body.Body)
		if err != nil {
			return nil, err
		}
		return &InboxNoteOutput{Body: n}, nil
	})
	register(a, huma.Operation{
		OperationID: "delete-inbox-note", Method: http.MethodDelete, Path: item + "/notes/{note}",
		Summary: "Delete an internal note", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Its author may, and so may an admin or the owner.",
	}, func(ctx context.Context, in *InboxNotePath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Inbox.DeleteNote(ctx, actor, in.Item, in.Note)
	})
	register(a, huma.Operation{
		OperationID: "fill-saved-replies", Method: http.MethodGet, Path: item + "/saved-replies",
		Summary: "Saved replies filled in for an item", Tags: tags,
		Description: "Every saved reply of the workspace with its variables filled in for this item, answered by the caller: what the reply box's / picker offers. Send one with the reply endpoint.",
	}, func(ctx context.Context, in *InboxItemPath) (*FilledReplyList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rs, err := a.d.Inbox.FillSavedReplies(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &FilledReplyList{Body: list(rs, "")}, nil
	})

	stags := []string{"Saved replies"}
	base := "/api/v1/workspaces/{workspace}/saved-replies"
	one := func(ctx context.Context, ws int64, f func(herald.Actor) (herald.SavedReply, error)) (*SavedReplyOutput, error) {
		actor, err := a.actor(ctx, ws)
		if err != nil {
			return nil, err
		}
		r, err := f(actor)
		if err != nil {
			return nil, err
		}
		return &SavedReplyOutput{Body: r}, nil
	}
	register(a, huma.Operation{
		OperationID: "list-saved-replies", Method: http.MethodGet, Path: base, Summary: "List saved replies", Tags: stags,
		Description: "The workspace's saved replies by name, with their variables unfilled.",
	}, func(ctx context.Context, in *WorkspaceParam) (*SavedReplyList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rs, err := a.d.Inbox.SavedReplies(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &SavedReplyList{Body: list(rs, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "create-saved-reply", Method: http.MethodPost, Path: base, Summary: "Add a saved reply", Tags: stags,
		DefaultStatus: http.StatusCreated,
		Description:   "Those who manage templates may. An unknown variable or an unclosed {{ is refused.",
	}, func(ctx context.Context, in *SavedReplyCreateInput) (*SavedReplyOutput, error) {
		return one(ctx, in.Workspace, func(actor herald.Actor) (herald.SavedReply, error) {
			return a.d.Inbox.CreateSavedReply(ctx, actor, inbox.SavedReplyInput(in.Body))
		})
	})
	register(a, huma.Operation{
		OperationID: "get-saved-reply", Method: http.MethodGet, Path: base + "/{reply}", Summary: "Get a saved reply", Tags: stags,
	}, func(ctx context.Context, in *SavedReplyPath) (*SavedReplyOutput, error) {
		return one(ctx, in.Workspace, func(actor herald.Actor) (herald.SavedReply, error) {
			return a.d.Inbox.SavedReply(ctx, actor, in.Reply)
		})
	})
	register(a, huma.Operation{
		OperationID: "update-saved-reply", Method: http.MethodPut, Path: base + "/{reply}", Summary: "Replace a saved reply",
		Tags: stags,
	}, func(ctx context.Context, in *SavedReplyUpdateInput) (*SavedReplyOutput, error) {
		return one(ctx, in.Workspace, func(actor herald.Actor) (herald.SavedReply, error) {
			return a.d.Inbox.UpdateSavedReply(ctx, actor, in.Reply, inbox.SavedReplyInput(in.Body))
		})
	})
	register(a, huma.Operation{
		OperationID: "delete-saved-reply", Method: http.MethodDelete, Path: base + "/{reply}", Summary: "Delete a saved reply",
		Tags: stags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *SavedReplyPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Inbox.DeleteSavedReply(ctx, actor, in.Reply)
	})
}
