package mastodon

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// status is the part of a Mastodon status the connector reads.
type status struct {
	ID               flexID  `json:"id"`
	URI              string  `json:"uri"`
	URL              *string `json:"url"`
	CreatedAt        string  `json:"created_at"`
	EditedAt         *string `json:"edited_at"`
	Content          string  `json:"content"`
	SpoilerText      string  `json:"spoiler_text"`
	Visibility       string  `json:"visibility"`
	InReplyToID      *flexID `json:"in_reply_to_id"`
	Account          account `json:"account"`
	MediaAttachments []struct {
		ID flexID `json:"id"`
	} `json:"media_attachments"`
	Application *struct {
		Name string `json:"name"`
	} `json:"application"`
	Reblog          *struct{} `json:"reblog"`
	FavouritesCount int64     `json:"favourites_count"`
	ReblogsCount    int64     `json:"reblogs_count"`
	RepliesCount    int64     `json:"replies_count"`
	QuotesCount     *int64    `json:"quotes_count"`
}

// ref is where the status lives.
func (s status) ref() herald.RemoteRef {
	r := herald.RemoteRef{ID: string(s.ID), URL: s.URI}
	if s.URL != nil && *s.URL != "" {
		r.URL = *s.URL
	}
	if s.URI != "" {
		r.Meta = map[string]string{"uri": s.URI}
	}
	return r
}

func (s status) created() (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s.CreatedAt)
	return t, err == nil
}

// replyTarget is the id a part replies to: the part before, or for a
// first comment the post itself.
func replyTarget(p connector.Part) string {
	switch {
	case p.ReplyTo != nil:
		return p.ReplyTo.ID
	case p.Comment && p.Root != nil:
		return p.Root.ID
	}
	return ""
}

// statusBody is the JSON body of POST /api/v1/statuses and PUT
// /api/v1/statuses/:id.
func statusBody(p connector.Part, mediaIDs []string, replyTo string) (map[string]any, error) {
	b := map[string]any{}
	if p.Text != "" || len(mediaIDs) == 0 {
		b["status"] = p.Text
	}
	if len(mediaIDs) > 0 {
		b["media_ids"] = mediaIDs
	}
	if replyTo != "" {
		b["in_reply_to_id"] = replyTo
	}
	if v := p.Options["spoiler_text"]; v != "" {
		b["spoiler_text"] = v
	}
	if v := p.Options["sensitive"]; v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return nil, &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("the option sensitive is %q; it must be true or false", v)}
		}
		b["sensitive"] = on
	}
	for _, k := range []string{"visibility", "language"} {
		if v := p.Options[k]; v != "" {
			b[k] = v
		}
	}
	return b, nil
}

// Publish uploads the part's media (with alt text), then posts the status
// (a reply for thread parts and first comments) with Idempotency-Key set
// to Part.Key where the instance honours it.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	return c.post(ctx, cr, p, replyTarget(p))
}

func (c *Connector) post(ctx context.Context, cr Credentials, p connector.Part, replyTo string) (herald.RemoteRef, error) {
	ids, err := c.uploadAll(ctx, cr, p.Media)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	body, err := statusBody(p, ids, replyTo)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if _, chosen := body["visibility"]; !chosen {
		v, err := c.defaultVisibility(ctx, cr)
		if err != nil {
			return herald.RemoteRef{}, err
		}
		if v != "" {
			body["visibility"] = v
		}
	}
	// The key is sent to every server: one that ignores it loses nothing.
	// Whether a repeat is safe is Idempotent's answer, learned per instance.
	h := http.Header{}
	if p.Key != "" {
		h.Set("Idempotency-Key", p.Key)
	}
	c.remember(p.Key)
	var st status
	if _, err := c.call(ctx, cr.Instance, request{method: http.MethodPost, path: "/api/v1/statuses", token: cr.AccessToken,
		json: body, header: h, creates: true}, &st); err != nil {
		return herald.RemoteRef{}, err
	}
	if st.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK,
			Message: "the instance accepted the post but did not say its id"}
	}
	if err := c.checkAnswer(ctx, cr, p, replyTo, len(ids), st); err != nil {
		return herald.RemoteRef{}, err
	}
	return st.ref(), nil
}

// remember notes when a key was first sent, so Find knows how far back to
// look; entries older than the find window are dropped.
func (c *Connector) remember(key string) {
	if key == "" {
		return
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.sent[key]; !ok {
		c.sent[key] = now
	}
	if len(c.sent) > 4096 {
		for k, t := range c.sent {
			if now.Sub(t) > c.findWindow {
				delete(c.sent, k)
			}
		}
	}
}

func (c *Connector) sentAt(key string) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.sent[key]
	return t, ok
}

func (c *Connector) uploadAll(ctx context.Context, cr Credentials, media []connector.Media) ([]string, error) {
	var ids []string
	for _, m := range media {
		id, err := c.upload(ctx, cr, m)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// upload sends one file with its alt text (POST /api/v2/media) and waits
// until the instance has processed it: 200 means ready, 202 processing,
// then GET /api/v1/media/:id answers 206 until it is ready. An upload
// publishes nothing, so its failures are never Ambiguous.
func (c *Connector) upload(ctx context.Context, cr Credentials, m connector.Media) (string, error) {
	if m.Open == nil {
		return "", &connector.Error{Class: connector.Invalid, Message: fmt.Sprintf("media %d (%s) has no file to upload", m.Asset.ID, m.Asset.Filename)}
	}
	f, err := m.Open(ctx)
	if err != nil {
		return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media %d (%s) cannot be read", m.Asset.ID, m.Asset.Filename), Err: err}
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		defer f.Close()
		pw.CloseWithError(connector.WriteMediaForm(mw, f, m.Asset, "description"))
	}()
	var md struct {
		ID string `json:"id"`
	}
	res, err := c.call(ctx, cr.Instance, request{method: http.MethodPost, path: "/api/v2/media", token: cr.AccessToken,
		body: pr, ctype: mw.FormDataContentType(), timeout: 10 * c.callTimeout}, &md)
	_ = pr.Close() // ends the writer if the request stopped reading early
	if err != nil {
		return "", connector.Repeatable(err)
	}
	if md.ID == "" {
		return "", &connector.Error{Class: connector.Transient, Status: res.Status, Message: "the instance accepted the upload but did not say its id"}
	}
	if res.Status != http.StatusAccepted {
		return md.ID, nil
	}
	t := time.NewTimer(c.poll)
	defer t.Stop()
	for range c.maxPolls {
		select {
		case <-ctx.Done():
			return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media %d was still processing on the instance", m.Asset.ID), Err: ctx.Err()}
		case <-t.C:
		}
		res, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/media/" + url.PathEscape(md.ID), token: cr.AccessToken}, nil)
		if err != nil {
			return "", connector.Repeatable(err)
		}
		if res.Status == http.StatusOK {
			return md.ID, nil
		}
		t.Reset(c.poll)
	}
	return "", &connector.Error{Class: connector.Transient, Message: fmt.Sprintf("media %d (%s) was still processing on the instance after %d checks", m.Asset.ID, m.Asset.Filename, c.maxPolls)}
}

// EditKeepsMedia reports that Edit keeps a status's attachments when the
// part carries no media, so a post with media can have its text edited.
func (c *Connector) EditKeepsMedia() bool { return true }

// Edit replaces a published status's text, content warning, sensitivity
// and language (PUT /api/v1/statuses/:id). A part with media replaces the
// status's attachments with its files (uploaded again); a part without
// media keeps the attachments the status has, by sending their ids back
// (read with GET /api/v1/statuses/:id), as the Mastodon API asks.
func (c *Connector) Edit(ctx context.Context, acct connector.Account, ref herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if ref.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "the post to edit has no remote id"}
	}
	ids, err := c.uploadAll(ctx, cr, p.Media)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if len(p.Media) == 0 {
		var cur status
		if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(ref.ID),
			token: cr.AccessToken}, &cur); err != nil {
			return herald.RemoteRef{}, err
		}
		for _, m := range cur.MediaAttachments {
			ids = append(ids, string(m.ID))
		}
	}
	body, err := statusBody(p, ids, "")
	if err != nil {
		return herald.RemoteRef{}, err
	}
	delete(body, "visibility") // fixed once published
	var st status
	if _, err := c.call(ctx, cr.Instance, request{method: http.MethodPut, path: "/api/v1/statuses/" + url.PathEscape(ref.ID),
		token: cr.AccessToken, json: body}, &st); err != nil {
		return herald.RemoteRef{}, err
	}
	if st.ID == "" {
		st.ID = flexID(ref.ID)
	}
	return st.ref(), nil
}

// Delete removes a published status; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, cr.Instance, request{method: http.MethodDelete, path: "/api/v1/statuses/" + url.PathEscape(ref.ID), token: cr.AccessToken}, nil)
	if statusOf(err) == http.StatusNotFound && connector.ClassOf(err) == connector.Invalid {
		return nil
	}
	return err
}

// Reply posts p as a reply to the status to. When to.Meta["acct"] names
// the author (as Mentions sets it) and the text does not mention them yet,
// the text starts with their @handle, as Mastodon's own client does, so
// that they are notified.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if to.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Message: "the post to reply to has no remote id"}
	}
	if to, err = c.local(ctx, cr, to); err != nil {
		return herald.RemoteRef{}, err
	}
	p.Text = replyText(to, p.Text)
	p.ReplyTo, p.Comment, p.Root = &to, false, nil
	p.Options = replyOptions(to, p.Options)
	if _, sent := c.sentAt(p.Key); sent && p.Key != "" && !c.Idempotent(ctx, acct) {
		// This reply was sent before and its outcome may be unknown (a
		// timeout): look before sending it again, and never send blindly.
		ref, found, err := c.Find(ctx, acct, p)
		if err != nil {
			if connector.ClassOf(err) == connector.Invalid {
				return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid,
					Message: "this reply was sent before and Herald cannot check whether the server published it; look at the conversation on the server before replying again", Err: err}
			}
			return herald.RemoteRef{}, err
		}
		if found {
			return ref, nil
		}
	}
	return c.post(ctx, cr, p, to.ID)
}

// Like favourites a status. Favouriting twice is harmless, so a failure
// is never Ambiguous.
func (c *Connector) Like(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, cr.Instance, request{method: http.MethodPost, path: "/api/v1/statuses/" + url.PathEscape(ref.ID) + "/favourite", token: cr.AccessToken}, nil)
	return connector.Repeatable(err)
}

// Repost boosts (reblogs) a post: POST /api/v1/statuses/:id/reblog.
// Mastodon answers a second reblog with the first, so repeating is safe.
func (c *Connector) Repost(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	_, err = c.call(ctx, cr.Instance, request{method: http.MethodPost, path: "/api/v1/statuses/" + url.PathEscape(ref.ID) + "/reblog", token: cr.AccessToken}, nil)
	return connector.Repeatable(err)
}

// replyText is the text of a reply to the status to: when to.Meta["acct"]
// names its author (as Mentions sets it) and the text does not mention
// them yet, it starts with their @handle, as Mastodon's own client does,
// so that they are notified. Find applies it too, to recognise the reply.
func replyText(to herald.RemoteRef, text string) string {
	if a := to.Meta["acct"]; a != "" && !strings.Contains(strings.ToLower(text), "@"+strings.ToLower(a)) {
		return "@" + a + " " + text
	}
	return text
}
