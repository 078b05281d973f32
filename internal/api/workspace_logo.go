package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/heraldsocial/herald/internal/herald"
)

// WorkspaceLogoPutInput replaces a workspace's report logo with the
// request's body, the image itself.
type WorkspaceLogoPutInput struct {
	WorkspaceParam
	RawBody []byte `contentType:"image/png"`
}

// WorkspaceLogoOutput describes a workspace's report logo.
type WorkspaceLogoOutput struct {
	Body herald.LogoInfo
}

// binaryImage is the schema of an image sent or answered as it is.
func binaryImage() *huma.MediaType {
	return &huma.MediaType{Schema: &huma.Schema{Type: "string", Format: "binary"}}
}

// registerWorkspaceLogo adds the workspace's report logo.
func (a *API) registerWorkspaceLogo() {
	tags := []string{"Workspaces"}
	path := "/api/v1/workspaces/{workspace}/logo"
	register(a, huma.Operation{
		OperationID: "get-workspace-logo", Method: http.MethodGet, Path: path,
		Summary: "Get the workspace's report logo", Tags: tags,
		Description: "The image shown in the header of the workspace's PDF reports, with its Content-Type (image/png or " +
			"image/jpeg) and an ETag. Every member may read it; 404 when the workspace has none.",
		Responses: map[string]*huma.Response{"200": {Description: "The logo", Content: map[string]*huma.MediaType{
			herald.LogoPNG: binaryImage(), herald.LogoJPEG: binaryImage()}}},
	}, func(ctx context.Context, in *WorkspaceParam) (*huma.StreamResponse, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		l, err := a.d.Workspaces.Logo(ctx, actor)
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			hctx.SetHeader("Content-Type", l.ContentType)
			hctx.SetHeader("Content-Length", strconv.Itoa(len(l.Data)))
			hctx.SetHeader("ETag", `"`+l.Info().SHA256+`"`)
			hctx.SetHeader("Cache-Control", "private, no-cache")
			hctx.SetStatus(http.StatusOK)
			_, _ = hctx.BodyWriter().Write(l.Data)
		}}, nil
	})

	register(a, huma.Operation{
		OperationID: "put-workspace-logo", Method: http.MethodPut, Path: path,
		Summary: "Set the workspace's report logo", Tags: tags,
		Description: fmt.Sprintf("Sends the image itself as the body, with Content-Type image/png or image/jpeg (the type "+
			"is read from the bytes). It must be a PNG or JPEG of at most %d bytes that the PDF report can show; anything "+
			"else is refused (413 when too large, 422 otherwise) with what to fix, and the logo saved before stays. "+
			"Replaces any logo. Admins and owners only.", herald.MaxLogoBytes),
		// One byte over the limit reaches the service, which says so in
		// its own words; more is cut off by huma.
		MaxBodyBytes: herald.MaxLogoBytes + 1,
		RequestBody: &huma.RequestBody{Description: "The PNG or JPEG image",
			Content: map[string]*huma.MediaType{herald.LogoJPEG: binaryImage()}},
		Middlewares: huma.Middlewares{a.limitLogo},
	}, func(ctx context.Context, in *WorkspaceLogoPutInput) (*WorkspaceLogoOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		// huma reuses the body's buffer once the handler returns.
		l, err := a.d.Workspaces.SetLogo(ctx, actor, append([]byte(nil), in.RawBody...))
		if err != nil {
			return nil, err
		}
		return &WorkspaceLogoOutput{Body: l.Info()}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-workspace-logo", Method: http.MethodDelete, Path: path,
		Summary: "Remove the workspace's report logo", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Reports then show the workspace's name alone. Removing no logo is no error. Admins and owners only.",
	}, func(ctx context.Context, in *WorkspaceParam) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Workspaces.RemoveLogo(ctx, actor)
	})
}

// limitLogo refuses a logo whose declared length is over the limit before
// its body is read, with the limit in words.
func (a *API) limitLogo(ctx huma.Context, next func(huma.Context)) {
	r, _ := humago.Unwrap(ctx)
	if r.ContentLength > herald.MaxLogoBytes {
		_ = huma.WriteErr(a.huma, ctx, http.StatusRequestEntityTooLarge,
			fmt.Sprintf("the logo was not saved: it is %d bytes; a logo may be at most %d bytes (1 MiB): save it smaller",
				r.ContentLength, herald.MaxLogoBytes))
		return
	}
	next(ctx)
}
