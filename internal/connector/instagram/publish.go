package instagram

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/herald"
)

// Container status codes (GET /{container-id}?fields=status_code).
const (
	StatusFinished   = "FINISHED"
	StatusInProgress = "IN_PROGRESS"
	StatusError      = "ERROR"
	StatusExpired    = "EXPIRED"
	StatusPublished  = "PUBLISHED"
)

// checkpointKey is where the container id is saved between attempts.
const checkpointKey = "container_id"

// QuotaWait is the wait after the publishing quota is found used up:
// Meta counts it over a rolling 24 hours and does not say when a slot frees.
const QuotaWait = time.Hour

// Publish publishes a part in two steps: a media container (an image, a
// reel, or a carousel of up to 10 items, each created first as a carousel
// item), saved as the part's checkpoint; then, once the container is
// FINISHED, POST /{ig-user-id}/media_publish with it. A part whose
// checkpoint names a container goes on from it: a PUBLISHED container is
// never published again (its media is looked up instead), a FINISHED or
// IN_PROGRESS one is published, an ERROR or EXPIRED one is replaced. A
// first comment is a comment on the media.
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
		return c.comment(ctx, cr, "/"+url.PathEscape(to.ID)+"/comments", p.Text)
	}
	if p.Index > 0 {
		return herald.RemoteRef{}, invalid("Instagram has no threads: publish the parts as separate posts")
	}
	if probs := problems(p); len(probs) > 0 {
		return herald.RemoteRef{}, invalid(probs[0].Field + " " + probs[0].Problem)
	}
	container := p.Checkpoint[checkpointKey]
	if container != "" {
		status, err := c.status(ctx, cr, container)
		if err != nil && status != StatusError {
			return herald.RemoteRef{}, err
		}
		switch status {
		case StatusPublished:
			ref, found, err := c.findMedia(ctx, cr, p)
			if err != nil {
				return herald.RemoteRef{}, err
			}
			if !found {
				return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous,
					Message: "Instagram says the container was published but its media is not among the account's recent posts yet"}
			}
			return ref, nil
		case StatusError, StatusExpired:
			container = ""
		}
	}
	if container == "" {
		if err := c.checkQuota(ctx, cr); err != nil {
			return herald.RemoteRef{}, err
		}
		container, err = c.createContainer(ctx, cr, p)
		if err != nil {
			return herald.RemoteRef{}, err
		}
		if p.Save != nil {
			if err := p.Save(ctx, map[string]string{checkpointKey: container}); err != nil {
				return herald.RemoteRef{}, fmt.Errorf("instagram: keep the container id: %w", err)
			}
		}
	}
	if err := c.waitFinished(ctx, cr, container); err != nil {
		return herald.RemoteRef{}, err
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: "/" + url.PathEscape(cr.IGUserID) + "/media_publish",
		Form: url.Values{"creation_id": {container}}, Token: cr.PageToken, Out: &out, Create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Instagram published the post but did not say its id"}
	}
	return c.ref(ctx, cr, out.ID), nil
}

// ref is a published media's reference, with its permalink when Meta gives it.
func (c *Connector) ref(ctx context.Context, cr Credentials, id string) herald.RemoteRef {
	var m struct {
		Permalink string `json:"permalink"`
	}
	ref := herald.RemoteRef{ID: id, URL: "https://www.instagram.com/" + cr.Username + "/"}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(id),
		Query: url.Values{"fields": {"permalink"}}, Token: cr.PageToken, Out: &m}); err == nil && m.Permalink != "" {
		ref.URL = m.Permalink
	}
	return ref
}

// checkQuota refuses with RateLimited when the account has used its
// publishing quota (GET /{ig-user-id}/content_publishing_limit).
func (c *Connector) checkQuota(ctx context.Context, cr Credentials) error {
	var out struct {
		Data []struct {
			QuotaUsage int `json:"quota_usage"`
			Config     struct {
				QuotaTotal    int `json:"quota_total"`
				QuotaDuration int `json:"quota_duration"`
			} `json:"config"`
		} `json:"data"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.IGUserID) + "/content_publishing_limit",
		Query: url.Values{"fields": {"quota_usage,config"}}, Token: cr.PageToken, Out: &out}); err != nil {
		return err
	}
	if len(out.Data) == 0 {
		return nil
	}
	d := out.Data[0]
	if d.Config.QuotaTotal > 0 && d.QuotaUsage >= d.Config.QuotaTotal {
		return &connector.Error{Class: connector.RateLimited, RetryAfter: QuotaWait, Limit: d.Config.QuotaTotal,
			Message: fmt.Sprintf("the account has published %d posts in the last 24 hours, Instagram's limit through its API", d.QuotaUsage)}
	}
	return nil
}

// createContainer makes the part's container (and its items first, for a
// carousel). Containers publish nothing, so their failures are repeatable.
func (c *Connector) createContainer(ctx context.Context, cr Credentials, p connector.Part) (string, error) {
	form := url.Values{}
	if p.Text != "" {
		form.Set("caption", p.Text)
	}
	if err := setOptions(form, p); err != nil {
		return "", err
	}
	if len(p.Media) == 1 {
		if err := c.mediaFields(ctx, form, p.Media[0], false, p.Options[OptionStory] == "true"); err != nil {
			return "", err
		}
		return c.container(ctx, cr, form)
	}
	ids := make([]string, 0, len(p.Media))
	for _, m := range p.Media {
		item := url.Values{"is_carousel_item": {"true"}}
		if err := c.mediaFields(ctx, item, m, true, false); err != nil {
			return "", err
		}
		id, err := c.container(ctx, cr, item)
		if err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	form.Set("media_type", "CAROUSEL")
	form.Set("children", strings.Join(ids, ","))
	return c.container(ctx, cr, form)
}

// mediaFields sets image_url and alt_text, or video_url and media_type
// (REELS; VIDEO inside a carousel; STORIES for a story).
func (c *Connector) mediaFields(ctx context.Context, form url.Values, m connector.Media, item, story bool) error {
	if c.mediaURL == nil {
		return invalid("Herald cannot give Instagram a public address for media: its base URL is not set up")
	}
	u, err := c.mediaURL(ctx, m)
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: "the file has no public address for Instagram: " + err.Error(), Err: err}
	}
	if isVideo(m.Asset.ContentType) {
		form.Set("video_url", u)
		switch {
		case item:
			form.Set("media_type", "VIDEO")
		case story:
			form.Set("media_type", "STORIES")
		default:
			form.Set("media_type", "REELS")
		}
		return nil
	}
	form.Set("image_url", u)
	if story {
		form.Set("media_type", "STORIES")
	}
	if m.Asset.AltText != "" && !story {
		form.Set("alt_text", m.Asset.AltText)
	}
	return nil
}

func (c *Connector) container(ctx context.Context, cr Credentials, form url.Values) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: "/" + url.PathEscape(cr.IGUserID) + "/media",
		Form: form, Token: cr.PageToken, Out: &out}); err != nil {
		return "", connector.Repeatable(err)
	}
	if out.ID == "" {
		return "", &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Instagram made no media container"}
	}
	return out.ID, nil
}

// status reads a container's status_code.
func (c *Connector) status(ctx context.Context, cr Credentials, id string) (string, error) {
	var out struct {
		StatusCode string `json:"status_code"`
		Status     string `json:"status"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(id),
		Query: url.Values{"fields": {"status_code,status"}}, Token: cr.PageToken, Out: &out}); err != nil {
		return "", err
	}
	if out.StatusCode == StatusError {
		return StatusError, &connector.Error{Class: connector.Invalid, Message: "Instagram could not process the media: " + out.Status}
	}
	return out.StatusCode, nil
}

// waitFinished polls the container until it is FINISHED (every 2 seconds,
// at most 5 minutes: Meta asks for one poll a minute at most five minutes
// for videos, and images finish at once).
func (c *Connector) waitFinished(ctx context.Context, cr Credentials, id string) error {
	deadline := c.graph.Now().Add(c.maxWait)
	for {
		st, err := c.status(ctx, cr, id)
		if err != nil {
			return err
		}
		switch st {
		case StatusFinished:
			return nil
		case StatusPublished:
			return &connector.Error{Class: connector.Ambiguous, Message: "the media container was already published"}
		case StatusExpired:
			return &connector.Error{Class: connector.Transient, Message: "the media container expired before it was published; a new one is made next time"}
		}
		if c.graph.Now().After(deadline) {
			return &connector.Error{Class: connector.Transient, Message: "Instagram is still processing the media; Herald tries again later"}
		}
		t := time.NewTimer(c.poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// comment posts a comment (or a reply) as the account.
func (c *Connector) comment(ctx context.Context, cr Credentials, path, text string) (herald.RemoteRef, error) {
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodPost, Path: path, Form: url.Values{"message": {text}},
		Token: cr.PageToken, Out: &out, Create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Instagram took the comment but did not say its id"}
	}
	return herald.RemoteRef{ID: out.ID}, nil
}

// Reply answers a comment (POST /{ig-comment-id}/replies).
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if to.ID == "" {
		return herald.RemoteRef{}, invalid("the comment to reply to has no Instagram id")
	}
	return c.comment(ctx, cr, "/"+url.PathEscape(to.ID)+"/replies", p.Text)
}

func comparable(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(norm.NFC.String(s), "\r\n", "\n"))
}

// Find settles an ambiguous publish. With a saved container: FINISHED or
// IN_PROGRESS means not published (Publish goes on from it); PUBLISHED
// means published, and the media is looked up. Without one, or for a
// PUBLISHED container, the account's recent media (GET
// /{ig-user-id}/media, 50 newest) are searched: created within the find
// window (24 hours), same caption (NFC, line ends and outer space
// normalized), same media count (carousel children). The oldest match wins.
// A first comment is looked up among the media's comments by the account.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	if p.Comment {
		return c.findComment(ctx, cr, p)
	}
	if id := p.Checkpoint[checkpointKey]; id != "" {
		st, err := c.status(ctx, cr, id)
		if err != nil && connector.ClassOf(err) != connector.Invalid {
			return herald.RemoteRef{}, false, err
		}
		if st != StatusPublished {
			return herald.RemoteRef{}, false, nil
		}
		ref, found, err := c.findMedia(ctx, cr, p)
		if err == nil && !found {
			return herald.RemoteRef{}, false, &connector.Error{Class: connector.Transient,
				Message: "Instagram says the container was published but its media is not listed yet"}
		}
		return ref, found, err
	}
	return c.findMedia(ctx, cr, p)
}

type igMedia struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
	Children  *struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	} `json:"children"`
}

func (c *Connector) findMedia(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, bool, error) {
	var out struct {
		Data []igMedia `json:"data"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.IGUserID) + "/media",
		Query: url.Values{"fields": {"id,caption,timestamp,permalink,children{id}"}, "limit": {"50"}},
		Token: cr.PageToken, Out: &out}); err != nil {
		return herald.RemoteRef{}, false, err
	}
	since := c.graph.Now().Add(-c.findWindow)
	want := comparable(p.Text)
	var found *igMedia
	for i := range out.Data {
		m := &out.Data[i]
		if t, ok := graphTime(m.Timestamp); ok && t.Before(since) {
			continue
		}
		n := 1
		if m.Children != nil {
			n = len(m.Children.Data)
		}
		if comparable(m.Caption) == want && n == len(p.Media) {
			found = m
		}
	}
	if found == nil {
		return herald.RemoteRef{}, false, nil
	}
	ref := herald.RemoteRef{ID: found.ID, URL: found.Permalink}
	return ref, true, nil
}

func (c *Connector) findComment(ctx context.Context, cr Credentials, p connector.Part) (herald.RemoteRef, bool, error) {
	to := p.Root
	if to == nil {
		to = p.ReplyTo
	}
	if to == nil || to.ID == "" {
		return herald.RemoteRef{}, false, invalid("the first comment has no post to go under")
	}
	var out struct {
		Data []igComment `json:"data"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(to.ID) + "/comments",
		Query: url.Values{"fields": {"id,text,username,timestamp"}, "limit": {"50"}}, Token: cr.PageToken, Out: &out}); err != nil {
		return herald.RemoteRef{}, false, err
	}
	want := comparable(p.Text)
	for _, cm := range out.Data {
		if strings.EqualFold(cm.Username, cr.Username) && comparable(cm.Text) == want {
			return herald.RemoteRef{ID: cm.ID}, true, nil
		}
	}
	return herald.RemoteRef{}, false, nil
}

func graphTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
