package x

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/x/xtext"
	"github.com/heraldsocial/herald/internal/herald"
)

// createBody is POST /2/tweets.
type createBody struct {
	Text          string       `json:"text"`
	Reply         *replyBody   `json:"reply,omitempty"`
	Media         *mediaIDList `json:"media,omitempty"`
	ReplySettings string       `json:"reply_settings,omitempty"`
}

type replyBody struct {
	InReplyToTweetID string `json:"in_reply_to_tweet_id"`
}

type mediaIDList struct {
	MediaIDs []string `json:"media_ids"`
}

// Publish uploads the part's media, then posts it: a reply to the part
// before for thread parts, and to the post itself for a first comment.
func (c *Connector) Publish(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, error) {
	return c.publish(ctx, acct, p, replyTarget(p))
}

// Reply answers a post (a mention, say) from the account.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	if to.ID == "" {
		return herald.RemoteRef{}, invalid("the post to reply to has no X id")
	}
	return c.publish(ctx, acct, p, to.ID)
}

func (c *Connector) publish(ctx context.Context, acct connector.Account, p connector.Part, replyTo string) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if err := checkOptions(p.Options); err != nil {
		return herald.RemoteRef{}, err
	}
	body := createBody{Text: p.Text, ReplySettings: p.Options[OptionReplySettings]}
	if replyTo != "" {
		body.Reply = &replyBody{InReplyToTweetID: replyTo}
	}
	if len(p.Media) > 0 {
		ids := make([]string, 0, len(p.Media))
		for i, m := range p.Media {
			id, err := c.upload(ctx, cr, i, m)
			if err != nil {
				return herald.RemoteRef{}, err
			}
			ids = append(ids, id)
		}
		body.Media = &mediaIDList{MediaIDs: ids}
	}
	var out struct {
		Data *struct {
			ID   string `json:"id"`
			Text string `json:"text"`
		} `json:"data"`
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	res, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/2/tweets", json: body, out: &out, create: true})
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		if len(out.Errors) > 0 {
			msg := out.Errors[0].Detail
			if msg == "" {
				msg = out.Errors[0].Title
			}
			return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid, Status: res.Status, Message: msg}
		}
		return herald.RemoteRef{}, &connector.Error{Class: connector.Ambiguous, Status: res.Status,
			Message: "X accepted the post but did not say its id"}
	}
	return refOf(acct, cr, out.Data.ID), nil
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

// Find looks for a part among the account's own recent posts (X has no
// idempotency key). A post matches when all of these hold:
//
//   - it was created within the find window (24 hours by default) — X
//     refuses identical text from one account within about a day, so an
//     identical post in that window is ours;
//   - its text equals the part's after both are normalized: HTML entities
//     unescaped (X escapes &, < and >), NFC, surrounding space trimmed,
//     every URL reduced to a placeholder (X replaces URLs by t.co links),
//     and the media link X appends to posts with media removed;
//   - it replies to the same post as the part (or to none), and has as
//     many media as the part.
//
// Of several matches the oldest wins. Up to three pages of 100 posts are
// read.
func (c *Connector) Find(ctx context.Context, acct connector.Account, p connector.Part) (herald.RemoteRef, bool, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, false, err
	}
	uid, err := c.userID(ctx, cr)
	if err != nil {
		return herald.RemoteRef{}, false, connector.Repeatable(err)
	}
	want := comparable(p.Text, false)
	wantReply := replyTarget(p)
	q := url.Values{
		"max_results":  {"100"},
		"start_time":   {c.now().Add(-c.findWindow).UTC().Format("2006-01-02T15:04:05Z")},
		"exclude":      {"retweets"},
		"tweet.fields": {"created_at,referenced_tweets,attachments"},
	}
	var found *timelinePost
	for range c.findPages {
		var page timelinePage
		if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/users/" + url.PathEscape(uid) + "/tweets", query: q, out: &page}); err != nil {
			return herald.RemoteRef{}, false, connector.Repeatable(err)
		}
		for i := range page.Data {
			t := &page.Data[i]
			if t.replyTo() != wantReply || len(t.mediaKeys()) != len(p.Media) {
				continue
			}
			if comparable(t.Text, len(t.mediaKeys()) > 0) == want {
				found = t // pages run newest first: the last match is the oldest
			}
		}
		if page.Meta.NextToken == "" {
			break
		}
		q.Set("pagination_token", page.Meta.NextToken)
	}
	if found == nil {
		return herald.RemoteRef{}, false, nil
	}
	return refOf(acct, cr, found.ID), true, nil
}

// timelinePost is a post in a list answer.
type timelinePost struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	ConversationID   string `json:"conversation_id"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	// ReferencedPosts is the same list under the OpenAPI document's name.
	ReferencedPosts []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_posts"`
	Attachments *struct {
		MediaKeys []string `json:"media_keys"`
	} `json:"attachments"`
}

func (t *timelinePost) replyTo() string {
	for _, r := range t.ReferencedTweets {
		if r.Type == "replied_to" {
			return r.ID
		}
	}
	for _, r := range t.ReferencedPosts {
		if r.Type == "replied_to" {
			return r.ID
		}
	}
	return ""
}

func (t *timelinePost) mediaKeys() []string {
	if t.Attachments == nil {
		return nil
	}
	return t.Attachments.MediaKeys
}

type timelinePage struct {
	Data     []timelinePost `json:"data"`
	Includes struct {
		Users []xUser `json:"users"`
	} `json:"includes"`
	Meta struct {
		NewestID  string `json:"newest_id"`
		NextToken string `json:"next_token"`
	} `json:"meta"`
}

// comparable normalizes a post's text for matching (see Find).
func comparable(text string, withMedia bool) string {
	s := norm.NFC.String(html.UnescapeString(text))
	s = strings.TrimSpace(s)
	var b strings.Builder
	last := 0
	urls := xtext.FindURLs(s)
	if withMedia && len(urls) > 0 && urls[len(urls)-1].End == len(s) {
		// X appends the media's own link to a post with media.
		s = strings.TrimSpace(s[:urls[len(urls)-1].Start])
		urls = urls[:len(urls)-1]
	}
	for _, u := range urls {
		b.WriteString(s[last:u.Start])
		b.WriteString("\x00url\x00")
		last = u.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// Delete removes a published post; one already gone counts as deleted.
func (c *Connector) Delete(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the post to delete has no X id")
	}
	var out struct {
		Data *struct {
			Deleted bool `json:"deleted"`
		} `json:"data"`
	}
	_, err = c.call(ctx, cr, request{method: http.MethodDelete, path: "/2/tweets/" + url.PathEscape(ref.ID), out: &out})
	var e *connector.Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound && e.Class == connector.Invalid {
		return nil
	}
	if err != nil {
		return err
	}
	if out.Data == nil || !out.Data.Deleted {
		return &connector.Error{Class: connector.Transient, Status: http.StatusOK, Message: "X did not confirm the deletion"}
	}
	return nil
}

// Like likes a post from the account.
func (c *Connector) Like(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the post to like has no X id")
	}
	uid, err := c.userID(ctx, cr)
	if err != nil {
		return err
	}
	var out struct {
		Data *struct {
			Liked bool `json:"liked"`
		} `json:"data"`
	}
	// Liking twice is harmless, so an unanswered like may be repeated.
	if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/2/users/" + url.PathEscape(uid) + "/likes",
		json: map[string]string{"tweet_id": ref.ID}, out: &out}); err != nil {
		return connector.Repeatable(err)
	}
	if out.Data == nil || !out.Data.Liked {
		return &connector.Error{Class: connector.Invalid, Status: http.StatusOK, Message: "X did not confirm the like"}
	}
	return nil
}

// Repost retweets a post from the account: POST /2/users/:id/retweets.
// Retweeting twice is harmless, so an unanswered retweet may be repeated.
func (c *Connector) Repost(ctx context.Context, acct connector.Account, ref herald.RemoteRef) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the post to repost has no X id")
	}
	uid, err := c.userID(ctx, cr)
	if err != nil {
		return err
	}
	var out struct {
		Data *struct {
			Retweeted bool `json:"retweeted"`
		} `json:"data"`
	}
	if _, err := c.call(ctx, cr, request{method: http.MethodPost, path: "/2/users/" + url.PathEscape(uid) + "/retweets",
		json: map[string]string{"tweet_id": ref.ID}, out: &out}); err != nil {
		return connector.Repeatable(err)
	}
	if out.Data == nil || !out.Data.Retweeted {
		return &connector.Error{Class: connector.Invalid, Status: http.StatusOK, Message: "X did not confirm the repost"}
	}
	return nil
}

// HideReply hides (or shows again) a reply to one of the account's posts:
// PUT /2/tweets/:id/hidden, which needs the tweet.moderate.write scope
// (connections made before Herald asked for it must be reconnected).
func (c *Connector) HideReply(ctx context.Context, acct connector.Account, ref herald.RemoteRef, hidden bool) error {
	cr, err := creds(acct)
	if err != nil {
		return err
	}
	if ref.ID == "" {
		return invalid("the reply to hide has no X id")
	}
	var out struct {
		Data *struct {
			Hidden bool `json:"hidden"`
		} `json:"data"`
	}
	_, err = c.call(ctx, cr, request{method: http.MethodPut, path: "/2/tweets/" + url.PathEscape(ref.ID) + "/hidden",
		json: map[string]bool{"hidden": hidden}, out: &out})
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Status == http.StatusForbidden {
		return &connector.Error{Class: connector.Invalid, Status: ce.Status, Err: err,
			Message: "X refused: only replies to the account's own posts can be hidden, and the connection must allow it (reconnect the account to grant hiding replies)"}
	}
	if err != nil {
		return connector.Repeatable(err)
	}
	if out.Data == nil || out.Data.Hidden != hidden {
		return &connector.Error{Class: connector.Invalid, Status: http.StatusOK, Message: "X did not confirm the change"}
	}
	return nil
}

// CanAnswerAs lets any X account answer an item: tweet ids are global (the
// conversation's reply settings may still refuse, and X says so).
func (c *Connector) CanAnswerAs(item, other herald.Account) bool { return true }
