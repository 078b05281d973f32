package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/media"
)

// MediaPath addresses one media asset.
type MediaPath struct {
	WorkspaceParam
	Media int64 `path:"media" minimum:"1" doc:"Media asset id"`
}

// MediaUploadForm is the multipart form of an upload.
type MediaUploadForm struct {
	File    huma.FormFile `form:"file" required:"true" contentType:"image/jpeg,image/png,image/gif,image/webp,video/mp4,video/quicktime,application/octet-stream" doc:"The image or video; its type is read from its bytes"`
	AltText string        `form:"alt_text" required:"false" maxLength:"1500" doc:"What the image shows, for people who cannot see it"`
}

// MediaUploadInput uploads a file.
type MediaUploadInput struct {
	WorkspaceParam
	RawBody huma.MultipartFormFiles[MediaUploadForm]
}

// MediaListInput searches the library.
type MediaListInput struct {
	WorkspaceParam
	PageParams
	Q string `query:"q" maxLength:"200" doc:"Matches file names, alt texts and tags, ignoring case"`
}

// MediaPatchInput changes an asset; absent fields stay unchanged.
type MediaPatchInput struct {
	MediaPath
	Body struct {
		Filename *string   `json:"filename,omitempty" minLength:"1" maxLength:"255"`
		AltText  *string   `json:"alt_text,omitempty" maxLength:"1500"`
		Tags     *[]string `json:"tags,omitempty" maxItems:"20" doc:"Replace the tags: trimmed and lower-cased, repeats dropped; at most 20, each 1 to 40 characters without commas"`
	}
}

// MediaUsageOutput lists the targets that use an asset.
type MediaUsageOutput struct {
	Body struct {
		Items []herald.MediaUse `json:"items" doc:"Targets whose variant or thread uses the asset: those that may still publish first, then the newest posts; at most 100"`
	}
}

// MediaOutput is one asset.
type MediaOutput struct {
	Body herald.MediaAsset
}

// MediaList lists assets.
type MediaList struct {
	Body ListBody[herald.MediaAsset]
}

// mediaFormSlack is room for the multipart framing and the alt text on top
// of the file itself.
const mediaFormSlack = 64 << 10

// uploadTimeout bounds how long reading one upload may take.
const uploadTimeout = 10 * time.Minute

func (a *API) registerMedia() {
	tags := []string{"Media"}
	base := "/api/v1/workspaces/{workspace}/media"
	limit := a.d.Media.MaxBytes() + mediaFormSlack

	register(a, huma.Operation{
		OperationID: "upload-media", Method: http.MethodPost, Path: base,
		Summary: "Upload an image or video", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: fmt.Sprintf("A multipart/form-data upload with the file in field file (JPEG, PNG, GIF, WebP, MP4 or MOV, "+
			"at most %d bytes) and optional alt_text. The same bytes uploaded again return the asset already in the library.",
			a.d.Media.MaxBytes()),
		MaxBodyBytes:    limit,
		BodyReadTimeout: uploadTimeout,
		Middlewares:     huma.Middlewares{a.limitUpload(limit)},
	}, func(ctx context.Context, in *MediaUploadInput) (*MediaOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		form := in.RawBody.Data()
		if form == nil || !form.File.IsSet {
			return nil, &herald.Error{Code: herald.CodeInvalid, Message: "send the file in the multipart field \"file\"",
				Details: []herald.FieldProblem{{Field: "file", Problem: "is required"}}}
		}
		defer form.File.Close()
		m, err := a.d.Media.Upload(ctx, actor, form.File.Filename, form.File, form.AltText)
		if err != nil {
			return nil, err
		}
		return &MediaOutput{Body: m}, nil
	})

	register(a, huma.Operation{
		OperationID: "list-media", Method: http.MethodGet, Path: base,
		Summary: "List media", Tags: tags, Description: "The workspace's library, newest first.",
	}, func(ctx context.Context, in *MediaListInput) (*MediaList, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		items, next, err := a.d.Media.List(ctx, actor, in.Q, in.Page())
		if err != nil {
			return nil, err
		}
		return &MediaList{Body: list(items, next)}, nil
	})

	register(a, huma.Operation{
		OperationID: "get-media", Method: http.MethodGet, Path: base + "/{media}",
		Summary: "Get a media asset", Tags: tags,
	}, func(ctx context.Context, in *MediaPath) (*MediaOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		m, err := a.d.Media.Get(ctx, actor, in.Media)
		if err != nil {
			return nil, err
		}
		return &MediaOutput{Body: m}, nil
	})

	register(a, huma.Operation{
		OperationID: "update-media", Method: http.MethodPatch, Path: base + "/{media}",
		Summary: "Update a media asset", Tags: tags, Description: "Changes the file name, alt text or tags.",
	}, func(ctx context.Context, in *MediaPatchInput) (*MediaOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		m, err := a.d.Media.Update(ctx, actor, in.Media, media.Patch{Filename: in.Body.Filename, AltText: in.Body.AltText, Tags: in.Body.Tags})
		if err != nil {
			return nil, err
		}
		return &MediaOutput{Body: m}, nil
	})

	register(a, huma.Operation{
		OperationID: "delete-media", Method: http.MethodDelete, Path: base + "/{media}",
		Summary: "Delete a media asset", Tags: tags, DefaultStatus: http.StatusNoContent,
		Description: "Deletes the asset and its file. Refused (409) while a post that may still be published uses it.",
	}, func(ctx context.Context, in *MediaPath) (*struct{}, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		return nil, a.d.Media.Delete(ctx, actor, in.Media)
	})

	register(a, huma.Operation{
		OperationID: "media-usage", Method: http.MethodGet, Path: base + "/{media}/usage",
		Summary: "Where a media asset is used", Tags: tags,
		Description: "The post targets whose variant or thread parts use the asset.",
	}, func(ctx context.Context, in *MediaPath) (*MediaUsageOutput, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		uses, err := a.d.Media.Usage(ctx, actor, in.Media)
		if err != nil {
			return nil, err
		}
		out := &MediaUsageOutput{}
		out.Body.Items = uses
		return out, nil
	})

	register(a, huma.Operation{
		OperationID: "download-media", Method: http.MethodGet, Path: base + "/{media}/file",
		Summary: "Download a media file", Tags: tags,
		Description: "The file's bytes, with its sniffed Content-Type.",
		Responses: map[string]*huma.Response{"200": {Description: "The file", Content: map[string]*huma.MediaType{
			"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}},
	}, func(ctx context.Context, in *MediaPath) (*huma.StreamResponse, error) {
		actor, err := a.actor(ctx, in.Workspace)
		if err != nil {
			return nil, err
		}
		m, rc, err := a.d.Media.Open(ctx, actor, in.Media)
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			defer rc.Close()
			hctx.SetHeader("Content-Type", m.ContentType)
			hctx.SetHeader("Content-Length", strconv.FormatInt(m.Size, 10))
			hctx.SetHeader("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": m.Filename}))
			hctx.SetHeader("X-Content-Type-Options", "nosniff")
			hctx.SetHeader("ETag", `"`+m.SHA256+`"`)
			hctx.SetStatus(http.StatusOK)
			if _, err := io.Copy(hctx.BodyWriter(), rc); err != nil {
				a.logger.WarnContext(hctx.Context(), "media download interrupted", "media_id", m.ID, "error", err)
			}
		}}, nil
	})
}

// limitUpload caps an upload's body at limit bytes and parses the form
// before huma does, so that a body over the limit is answered with 413
// (huma would report the failed form parse as 422).
func (a *API) limitUpload(limit int64) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		r, w := humago.Unwrap(ctx)
		if r.ContentLength > limit {
			_ = huma.WriteErr(a.huma, ctx, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("uploads may be at most %d bytes", limit-mediaFormSlack))
			return
		}
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTimeout))
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				_ = huma.WriteErr(a.huma, ctx, http.StatusRequestEntityTooLarge,
					fmt.Sprintf("uploads may be at most %d bytes", limit-mediaFormSlack))
				return
			}
			_ = huma.WriteErr(a.huma, ctx, http.StatusBadRequest,
				"the upload is not a multipart/form-data body with the file in field \"file\": "+err.Error())
			return
		}
		next(ctx)
	}
}
