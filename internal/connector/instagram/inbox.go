package instagram

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

// The inbox has two sources: comments by others on the account's latest
// media (GET /{ig-user-id}/media with the comments field) and others'
// media the account is tagged in (GET /{ig-user-id}/tags). @mentions in
// captions and comments of others' media reach apps only through the
// mentions webhook field, which Herald does not receive.

// inboxKeys name the cursor's marks: "c=<comments' mark>;t=<tags' mark>".
// A cursor of the comments-only inbox ("unix|ids") is the comments' mark
// (see metagraph.ParseInboxCursor).
var inboxKeys = [2]string{"c", "t"}

// Reading tags: a first read looks back tagsWindow; each read takes at
// most tagPages pages of tagsLimit, newest first, stopping at the mark.
const (
	tagsWindow = 7 * 24 * time.Hour
	tagsLimit  = 50
	tagPages   = 10
)

// Mentions reads, newer than the cursor and oldest first, the comments
// other people left on the account's 25 latest media, and the media of
// others that tag the account (Meta {"kind":"tag"}). When Meta refuses
// the tags for a missing permission, the inbox holds the comments alone:
// the refusal is logged once and the sync goes on.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	return metagraph.ReadInbox(ctx, cursor, metagraph.InboxSources{Keys: inboxKeys,
		Main: func(ctx context.Context, m metagraph.InboxMark) ([]connector.Mention, error) {
			return c.comments(ctx, cr, m)
		},
		Extra: func(ctx context.Context, m metagraph.InboxMark) ([]connector.Mention, error) {
			return c.tags(ctx, cr, m)
		},
		Account: cr.IGUserID, Refusals: &c.noTags, Log: c.log,
		Refused: "instagram: Meta refuses the media the account is tagged in for a missing permission; the inbox holds comments only"})
}

// comments reads the comments past m on the account's latest media,
// oldest first.
func (c *Connector) comments(ctx context.Context, cr Credentials, m metagraph.InboxMark) ([]connector.Mention, error) {
	var feed struct {
		Data []struct {
			ID       string `json:"id"`
			Comments *struct {
				Data []igComment `json:"data"`
			} `json:"comments"`
		} `json:"data"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.IGUserID) + "/media",
		Query: url.Values{"fields": {"id,comments{id,text,username,timestamp,from}"}, "limit": {"25"}},
		Token: cr.PageToken, Out: &feed}); err != nil {
		return nil, err
	}
	var all []connector.Mention
	for _, media := range feed.Data {
		if media.Comments == nil {
			continue
		}
		for _, cm := range media.Comments.Data {
			if strings.EqualFold(cm.Username, cr.Username) {
				continue
			}
			t, _ := graphTime(cm.Timestamp)
			if m.Passed(cm.ID, t) {
				continue
			}
			mn := connector.Mention{RemoteID: cm.ID, Text: cm.Text, ReplyTo: media.ID, CreatedAt: t,
				AuthorHandle: "@" + cm.Username, Meta: map[string]string{"media_id": media.ID}}
			if cm.From != nil {
				mn.AuthorID = cm.From.ID
			}
			all = append(all, mn)
		}
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return all, nil
}

// igTagged is a media of others that tags the account.
type igTagged struct {
	ID        string `json:"id"`
	Caption   string `json:"caption"`
	Username  string `json:"username"`
	Permalink string `json:"permalink"`
	Timestamp string `json:"timestamp"`
	MediaType string `json:"media_type"`
}

// tags reads others' media tagging the account past m (GET
// /{ig-user-id}/tags, newest first, paged with the after cursor: the edge
// gives before and after cursors but no next link), oldest first. A first
// read looks back tagsWindow.
func (c *Connector) tags(ctx context.Context, cr Credentials, m metagraph.InboxMark) ([]connector.Mention, error) {
	floor := m.At
	if m.At == 0 {
		floor = c.graph.Now().Add(-tagsWindow).Unix()
	}
	q := url.Values{"fields": {"id,caption,username,permalink,timestamp,media_type"}, "limit": {strconv.Itoa(tagsLimit)}}
	var all []connector.Mention
	capped, err := metagraph.EachPage(tagPages, func(after string) (metagraph.CursorPage[igTagged], error) {
		var res metagraph.CursorPage[igTagged]
		if after != "" {
			q.Set("after", after)
		}
		_, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.IGUserID) + "/tags",
			Query: q, Token: cr.PageToken, Out: &res})
		return res, err
	}, func(p igTagged) bool {
		t, ok := graphTime(p.Timestamp)
		if p.ID == "" || !ok {
			c.log.WarnContext(ctx, "instagram: tagged media without an id or a readable timestamp is skipped",
				slog.String("id", p.ID), slog.String("timestamp", p.Timestamp))
			return true
		}
		if t.Unix() < floor {
			return false // newest first: the rest are older still
		}
		if m.Passed(p.ID, t) {
			return true
		}
		mn := connector.Mention{RemoteID: p.ID, URL: p.Permalink, Text: p.Caption, CreatedAt: t,
			Meta: map[string]string{"kind": "tag", "media_id": p.ID}}
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
		c.log.WarnContext(ctx, "instagram: more tagged media than one sync reads; the oldest of them are skipped",
			slog.String("ig_user_id", cr.IGUserID), slog.Int("read", len(all)))
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return all, nil
}
