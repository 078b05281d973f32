package linkedin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// Video rules of the Videos API for posts.
const (
	MinVideoBytes    = 75 << 10
	MaxVideoBytes    = 500 << 20
	MinVideoDuration = 3 * time.Second
	MaxVideoDuration = 30 * time.Minute
)

func isVideo(ct string) bool { return ct == "video/mp4" }

// videoProblems checks a part's video: alone (no images, no link card,
// not on a comment), between 75 KB and 500 MB, and between 3 seconds and
// 30 minutes long where its length is known.
func videoProblems(p connector.Part) []connector.Problem {
	var probs []connector.Problem
	videos := 0
	for i, m := range p.Media {
		if !isVideo(m.Asset.ContentType) {
			if m.Asset.ContentType == "video/quicktime" {
				probs = append(probs, connector.Problem{Field: fmt.Sprintf("media[%d]", i),
					Problem: "is a MOV video; LinkedIn's Videos API takes MP4 only: export it as MP4"})
			}
			continue
		}
		videos++
		field := fmt.Sprintf("media[%d]", i)
		a := m.Asset
		switch {
		case a.Size < MinVideoBytes:
			probs = append(probs, connector.Problem{Field: field, Problem: "is smaller than 75 KB, the least LinkedIn takes for a video"})
		case a.Size > MaxVideoBytes:
			probs = append(probs, connector.Problem{Field: field, Problem: "is larger than 500 MB, the most LinkedIn takes for a video in a post"})
		}
		if d := time.Duration(a.DurationMS) * time.Millisecond; a.DurationMS > 0 && (d < MinVideoDuration || d > MaxVideoDuration) {
			probs = append(probs, connector.Problem{Field: field,
				Problem: fmt.Sprintf("is %s long; LinkedIn takes videos of 3 seconds to 30 minutes", d.Round(time.Second))})
		}
	}
	if videos == 0 {
		return probs
	}
	switch {
	case p.Comment:
		// Said for every file by Validate.
	case len(p.Media) > 1:
		probs = append(probs, connector.Problem{Field: "media", Problem: "has a video with other files; a LinkedIn post takes one video alone"})
	case p.Options[OptionLink] != "":
		probs = append(probs, connector.Problem{Field: "media", Problem: "has a video; a LinkedIn link post takes one image as the link's thumbnail"})
	}
	return probs
}

// uploadVideo registers a video (POST /rest/videos?action=initializeUpload
// with its size), PUTs each part LinkedIn's uploadInstructions ask for to
// its address, and finalizes the upload with the parts' ETags. Nothing of
// this publishes, so its failures are repeatable: an unused video is
// harmless.
func (c *Connector) uploadVideo(ctx context.Context, cr Credentials, m connector.Media) (string, error) {
	var init struct {
		Value struct {
			Video        string `json:"video"`
			UploadToken  string `json:"uploadToken"`
			Instructions []struct {
				UploadURL string `json:"uploadUrl"`
				FirstByte int64  `json:"firstByte"`
				LastByte  int64  `json:"lastByte"`
			} `json:"uploadInstructions"`
		} `json:"value"`
	}
	body := map[string]any{"initializeUploadRequest": map[string]any{"owner": cr.Author, "fileSizeBytes": m.Asset.Size,
		"uploadCaptions": false, "uploadThumbnail": false}}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/rest/videos", query: url.Values{"action": {"initializeUpload"}},
		body: body, token: cr.AccessToken, out: &init}); err != nil {
		return "", connector.Repeatable(err)
	}
	if init.Value.Video == "" || len(init.Value.Instructions) == 0 {
		return "", &connector.Error{Class: connector.Transient, Message: "LinkedIn gave no upload instructions for the video"}
	}
	f, err := m.Open(ctx)
	if err != nil {
		return "", fmt.Errorf("open the video: %w", err)
	}
	defer f.Close()
	var etags []string
	next := int64(0)
	for i, in := range init.Value.Instructions {
		if in.FirstByte != next || in.LastByte < in.FirstByte || in.LastByte >= m.Asset.Size {
			return "", &connector.Error{Class: connector.Transient,
				Message: fmt.Sprintf("LinkedIn's upload instruction %d (bytes %d to %d) does not follow on from the last", i, in.FirstByte, in.LastByte)}
		}
		part := make([]byte, in.LastByte-in.FirstByte+1)
		if _, err := io.ReadFull(f, part); err != nil {
			return "", fmt.Errorf("read bytes %d to %d of the video: %w", in.FirstByte, in.LastByte, err)
		}
		etag, err := c.putPart(ctx, in.UploadURL, part)
		if err != nil {
			return "", fmt.Errorf("upload part %d of the video: %w", i, err)
		}
		etags = append(etags, etag)
		next = in.LastByte + 1
	}
	if next != m.Asset.Size {
		return "", &connector.Error{Class: connector.Transient, Message: "LinkedIn's upload instructions do not cover the whole video"}
	}
	fin := map[string]any{"finalizeUploadRequest": map[string]any{"video": init.Value.Video,
		"uploadToken": init.Value.UploadToken, "uploadedPartIds": etags}}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/rest/videos", query: url.Values{"action": {"finalizeUpload"}},
		body: fin, token: cr.AccessToken}); err != nil {
		return "", connector.Repeatable(err)
	}
	return init.Value.Video, nil
}

// putPart uploads one part to its pre-signed address and returns the
// ETag LinkedIn answered with.
func (c *Connector) putPart(ctx context.Context, addr string, part []byte) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, addr, bytes.NewReader(part))
	if err != nil {
		return "", fmt.Errorf("linkedin: make the upload request: %w", err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	res, err := connector.Do(c.client, req, 0)
	if err != nil {
		return "", connector.Repeatable(err)
	}
	if e := c.classify(res); e != nil {
		return "", connector.Repeatable(e)
	}
	etag := res.Header.Get("ETag")
	if etag == "" {
		return "", &connector.Error{Class: connector.Transient, Status: res.Status, Message: "LinkedIn took a part of the video without an ETag"}
	}
	return etag, nil
}

// waitVideo reads the video's status (GET /rest/videos/{urn}) until it is
// AVAILABLE, as a post can only use it then. A video still processing
// when the call's time runs short is a transient error: the video's URN
// is in the checkpoint, so the next attempt waits for it again instead of
// uploading it again.
func (c *Connector) waitVideo(ctx context.Context, cr Credentials, urn string) error {
	for range maxVideoPolls {
		var v struct {
			Status string `json:"status"`
		}
		if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/videos/" + esc(urn), token: cr.AccessToken, out: &v}); err != nil {
			return connector.Repeatable(err)
		}
		switch v.Status {
		case "AVAILABLE":
			return nil
		case "PROCESSING_FAILED":
			return invalid("LinkedIn could not process the video; check that it is an MP4 file LinkedIn plays, and upload it again")
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < 2*c.videoPoll {
			return &connector.Error{Class: connector.Transient, RetryAfter: 30 * time.Second,
				Message: "LinkedIn is still processing the video; Herald publishes the post once it is ready"}
		}
		t := time.NewTimer(c.videoPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return &connector.Error{Class: connector.Transient, Message: "LinkedIn was still processing the video", Err: ctx.Err()}
		case <-t.C:
		}
	}
	return &connector.Error{Class: connector.Transient, RetryAfter: 30 * time.Second,
		Message: "LinkedIn is still processing the video; Herald publishes the post once it is ready"}
}

// maxVideoPolls bounds the reads of a video's status in one attempt.
const maxVideoPolls = 150
