package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/heraldsocial/herald/internal/herald"
)

// SnippetPath addresses one snippet.
type SnippetPath struct {
	WorkspaceParam
	Snippet int64 `path:"snippet" minimum:"1" doc:"Snippet id"`
}

// SnippetBody is a snippet as written.
type SnippetBody struct {
	Name string `json:"name" minLength:"1" maxLength:"100" doc:"Unique among the workspace's snippets, ignoring case"`
	Text string `json:"text" minLength:"1" doc:"What the composer inserts"`
}

// SnippetCreateInput creates a snippet.
type SnippetCreateInput struct {
	WorkspaceParam
	Body SnippetBody
}

// SnippetPutInput replaces a snippet.
type SnippetPutInput struct {
	SnippetPath
	Body SnippetBody
}

// SnippetOutput is one snippet.
type SnippetOutput struct {
	Body herald.Snippet
}

// SnippetList lists snippets.
type SnippetList struct {
	Body ListBody[herald.Snippet]
}

// HashtagGroupPath addresses one hashtag group.
type HashtagGroupPath struct {
	WorkspaceParam
	Group int64 `path:"group" minimum:"1" doc:"Hashtag group id"`
}

// HashtagGroupBody is a hashtag group as written.
type HashtagGroupBody struct {
	Name     string   `json:"name" minLength:"1" maxLength:"100" doc:"Unique among the workspace's hashtag groups, ignoring case"`
	Hashtags []string `json:"hashtags" minItems:"1" maxItems:"60" doc:"Each like #launch; a tag repeated (ignoring case) is kept once"`
}

// HashtagGroupCreateInput creates a hashtag group.
type HashtagGroupCreateInput struct {
	WorkspaceParam
	Body HashtagGroupBody
}

// HashtagGroupPutInput replaces a hashtag group.
type HashtagGroupPutInput struct {
	HashtagGroupPath
	Body HashtagGroupBody
}

// HashtagGroupOutput is one hashtag group.
type HashtagGroupOutput struct {
	Body herald.HashtagGroup
}

// HashtagGroupList lists hashtag groups.
type HashtagGroupList struct {
	Body ListBody[herald.HashtagGroup]
}

func (a *API) registerSnippets() {
	tags := []string{"Snippets"}
	base := "/api/v1/workspaces/{workspace}/snippets"
	register(a, huma.Operation{
		OperationID: "list-snippets", Method: http.MethodGet, Path: base,
		Summary: "List snippets", Tags: tags, Description: "The workspace's snippets, by name.",
	}, func(ctx context.Context, in *KitQuery) (*SnippetList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		out, err := a.d.Templates.Snippets(ctx, actor, in.Query)
		if err != nil {
			return nil, err
		}
		return &SnippetList{Body: list(out, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "create-snippet", Method: http.MethodPost, Path: base,
		Summary: "Create a snippet", Tags: tags, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *SnippetCreateInput) (*SnippetOutput, error) {
		return a.saveSnippet(ctx, in.Workspace, 0, in.Body)
	})
	register(a, huma.Operation{
		OperationID: "get-snippet", Method: http.MethodGet, Path: base + "/{snippet}",
		Summary: "Get a snippet", Tags: tags,
	}, func(ctx context.Context, in *SnippetPath) (*SnippetOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		s, err := a.d.Templates.Snippet(ctx, actor, in.Snippet)
		if err != nil {
			return nil, err
		}
		return &SnippetOutput{Body: s}, nil
	})
	register(a, huma.Operation{
		OperationID: "replace-snippet", Method: http.MethodPut, Path: base + "/{snippet}",
		Summary: "Replace a snippet", Tags: tags,
	}, func(ctx context.Context, in *SnippetPutInput) (*SnippetOutput, error) {
		return a.saveSnippet(ctx, in.Workspace, in.Snippet, in.Body)
	})
	register(a, huma.Operation{
		OperationID: "delete-snippet", Method: http.MethodDelete, Path: base + "/{snippet}",
		Summary: "Delete a snippet", Tags: tags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *SnippetPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Templates.DeleteSnippet(ctx, actor, in.Snippet)
	})
}

func (a *API) saveSnippet(ctx context.Context, ws, id int64, b SnippetBody) (*SnippetOutput, error) {
	actor, err := a.actor(ctx, ws)
	if err != nil {
		return nil, err
	}
	s, err := a.d.Templates.SaveSnippet(ctx, actor, id, herald.Snippet{Name: b.Name, Text: b.Text})
	if err != nil {
		return nil, err
	}
	return &SnippetOutput{Body: s}, nil
}

func (a *API) registerHashtagGroups() {
	tags := []string{"Hashtag groups"}
	base := "/api/v1/workspaces/{workspace}/hashtag-groups"
	register(a, huma.Operation{
		OperationID: "list-hashtag-groups", Method: http.MethodGet, Path: base,
		Summary: "List hashtag groups", Tags: tags, Description: "The workspace's hashtag groups, by name.",
	}, func(ctx context.Context, in *KitQuery) (*HashtagGroupList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		out, err := a.d.Templates.HashtagGroups(ctx, actor, in.Query)
		if err != nil {
			return nil, err
		}
		return &HashtagGroupList{Body: list(out, "")}, nil
	})
	register(a, huma.Operation{
		OperationID: "create-hashtag-group", Method: http.MethodPost, Path: base,
		Summary: "Create a hashtag group", Tags: tags, DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *HashtagGroupCreateInput) (*HashtagGroupOutput, error) {
		return a.saveHashtagGroup(ctx, in.Workspace, 0, in.Body)
	})
	register(a, huma.Operation{
		OperationID: "get-hashtag-group", Method: http.MethodGet, Path: base + "/{group}",
		Summary: "Get a hashtag group", Tags: tags,
	}, func(ctx context.Context, in *HashtagGroupPath) (*HashtagGroupOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		g, err := a.d.Templates.HashtagGroup(ctx, actor, in.Group)
		if err != nil {
			return nil, err
		}
		return &HashtagGroupOutput{Body: g}, nil
	})
	register(a, huma.Operation{
		OperationID: "replace-hashtag-group", Method: http.MethodPut, Path: base + "/{group}",
		Summary: "Replace a hashtag group", Tags: tags,
	}, func(ctx context.Context, in *HashtagGroupPutInput) (*HashtagGroupOutput, error) {
		return a.saveHashtagGroup(ctx, in.Workspace, in.Group, in.Body)
	})
	register(a, huma.Operation{
		OperationID: "delete-hashtag-group", Method: http.MethodDelete, Path: base + "/{group}",
		Summary: "Delete a hashtag group", Tags: tags, DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *HashtagGroupPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Templates.DeleteHashtagGroup(ctx, actor, in.Group)
	})
}

func (a *API) saveHashtagGroup(ctx context.Context, ws, id int64, b HashtagGroupBody) (*HashtagGroupOutput, error) {
	actor, err := a.actor(ctx, ws)
	if err != nil {
		return nil, err
	}
	g, err := a.d.Templates.SaveHashtagGroup(ctx, actor, id, herald.HashtagGroup{Name: b.Name, Hashtags: b.Hashtags})
	if err != nil {
		return nil, err
	}
	return &HashtagGroupOutput{Body: g}, nil
}
