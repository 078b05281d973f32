package x

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldsocial/herald/internal/connector"
)

// Media limits of X's media guide.
const (
	MaxImageBytes   = 5 << 20
	MaxGIFBytes     = 15 << 20
	MaxVideoBytes   = 512 << 20
	MaxAltTextChars = 1000
	maxSegments     = 1000
)

// mediaCategory is the upload category for a content type, or "" when a
// post on X cannot carry it.
func mediaCategory(contentType string) string {
	switch strings.ToLower(contentType) {
	case "image/gif":
		return "tweet_gif"
	case "image/jpeg", "image/png", "image/webp":
		return "tweet_image"
	case "video/mp4", "video/quicktime":
		return "tweet_video"
	}
	return ""
}

func categoryLimit(category string) int64 {
	switch category {
	case "tweet_gif":
		return MaxGIFBytes
	case "tweet_video":
		return MaxVideoBytes
	}
	return MaxImageBytes
}

type uploadData struct {
	Data *struct {
		ID             string          `json:"id"`
		ProcessingInfo *processingInfo `json:"processing_info"`
	} `json:"data"`
}

type processingInfo struct {
	State          string `json:"state"`
	CheckAfterSecs int    `json:"check_after_secs"`
	Progress       int    `json:"progress_percent"`
}

// upload sends one file with the v2 chunked upload (initialize, append
// each segment, finalize, then wait while X processes it) and sets its alt
// text. Nothing is published by an upload, so its failures are never
// Ambiguous.
func (c *Connector) upload(ctx context.Context, cr Credentials, i int, m connector.Media) (string, error) {
	a := m.Asset
	name := fmt.Sprintf("media %d (%s)", i+1, a.Filename)
	category := mediaCategory(a.ContentType)
	if category == "" {
		return "", invalid("%s is %s; X takes JPEG, PNG, WebP and GIF images and MP4 or MOV videos", name, a.ContentType)
	}
	if n := utf8.RuneCountInString(a.AltText); n > MaxAltTextChars {
		return "", invalid("the alt text of %s is %d characters; X allows %d", name, n, MaxAltTextChars)
	}
	if m.Open == nil {
		return "", invalid("%s has no file to upload", name)
	}
	size := a.Size
	if size <= 0 {
		n, err := countBytes(ctx, m)
		if err != nil {
			return "", &connector.Error{Class: connector.Transient, Message: name + " cannot be read", Err: err}
		}
		size = n
	}
	if size == 0 {
		return "", invalid("%s is empty", name)
	}
	if limit := categoryLimit(category); size > limit {
		return "", invalid("%s is %d bytes; X takes at most %d for this kind of file", name, size, limit)
	}
	var init uploadData
	if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/2/media/upload/initialize",
		json: map[string]any{"media_type": strings.ToLower(a.ContentType), "total_bytes": size, "media_category": category},
		out:  &init}); err != nil {
		return "", connector.Repeatable(err)
	}
	if init.Data == nil || init.Data.ID == "" {
		return "", &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "X did not say the upload's id"}
	}
	id := init.Data.ID
	if err := c.appendAll(ctx, cr, id, name, size, m); err != nil {
		return "", err
	}
	var fin uploadData
	if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/2/media/upload/" + url.PathEscape(id) + "/finalize", out: &fin}); err != nil {
		return "", connector.Repeatable(err)
	}
	if fin.Data != nil && fin.Data.ProcessingInfo != nil {
		if err := c.await(ctx, cr, id, name, *fin.Data.ProcessingInfo); err != nil {
			return "", err
		}
	}
	if a.AltText != "" {
		body := map[string]any{"id": id, "metadata": map[string]any{"alt_text": map[string]string{"text": a.AltText}}}
		if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/2/media/metadata", json: body}); err != nil {
			return "", connector.Repeatable(err)
		}
	}
	return id, nil
}

func countBytes(ctx context.Context, m connector.Media) (int64, error) {
	f, err := m.Open(ctx)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(io.Discard, f)
}

// appendAll sends the file in segments.
func (c *Connector) appendAll(ctx context.Context, cr Credentials, id, name string, size int64, m connector.Media) error {
	chunk := c.chunkSize
	if least := (size + maxSegments - 1) / maxSegments; chunk < least {
		chunk = least
	}
	f, err := m.Open(ctx)
	if err != nil {
		return &connector.Error{Class: connector.Transient, Message: name + " cannot be read", Err: err}
	}
	defer f.Close()
	buf := make([]byte, chunk)
	var sent int64
	for seg := 0; ; seg++ {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			if sent+int64(n) > size {
				return invalid("%s is larger than the %d bytes recorded for it; upload it again", name, size)
			}
			if err := c.appendSegment(ctx, cr, id, seg, buf[:n]); err != nil {
				return err
			}
			sent += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return &connector.Error{Class: connector.Transient, Message: name + " cannot be read", Err: err}
		}
	}
	if sent != size {
		return invalid("%s is %d bytes, not the %d recorded for it; upload it again", name, sent, size)
	}
	return nil
}

func (c *Connector) appendSegment(ctx context.Context, cr Credentials, id string, seg int, data []byte) error {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := mw.WriteField("segment_index", strconv.Itoa(seg)); err != nil {
		return fmt.Errorf("x: build the upload segment: %w", err)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="media"; filename="blob"`)
	h.Set("Content-Type", "application/octet-stream")
	w, err := mw.CreatePart(h)
	if err != nil {
		return fmt.Errorf("x: build the upload segment: %w", err)
	}
	_, _ = w.Write(data) // a bytes.Buffer does not fail
	if err := mw.Close(); err != nil {
		return fmt.Errorf("x: build the upload segment: %w", err)
	}
	_, err = c.call(ctx, cr, request{method: http.MethodPost, path: "/2/media/upload/" + url.PathEscape(id) + "/append",
		body: &body, ctype: mw.FormDataContentType()})
	return connector.Repeatable(err)
}

// await polls the upload's status while X processes it.
func (c *Connector) await(ctx context.Context, cr Credentials, id, name string, info processingInfo) error {
	for {
		switch info.State {
		case "succeeded", "":
			return nil
		case "failed":
			return invalid("X could not process %s; check the file's format, length and size", name)
		case "pending", "in_progress":
		default:
			return &connector.Error{Class: connector.Transient, Status: http.StatusOK,
				Message: fmt.Sprintf("X reported an unknown processing state %q for %s", info.State, name)}
		}
		wait := time.Duration(info.CheckAfterSecs) * time.Second
		wait = min(max(wait, c.poll), c.maxPoll)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &connector.Error{Class: connector.Transient, Message: name + " was still being processed by X", Err: ctx.Err()}
		case <-t.C:
		}
		var st uploadData
		q := url.Values{"command": {"STATUS"}, "media_id": {id}}
		if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/media/upload", query: q, out: &st}); err != nil {
			return connector.Repeatable(err)
		}
		if st.Data == nil || st.Data.ProcessingInfo == nil {
			return nil
		}
		info = *st.Data.ProcessingInfo
	}
}
