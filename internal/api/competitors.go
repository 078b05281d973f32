package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/competitor"
	"github.com/heraldsocial/herald/internal/herald"
)

// CompetitorPath addresses one competitor.
type CompetitorPath struct {
	WorkspaceParam
	Competitor int64 `path:"competitor" minimum:"1" doc:"Competitor id"`
}

// CompetitorAccountBody names a public account to track.
type CompetitorAccountBody struct {
	Platform herald.Platform `json:"platform" doc:"mastodon, bluesky or x (a platform whose connector reads public accounts)"`
	Handle   string          `json:"handle" maxLength:"300" doc:"user@instance on Mastodon-API servers (looked up on the instance of one of the workspace's connected accounts), a handle on Bluesky, a username on X; a leading @ is dropped"`
}

// CompetitorBody is a competitor as written.
type CompetitorBody struct {
	Name     string                  `json:"name" maxLength:"100" doc:"Unique in the workspace, ignoring case"`
	TopicID  int64                   `json:"topic_id,omitempty" minimum:"0" doc:"The listening topic whose matches are the brand's mentions, for share of voice; 0 or absent: none"`
	Accounts []CompetitorAccountBody `json:"accounts" maxItems:"10" nullable:"false" doc:"Each is looked up on its platform (through one of the workspace's connected accounts there) and read at once, then daily"`
}

func (b CompetitorBody) input() competitor.Input {
	in := competitor.Input{Name: b.Name, TopicID: b.TopicID}
	for _, a := range b.Accounts {
		in.Accounts = append(in.Accounts, competitor.AccountInput{Platform: a.Platform, Handle: a.Handle})
	}
	return in
}

// CompetitorCreateInput creates a competitor.
type CompetitorCreateInput struct {
	WorkspaceParam
	Body CompetitorBody
}

// CompetitorUpdateInput replaces a competitor.
type CompetitorUpdateInput struct {
	CompetitorPath
	Body CompetitorBody
}

// CompetitorOutput is one competitor.
type CompetitorOutput struct {
	Body herald.Competitor
}

// CompetitorList lists competitors.
type CompetitorList struct {
	Body ListBody[herald.Competitor]
}

// CompetitorPeriodInput asks for figures over a period.
type CompetitorPeriodInput struct {
	WorkspaceParam
	From time.Time `query:"from" required:"true" doc:"Start (RFC 3339); the UTC day it falls in is the first counted"`
	To   time.Time `query:"to" required:"true" doc:"End (RFC 3339), exclusive; the UTC day just before it is the last counted. At most 366 days after from"`
}

// CompetitorCompareOutput compares the brands.
type CompetitorCompareOutput struct {
	Body competitor.Comparison
}

// CompetitorVoiceOutput is share of voice.
type CompetitorVoiceOutput struct {
	Body competitor.ShareOfVoice
}

// CompetitorSettingsBody are the share-of-voice settings as written.
type CompetitorSettingsBody struct {
	OwnTopicID int64 `json:"own_topic_id" minimum:"0" doc:"The listening topic whose matches are the workspace's own brand's mentions; 0: the own brand is left out of share of voice"`
}

// CompetitorSettingsInput replaces the settings.
type CompetitorSettingsInput struct {
	WorkspaceParam
	Body CompetitorSettingsBody
}

// CompetitorSettingsOutput are the settings.
type CompetitorSettingsOutput struct {
	Body herald.CompetitorSettings
}

func (a *API) registerCompetitors() {
	if a.d.Competitors == nil {
		return
	}
	tags := []string{"Competitors"}
	base := "/api/v1/workspaces/{workspace}/competitors"
	register(a, huma.Operation{
		OperationID: "list-competitors", Method: http.MethodGet, Path: base,
		Summary: "List competitors", Tags: tags,
		Description: "The workspace's competitors by name, each with its tracked accounts (last reading, last error).",
	}, func(ctx context.Context, in *WorkspaceParam) (*CompetitorList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		cs, err := a.d.Competitors.List(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &CompetitorList{Body: list(cs, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "create-competitor", Method: http.MethodPost, Path: base,
		Summary: "Add a competitor", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Looks each account up on its platform (an unknown handle is refused, naming the field), stores the competitor and reads its accounts' public metrics once. At most 20 competitors per workspace.",
	}, func(ctx context.Context, in *CompetitorCreateInput) (*CompetitorOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Competitors.Create(ctx, actor, in.Body.input())
		if err != nil {
			return nil, err
		}
		return &CompetitorOutput{Body: c}, nil
	})
	register(a, huma.Operation{
		OperationID: "compare-competitors", Method: http.MethodGet, Path: base + "/compare",
		Summary: "Compare with competitors", Tags: tags,
		Description: "Per brand (the workspace's own accounts first, then each competitor): followers at the last reading of the period, their growth over it (last reading minus first, per account), posts, posts per day, average likes+reposts+replies+quotes per post whose counts are known (-1: none), and the most engaged posts. Whole UTC days.",
	}, func(ctx context.Context, in *CompetitorPeriodInput) (*CompetitorCompareOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Competitors.Compare(ctx, actor, in.From, in.To)
		if err != nil {
			return nil, err
		}
		return &CompetitorCompareOutput{Body: c}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-share-of-voice", Method: http.MethodGet, Path: base + "/share-of-voice",
		Summary: "Share of voice", Tags: tags,
		Description: "Per UTC day, each brand's mentions (the matches of its listening topic, each match once per topic) and its percentage of all tracked brands' mentions that day; a day without any mention has no_mentions set and every percentage 0. Brands are the own brand (when its topic is set) and the competitors with a topic.",
	}, func(ctx context.Context, in *CompetitorPeriodInput) (*CompetitorVoiceOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		v, err := a.d.Competitors.ShareOfVoice(ctx, actor, in.From, in.To)
		if err != nil {
			return nil, err
		}
		return &CompetitorVoiceOutput{Body: v}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-competitor-settings", Method: http.MethodGet, Path: base + "/settings",
		Summary: "Get share-of-voice settings", Tags: tags,
	}, func(ctx context.Context, in *WorkspaceParam) (*CompetitorSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Competitors.Settings(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &CompetitorSettingsOutput{Body: s}, nil
	})
	register(a, huma.Operation{
		OperationID: "update-competitor-settings", Method: http.MethodPut, Path: base + "/settings",
		Summary: "Set share-of-voice settings", Tags: tags,
		Description: "Sets the listening topic that counts the workspace's own brand's mentions.",
	}, func(ctx context.Context, in *CompetitorSettingsInput) (*CompetitorSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Competitors.SetOwnTopic(ctx, actor, in.Body.OwnTopicID)
		if err != nil {
			return nil, err
		}
		return &CompetitorSettingsOutput{Body: s}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-competitor", Method: http.MethodGet, Path: base + "/{competitor}",
		Summary: "Get a competitor", Tags: tags,
	}, func(ctx context.Context, in *CompetitorPath) (*CompetitorOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Competitors.Get(ctx, actor, in.Competitor)
		if err != nil {
			return nil, err
		}
		return &CompetitorOutput{Body: c}, nil
	})
	register(a, huma.Operation{
		OperationID: "update-competitor", Method: http.MethodPut, Path: base + "/{competitor}",
		Summary: "Replace a competitor", Tags: tags,
		Description: "Replaces the name, topic and accounts. Accounts already tracked (same platform and handle, ignoring case) keep their history; new ones are looked up and read at once; those left out are removed with their history.",
	}, func(ctx context.Context, in *CompetitorUpdateInput) (*CompetitorOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		c, err := a.d.Competitors.Update(ctx, actor, in.Competitor, in.Body.input())
		if err != nil {
			return nil, err
		}
		return &CompetitorOutput{Body: c}, nil
	})
	register(a, huma.Operation{
		OperationID: "delete-competitor", Method: http.MethodDelete, Path: base + "/{competitor}",
		Summary: "Remove a competitor", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Removes the competitor, its accounts and their daily readings.",
	}, func(ctx context.Context, in *CompetitorPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Competitors.Delete(ctx, actor, in.Competitor)
	})
}
