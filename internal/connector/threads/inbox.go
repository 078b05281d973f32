package threads

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
)

// The inbox has two sources: replies under the account's latest posts
// (GET /{threads-media-id}/conversation, threads_read_replies) and posts
// that tag the account (GET /{threads-user-id}/mentions,
// threads_manage_mentions). Each keeps its own mark in the cursor.

// inboxPosts is how many of the latest posts the inbox reads replies of.
const inboxPosts = 10

// Reading mentions: a first read looks back mentionsWindow; each read
// takes at most mentionPages pages of mentionsLimit, newest first.
const (
	mentionsWindow = 7 * 24 * time.Hour
	mentionsLimit  = 100
	mentionPages   = 10
	// mentionsSinceFloor is the earliest since the Mentions reference
	// accepts (2023-07-05).
	mentionsSinceFloor = 1688540400
)

// inboxKeys name the cursor's marks: "r=<replies' mark>;m=<mentions'
// mark>". A cursor of the replies-only inbox ("unix|ids") is the replies'
// mark (see metagraph.ParseInboxCursor).
var inboxKeys = [2]string{"r", "m"}

// Mentions reads, newer than the cursor and oldest first, the replies
// other people left under the account's 10 latest posts at any depth, and
// the posts of other profiles that tag the account (Meta
// {"kind":"mention"}); a post that is both comes once, as the reply.
// Without the threads_manage_mentions permission the inbox holds the
// replies alone: the refusal is logged once and the sync goes on.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	return metagraph.ReadInbox(ctx, cursor, metagraph.InboxSources{Keys: inboxKeys,
		Main: func(ctx context.Context, m metagraph.InboxMark) ([]connector.Mention, error) {
			return c.replies(ctx, cr, m)
		},
		Extra: func(ctx context.Context, m metagraph.InboxMark) ([]connector.Mention, error) {
			return c.tagged(ctx, cr, m)
		},
		Account: cr.UserID, Refusals: &c.noMentions, Log: c.log,
		Refused: "threads: the token lacks the threads_manage_mentions permission; the inbox holds replies only until the account is reconnected"})
}

// replies reads the replies past m under the account's latest posts,
// oldest first.
func (c *Connector) replies(ctx context.Context, cr Credentials, m metagraph.InboxMark) ([]connector.Mention, error) {
	var feed struct {
		Data []post `json:"data"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(cr.UserID) + "/threads",
		query: url.Values{"fields": {"id"}, "limit": {strconv.Itoa(inboxPosts)}}, token: cr.AccessToken, out: &feed}); err != nil {
		return nil, err
	}
	var all []connector.Mention
	for _, root := range feed.Data {
		var conv struct {
			Data []post `json:"data"`
		}
		_, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(root.ID) + "/conversation",
			query: url.Values{"fields": {"id,text,username,timestamp,permalink,replied_to"}, "reverse": {"false"}},
			token: cr.AccessToken, out: &conv})
		if gone(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, r := range conv.Data {
			if r.Username != "" && strings.EqualFold(r.Username, cr.Username) {
				continue
			}
			t, _ := graphTime(r.Timestamp)
			if m.Passed(r.ID, t) {
				continue
			}
			mn := connector.Mention{RemoteID: r.ID, URL: r.Permalink, Text: r.Text, CreatedAt: t,
				Meta: map[string]string{"root_post": root.ID}}
			if r.Username != "" {
				mn.AuthorHandle = "@" + r.Username
			}
			mn.ReplyTo = root.ID
			if r.RepliedTo != nil && r.RepliedTo.ID != "" {
				mn.ReplyTo = r.RepliedTo.ID
			}
			all = append(all, mn)
		}
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return all, nil
}

// tagged reads the posts that tag the account past m (GET
// /{threads-user-id}/mentions, newest first, paged with the after
// cursor), oldest first. A first read looks back mentionsWindow.
func (c *Connector) tagged(ctx context.Context, cr Credentials, m metagraph.InboxMark) ([]connector.Mention, error) {
	since := m.At - 1 // since's own second may hold mentions not yet seen
	if m.At == 0 {
		since = c.now().Add(-mentionsWindow).Unix()
	}
	since = max(since, mentionsSinceFloor)
	q := url.Values{"fields": {"id,text,username,permalink,timestamp,media_type"},
		"limit": {strconv.Itoa(mentionsLimit)}, "since": {strconv.FormatInt(since, 10)}}
	var all []connector.Mention
	capped, err := metagraph.EachPage(mentionPages, func(after string) (metagraph.CursorPage[post], error) {
		var res metagraph.CursorPage[post]
		if after != "" {
			q.Set("after", after)
		}
		_, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(cr.UserID) + "/mentions",
			query: q, token: cr.AccessToken, out: &res})
		return res, err
	}, func(p post) bool {
		if p.ID == "" || (p.Username != "" && strings.EqualFold(p.Username, cr.Username)) {
			return true
		}
		t, ok := graphTime(p.Timestamp)
		if !ok {
			c.log.WarnContext(ctx, "threads: a mention with an unreadable timestamp is skipped",
				slog.String("id", p.ID), slog.String("timestamp", p.Timestamp))
			return true
		}
		if m.Passed(p.ID, t) {
			return true
		}
		mn := connector.Mention{RemoteID: p.ID, URL: p.Permalink, Text: p.Text, CreatedAt: t,
			Meta: map[string]string{"kind": "mention"}}
		if p.Username != "" {
			mn.AuthorHandle = "@" + p.Username
		}
		if p.MediaType != "" {
			mn.Meta["media_type"] = p.MediaType
		}
		all = append(all, mn)
		return true
	})
	if err != nil {
		return nil, err
	}
	if capped {
		c.log.WarnContext(ctx, "threads: more mentions than one sync reads; the oldest of them are skipped",
			slog.String("threads_user_id", cr.UserID), slog.Int("read", len(all)))
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return all, nil
}
