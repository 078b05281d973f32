package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// privacyEntry is an account's default visibility, cached.
type privacyEntry struct {
	privacy string
	expires time.Time
}

func privacyKey(inst, tok string) string { return inst + "\x00" + tok }

// keepPrivacy caches an account's default visibility (source.privacy of
// verify_credentials), as read at connect or before a post.
func (c *Connector) keepPrivacy(inst, tok, privacy string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.privacy) > 4096 {
		clear(c.privacy)
	}
	c.privacy[privacyKey(inst, tok)] = privacyEntry{privacy: privacy, expires: c.now().Add(c.instanceTTL)}
}

// defaultVisibility returns the account's default visibility
// (GET /api/v1/accounts/verify_credentials → source.privacy), cached like
// the instance's limits. Servers differ in what they do when a post names
// no visibility (GoToSocial makes it unlisted), so Herald always names one.
// "" when the server does not say.
func (c *Connector) defaultVisibility(ctx context.Context, cr Credentials) (string, error) {
	key := privacyKey(cr.Instance, cr.AccessToken)
	c.mu.Lock()
	e, ok := c.privacy[key]
	c.mu.Unlock()
	if ok && c.now().Before(e.expires) {
		return e.privacy, nil
	}
	var me account
	if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", token: cr.AccessToken}, &me); err != nil {
		return "", connector.Repeatable(err)
	}
	c.keepPrivacy(cr.Instance, cr.AccessToken, me.Source.Privacy)
	return me.Source.Privacy, nil
}

// checkAnswer makes sure the status the server answered a POST with is the
// part Herald sent: the same reply target, content warning and number of
// attachments, created no earlier than the part was first sent, and the
// same text (its content turned back into text, or its source). A server
// that remembers an idempotency key from another post (an earlier
// installation of Herald, say) answers with that post: it is not this
// part's publication, and the error says so (Invalid: never published).
func (c *Connector) checkAnswer(ctx context.Context, cr Credentials, p connector.Part, replyTo string, media int, st status) error {
	inReply := ""
	if st.InReplyToID != nil {
		inReply = string(*st.InReplyToID)
	}
	why := ""
	switch {
	case inReply != replyTo:
		why = fmt.Sprintf("it replies to %q, not %q", inReply, replyTo)
	case st.SpoilerText != p.Options["spoiler_text"]:
		why = "its content warning differs"
	case len(st.MediaAttachments) != media:
		why = fmt.Sprintf("it has %d attachments, not %d", len(st.MediaAttachments), media)
	}
	if why == "" {
		if first, ok := c.sentAt(p.Key); ok {
			if t, ok := st.created(); ok && t.Before(first.Add(-findSkew)) {
				why = "it was created at " + t.UTC().Format(time.RFC3339) + ", before Herald first sent this part"
			}
		}
	}
	if why == "" && fingerprint(HTMLText(st.Content)) != fingerprint(p.Text) {
		var src struct {
			Text string `json:"text"`
		}
		_, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/statuses/" + url.PathEscape(string(st.ID)) + "/source", token: cr.AccessToken}, &src)
		if err != nil || src.Text != p.Text {
			why = "its text is not the text Herald sent"
		}
	}
	if why == "" {
		return nil
	}
	where := string(st.ID)
	if r := st.ref(); r.URL != "" {
		where += " (" + r.URL + ")"
	}
	return &connector.Error{Class: connector.Invalid, Status: http.StatusOK,
		Message: fmt.Sprintf("the server answered with another status, %s, than the one Herald sent: %s. "+
			"It may remember this post's idempotency key from an earlier post; Herald does not count it as published. "+
			"Check the account before publishing again", where, why)}
}
