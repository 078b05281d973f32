package pinterest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// pinBody is POST /v5/pins.
type pinBody struct {
	BoardID     string         `json:"board_id"`
	Title       string         `json:"title,omitempty"`
	Description string         `json:"description,omitempty"`
	Link        string         `json:"link,omitempty"`
	AltText     string         `json:"alt_text,omitempty"`
	Note        string         `json:"note"`
	MediaSource map[string]any `json:"media_source"`
}

// pin is a pin in an answer.
type pin struct {
	ID          string `json:"id"`
	CreatedAt   string `json:"created_at"`
	BoardID     string `json:"board_id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Note        string `json:"note"`
}

// marker is what Herald writes in a pin's private note, so that Find can
// recognise the pin after a lost answer. The note is seen by the pin's
// owner only.
func marker(p connector.Part) string { return "herald:" + p.Key }

// Publish makes a pin on the board named by the part's board_id option:
// the text as its description, the option title as its title, link and
// the first file's alt text; one image (image_base64), 2–5 images (a
// carousel, multiple_image_base64) or one video (registered, uploaded and
// processed first, then video_id). Thread parts and first comments are
// refused: a pin has neither.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if p.Comment || p.Index > 0 {
		return herald.RemoteRef{}, invalid("a pin has no thread parts or comments")
	}
	board := p.Options[OptionBoard]
	if board == "" {
		return herald.RemoteRef{}, invalid("choose the board to pin to (the option %s)", OptionBoard)
	}
	if len(p.Media) == 0 {
		return herald.RemoteRef{}, invalid("a pin needs an image or a video")
	}
	body := pinBody{BoardID: board, Title: p.Options[OptionTitle], Description: p.Text, Link: p.Options[OptionLink],
		AltText: p.Media[0].Asset.AltText, Note: marker(p)}
	if body.MediaSource, err = c.mediaSource(ctx, cr, p.Media); err != nil {
		return herald.RemoteRef{}, err
	}
	var out pin
	if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/v5/pins", json: body, out: &out, create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Message: "Pinterest accepted the pin but did not say its id"}
	}
	return refOf(out), nil
}

func refOf(p pin) herald.RemoteRef {
	return herald.RemoteRef{ID: p.ID, URL: "https://www.pinterest.com/pin/" + p.ID + "/", Meta: map[string]string{"board_id": p.BoardID}}
}

// mediaSource reads the files into the pin's media_source.
func (c *Connector) mediaSource(ctx context.Context, cr Credentials, media []connector.Media) (map[string]any, error) {
	if isVideo(media[0].Asset.ContentType) {
		if len(media) > 1 {
			return nil, invalid("a video pin takes one video alone")
		}
		id, err := c.uploadVideo(ctx, cr, media[0])
		if err != nil {
			return nil, err
		}
		return map[string]any{"source_type": "video_id", "media_id": id, "cover_image_key_frame_time": 0}, nil
	}
	var items []map[string]any
	for i, m := range media {
		if !isImage(m.Asset.ContentType) {
			return nil, invalid("media[%d] is %s; a pin takes JPEG, PNG, WebP or GIF images, or one video", i, m.Asset.ContentType)
		}
		data, err := readAll(ctx, m)
		if err != nil {
			return nil, fmt.Errorf("media[%d]: %w", i, err)
		}
		items = append(items, map[string]any{"content_type": m.Asset.ContentType, "data": base64.StdEncoding.EncodeToString(data)})
	}
	if len(items) == 1 {
		items[0]["source_type"] = "image_base64"
		return items[0], nil
	}
	return map[string]any{"source_type": "multiple_image_base64", "items": items, "index": 0}, nil
}

func readAll(ctx context.Context, m connector.Media) ([]byte, error) {
	f, err := m.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("open the media file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read the media file: %w", err)
	}
	return b, nil
}

// uploadVideo registers a video (POST /v5/media), uploads it to the
// address Pinterest gives with its upload parameters, and waits for
// processing (GET /v5/media/{id}) to succeed. None of this publishes, so
// its failures are never ambiguous.
func (c *Connector) uploadVideo(ctx context.Context, cr Credentials, m connector.Media) (string, error) {
	var reg struct {
		MediaID          string            `json:"media_id"`
		UploadURL        string            `json:"upload_url"`
		UploadParameters map[string]string `json:"upload_parameters"`
	}
	if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/v5/media", json: map[string]string{"media_type": "video"}, out: &reg}); err != nil {
		return "", connector.Repeatable(err)
	}
	if reg.MediaID == "" || reg.UploadURL == "" {
		return "", &connector.Error{Class: connector.Transient, Message: "Pinterest registered the video without an upload address"}
	}
	if err := c.upload(ctx, reg.UploadURL, reg.UploadParameters, m); err != nil {
		return "", err
	}
	for i := 0; i < c.maxPolls; i++ {
		var st struct {
			Status string `json:"status"`
		}
		if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/v5/media/" + url.PathEscape(reg.MediaID), out: &st}); err != nil {
			return "", err
		}
		switch st.Status {
		case "succeeded":
			return reg.MediaID, nil
		case "failed":
			return "", invalid("Pinterest could not process the video")
		}
		t := time.NewTimer(c.poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
	}
	return "", &connector.Error{Class: connector.Transient, Message: "Pinterest is still processing the video; trying again later"}
}

// upload posts the file to the upload address as a form: the upload
// parameters first, then the file.
func (c *Connector) upload(ctx context.Context, addr string, params map[string]string, m connector.Media) error {
	u, err := url.Parse(addr)
	if err != nil || (u.Scheme != "https" && !strings.HasPrefix(addr, c.baseURL)) {
		return &connector.Error{Class: connector.Transient, Message: "Pinterest gave an upload address that is not https"}
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(func() error {
			keys := make([]string, 0, len(params))
			for k := range params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if err := mw.WriteField(k, params[k]); err != nil {
					return err
				}
			}
			a := m.Asset
			a.AltText = "" // the upload takes the file alone; alt text goes with the pin
			return connector.WriteMediaForm(mw, mustOpen(ctx, m), a, "")
		}())
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, addr, pr)
	if err != nil {
		return fmt.Errorf("pinterest: build the upload: %w", err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := connector.Do(c.client, req, 0)
	_ = pr.CloseWithError(errors.New("the request is over"))
	if err != nil {
		return fmt.Errorf("pinterest: upload the video: %w", connector.Repeatable(err))
	}
	if res.Status >= 300 {
		return fmt.Errorf("pinterest: upload the video: %w", &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: fmt.Sprintf("the upload address answered HTTP %d", res.Status)})
	}
	return nil
}

// mustOpen opens a media file as a reader whose read fails with the open
// error, so the form's writer reports it.
func mustOpen(ctx context.Context, m connector.Media) io.Reader {
	f, err := m.Open(ctx)
	if err != nil {
		return errReader{fmt.Errorf("open the media file: %w", err)}
	}
	return readCloseOnEOF{f}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type readCloseOnEOF struct{ rc io.ReadCloser }

func (r readCloseOnEOF) Read(b []byte) (int, error) {
	n, err := r.rc.Read(b)
	if err != nil {
		r.rc.Close()
	}
	return n, err
}

// Find looks for the pin among the board's newest pins (two pages of
// 100) by the marker Herald writes in every pin's private note
// ("herald:" and the part's key). A pin is Herald's only with the marker:
// title, description and time are not compared, since a person may pin
// the same thing twice.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	board := p.Options[OptionBoard]
	if board == "" {
		return herald.RemoteRef{}, false, invalid("the part names no board (option %s)", OptionBoard)
	}
	want := marker(p)
	q := url.Values{"page_size": {"100"}}
	for range c.findPages {
		var page struct {
			Items    []pin  `json:"items"`
			Bookmark string `json:"bookmark"`
		}
		if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/v5/boards/" + url.PathEscape(board) + "/pins", query: q, out: &page}); err != nil {
			return herald.RemoteRef{}, false, connector.Repeatable(err)
		}
		for _, it := range page.Items {
			if it.Note == want {
				if it.BoardID == "" {
					it.BoardID = board
				}
				return refOf(it), true, nil
			}
		}
		if page.Bookmark == "" {
			break
		}
		q.Set("bookmark", page.Bookmark)
	}
	return herald.RemoteRef{}, false, nil
}

// Delete deletes a pin; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the pin to delete has no id")
	}
	_, err = c.call(ctx, cr, request{method: http.MethodDelete, path: "/v5/pins/" + url.PathEscape(ref.ID)})
	var e *connector.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		return nil
	}
	return err
}
