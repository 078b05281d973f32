package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/post"
	"github.com/heraldsocial/herald/internal/voice"
)

// PostValidateInput is a draft to check, in the body create takes.
type PostValidateInput struct {
	WorkspaceParam
	Body struct {
		Title      string       `json:"title,omitempty" maxLength:"200" doc:"Internal name, never published"`
		Text       string       `json:"text,omitempty" maxLength:"100000" doc:"Base text; a target's variant text overrides it"`
		LabelIDs   []int64      `json:"label_ids,omitempty" maxItems:"50"`
		CampaignID *int64       `json:"campaign_id,omitempty" minimum:"1"`
		Targets    []TargetBody `json:"targets,omitempty" maxItems:"100" doc:"One per account to publish to"`
		Action     string       `json:"action,omitempty" enum:"draft,submit,schedule,queue" default:"draft" doc:"Ignored: validation never stores or schedules"`
		Recurrence string       `json:"recurrence,omitempty" maxLength:"500" doc:"Ignored by validation"`
	}
}

// ValidationBody is the verdict on a draft.
type ValidationBody struct {
	Publishable bool                  `json:"publishable" doc:"true when no target has a problem and the post itself has none"`
	Problems    []herald.FieldProblem `json:"problems" doc:"Problems of the post itself: Herald's rules and the workspace's brand rules"`
	Targets     []post.TargetCheck    `json:"targets" doc:"One per target, in the draft's order"`
	Voice       []voice.Finding       `json:"voice" doc:"What the brand voice rules found: warnings (the post may still be saved) and blocks (also listed in problems)"`
}

// ValidationOutput answers a validation.
type ValidationOutput struct {
	Body ValidationBody
}

// MetricsList lists a target's metric snapshots.
type MetricsList struct {
	Body ListBody[herald.MetricSnapshot]
}

// InboxListInput filters the inbox.
type InboxListInput struct {
	WorkspaceParam
	PageParams
	Account  int64     `query:"account" minimum:"0" doc:"Only this account's mentions and replies"`
	Platform string    `query:"platform" maxLength:"40" doc:"Only the items of this platform's accounts (mastodon, bluesky, …)"`
	Kind     string    `query:"kind" enum:"reply,mention,dm," doc:"reply: replies to Herald's own posts (target_id set); mention: other public posts; dm: direct (private) messages"`
	State    string    `query:"state" enum:"open,pending,done," doc:"Only items in this work state"`
	Assignee string    `query:"assignee" maxLength:"20" pattern:"^(|me|unassigned|[1-9][0-9]*)$" doc:"Only items assigned to this member id, to the caller (me), or to nobody (unassigned)"`
	Since    time.Time `query:"since" doc:"Only items the platform dates at or after this instant (RFC 3339)"`
	Until    time.Time `query:"until" doc:"Only items the platform dates before this instant (RFC 3339)"`
	Q        string    `query:"q" maxLength:"200" doc:"Only items whose text, author handle or author name contain this, ignoring case"`
	InboxWorkFilter
}

// filter is the store filter the input asks for, for actor.
func (in *InboxListInput) filter(actor herald.Actor) herald.InboxFilter {
	f := herald.InboxFilter{AccountID: in.Account, Platform: herald.Platform(in.Platform), Kind: herald.InboxKind(in.Kind),
		State: herald.InboxState(in.State), Search: in.Q, Page: in.Page()}
	switch in.Assignee {
	case "":
	case "me":
		f.AssigneeID = actor.UserID
	case "unassigned":
		f.AssigneeID = -1
	default:
		f.AssigneeID, _ = strconv.ParseInt(in.Assignee, 10, 64) // the pattern allows digits only
	}
	if !in.Since.IsZero() {
		f.Since = &in.Since
	}
	if !in.Until.IsZero() {
		f.Until = &in.Until
	}
	in.InboxWorkFilter.set(&f)
	return f
}

// InboxChange is what a change of inbox items sets: a state, an assignee,
// or both.
type InboxChange struct {
	State      string `json:"state,omitempty" enum:"open,pending,done" doc:"The work state; done remembers who set it"`
	AssignedTo *int64 `json:"assigned_to,omitempty" minimum:"0" doc:"A member of the workspace, who is notified; 0 unassigns"`
	InboxWorkChange
}

// apply makes the change to ids.
func (c InboxChange) apply(ctx context.Context, a *API, actor herald.Actor, ids []int64) error {
	if c.State == "" && c.AssignedTo == nil && c.InboxWorkChange.empty() {
		return herald.Problems{{Field: "body", Problem: "set state, assigned_to, add_tags, remove_tags or priority"}}.Err("nothing to change")
	}
	if err := c.InboxWorkChange.apply(ctx, a, actor, ids); err != nil {
		return err
	}
	if c.AssignedTo != nil {
		if err := a.d.Posts.AssignInbox(ctx, actor, ids, *c.AssignedTo); err != nil {
			return err
		}
	}
	if c.State != "" {
		return a.d.Posts.SetInboxState(ctx, actor, ids, herald.InboxState(c.State))
	}
	return nil
}

// InboxPatchInput changes one inbox item.
type InboxPatchInput struct {
	InboxItemPath
	Body InboxChange
}

// InboxBulkInput changes many inbox items at once.
type InboxBulkInput struct {
	WorkspaceParam
	Body struct {
		IDs []int64 `json:"ids" minItems:"1" maxItems:"200" doc:"The inbox items to change"`
		InboxChange
	}
}

// InboxItemOutput is one inbox item.
type InboxItemOutput struct {
	Body herald.InboxItem
}

// InboxList is a page of the inbox.
type InboxList struct {
	Body ListBody[herald.InboxItem]
}

// InboxItemPath addresses one inbox item.
type InboxItemPath struct {
	WorkspaceParam
	Item int64 `path:"item" minimum:"1" doc:"Inbox item id"`
}

// InboxReplyInput answers an inbox item.
type InboxReplyInput struct {
	InboxItemPath
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"200" doc:"Names this request: sent again with the same key (after a timeout, say), it returns the same reply instead of sending another. Without it, the same words from the same person to the same item are one reply."`
	Body           struct {
		Text string `json:"text" minLength:"1" maxLength:"10000" doc:"The reply, published at once from the account the item came to"`
		// AccountID answers as another account.
		AccountID int64 `json:"account_id,omitempty" doc:"Answer as this account instead of the one the item came to: one of list-inbox-answer-accounts (another account of the same platform that knows the post under the same reference; never for a direct message)"`
	}
}

// InboxReplyOutput is the reply: 201 when the platform confirmed it, 202
// when it did not answer in time and Herald is checking whether it went out
// (it is never sent twice; read it again with list-inbox-replies).
type InboxReplyOutput struct {
	Status int
	Body   InboxReplyBody
}

// InboxReplyBody is a reply with its reference on the platform.
type InboxReplyBody struct {
	ID    string            `json:"id" doc:"The reply's id on the platform (empty until it is confirmed)"`
	URL   string            `json:"url,omitempty" doc:"Where people see the reply"`
	Reply herald.Reply      `json:"reply" doc:"Herald's record of the reply: state sending, sent, unsettled (being checked), unconfirmed (a person decides) or failed"`
	Meta  map[string]string `json:"meta,omitempty"`
}

// InboxRepliesOutput lists an item's replies.
type InboxRepliesOutput struct {
	Body struct {
		Items []herald.Reply `json:"items"`
	}
}

// ReplyPath addresses one reply of an inbox item.
type ReplyPath struct {
	InboxItemPath
	Reply int64 `path:"reply" minimum:"1" doc:"Reply id"`
}

// ResolveReplyInput is a person's decision about an unconfirmed reply.
type ResolveReplyInput struct {
	ReplyPath
	Body struct {
		Decision string `json:"decision" enum:"sent,send_again" doc:"sent: it is on the platform; send_again: it is not, send it now"`
	}
}

// ReplyOutput is one reply.
type ReplyOutput struct {
	Body herald.Reply
}

func (a *API) registerEngagement() {
	register(a, huma.Operation{
		OperationID: "validate-post", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/posts/validate",
		Summary: "Check a draft", Tags: []string{"Posts"},
		Description: "Checks a draft as create would take it, without storing anything: Herald's and the workspace's " +
			"rules, and each target's text, thread and first comment against its platform's rules as the account sees " +
			"them, with lengths counted the platform's way and its limits.",
	}, func(ctx context.Context, in *PostValidateInput) (*ValidationOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		draft := herald.Post{Title: in.Body.Title, Text: in.Body.Text, LabelIDs: in.Body.LabelIDs,
			CampaignID: in.Body.CampaignID, Targets: targetsFrom(in.Body.Targets), Recurrence: in.Body.Recurrence}
		v, err := a.d.Posts.ValidateDraft(ctx, actor, draft)
		if err != nil {
			return nil, err
		}
		out := &ValidationOutput{Body: ValidationBody{Problems: v.Problems, Targets: []post.TargetCheck{}, Voice: v.Voice}}
		out.Body.Publishable = len(v.Problems) == 0
		for _, tc := range v.Targets {
			out.Body.Targets = append(out.Body.Targets, tc)
			out.Body.Publishable = out.Body.Publishable && tc.Publishable
		}
		slices.SortFunc(out.Body.Targets, func(x, y post.TargetCheck) int { return x.Index - y.Index })
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "list-target-metrics", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/posts/{post}/targets/{target}/metrics",
		Summary: "List a target's metrics", Tags: []string{"Analytics"},
		Description: "Snapshots of the published post's counts over time, oldest first: 10 minutes after publishing, " +
			"then after 1 hour, 6 hours, 24 hours and daily for 30 days. A count the platform does not give is -1.",
	}, func(ctx context.Context, in *TargetPath) (*MetricsList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ms, err := a.d.Posts.TargetMetrics(ctx, actor, in.Post, in.Target)
		if err != nil {
			return nil, err
		}
		return &MetricsList{Body: list(ms, "")}, nil
	})

	tags := []string{"Inbox"}
	a.registerInboxThread(tags)
	register(a, huma.Operation{
		OperationID: "list-inbox", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/inbox",
		Summary: "List the inbox", Tags: tags,
		Description: "Mentions of and replies to the workspace's accounts, newest first, with their work state " +
			"(open, pending, done) and assignee. target_id is set on replies to Herald's own posts. The filters combine; " +
			"q is a plain case-insensitive substring match.",
	}, func(ctx context.Context, in *InboxListInput) (*InboxList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		items, next, err := a.d.Posts.ListInbox(ctx, actor, in.filter(actor))
		if err != nil {
			return nil, err
		}
		return &InboxList{Body: list(items, next)}, nil
	})

	register(a, huma.Operation{
		OperationID: "reply-inbox-item", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/inbox/{item}/reply",
		Summary: "Reply to an inbox item", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Publishes a reply at once from the account the item came to, or from account_id (answer as). The reply is recorded before the platform " +
			"is called, so it is sent exactly once: the same reply asked for again (same Idempotency-Key, or without one the " +
			"same words from the same person) returns the first. 201: the platform confirmed it. 202: the platform did not " +
			"answer in time; Herald checks whether it went out before sending anything again (state unsettled).",
	}, func(ctx context.Context, in *InboxReplyInput) (*InboxReplyOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Posts.ReplyAs(ctx, actor, in.Item, in.Body.AccountID, in.Body.Text, in.IdempotencyKey)
		if err != nil {
			return nil, err
		}
		out := &InboxReplyOutput{Status: http.StatusCreated, Body: InboxReplyBody{ID: r.RemoteID, URL: r.URL, Reply: r}}
		if r.State != herald.ReplySent {
			out.Status = http.StatusAccepted
		}
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "list-inbox-answer-accounts", Method: http.MethodGet,
		Path:    "/api/v1/workspaces/{workspace}/inbox/{item}/answer-accounts",
		Summary: "List the accounts that can answer an item", Tags: tags,
		Description: "The account the item came to first, then the workspace's other connected accounts that can answer it " +
			"(account_id of reply-inbox-item): same platform, and the post known to them under the same reference " +
			"(Bluesky and X: any account; Mastodon: accounts on the same server). A direct message lists only its own account.",
	}, func(ctx context.Context, in *InboxItemPath) (*AccountList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		as, err := a.d.Posts.AnswerAccounts(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &AccountList{Body: list(as, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-inbox-replies", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/inbox/{item}/replies",
		Summary: "List an item's replies", Tags: tags,
		Description: "The replies Herald sent or tried to send to the item, oldest first, each with its state.",
	}, func(ctx context.Context, in *InboxItemPath) (*InboxRepliesOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		rs, err := a.d.Posts.ListReplies(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		out := &InboxRepliesOutput{}
		out.Body.Items = rs
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "resolve-inbox-reply", Method: http.MethodPost,
		Path:    "/api/v1/workspaces/{workspace}/inbox/{item}/replies/{reply}/resolve",
		Summary: "Decide about an unconfirmed reply", Tags: tags,
		Description: "A reply Herald could not confirm or check (state unconfirmed) waits for a person who looked at the " +
			"platform: sent records it as out; send_again sends it now.",
	}, func(ctx context.Context, in *ResolveReplyInput) (*ReplyOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Posts.ResolveReply(ctx, actor, in.Item, in.Reply, post.ReplyDecision(in.Body.Decision))
		if err != nil {
			return nil, err
		}
		return &ReplyOutput{Body: r}, nil
	})

	register(a, huma.Operation{
		OperationID: "like-inbox-item", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/inbox/{item}/like",
		Summary: "Like an inbox item", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Likes (favourites) the item from the account it came to. Liking twice is harmless.",
	}, func(ctx context.Context, in *InboxItemPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Posts.Like(ctx, actor, in.Item)
	})

	register(a, huma.Operation{
		OperationID: "repost-inbox-item", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/inbox/{item}/repost",
		Summary: "Repost an inbox item", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Reposts (boosts, retweets) the item from the account it came to, where the platform allows it (not direct messages). Reposting twice is harmless.",
	}, func(ctx context.Context, in *InboxItemPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Posts.Repost(ctx, actor, in.Item)
	})
	for _, v := range []struct {
		verb, summary string
		hidden        bool
	}{{"hide", "Hide a reply to our post", true}, {"unhide", "Show a hidden reply again", false}} {
		register(a, huma.Operation{
			OperationID: v.verb + "-inbox-item", Method: http.MethodPost,
			Path:    "/api/v1/workspaces/{workspace}/inbox/{item}/" + v.verb,
			Summary: v.summary, Tags: tags, DefaultStatus: http.StatusNoContent,
			Description: "Hides (or shows again) a reply to one of the account's own posts in its thread, where the platform lets a post's author do so (X). The reply is not deleted: it stays on the platform under its author, and in the inbox.",
		}, func(ctx context.Context, in *InboxItemPath) (*struct{}, error) {
			actor, err := a.actor(ctx, in.Workspace)
			if err != nil {
				return nil, err
			}
			return nil, a.d.Posts.HideReply(ctx, actor, in.Item, v.hidden)
		})
	}

	register(a, huma.Operation{
		OperationID: "get-inbox-item", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/inbox/{item}",
		Summary: "Get an inbox item", Tags: tags,
	}, func(ctx context.Context, in *InboxItemPath) (*InboxItemOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		it, err := a.d.Posts.GetInboxItem(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &InboxItemOutput{Body: it}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-inbox-item", Method: http.MethodPatch, Path: "/api/v1/workspaces/{workspace}/inbox/{item}",
		Summary: "Change an inbox item's state or assignee", Tags: tags,
		Description: "Sets the work state (open, pending, done) and/or the assignee, a member of the workspace who is " +
			"notified unless they are the caller (0 unassigns). Needs the role that may reply. An item that is pending " +
			"or done opens again when its author writes to the same account again.",
	}, func(ctx context.Context, in *InboxPatchInput) (*InboxItemOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		if err := in.Body.apply(ctx, a, actor, []int64{in.Item}); err != nil {
			return nil, err
		}
		it, err := a.d.Posts.GetInboxItem(ctx, actor, in.Item)
		if err != nil {
			return nil, err
		}
		return &InboxItemOutput{Body: it}, nil
	})

	register(a, huma.Operation{
		OperationID: "bulk-update-inbox", Method: http.MethodPost, Path: "/api/v1/workspaces/{workspace}/inbox/bulk",
		Summary: "Change many inbox items", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Sets the state and/or assignee of up to 200 items at once. Every id must be an item of the " +
			"workspace, or nothing changes.",
	}, func(ctx context.Context, in *InboxBulkInput) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, in.Body.InboxChange.apply(ctx, a, actor, in.Body.IDs)
	})
}
