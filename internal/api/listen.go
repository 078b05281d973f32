package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/listen"
)

// ListenTopicPath addresses one listening topic.
type ListenTopicPath struct {
	WorkspaceParam
	Topic int64 `path:"topic" minimum:"1" doc:"Listening topic id"`
}

// ListenTopicBody is a topic as written.
type ListenTopicBody struct {
	Name   string           `json:"name" minLength:"1" maxLength:"100" doc:"Unique in the workspace, ignoring case"`
	Rules  herald.TopicRule `json:"rules" doc:"Every list given must hold: any (one of the terms), all, none, hashtags (one of them), accounts (by or mentioning one of them), languages. Terms are words or phrases matched on word boundaries ignoring case and accents; /…/ is an RE2 regular expression."`
	Paused bool             `json:"paused,omitempty" doc:"A paused topic keeps its matches and matches nothing new"`
}

func (b ListenTopicBody) topic() herald.ListenTopic {
	return herald.ListenTopic{Name: b.Name, Rules: b.Rules, Paused: b.Paused}
}

// ListenTopicInput creates a topic.
type ListenTopicInput struct {
	WorkspaceParam
	Body ListenTopicBody
}

// ListenTopicUpdateInput replaces a topic's name, rules and pause.
type ListenTopicUpdateInput struct {
	ListenTopicPath
	Body ListenTopicBody
}

// ListenTopicOutput is one topic.
type ListenTopicOutput struct {
	Body herald.ListenTopic
}

// ListenTopicList lists topics.
type ListenTopicList struct {
	Body ListBody[herald.ListenTopic]
}

// ListenPreviewInput runs a topic, not saved, over recent matches.
type ListenPreviewInput struct {
	WorkspaceParam
	Body ListenTopicBody
}

// ListenPreviewOutput is what the topic would have found.
type ListenPreviewOutput struct {
	Body struct {
		Since   time.Time            `json:"since" doc:"The start of the window searched (the last 7 days)"`
		Scanned int                  `json:"scanned" doc:"How many of the workspace's stored matches of the window were checked (at most 5,000)"`
		Total   int                  `json:"total" doc:"How many of those the topic matches"`
		Matches []herald.ListenMatch `json:"matches" nullable:"false" doc:"The newest 20, each with the terms that matched (topic_id 0)"`
	}
}

// ListenMatchesInput selects matches.
type ListenMatchesInput struct {
	WorkspaceParam
	PageParams
	Topic     int64     `query:"topic" minimum:"0" doc:"A topic's id; 0 or absent: every topic"`
	Sentiment string    `query:"sentiment" doc:"Only matches of this sentiment"`
	Language  string    `query:"language" maxLength:"8" doc:"Only matches in this language (ISO 639-1)"`
	Author    string    `query:"author" maxLength:"300" doc:"Only matches by this author id (DID, user@host)"`
	Q         string    `query:"q" maxLength:"200" doc:"Only matches whose text holds this, ignoring case"`
	From      time.Time `query:"from" doc:"Posted at or after (RFC 3339)"`
	To        time.Time `query:"to" doc:"Posted before (RFC 3339)"`
}

// ListenMatchList lists matches.
type ListenMatchList struct {
	Body ListBody[herald.ListenMatch]
}

// ListenOverviewInput asks for a topic's figures over a period.
type ListenOverviewInput struct {
	WorkspaceParam
	Topic int64 `query:"topic" minimum:"0" doc:"A topic's id; 0 or absent: every topic, each match once"`
	Days  int   `query:"days" minimum:"1" maximum:"90" default:"7" doc:"The period: the last this many days"`
}

// ListenOverviewOutput is a topic's figures.
type ListenOverviewOutput struct {
	Body struct {
		From    time.Time             `json:"from"`
		To      time.Time             `json:"to"`
		Totals  herald.ListenVolume   `json:"totals" doc:"The period's matches by sentiment (hour is unset)"`
		Volume  []herald.ListenVolume `json:"volume" nullable:"false" doc:"Matches per UTC hour by sentiment, hours without any left out"`
		Authors []herald.ListenAuthor `json:"authors" nullable:"false" doc:"The 10 authors with the most matches (author_followers -1: not given by the source)"`
		Terms   []listen.TermCount    `json:"terms" nullable:"false" doc:"Words and hashtags most often in the period's latest matches (the topic's own left out)"`
		Scanned int                   `json:"scanned" doc:"How many of the latest matches the terms were counted over (at most 2,000)"`
	}
}

// ListenRisingInput asks for a topic's rising terms.
type ListenRisingInput struct {
	WorkspaceParam
	Topic int64 `query:"topic" minimum:"0" doc:"A topic's id; 0 or absent: every topic"`
}

// RisingTerm is a term mentioned significantly more often now than before.
type RisingTerm struct {
	Term          string  `json:"term"`
	Window        int     `json:"window" doc:"Matches of the last 3 hours holding the term"`
	WindowPosts   int     `json:"window_posts" doc:"Matches of the last 3 hours read"`
	Baseline      int     `json:"baseline" doc:"Matches of the 7 days before holding the term"`
	BaselinePosts int     `json:"baseline_posts" doc:"Matches of the 7 days before read"`
	Ratio         float64 `json:"ratio" doc:"How many times its usual share (a term never seen before counts as seen once)"`
	Score         float64 `json:"score" doc:"Dunning's log-likelihood ratio G²"`
	P             float64 `json:"p" doc:"The chance of a score this high if nothing had changed"`
}

// ListenRisingOutput lists rising terms.
type ListenRisingOutput struct {
	Body struct {
		WindowFrom   time.Time    `json:"window_from"`
		BaselineFrom time.Time    `json:"baseline_from"`
		To           time.Time    `json:"to"`
		Sampled      bool         `json:"sampled" doc:"Set when a span held more matches than were read (5,000 of the window, 3,000 a day of the baseline, newest first)"`
		Terms        []RisingTerm `json:"terms" nullable:"false"`
	}
}

// ListenSettingsOutput is a workspace's listening settings.
type ListenSettingsOutput struct {
	Body herald.ListenSettings
}

// ListenSettingsInput changes them.
type ListenSettingsInput struct {
	WorkspaceParam
	Body struct {
		KeepDays int `json:"keep_days" doc:"Days matches are kept, 1 to 730 (default 90)"`
	}
}

// ListenSourceList lists the sources that read posts for a workspace.
type ListenSourceList struct {
	Body ListBody[listen.SourceNote]
}

func (a *API) registerListen() {
	tags := []string{"Listening"}
	base := "/api/v1/workspaces/{workspace}/listen"
	register(a, huma.Operation{
		OperationID: "list-listen-topics", Method: http.MethodGet, Path: base + "/topics",
		Summary: "List listening topics", Tags: tags, Description: "The workspace's listening topics, by name.",
	}, func(ctx context.Context, in *WorkspaceParam) (*ListenTopicList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ts, err := a.d.Listen.Topics(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &ListenTopicList{Body: list(ts, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-listen-settings", Method: http.MethodGet, Path: base + "/settings",
		Summary: "Get the listening settings", Tags: tags, Description: "How many days the workspace keeps its matches.",
	}, func(ctx context.Context, in *WorkspaceParam) (*ListenSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Listen.Settings(ctx, actor)
		return &ListenSettingsOutput{Body: st}, err
	})
	register(a, huma.Operation{
		OperationID: "put-listen-settings", Method: http.MethodPut, Path: base + "/settings",
		Summary: "Change the listening settings", Tags: tags,
		Description: "Matches older than keep_days (by their posting time) are deleted by the hourly prune job.",
	}, func(ctx context.Context, in *ListenSettingsInput) (*ListenSettingsOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		st, err := a.d.Listen.SetKeepDays(ctx, actor, in.Body.KeepDays)
		return &ListenSettingsOutput{Body: st}, err
	})
	register(a, huma.Operation{
		OperationID: "list-listen-sources", Method: http.MethodGet, Path: base + "/sources",
		Summary: "What reads posts for the workspace", Tags: tags,
		Description: "The sources that read public posts for the workspace's topics (the operator's Bluesky firehose or Jetstream, the hashtag streams of its Mastodon-API accounts' servers, X recent search through its X account) and what each can and cannot see.",
	}, func(ctx context.Context, in *WorkspaceParam) (*ListenSourceList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ns, err := a.d.Listen.Sources(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &ListenSourceList{Body: list(ns, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "create-listen-topic", Method: http.MethodPost, Path: base + "/topics",
		Summary: "Create a listening topic", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Starts matching public posts from the configured sources against the topic's rules.",
	}, func(ctx context.Context, in *ListenTopicInput) (*ListenTopicOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Listen.Create(ctx, actor, in.Body.topic())
		if err != nil {
			return nil, err
		}
		return &ListenTopicOutput{Body: t}, nil
	})
	register(a, huma.Operation{
		OperationID: "preview-listen-topic", Method: http.MethodPost, Path: base + "/preview",
		Summary: "Preview a listening topic", Tags: tags,
		Description: "Runs rules not saved yet over the workspace's matches of the last 7 days and returns what they would have found.",
	}, func(ctx context.Context, in *ListenPreviewInput) (*ListenPreviewOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Listen.Preview(ctx, actor, in.Body.topic(), 20)
		if err != nil {
			return nil, err
		}
		out := &ListenPreviewOutput{}
		out.Body.Since, out.Body.Scanned, out.Body.Total, out.Body.Matches = r.Since, r.Scanned, r.Total, r.Matches
		if out.Body.Matches == nil {
			out.Body.Matches = []herald.ListenMatch{}
		}
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "get-listen-topic", Method: http.MethodGet, Path: base + "/topics/{topic}",
		Summary: "Get a listening topic", Tags: tags,
	}, func(ctx context.Context, in *ListenTopicPath) (*ListenTopicOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Listen.Topic(ctx, actor, in.Topic)
		if err != nil {
			return nil, err
		}
		return &ListenTopicOutput{Body: t}, nil
	})
	register(a, huma.Operation{
		OperationID: "update-listen-topic", Method: http.MethodPut, Path: base + "/topics/{topic}",
		Summary: "Replace a listening topic", Tags: tags,
		Description: "Replaces the name, rules and pause. Matches already stored stay; new posts match the new rules.",
	}, func(ctx context.Context, in *ListenTopicUpdateInput) (*ListenTopicOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Listen.Update(ctx, actor, in.Topic, in.Body.topic())
		if err != nil {
			return nil, err
		}
		return &ListenTopicOutput{Body: t}, nil
	})
	register(a, huma.Operation{
		OperationID: "delete-listen-topic", Method: http.MethodDelete, Path: base + "/topics/{topic}",
		Summary: "Delete a listening topic", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the topic and the matches no other topic of the workspace matched.",
	}, func(ctx context.Context, in *ListenTopicPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Listen.Delete(ctx, actor, in.Topic)
	})
	register(a, huma.Operation{
		OperationID: "list-listen-matches", Method: http.MethodGet, Path: base + "/matches",
		Summary: "List listening matches", Tags: tags,
		Description: "Public posts that matched the workspace's topics, newest first, each with its topics and the terms that matched.",
	}, func(ctx context.Context, in *ListenMatchesInput) (*ListenMatchList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ms, next, err := a.d.Listen.Matches(ctx, actor, herald.ListenFilter{TopicID: in.Topic, Sentiment: in.Sentiment,
			Language: in.Language, AuthorID: in.Author, Query: in.Q, From: in.From, To: in.To, Page: in.Page()})
		if err != nil {
			return nil, err
		}
		return &ListenMatchList{Body: list(ms, next)}, nil
	})
	register(a, huma.Operation{
		OperationID: "get-listen-rising", Method: http.MethodGet, Path: base + "/rising",
		Summary: "Rising terms", Tags: tags,
		Description: "Terms and hashtags of a topic's matches significantly more frequent in the last 3 hours than over the 7 days before (G² ≥ 10.83, at least 5 matches, at least twice as common), highest score first.",
	}, func(ctx context.Context, in *ListenRisingInput) (*ListenRisingOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Listen.Rising(ctx, actor, in.Topic)
		if err != nil {
			return nil, err
		}
		out := &ListenRisingOutput{}
		out.Body.WindowFrom, out.Body.BaselineFrom, out.Body.To, out.Body.Sampled = r.WindowFrom, r.BaselineFrom, r.To, r.Sampled
		out.Body.Terms = make([]RisingTerm, len(r.Terms))
		for i, x := range r.Terms {
			out.Body.Terms[i] = RisingTerm{Term: x.Term, Window: x.Window, WindowPosts: x.WindowPosts, Baseline: x.Baseline,
				BaselinePosts: x.BaselinePosts, Ratio: x.Ratio, Score: x.Score, P: x.P}
		}
		return out, nil
	})
	register(a, huma.Operation{
		OperationID: "get-listen-overview", Method: http.MethodGet, Path: base + "/overview",
		Summary: "A topic's figures", Tags: tags,
		Description: "Volume per hour by sentiment, the top authors and the co-occurring terms of a topic (or every topic) over the last days.",
	}, func(ctx context.Context, in *ListenOverviewInput) (*ListenOverviewOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		to := time.Now().UTC().Truncate(time.Microsecond)
		from := to.Add(-time.Duration(in.Days) * 24 * time.Hour)
		o, err := a.d.Listen.Overview(ctx, actor, in.Topic, listen.Period{From: from, To: to})
		if err != nil {
			return nil, err
		}
		out := &ListenOverviewOutput{}
		out.Body.From, out.Body.To, out.Body.Totals, out.Body.Scanned = from, to, o.Totals, o.Scanned
		out.Body.Volume, out.Body.Authors, out.Body.Terms = herald.NonNil(o.Volume), herald.NonNil(o.Authors), herald.NonNil(o.Terms)
		return out, nil
	})
}
