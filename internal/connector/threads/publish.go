package threads

import (
	"context"
	"errors"
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

// Container statuses (GET /{container-id}?fields=status,error_message).
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
// Threads counts it over a moving 24 hours and does not say when a slot
// frees.
const QuotaWait = time.Hour

// replyTarget is the post a part answers: the post before it (a thread's
// later part) or the thread's first post (the first comment, which on
// Threads is a reply by the author). "" for a thread's first post.
func replyTarget(p connector.Part) (string, error) {
	if !p.Comment && p.Index == 0 {
		return "", nil
	}
	to := p.ReplyTo
	if p.Comment && p.Root != nil {
		to = p.Root
	}
	if to == nil || to.ID == "" {
		return "", invalid("the part has no Threads post to answer")
	}
	return to.ID, nil
}

// Publish publishes a part in two steps: a media container (text, an
// image, a video, or a carousel of up to 20 items, each created first as a
// carousel item), with reply_to_id for a thread's later part or the first
// comment, saved as the part's checkpoint; then, once the container is
// FINISHED, POST /{threads-user-id}/threads_publish with it. A part whose
// checkpoint names a container goes on from it: a PUBLISHED container is
// never published again (its post is looked up instead), a FINISHED or
// IN_PROGRESS one is published, an ERROR or EXPIRED one is replaced.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	replyTo, err := replyTarget(p)
	if err != nil {
		return herald.RemoteRef{}, err
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
			ref, found, err := c.findPost(ctx, cr, p, replyTo)
			if err != nil {
				return herald.RemoteRef{}, err
			}
			if !found {
				return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous,
					Message: "Threads says the container was published but its post is not among the account's recent posts yet"}
			}
			return ref, nil
		case StatusError, StatusExpired:
			container = ""
		}
	}
	if container == "" {
		if err := c.checkQuota(ctx, cr, replyTo != ""); err != nil {
			return herald.RemoteRef{}, err
		}
		container, err = c.createContainer(ctx, cr, p, replyTo)
		if err != nil {
			return herald.RemoteRef{}, err
		}
		if p.Save != nil {
			if err := p.Save(ctx, map[string]string{checkpointKey: container}); err != nil {
				return herald.RemoteRef{}, fmt.Errorf("threads: keep the container id: %w", err)
			}
		}
	}
	return c.publishContainer(ctx, cr, container)
}

// publishContainer waits for the container and publishes it.
func (c *Connector) publishContainer(ctx context.Context, cr Credentials, container string) (herald.RemoteRef, error) {
	if err := c.waitFinished(ctx, cr, container); err != nil {
		return herald.RemoteRef{}, err
	}
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/" + url.PathEscape(cr.UserID) + "/threads_publish",
		form: url.Values{"creation_id": {container}}, token: cr.AccessToken, out: &out, create: true}); err != nil {
		return herald.RemoteRef{}, err
	}
	if out.ID == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: http.StatusOK, Message: "Threads published the post but did not say its id"}
	}
	return c.ref(ctx, cr, out.ID), nil
}

// ref is a published post's reference, with its permalink when Threads
// gives it.
func (c *Connector) ref(ctx context.Context, cr Credentials, id string) herald.RemoteRef {
	var m struct {
		Permalink string `json:"permalink"`
	}
	ref := herald.RemoteRef{ID: id, URL: "https://www.threads.com/@" + cr.Username}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(id),
		query: url.Values{"fields": {"permalink"}}, token: cr.AccessToken, out: &m}); err == nil && m.Permalink != "" {
		ref.URL = m.Permalink
	}
	return ref
}

// checkQuota refuses with RateLimited when the account has used its
// publishing quota (posts, or replies for a reply) over the last 24 hours
// (GET /{threads-user-id}/threads_publishing_limit).
func (c *Connector) checkQuota(ctx context.Context, cr Credentials, reply bool) error {
	type config struct {
		QuotaTotal    int `json:"quota_total"`
		QuotaDuration int `json:"quota_duration"`
	}
	var out struct {
		Data []struct {
			QuotaUsage      int    `json:"quota_usage"`
			Config          config `json:"config"`
			ReplyQuotaUsage int    `json:"reply_quota_usage"`
			ReplyConfig     config `json:"reply_config"`
		} `json:"data"`
	}
	fields := "quota_usage,config"
	if reply {
		fields = "reply_quota_usage,reply_config"
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(cr.UserID) + "/threads_publishing_limit",
		query: url.Values{"fields": {fields}}, token: cr.AccessToken, out: &out}); err != nil {
		return err
	}
	if len(out.Data) == 0 {
		return nil
	}
	d := out.Data[0]
	used, total, what := d.QuotaUsage, d.Config.QuotaTotal, "posts"
	if reply {
		used, total, what = d.ReplyQuotaUsage, d.ReplyConfig.QuotaTotal, "replies"
	}
	if total > 0 && used >= total {
		return &connector.Error{Class: connector.RateLimited, RetryAfter: QuotaWait, Limit: total,
			Message: fmt.Sprintf("the account has published %d %s in the last 24 hours, Threads' limit through its API", used, what)}
	}
	return nil
}

// createContainer makes the part's container (and its items first, for a
// carousel). Containers publish nothing, so their failures are repeatable.
func (c *Connector) createContainer(ctx context.Context, cr Credentials, p connector.Part, replyTo string) (string, error) {
	form := url.Values{}
	if p.Text != "" {
		form.Set("text", p.Text)
	}
	if replyTo != "" {
		form.Set("reply_to_id", replyTo)
	}
	if v := p.Options[OptionReplyControl]; v != "" {
		form.Set("reply_control", v)
	}
	switch len(p.Media) {
	case 0:
		form.Set("media_type", "TEXT")
		return c.container(ctx, cr, form)
	case 1:
		if err := c.mediaFields(ctx, form, p.Media[0]); err != nil {
			return "", err
		}
		return c.container(ctx, cr, form)
	}
	ids := make([]string, 0, len(p.Media))
	for _, m := range p.Media {
		item := url.Values{"is_carousel_item": {"true"}}
		if err := c.mediaFields(ctx, item, m); err != nil {
			return "", err
		}
		id, err := c.container(ctx, cr, item)
		if err != nil {
			return "", err
		}
		ids = append(ids, id)
	}
	// A carousel is made of finished items (videos take a while).
	for _, id := range ids {
		if err := c.waitFinished(ctx, cr, id); err != nil {
			return "", err
		}
	}
	form.Set("media_type", "CAROUSEL")
	form.Set("children", strings.Join(ids, ","))
	return c.container(ctx, cr, form)
}

// mediaFields sets media_type with image_url or video_url, and alt_text.
func (c *Connector) mediaFields(ctx context.Context, form url.Values, m connector.Media) error {
	if c.mediaURL == nil {
		return invalid("Herald cannot give Threads a public address for media: its base URL is not set up")
	}
	u, err := c.mediaURL(ctx, m)
	if err != nil {
		return &connector.Error{Class: connector.Invalid, Message: "the file has no public address for Threads: " + err.Error(), Err: err}
	}
	if isVideo(m.Asset.ContentType) {
		form.Set("media_type", "VIDEO")
		form.Set("video_url", u)
	} else {
		form.Set("media_type", "IMAGE")
		form.Set("image_url", u)
	}
	if m.Asset.AltText != "" {
		form.Set("alt_text", m.Asset.AltText)
	}
	return nil
}

func (c *Connector) container(ctx context.Context, cr Credentials, form url.Values) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/" + url.PathEscape(cr.UserID) + "/threads",
		form: form, token: cr.AccessToken, out: &out}); err != nil {
		return "", connector.Repeatable(err)
	}
	if out.ID == "" {
		return "", &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "Threads made no media container"}
	}
	return out.ID, nil
}

// status reads a container's status; ERROR comes back with an Invalid
// error carrying Threads' error_message.
func (c *Connector) status(ctx context.Context, cr Credentials, id string) (string, error) {
	var out struct {
		Status       string `json:"status"`
		ErrorMessage string `json:"error_message"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(id),
		query: url.Values{"fields": {"status,error_message"}}, token: cr.AccessToken, out: &out}); err != nil {
		return "", err
	}
	if out.Status == StatusError {
		msg := out.ErrorMessage
		if msg == "" {
			msg = "UNKNOWN"
		}
		return StatusError, &connector.Error{Class: connector.Invalid, Message: "Threads could not process the media: " + msg}
	}
	return out.Status, nil
}

// waitFinished polls the container until it is FINISHED (every 2 seconds,
// at most 5 minutes: text and images finish at once, videos take a while).
func (c *Connector) waitFinished(ctx context.Context, cr Credentials, id string) error {
	deadline := c.now().Add(c.maxWait)
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
		if c.now().After(deadline) {
			return &connector.Error{Class: connector.Transient, Message: "Threads is still processing the media; Herald tries again later"}
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

// Reply answers a post or a reply (a TEXT container with reply_to_id,
// then threads_publish), counted against the reply quota.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if to.ID == "" {
		return herald.RemoteRef{}, invalid("the post to answer has no Threads id")
	}
	p.Comment, p.Index = false, 1
	if probs := problems(p); len(probs) > 0 {
		return herald.RemoteRef{}, invalid(probs[0].Field + " " + probs[0].Problem)
	}
	if err := c.checkQuota(ctx, cr, true); err != nil {
		return herald.RemoteRef{}, err
	}
	container, err := c.createContainer(ctx, cr, p, to.ID)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	return c.publishContainer(ctx, cr, container)
}

// Delete removes a post (DELETE /{threads-media-id}); one already gone
// counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the post has no Threads id")
	}
	_, err = c.do(ctx, request{method: http.MethodDelete, path: "/" + url.PathEscape(ref.ID), token: cr.AccessToken})
	if gone(err) {
		return nil
	}
	return err
}

// gone says whether err is Threads' answer about a post that does not
// exist (any more).
func gone(err error) bool {
	var e *connector.Error
	if !errors.As(err, &e) || e.Class != connector.Invalid {
		return false
	}
	code, sub, ok := metagraph.Codes(err)
	return e.Status == http.StatusNotFound || (ok && code == metagraph.CodeInvalidParameter && sub == metagraph.SubcodeNoObject)
}

func comparable(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(norm.NFC.String(s), "\r\n", "\n"))
}

// Find settles an ambiguous publish. With a saved container: FINISHED or
// IN_PROGRESS means not published (Publish goes on from the same
// container); PUBLISHED means published, and the post is looked up.
// Without one the account's recent posts are searched (see findPost).
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	replyTo, err := replyTarget(p)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	if id := p.Checkpoint[checkpointKey]; id != "" {
		st, err := c.status(ctx, cr, id)
		if err != nil && connector.ClassOf(err) != connector.Invalid {
			return herald.RemoteRef{}, false, err
		}
		if st != StatusPublished {
			return herald.RemoteRef{}, false, nil
		}
		ref, found, err := c.findPost(ctx, cr, p, replyTo)
		if err == nil && !found {
			return herald.RemoteRef{}, false, &connector.Error{Class: connector.Transient,
				Message: "Threads says the container was published but its post is not listed yet"}
		}
		return ref, found, err
	}
	return c.findPost(ctx, cr, p, replyTo)
}

// post is a Threads media object as the listings give it.
type post struct {
	ID        string `json:"id"`
	Text      string `json:"text"`
	Username  string `json:"username"`
	Timestamp string `json:"timestamp"`
	Permalink string `json:"permalink"`
	MediaType string `json:"media_type"`
	Children  *struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	} `json:"children"`
	RepliedTo *struct {
		ID string `json:"id"`
	} `json:"replied_to"`
}

func (m post) mediaCount() int {
	switch {
	case m.Children != nil && len(m.Children.Data) > 0:
		return len(m.Children.Data)
	case m.MediaType == "IMAGE" || m.MediaType == "VIDEO":
		return 1
	}
	return 0
}

// findPost searches the account's posts of the find window (24 hours):
// GET /{threads-user-id}/threads for a first post, /replies for a reply
// (a thread's later part, the first comment). A match has the same text
// (NFC, line ends and outer space normalized), the same number of media
// and, for a reply, answers the same post. The oldest match wins.
func (c *Connector) findPost(ctx context.Context, cr Credentials, p connector.Part, replyTo string) (herald.RemoteRef, bool, error) {
	edge := "/threads"
	if replyTo != "" {
		edge = "/replies"
	}
	since := c.now().Add(-c.findWindow)
	var out struct {
		Data []post `json:"data"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(cr.UserID) + edge, query: url.Values{
		"fields": {"id,text,timestamp,permalink,media_type,children{id},replied_to"},
		"since":  {fmt.Sprint(since.Unix())}, "limit": {"50"}}, token: cr.AccessToken, out: &out}); err != nil {
		return herald.RemoteRef{}, false, err
	}
	want := comparable(p.Text)
	var found *post
	for i := range out.Data {
		m := &out.Data[i]
		if t, ok := graphTime(m.Timestamp); ok && t.Before(since) {
			continue
		}
		if comparable(m.Text) != want || m.mediaCount() != len(p.Media) {
			continue
		}
		if replyTo != "" && (m.RepliedTo == nil || m.RepliedTo.ID != replyTo) {
			continue
		}
		found = m // the listing is newest first: the last match is the oldest
	}
	if found == nil {
		return herald.RemoteRef{}, false, nil
	}
	return herald.RemoteRef{ID: found.ID, URL: found.Permalink}, true, nil
}

func graphTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
