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

// mark is where one source of the inbox left off: the newest item's
// second and the ids seen at that second.
type mark struct {
	at   int64
	seen []string
}

// parseMark reads "unix|id,id"; anything else is the zero mark (read
// from the start).
func parseMark(s string) mark {
	t, ids, _ := strings.Cut(s, "|")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return mark{}
	}
	if ids == "" {
		return mark{at: n}
	}
	return mark{at: n, seen: strings.Split(ids, ",")}
}

func (m mark) String() string {
	if m.at == 0 && len(m.seen) == 0 {
		return ""
	}
	return strconv.FormatInt(m.at, 10) + "|" + strings.Join(m.seen, ",")
}

// passed reports whether an item of id at t is at or before the mark.
func (m mark) passed(id string, t time.Time) bool {
	return t.Unix() < m.at || (t.Unix() == m.at && slices.Contains(m.seen, id))
}

// advance returns the mark after the items (oldest first), all past m.
func (m mark) advance(items []connector.Mention) mark {
	if len(items) == 0 {
		return m
	}
	last := items[len(items)-1].CreatedAt.Unix()
	next := mark{at: last}
	if last == m.at {
		next.seen = slices.Clone(m.seen)
	}
	for _, it := range items {
		if it.CreatedAt.Unix() == last {
			next.seen = append(next.seen, it.RemoteID)
		}
	}
	return next
}

// inboxCursor is the inbox's cursor: "r=<replies' mark>;m=<mentions'
// mark>". A cursor without the "r=" prefix was stored by the replies-only
// inbox ("unix|ids"): all of it is the replies' mark, and mentions start
// afresh.
type inboxCursor struct {
	replies, mentions mark
}

func parseInboxCursor(s string) inboxCursor {
	rest, ok := strings.CutPrefix(s, "r=")
	if !ok {
		return inboxCursor{replies: parseMark(s)}
	}
	r, m, _ := strings.Cut(rest, ";m=")
	return inboxCursor{replies: parseMark(r), mentions: parseMark(m)}
}

func (c inboxCursor) String() string {
	return "r=" + c.replies.String() + ";m=" + c.mentions.String()
}

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
	cur := parseInboxCursor(cursor)
	replies, err := c.replies(ctx, cr, cur.replies)
	if err != nil {
		return nil, "", err
	}
	tagged, err := c.tagged(ctx, cr, cur.mentions)
	switch {
	case permissionMissing(err):
		if _, logged := c.noMentions.LoadOrStore(cr.UserID, true); !logged {
			c.log.WarnContext(ctx, "threads: the token lacks the threads_manage_mentions permission; the inbox holds replies only until the account is reconnected",
				slog.String("threads_user_id", cr.UserID), slog.String("error", err.Error()))
		}
		tagged = nil
	case err != nil:
		return nil, "", err
	default:
		c.noMentions.Delete(cr.UserID)
	}
	next := inboxCursor{replies: cur.replies.advance(replies), mentions: cur.mentions.advance(tagged)}
	seen := map[string]bool{}
	for _, r := range replies {
		seen[r.RemoteID] = true
	}
	all := replies
	for _, m := range tagged {
		if !seen[m.RemoteID] {
			seen[m.RemoteID] = true
			all = append(all, m)
		}
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if next.String() == parseInboxCursor(cursor).String() {
		return all, "", nil
	}
	return all, next.String(), nil
}

// permissionMissing reports whether err is Meta refusing a permission the
// token was not granted: code 10, or a code of 200 to 299.
func permissionMissing(err error) bool {
	code, _, ok := metagraph.Codes(err)
	return ok && (code == metagraph.CodePermissionDenied || (code >= 200 && code <= 299))
}

// replies reads the replies past m under the account's latest posts,
// oldest first.
func (c *Connector) replies(ctx context.Context, cr Credentials, m mark) ([]connector.Mention, error) {
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
			if m.passed(r.ID, t) {
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
func (c *Connector) tagged(ctx context.Context, cr Credentials, m mark) ([]connector.Mention, error) {
	since := m.at - 1 // since's own second may hold mentions not yet seen
	if m.at == 0 {
		since = c.now().Add(-mentionsWindow).Unix()
	}
	since = max(since, mentionsSinceFloor)
	q := url.Values{"fields": {"id,text,username,permalink,timestamp,media_type"},
		"limit": {strconv.Itoa(mentionsLimit)}, "since": {strconv.FormatInt(since, 10)}}
	var all []connector.Mention
	for page := 0; ; page++ {
		if page == mentionPages {
			c.log.WarnContext(ctx, "threads: more mentions than one sync reads; the oldest of them are skipped",
				slog.String("threads_user_id", cr.UserID), slog.Int("read", len(all)))
			break
		}
		var res struct {
			Data   []post `json:"data"`
			Paging struct {
				Cursors struct {
					After string `json:"after"`
				} `json:"cursors"`
			} `json:"paging"`
		}
		if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(cr.UserID) + "/mentions",
			query: q, token: cr.AccessToken, out: &res}); err != nil {
			return nil, err
		}
		for _, p := range res.Data {
			if p.ID == "" || (p.Username != "" && strings.EqualFold(p.Username, cr.Username)) {
				continue
			}
			t, ok := graphTime(p.Timestamp)
			if !ok {
				c.log.WarnContext(ctx, "threads: a mention with an unreadable timestamp is skipped",
					slog.String("id", p.ID), slog.String("timestamp", p.Timestamp))
				continue
			}
			if m.passed(p.ID, t) {
				continue
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
		}
		after := res.Paging.Cursors.After
		if len(res.Data) == 0 || after == "" || after == q.Get("after") {
			break
		}
		q.Set("after", after)
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return all, nil
}
