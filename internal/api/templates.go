package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/template"
)

// TemplatePath addresses one template.
type TemplatePath struct {
	WorkspaceParam
	Template int64 `path:"template" minimum:"1" doc:"Template id"`
}

// KitQuery searches templates, snippets or hashtag groups.
type KitQuery struct {
	WorkspaceParam
	Query string `query:"q" maxLength:"200" doc:"Keep only those whose name or text contains this, ignoring case"`
}

// TemplateBody is a template as written.
type TemplateBody struct {
	Name        string                 `json:"name" minLength:"1" maxLength:"100" doc:"Unique in the workspace, ignoring case"`
	Description string                 `json:"description,omitempty" maxLength:"500"`
	Content     herald.TemplateContent `json:"content" doc:"The post it starts: texts may use the placeholders {{date}}, {{weekday}}, {{month}}, {{year}}, {{time}}, {{workspace}} and {{campaign}}"`
}

// TemplateCreateInput creates a template.
type TemplateCreateInput struct {
	WorkspaceParam
	Body TemplateBody
}

// TemplatePutInput replaces a template.
type TemplatePutInput struct {
	TemplatePath
	Body TemplateBody
}

// TemplateOutput is one template.
type TemplateOutput struct {
	Body herald.Template
}

// TemplateList lists templates.
type TemplateList struct {
	Body ListBody[herald.Template]
}

// TemplatePostInput makes a post from a template.
type TemplatePostInput struct {
	TemplatePath
	Body *struct {
		ScheduledAt *time.Time `json:"scheduled_at,omitempty" doc:"When the post is meant to go out: its targets get this time and the placeholders its date (in the workspace's zone); without it, today's date and no time"`
		AccountIDs  []int64    `json:"account_ids,omitempty" doc:"Accounts to post to instead of the template's"`
	}
}

// TemplatePostOutput is the draft made from a template.
type TemplatePostOutput struct {
	ETag string `header:"ETag" doc:"The post's version"`
	Body struct {
		Post    herald.Post `json:"post"`
		Dropped []string    `json:"dropped" nullable:"false" doc:"What the template names that no longer exists (labels, campaign, media, accounts), left out of the post"`
	}
}

func (a *API) registerTemplates() {
	tags := []string{"Templates"}
	base := "/api/v1/workspaces/{workspace}/templates"
	register(a, huma.Operation{
		OperationID: "list-templates", Method: http.MethodGet, Path: base,
		Summary: "List templates", Tags: tags, Description: "The workspace's templates, by name.",
	}, func(ctx context.Context, in *KitQuery) (*TemplateList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		ts, err := a.d.Templates.List(ctx, actor, in.Query)
		if err != nil {
			return nil, err
		}
		return &TemplateList{Body: list(ts, "")}, nil
	})

	register(a, huma.Operation{
		OperationID: "create-template", Method: http.MethodPost, Path: base,
		Summary: "Create a template", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Saves a post to start new ones from (editors and above). A placeholder Herald does not know is refused, " +
			"naming it and the known ones.",
	}, func(ctx context.Context, in *TemplateCreateInput) (*TemplateOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Templates.Create(ctx, actor, herald.Template{Name: in.Body.Name, Description: in.Body.Description,
			Content: in.Body.Content})
		if err != nil {
			return nil, err
		}
		return &TemplateOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-template", Method: http.MethodGet, Path: base + "/{template}",
		Summary: "Get a template", Tags: tags,
	}, func(ctx context.Context, in *TemplatePath) (*TemplateOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Templates.Get(ctx, actor, in.Template)
		if err != nil {
			return nil, err
		}
		return &TemplateOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "replace-template", Method: http.MethodPut, Path: base + "/{template}",
		Summary: "Replace a template", Tags: tags, Description: "Replaces the template's name, description and content.",
	}, func(ctx context.Context, in *TemplatePutInput) (*TemplateOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		t, err := a.d.Templates.Update(ctx, actor, in.Template, herald.Template{Name: in.Body.Name,
			Description: in.Body.Description, Content: in.Body.Content})
		if err != nil {
			return nil, err
		}
		return &TemplateOutput{Body: t}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-template", Method: http.MethodDelete, Path: base + "/{template}",
		Summary: "Delete a template", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the template; posts made from it stay as they are.",
	}, func(ctx context.Context, in *TemplatePath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Templates.Delete(ctx, actor, in.Template)
	})

	register(a, huma.Operation{
		OperationID: "create-post-from-template", Method: http.MethodPost, Path: base + "/{template}/posts",
		Summary: "Create a draft post from a template", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Makes a draft post from the template, its placeholders filled for scheduled_at (or today) in the " +
			"workspace's zone. Labels, a campaign, media or accounts deleted since the template was saved are left out and listed in dropped.",
	}, func(ctx context.Context, in *TemplatePostInput) (*TemplatePostOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		var u template.Use
		if in.Body != nil {
			u = template.Use{At: in.Body.ScheduledAt, AccountIDs: in.Body.AccountIDs}
		}
		p, dropped, err := a.d.Templates.NewPost(ctx, actor, in.Template, u)
		if err != nil {
			return nil, err
		}
		out := &TemplatePostOutput{ETag: etag(p.Version)}
		out.Body.Post = postOut(p).Body
		out.Body.Dropped = dropped
		if dropped == nil {
			out.Body.Dropped = []string{}
		}
		return out, nil
	})
	a.registerSnippets()
	a.registerHashtagGroups()
}
