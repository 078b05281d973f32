package connector

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"

	"github.com/heraldsocial/herald/internal/herald"
)

// WriteMediaForm writes a media upload as the Mastodon-style APIs take it:
// the alt text in the field altField (when there is one), then the file
// under "file" with its name and content type, and closes the form.
func WriteMediaForm(mw *multipart.Writer, f io.Reader, a herald.MediaAsset, altField string) error {
	if a.AltText != "" {
		if err := mw.WriteField(altField, a.AltText); err != nil {
			return err
		}
	}
	h := textproto.MIMEHeader{}
	name := a.Filename
	if name == "" {
		name = "file"
	}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("read the media file: %w", err)
	}
	return mw.Close()
}
