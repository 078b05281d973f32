package facebook

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
	"github.com/heraldsocial/herald/internal/herald"
)

// ViewsMetric is the post insight Herald reads as impressions: Meta
// replaced post_impressions by post_media_view ("views") on 15 November 2025.
const ViewsMetric = "post_media_view"

// Metrics reads, per post: reactions.summary(total_count) as likes,
// comments.summary(total_count) as replies, shares.count as reposts (not
// on videos), and the post_media_view insight as impressions (-1 where
// Meta refuses it). Posts Meta no longer has are left out.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	out := map[string]connector.Metrics{}
	for _, r := range refs {
		if r.ID == "" {
			continue
		}
		if _, done := out[r.ID]; done {
			continue
		}
		m, ok, err := c.metrics(ctx, cr, r)
		if err != nil {
			return nil, err
		}
		if ok {
			out[r.ID] = m
		}
	}
	return out, nil
}

func (c *Connector) metrics(ctx context.Context, cr Credentials, r herald.RemoteRef) (connector.Metrics, bool, error) {
	video := r.Meta["kind"] == "video"
	fields := "reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
	if !video {
		fields += ",shares"
	}
	var obj struct {
		Reactions *summary `json:"reactions"`
		Comments  *summary `json:"comments"`
		Shares    *struct {
			Count int64 `json:"count"`
		} `json:"shares"`
	}
	at := c.graph.Now()
	_, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(r.ID),
		Query: url.Values{"fields": {fields}}, Token: cr.PageToken, Out: &obj})
	if gone(err) {
		return connector.Metrics{}, false, nil
	}
	if err != nil {
		return connector.Metrics{}, false, err
	}
	m := connector.Metrics{Likes: obj.Reactions.total(), Replies: obj.Comments.total(), Reposts: -1, Quotes: -1, Impressions: -1, At: at}
	if !video {
		m.Reposts = 0 // Meta leaves shares out of a post nobody shared
		if obj.Shares != nil {
			m.Reposts = obj.Shares.Count
		}
	}
	var ins struct {
		Data []struct {
			Name   string `json:"name"`
			Values []struct {
				Value any `json:"value"`
			} `json:"values"`
		} `json:"data"`
	}
	_, err = c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(r.ID) + "/insights",
		Query: url.Values{"metric": {ViewsMetric}}, Token: cr.PageToken, Out: &ins})
	var e *connector.Error
	switch {
	case errors.As(err, &e) && e.Class == connector.Invalid:
		// Insights are not given for every kind of post; the counts stand.
		c.log.DebugContext(ctx, "facebook gave no views for a post", "post", r.ID, "error", err)
	case err != nil:
		return connector.Metrics{}, false, err
	}
	for _, d := range ins.Data {
		if d.Name == ViewsMetric && len(d.Values) > 0 {
			if v, ok := d.Values[len(d.Values)-1].Value.(float64); ok {
				m.Impressions = int64(v)
			}
		}
	}
	return m, true, nil
}

type summary struct {
	Summary *struct {
		TotalCount int64 `json:"total_count"`
	} `json:"summary"`
}

func (s *summary) total() int64 {
	if s == nil || s.Summary == nil {
		return 0
	}
	return s.Summary.TotalCount
}

// comment is a comment as the Graph API gives it.
type comment struct {
	ID           string `json:"id"`
	Message      string `json:"message"`
	CreatedTime  string `json:"created_time"`
	PermalinkURL string `json:"permalink_url"`
	From         *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"from"`
}

// inboxPosts is how many of the Page's latest posts the inbox reads
// comments of, and inboxComments how many comments of each.
const (
	inboxPosts    = 25
	inboxComments = 100
)

// Mentions reads comments by other people on the Page's latest 25 posts
// (GET /{page-id}/feed with the comments field, newest first), oldest
// first. The cursor is the newest comment time seen (Unix seconds) with
// the ids seen at that second, so none is read twice and none is lost to
// Meta's one-second precision.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	after, seen := parseCursor(cursor)
	q := url.Values{
		"fields": {"id,comments.order(reverse_chronological).limit(" + strconv.Itoa(inboxComments) +
			"){id,message,from,created_time,permalink_url}"},
		"limit": {strconv.Itoa(inboxPosts)},
	}
	var feed struct {
		Data []struct {
			ID       string `json:"id"`
			Comments *struct {
				Data []comment `json:"data"`
			} `json:"comments"`
		} `json:"data"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.PageID) + "/feed",
		Query: q, Token: cr.PageToken, Out: &feed}); err != nil {
		return nil, "", err
	}
	var all []connector.Mention
	for _, post := range feed.Data {
		if post.Comments == nil {
			continue
		}
		for _, cm := range post.Comments.Data {
			if cm.From != nil && cm.From.ID == cr.PageID {
				continue // the Page's own comments
			}
			t, _ := graphTime(cm.CreatedTime)
			if t.Unix() < after || (t.Unix() == after && slices.Contains(seen, cm.ID)) {
				continue
			}
			m := connector.Mention{RemoteID: cm.ID, URL: cm.PermalinkURL, Text: cm.Message, ReplyTo: post.ID, CreatedAt: t,
				Meta: map[string]string{"post_id": post.ID}}
			if m.URL == "" {
				m.URL = "https://www.facebook.com/" + cm.ID
			}
			if cm.From != nil {
				m.AuthorID, m.AuthorName = cm.From.ID, cm.From.Name
			}
			all = append(all, m)
		}
	}
	slices.SortStableFunc(all, func(a, b connector.Mention) int { return a.CreatedAt.Compare(b.CreatedAt) })
	if len(all) == 0 {
		return nil, "", nil
	}
	return all, nextCursor(all, after, seen), nil
}

func parseCursor(s string) (int64, []string) {
	t, ids, _ := strings.Cut(s, "|")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return 0, nil
	}
	if ids == "" {
		return n, nil
	}
	return n, strings.Split(ids, ",")
}

// nextCursor is the newest second among the mentions, with every id seen
// at that second (those of the old cursor included when it is the same).
func nextCursor(all []connector.Mention, after int64, seen []string) string {
	last := all[len(all)-1].CreatedAt.Unix()
	var ids []string
	if last == after {
		ids = append(ids, seen...)
	}
	for _, m := range all {
		if m.CreatedAt.Unix() == last {
			ids = append(ids, m.RemoteID)
		}
	}
	return strconv.FormatInt(last, 10) + "|" + strings.Join(ids, ",")
}
