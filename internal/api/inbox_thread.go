package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/connector"
)

// ThreadPostBody is one post of a conversation.
type ThreadPostBody struct {
	RemoteID        string    `json:"remote_id" doc:"The post's id on the platform"`
	URL             string    `json:"url,omitempty"`
	AuthorID        string    `json:"author_id"`
	AuthorHandle    string    `json:"author_handle"`
	AuthorName      string    `json:"author_name,omitempty"`
	AuthorAvatar    string    `json:"author_avatar,omitempty"`
	AuthorFollowers *int64    `json:"author_followers,omitempty" doc:"Absent where the platform does not give it"`
	Ours            bool      `json:"ours" doc:"Posted by the account the item came to"`
	Text            string    `json:"text"`
	CreatedAt       time.Time `json:"created_at"`
	ReplyTo         string    `json:"reply_to,omitempty"`
}

// InboxThreadOutput is an inbox item's conversation.
type InboxThreadOutput struct {
	Body struct {
		Supported bool             `json:"supported" doc:"false where Herald does not read conversations on the platform"`
		Ancestors []ThreadPostBody `json:"ancestors" doc:"The posts the item answers, oldest first"`
		Post      *ThreadPostBody  `json:"post,omitempty" doc:"The item as the platform has it now"`
		Replies   []ThreadPostBody `json:"replies" doc:"The replies under the item, nested ones included"`
	}
}

func (a *API) registerInboxThread(tags []string) {
	register(a, huma.Operation{
		OperationID: "get-inbox-thread", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/inbox/{item}/thread",
		Summary: "Read an item's conversation", Tags: tags,
		Description: "Reads the conversation the item belongs to from its platform, as the account it came to sees it: " +
			"the posts it answers and the replies under it. 503 when the platform does not answer.",
	}, func(ctx context.Context, in *InboxItemPath) (*InboxThreadOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		it, err := a.d.Posts.GetInboxItem(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		acct, err := a.d.Accounts.Get(ctx, actor, it.AccountID)
		if err != nil {
			return nil, err
		}
		th, ok, err := a.d.Posts.InboxThread(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		out := &InboxThreadOutput{}
		out.Body.Supported = ok
		conv := func(ps []connector.ThreadPost) []ThreadPostBody {
			bs := make([]ThreadPostBody, 0, len(ps))
			for _, p := range ps {
				bs = append(bs, threadPostBody(p, acct.RemoteID))
			}
			return bs
		}
		out.Body.Ancestors, out.Body.Replies = conv(th.Ancestors), conv(th.Replies)
		if ok {
			p := threadPostBody(th.Post, acct.RemoteID)
			out.Body.Post = &p
		}
		return out, nil
	})
}

func threadPostBody(p connector.ThreadPost, ours string) ThreadPostBody {
	b := ThreadPostBody{RemoteID: p.RemoteID, URL: p.URL, AuthorID: p.AuthorID, AuthorHandle: p.AuthorHandle,
		AuthorName: p.AuthorName, AuthorAvatar: p.AuthorAvatar, Ours: p.AuthorID != "" && p.AuthorID == ours,
		Text: p.Text, CreatedAt: p.CreatedAt, ReplyTo: p.ReplyTo}
	if p.AuthorFollowers >= 0 {
		n := p.AuthorFollowers
		b.AuthorFollowers = &n
	}
	return b
}
