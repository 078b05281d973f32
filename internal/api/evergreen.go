package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/evergreen"
	"github.com/heraldsocial/herald/internal/herald"
)

// EvergreenSettingsBody is a workspace's recycling policy, with what each
// platform does with a repeated text.
type EvergreenSettingsBody struct {
	Enabled         bool                `json:"enabled"`
	CooldownDays    int                 `json:"cooldown_days" doc:"Least days between two publications of one post on one account, and between two uses of one text on one platform"`
	MaxSharePercent int                 `json:"max_share_percent" doc:"Most of an account's scheduled posts in the coming week that may be recycled copies"`
	AccountIDs      []int64             `json:"account_ids" nullable:"false" doc:"Accounts whose free slots are filled; empty for every account"`
	UpdatedAt       *time.Time          `json:"updated_at,omitempty"`
	Repeats         []evergreen.Repeats `json:"platform_repeats" nullable:"false" readOnly:"true" doc:"Which platforms refuse an exact repeat"`
}

// EvergreenSettingsOutput is the recycling policy.
type EvergreenSettingsOutput struct {
	Body EvergreenSettingsBody
}

// EvergreenSettingsInput replaces the recycling policy.
type EvergreenSettingsInput struct {
	WorkspaceParam
	Body struct {
		Enabled         bool    `json:"enabled"`
		CooldownDays    int     `json:"cooldown_days" minimum:"1" maximum:"365"`
		MaxSharePercent int     `json:"max_share_percent" minimum:"1" maximum:"100"`
		AccountIDs      []int64 `json:"account_ids,omitempty" maxItems:"500" doc:"Accounts whose free slots are filled; empty or absent for every account"`
	}
}

// EvergreenBody is one evergreen post and what recycling made of it.
type EvergreenBody struct {
	PostID       int64                  `json:"post_id"`
	Title        string                 `json:"title,omitempty"`
	Text         string                 `json:"text"`
	Variants     []string               `json:"variants" nullable:"false" doc:"Alternative texts rotated with the post's own"`
	MarkedAt     time.Time              `json:"marked_at"`
	TimesUsed    int                    `json:"times_used" doc:"Recycled copies published so far"`
	LastRecycled *time.Time             `json:"last_recycled,omitempty" doc:"When the latest copy was published"`
	Next         *time.Time             `json:"next,omitempty" doc:"Slot of the next copy still to publish"`
	Copies       []herald.EvergreenCopy `json:"copies" nullable:"false"`
}

func evergreenBody(e evergreen.Entry) EvergreenBody {
	copies := e.Copies
	if copies == nil {
		copies = []herald.EvergreenCopy{}
	}
	return EvergreenBody{PostID: e.PostID, Title: e.Post.Title, Text: e.Post.Text, Variants: e.Variants,
		MarkedAt: e.CreatedAt, TimesUsed: e.TimesUsed, LastRecycled: e.LastRecycled, Next: e.Next, Copies: copies}
}

// EvergreenOutput is one evergreen post.
type EvergreenOutput struct {
	Body EvergreenBody
}

// EvergreenList lists evergreen posts.
type EvergreenList struct {
	Body ListBody[EvergreenBody]
}

// EvergreenMarkInput marks a post evergreen.
type EvergreenMarkInput struct {
	PostPath
	Body struct {
		Variants []string `json:"variants,omitempty" maxItems:"20" doc:"Alternative texts to rotate; empty ones and repeats are dropped"`
	}
}

func settingsBody(st herald.EvergreenSettings) EvergreenSettingsBody {
	b := EvergreenSettingsBody{Enabled: st.Enabled, CooldownDays: st.CooldownDays, MaxSharePercent: st.MaxSharePercent,
		AccountIDs: st.AccountIDs, Repeats: evergreen.RepeatRules()}
	if b.AccountIDs == nil {
		b.AccountIDs = []int64{}
	}
	if !st.UpdatedAt.IsZero() {
		at := st.UpdatedAt
		b.UpdatedAt = &at
	}
	return b
}

func (a *API) registerEvergreen() {
	tags := []string{"Evergreen"}
	register(a, huma.Operation{
		OperationID: "get-evergreen-settings", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/evergreen/settings",
		Summary: "Get the recycling policy", Tags: tags,
		Description: "The defaults (off, 30 days, 25 %, every account) until the workspace saves its own.",
	}, func(ctx context.Context, in *WorkspaceParam) (*EvergreenSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Evergreen.Settings(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &EvergreenSettingsOutput{Body: settingsBody(st)}, nil
	})

	register(a, huma.Operation{
		OperationID: "put-evergreen-settings", Method: http.MethodPut, Path: "/api/v1/workspaces/{workspace}/evergreen/settings",
		Summary: "Set the recycling policy", Tags: tags,
	}, func(ctx context.Context, in *EvergreenSettingsInput) (*EvergreenSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Evergreen.UpdateSettings(ctx, actor, herald.EvergreenSettings{Enabled: in.Body.Enabled,
			CooldownDays: in.Body.CooldownDays, MaxSharePercent: in.Body.MaxSharePercent, AccountIDs: in.Body.AccountIDs})
		if err != nil {
			return nil, err
		}
		return &EvergreenSettingsOutput{Body: settingsBody(st)}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-evergreen", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/evergreen",
		Summary: "List evergreen posts", Tags: tags, Description: "The workspace's evergreen posts by post id, with their copies.",
	}, func(ctx context.Context, in *WorkspaceParam) (*EvergreenList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		es, err := a.d.Evergreen.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		out := make([]EvergreenBody, 0, len(es))
		for _, e := range es {
			out = append(out, evergreenBody(e))
		}
		return &EvergreenList{Body: list(out, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-post-evergreen", Method: http.MethodGet, Path: "/api/v1/workspaces/{workspace}/posts/{post}/evergreen",
		Summary: "Get a post's evergreen marking", Tags: tags, Description: "Not found when the post is not evergreen.",
	}, func(ctx context.Context, in *PostPath) (*EvergreenOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		e, err := a.d.Evergreen.Get(ctx, actor, in.Post)
		if err != nil {
			return nil, err
		}
		return &EvergreenOutput{Body: evergreenBody(e)}, nil
	})

	register(a, huma.Operation{
		OperationID: "mark-post-evergreen", Method: http.MethodPut, Path: "/api/v1/workspaces/{workspace}/posts/{post}/evergreen",
		Summary: "Mark a post evergreen", Tags: tags,
		Description: "Marks a published post for recycling, or replaces its variants. Copies are scheduled without approval, " +
			"so this takes the right to schedule.",
	}, func(ctx context.Context, in *EvergreenMarkInput) (*EvergreenOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		e, err := a.d.Evergreen.Mark(ctx, actor, in.Post, in.Body.Variants)
		if err != nil {
			return nil, err
		}
		return &EvergreenOutput{Body: evergreenBody(e)}, nil
	})

	register(a, huma.Operation{
		OperationID: "unmark-post-evergreen", Method: http.MethodDelete, Path: "/api/v1/workspaces/{workspace}/posts/{post}/evergreen",
		Summary: "Stop recycling a post", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Copies already scheduled stay scheduled.",
	}, func(ctx context.Context, in *PostPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Evergreen.Unmark(ctx, actor, in.Post)
	})
}
