package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/feeds"
	"github.com/heraldsocial/herald/internal/herald"
)

// FeedPath addresses one feed.
type FeedPath struct {
	WorkspaceParam
	Feed int64 `path:"feed" minimum:"1" doc:"Feed id"`
}

// FeedFields are a feed's settings as the API takes them.
type FeedFields struct {
	URL        string          `json:"url" minLength:"1" maxLength:"2000" doc:"The RSS or Atom feed's address (http or https)"`
	Name       string          `json:"name,omitempty" maxLength:"200" doc:"A name for people; the feed's address when empty"`
	Mode       herald.FeedMode `json:"mode" enum:"draft,queue" doc:"draft: each new entry becomes a draft; queue: a post in each account's next free posting slot (or for review, when the workspace or your role needs approval)"`
	AccountIDs []int64         `json:"account_ids" minItems:"1" maxItems:"50" doc:"The accounts each post goes to"`
	Template   string          `json:"template,omitempty" maxLength:"5000" doc:"The post's text, with {{title}}, {{url}} and {{summary}}; default \"{{title}} {{url}}\""`
	LabelIDs   []int64         `json:"label_ids,omitempty" doc:"Labels the posts carry"`
	CampaignID *int64          `json:"campaign_id,omitempty" doc:"The campaign the posts belong to"`
	Paused     bool            `json:"paused,omitempty" doc:"A paused feed is not polled"`
}

// FeedCreateInput adds a feed.
type FeedCreateInput struct {
	WorkspaceParam
	Body FeedFields
}

// FeedPatchInput changes a feed; absent fields stay as they are.
type FeedPatchInput struct {
	FeedPath
	Body struct {
		URL           *string          `json:"url,omitempty" minLength:"1" maxLength:"2000"`
		Name          *string          `json:"name,omitempty" maxLength:"200"`
		Mode          *herald.FeedMode `json:"mode,omitempty" enum:"draft,queue"`
		AccountIDs    *[]int64         `json:"account_ids,omitempty" maxItems:"50"`
		Template      *string          `json:"template,omitempty" maxLength:"5000"`
		LabelIDs      *[]int64         `json:"label_ids,omitempty"`
		CampaignID    *int64           `json:"campaign_id,omitempty"`
		ClearCampaign bool             `json:"clear_campaign,omitempty" doc:"Take the feed's posts out of any campaign"`
		Paused        *bool            `json:"paused,omitempty"`
	}
}

// FeedPollInput polls a feed now.
type FeedPollInput struct {
	FeedPath
	DryRun bool `query:"dry_run" doc:"Only say which posts the next poll would make, with their text; write nothing"`
}

// FeedEntriesInput lists a feed's used entries.
type FeedEntriesInput struct {
	FeedPath
	Limit int `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"How many entries, newest first"`
}

// FeedOutput is one feed.
type FeedOutput struct {
	Body herald.Feed
}

// FeedList lists feeds.
type FeedList struct {
	Body ListBody[herald.Feed]
}

// FeedPollOutput is what a poll did.
type FeedPollOutput struct {
	Body feeds.Result
}

// FeedEntryList lists a feed's used entries.
type FeedEntryList struct {
	Body ListBody[herald.FeedEntry]
}

func (a *API) registerFeeds() {
	tags := []string{"Feeds"}
	base := "/api/v1/workspaces/{workspace}/feeds"
	register(a, huma.Operation{
		OperationID: "list-feeds", Method: http.MethodGet, Path: base, Summary: "List feeds", Tags: tags,
		Description: "The workspace's RSS and Atom feeds, by name, with their polling state.",
	}, func(ctx context.Context, in *WorkspaceParam) (*FeedList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		fs, err := a.d.Feeds.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &FeedList{Body: list(fs, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-feed", Method: http.MethodPost, Path: base, Summary: "Add a feed", Tags: tags,
		DefaultStatus: http.StatusCreated,
		Description: "Adds an RSS or Atom feed whose new entries become posts made in your name. Its first poll " +
			"uses only entries dated after the feed was added; editors and up.",
	}, func(ctx context.Context, in *FeedCreateInput) (*FeedOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		f, err := a.d.Feeds.Create(ctx, actor, herald.Feed{URL: b.URL, Name: b.Name, Mode: b.Mode, AccountIDs: b.AccountIDs,
			Template: b.Template, LabelIDs: b.LabelIDs, CampaignID: b.CampaignID, Paused: b.Paused})
		if err != nil {
			return nil, err
		}
		return &FeedOutput{Body: f}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-feed", Method: http.MethodGet, Path: base + "/{feed}", Summary: "Get a feed", Tags: tags,
	}, func(ctx context.Context, in *FeedPath) (*FeedOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		f, err := a.d.Feeds.Get(ctx, actor, in.Feed)
		if err != nil {
			return nil, err
		}
		return &FeedOutput{Body: f}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-feed", Method: http.MethodPatch, Path: base + "/{feed}", Summary: "Update a feed", Tags: tags,
		Description: "Fields left out stay as they are. You become the feed's owner: its posts are made in your name.",
	}, func(ctx context.Context, in *FeedPatchInput) (*FeedOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		b := in.Body
		f, err := a.d.Feeds.Update(ctx, actor, in.Feed, feeds.Patch{URL: b.URL, Name: b.Name, Mode: b.Mode,
			AccountIDs: b.AccountIDs, Template: b.Template, LabelIDs: b.LabelIDs, CampaignID: b.CampaignID,
			ClearCampaign: b.ClearCampaign, Paused: b.Paused})
		if err != nil {
			return nil, err
		}
		return &FeedOutput{Body: f}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-feed", Method: http.MethodDelete, Path: base + "/{feed}", Summary: "Delete a feed", Tags: tags,
		DefaultStatus: http.StatusNoContent, Description: "Deletes the feed; the posts it made stay.",
	}, func(ctx context.Context, in *FeedPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Feeds.Delete(ctx, actor, in.Feed)
	})

	register(a, huma.Operation{
		OperationID: "poll-feed", Method: http.MethodPost, Path: base + "/{feed}/poll", Summary: "Poll a feed now", Tags: tags,
		Description: "Fetches the feed now; its new entries become posts, listed in the answer. With dry_run, " +
			"nothing is written and the answer lists the posts the next poll would make. A feed that cannot be " +
			"read is an error saying why (a web page instead of a feed, too large, too slow, a refused address).",
	}, func(ctx context.Context, in *FeedPollInput) (*FeedPollOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		var res feeds.Result
		if in.DryRun {
			res, err = a.d.Feeds.Preview(ctx, actor, in.Feed)
		} else {
			res, err = a.d.Feeds.Poll(ctx, actor, in.Feed)
		}
		if err != nil {
			return nil, err
		}
		return &FeedPollOutput{Body: res}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-feed-entries", Method: http.MethodGet, Path: base + "/{feed}/entries",
		Summary: "List a feed's used entries", Tags: tags,
		Description: "The entries the feed has used (with the post each became) or passed over, newest first.",
	}, func(ctx context.Context, in *FeedEntriesInput) (*FeedEntryList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		es, err := a.d.Feeds.Entries(ctx, actor, in.Feed, in.Limit)
		if err != nil {
			return nil, err
		}
		return &FeedEntryList{Body: list(es, "")}, nil
	})
}
