package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// BrandVoiceBody is a workspace's brand voice rules. Each rule has a
// severity: a warning is shown and the post can still be saved and
// scheduled; a block refuses the post with a problem that names the rule.
type BrandVoiceBody struct {
	Voice        string                  `json:"voice" required:"false" maxLength:"2000" doc:"What writers should sound like, shown in the composer"`
	Banned       []herald.BannedPhrase   `json:"banned" required:"false" maxItems:"200" nullable:"false" doc:"Words and phrases posts must not contain"`
	RequiredTags []herald.RequiredTag    `json:"required_tags" required:"false" maxItems:"30" nullable:"false" doc:"Hashtags or disclosure tags posts must carry: every post, a label's or a campaign's"`
	MaxEmoji     *herald.CountLimit      `json:"max_emoji,omitempty" doc:"Emoji allowed in one published text (the post, each thread part, the first comment); absent: no limit"`
	MaxHashtags  *herald.CountLimit      `json:"max_hashtags,omitempty" doc:"Hashtags allowed in one published text; absent: no limit"`
	Link         *herald.LinkRule        `json:"link,omitempty" doc:"Links required or forbidden; absent: either"`
	Shouting     *herald.ShoutingRule    `json:"shouting,omitempty" doc:"The most capital letters allowed; absent: no limit"`
	Readability  *herald.ReadabilityRule `json:"readability,omitempty" doc:"The lowest Flesch reading ease (English text; texts of 10 words or more); absent: no target"`
}

func (b BrandVoiceBody) rules() herald.BrandRules {
	return herald.BrandRules{Voice: b.Voice, Banned: b.Banned, RequiredTags: b.RequiredTags, MaxEmoji: b.MaxEmoji,
		MaxHashtags: b.MaxHashtags, Link: b.Link, Shouting: b.Shouting, Readability: b.Readability}
}

func brandVoiceOut(r herald.BrandRules) *BrandVoiceOutput {
	b := BrandVoiceBody{Voice: r.Voice, Banned: r.Banned, RequiredTags: r.RequiredTags, MaxEmoji: r.MaxEmoji,
		MaxHashtags: r.MaxHashtags, Link: r.Link, Shouting: r.Shouting, Readability: r.Readability}
	if b.Banned == nil {
		b.Banned = []herald.BannedPhrase{}
	}
	if b.RequiredTags == nil {
		b.RequiredTags = []herald.RequiredTag{}
	}
	return &BrandVoiceOutput{Body: b}
}

// BrandVoiceInput replaces a workspace's brand voice rules.
type BrandVoiceInput struct {
	WorkspaceParam
	Body BrandVoiceBody
}

// BrandVoiceOutput is a workspace's brand voice rules.
type BrandVoiceOutput struct {
	Body BrandVoiceBody
}

// registerBrandVoice adds the workspace's brand voice rules.
func (a *API) registerBrandVoice() {
	tags := []string{"Workspaces"}
	path := "/api/v1/workspaces/{workspace}/brand-voice"
	register(a, huma.Operation{
		OperationID: "get-brand-voice", Method: http.MethodGet, Path: path,
		Summary: "Get the brand voice rules", Tags: tags,
		Description: "The rules posts are checked against as they are written and saved. Every member may read them. " +
			"Banned words and required hashtags saved in the workspace's older brand_rules form appear here as blocks.",
	}, func(ctx context.Context, in *WorkspaceParam) (*BrandVoiceOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Workspaces.BrandVoice(ctx, actor)
		if err != nil {
			return nil, err
		}
		return brandVoiceOut(r), nil
	})

	register(a, huma.Operation{
		OperationID: "replace-brand-voice", Method: http.MethodPut, Path: path,
		Summary: "Replace the brand voice rules", Tags: tags,
		Description: "Replaces every brand voice rule at once (the approval switch, a workspace setting, stays). " +
			"Admins and owners only. A rule that is not well formed is refused with a problem naming it, and nothing changes.",
	}, func(ctx context.Context, in *BrandVoiceInput) (*BrandVoiceOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		r, err := a.d.Workspaces.SetBrandVoice(ctx, actor, in.Body.rules())
		if err != nil {
			return nil, err
		}
		return brandVoiceOut(r), nil
	})
}
