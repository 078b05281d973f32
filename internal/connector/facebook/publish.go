package facebook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/herald"
)

// OptionLink is the variant option holding the link a post shares (Meta
// shows its preview).
const OptionLink = "link"

// Publish makes a Page post: text (with the link option) on /feed, one
// photo on /photos, several photos uploaded unpublished and attached to a
// /feed post, or one video on /videos. A first comment is a comment on the
// post.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if p.Comment {
		to := p.Root
		if to == nil {
			to = p.ReplyTo
		}
		if to == nil || to.ID == "" {
			return herald.RemoteRef{}, invalid("the first comment has no post to go under")
		}
		return c.comment(ctx, cr, to.ID, p)
	}
	if p.Index > 0 {
		return herald.RemoteRef{}, invalid("Facebook Pages have no threads: publish the parts as separate posts")
	}
	if probs := mediaProblems(p.Media); len(probs) > 0 {
		return herald.RemoteRef{}, invalid(probs[0].Field + " " + probs[0].Problem)
	}
	switch {
	case len(p.Media) == 0:
		return c.feed(ctx, cr, p, nil)
	case isVideo(p.Media[0].Asset.ContentType):
		return c.videoPost(ctx, cr, p)
	case len(p.Media) == 1:
		return c.photoPost(ctx, cr, p)
	}
	ids := make([]string, 0, len(p.Media))
	for i, m := range p.Media {
		// Unpublished photos show nowhere: their upload is safe to repeat.
		id, _, err := c.photo(ctx, cr, m, url.Values{"published": {"false"}}, false)
		if err != nil {
			return herald.RemoteRef{}, fmt.Errorf("photo %d: %w", i+1, connector.Repeatable(err))
		}
		ids = append(ids, id)
	}
	return c.feed(ctx, cr, p, ids)
}

// feed is POST /{page-id}/feed with message, link and attached_media.
func (c *Connector) feed(ctx context.Context, cr Credentials, p connector.Part, photos []string) (herald.RemoteRef, error) {
	form := url.Values{}
	if p.Text != "" {
		form.Set("message", p.Text)
	}
	if l := strings.TrimSpace(p.Options[OptionLink]); l != "" {
		form.Set("link", l)
	}
	for i, id := range photos {
		form.Set(fmt.Sprintf("attached_media[%d]", i), `{"media_fbid":"`+id+`"}`)
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: "/" + url.PathEscape(cr.PageID) + "/feed",
		Form: form, Token: cr.PageToken, Out: &out, Create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Facebook accepted the post but did not say its id"}
	}
	return herald.RemoteRef{ID: out.ID, URL: postURL(cr.PageID, out.ID)}, nil
}

// photoPost is one published photo with the text as its caption.
func (c *Connector) photoPost(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, error) {
	fields := url.Values{"published": {"true"}}
	if p.Text != "" {
		fields.Set("message", p.Text)
	}
	id, postID, err := c.photo(ctx, cr, p.Media[0], fields, true)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if postID == "" {
		postID = cr.PageID + "_" + id
	}
	return herald.RemoteRef{ID: postID, URL: postURL(cr.PageID, postID), Meta: map[string]string{"photo_id": id}}, nil
}

// photo uploads one photo to POST /{page-id}/photos (source, alt_text_custom).
func (c *Connector) photo(ctx context.Context, cr Credentials, m connector.Media, fields url.Values, create bool) (id, postID string, err error) {
	if m.Asset.AltText != "" {
		fields.Set("alt_text_custom", m.Asset.AltText)
	}
	body, ctype := metagraph.StreamMultipart(ctx, fields, "source", filename(m), m.Asset.ContentType, m.Open)
	defer body.Close()
	var out struct {
		ID     string `json:"id"`
		PostID string `json:"post_id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: "/" + url.PathEscape(cr.PageID) + "/photos",
		Body: body, ContentType: ctype, Token: cr.PageToken, Out: &out, Create: create}); err != nil {
		return "", "", err
	}
	if out.ID == "" {
		return "", "", &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Facebook took the photo but did not say its id"}
	}
	return out.ID, out.PostID, nil
}

// videoPost uploads one video to POST /{page-id}/videos on the video host;
// the post's id is the video's.
func (c *Connector) videoPost(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, error) {
	m := p.Media[0]
	fields := url.Values{}
	if p.Text != "" {
		fields.Set("description", p.Text)
	}
	body, ctype := metagraph.StreamMultipart(ctx, fields, "source", filename(m), m.Asset.ContentType, m.Open)
	defer body.Close()
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.video.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: "/" + url.PathEscape(cr.PageID) + "/videos",
		Body: body, ContentType: ctype, Token: cr.PageToken, Out: &out, Create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Facebook took the video but did not say its id"}
	}
	return herald.RemoteRef{ID: out.ID, URL: "https://www.facebook.com/" + cr.PageID + "/videos/" + out.ID,
		Meta: map[string]string{"kind": "video"}}, nil
}

func filename(m connector.Media) string {
	if m.Asset.Filename != "" {
		return m.Asset.Filename
	}
	return "file"
}

// comment is POST /{object-id}/comments from the Page.
func (c *Connector) comment(ctx context.Context, cr Credentials, objectID string, p connector.Part) (herald.RemoteRef, error) {
	if len(p.Media) > 0 {
		return herald.RemoteRef{}, invalid("Herald sends comments on Facebook as text only: remove the media")
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: "/" + url.PathEscape(objectID) + "/comments",
		Form: url.Values{"message": {p.Text}}, Token: cr.PageToken, Out: &out, Create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Facebook took the comment but did not say its id"}
	}
	return herald.RemoteRef{ID: out.ID, URL: "https://www.facebook.com/" + out.ID}, nil
}

// Reply answers a comment (or comments on a post) as the Page.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if to.ID == "" {
		return herald.RemoteRef{}, invalid("the comment to reply to has no Facebook id")
	}
	return c.comment(ctx, cr, to.ID, p)
}

// comparable normalizes text for matching: NFC, line ends as \n, outer
// space trimmed.
func comparable(s string) string {
	s = strings.ReplaceAll(norm.NFC.String(s), "\r\n", "\n")
	return strings.TrimSpace(s)
}

// graphTime parses Meta's timestamps ("2026-03-01T12:00:00+0000").
func graphTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// findPages bounds the lookup to a few pages of 100.
const findPages = 3

// Find looks for a part the Page may already have published (the Graph API
// has no idempotency key). A post matches when it was created within the
// find window (24 hours by default), its message equals the part's text
// (NFC, line ends and outer space normalized) and it has as many photos or
// videos as the part; a first comment matches a comment of the Page under
// the same post with the same text. Of several matches the oldest wins.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	if p.Comment {
		return c.findComment(ctx, cr, p)
	}
	since := c.graph.Now().Add(-c.findWindow)
	q := url.Values{"fields": {"id,message,created_time,attachments{media_type,target{id},subattachments}"},
		"since": {strconv.FormatInt(since.Unix(), 10)}, "limit": {"100"}}
	want := comparable(p.Text)
	video := len(p.Media) == 1 && isVideo(p.Media[0].Asset.ContentType)
	var found *feedPost
	for range findPages {
		var page struct {
			Data   []feedPost `json:"data"`
			Paging pagingInfo `json:"paging"`
		}
		if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.PageID) + "/published_posts",
			Query: q, Token: cr.PageToken, Out: &page}); err != nil {
			return herald.RemoteRef{}, false, err
		}
		for i := range page.Data {
			fp := &page.Data[i]
			if t, ok := graphTime(fp.CreatedTime); ok && t.Before(since) {
				continue
			}
			if comparable(fp.Message) == want && fp.mediaCount() == len(p.Media) {
				found = fp // newest first: the last match is the oldest
			}
		}
		if page.Paging.Next == "" || page.Paging.Cursors.After == "" {
			break
		}
		q.Set("after", page.Paging.Cursors.After)
	}
	if found == nil {
		return herald.RemoteRef{}, false, nil
	}
	if video {
		if id := found.videoID(); id != "" {
			return herald.RemoteRef{ID: id, URL: "https://www.facebook.com/" + cr.PageID + "/videos/" + id,
				Meta: map[string]string{"kind": "video"}}, true, nil
		}
	}
	return herald.RemoteRef{ID: found.ID, URL: postURL(cr.PageID, found.ID)}, true, nil
}

type pagingInfo struct {
	Cursors struct {
		After string `json:"after"`
	} `json:"cursors"`
	Next string `json:"next"`
}

// feedPost is a post in /published_posts.
type feedPost struct {
	ID          string `json:"id"`
	Message     string `json:"message"`
	CreatedTime string `json:"created_time"`
	Attachments *struct {
		Data []attachment `json:"data"`
	} `json:"attachments"`
}

type attachment struct {
	MediaType string `json:"media_type"`
	Target    *struct {
		ID string `json:"id"`
	} `json:"target"`
	Subattachments *struct {
		Data []attachment `json:"data"`
	} `json:"subattachments"`
}

// mediaCount is how many photos or videos the post carries (a link's
// preview counts none).
func (f *feedPost) mediaCount() int {
	if f.Attachments == nil {
		return 0
	}
	n := 0
	for _, a := range f.Attachments.Data {
		switch {
		case a.Subattachments != nil && len(a.Subattachments.Data) > 0:
			n += len(a.Subattachments.Data)
		case a.MediaType == "photo" || a.MediaType == "video":
			n++
		}
	}
	return n
}

func (f *feedPost) videoID() string {
	if f.Attachments == nil {
		return ""
	}
	for _, a := range f.Attachments.Data {
		if a.MediaType == "video" && a.Target != nil {
			return a.Target.ID
		}
	}
	return ""
}

// findComment looks for the Page's own comment with the part's text under
// the post.
func (c *Connector) findComment(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, bool, error) {
	to := p.Root
	if to == nil {
		to = p.ReplyTo
	}
	if to == nil || to.ID == "" {
		return herald.RemoteRef{}, false, invalid("the first comment has no post to go under")
	}
	q := url.Values{"fields": {"id,message,from,created_time"}, "filter": {"toplevel"}, "order": {"chronological"}, "limit": {"100"}}
	want := comparable(p.Text)
	for range findPages {
		var page struct {
			Data   []comment  `json:"data"`
			Paging pagingInfo `json:"paging"`
		}
		if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(to.ID) + "/comments",
			Query: q, Token: cr.PageToken, Out: &page}); err != nil {
			return herald.RemoteRef{}, false, err
		}
		for _, cm := range page.Data {
			if cm.From != nil && cm.From.ID == cr.PageID && comparable(cm.Message) == want {
				return herald.RemoteRef{ID: cm.ID, URL: "https://www.facebook.com/" + cm.ID}, true, nil
			}
		}
		if page.Paging.Next == "" || page.Paging.Cursors.After == "" {
			break
		}
		q.Set("after", page.Paging.Cursors.After)
	}
	return herald.RemoteRef{}, false, nil
}

// Delete removes a post, video or comment; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the post to delete has no Facebook id")
	}
	var out struct {
		Success bool `json:"success"`
	}
	_, err = c.graph.Do(ctx, metagraph.Request{Method: http.MethodDelete, Path: "/" + url.PathEscape(ref.ID), Token: cr.PageToken, Out: &out})
	if gone(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !out.Success {
		return &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Facebook did not confirm the deletion"}
	}
	return nil
}

// gone reports whether err says the object does not exist (code 100,
// subcode 33, or HTTP 404).
func gone(err error) bool {
	var e *connector.Error
	if !errors.As(err, &e) || e.Class != connector.Invalid {
		return false
	}
	code, sub, ok := metagraph.Codes(err)
	return e.Status == http.StatusNotFound || (ok && code == metagraph.CodeInvalidParameter && sub == metagraph.SubcodeNoObject)
}
