package linkedin

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// inboxPosts is how many of the author's latest posts the inbox reads
// comments on.
const inboxPosts = 10

// commentJSON is a comment as socialActions returns it.
type commentJSON struct {
	ID         string `json:"id"`
	CommentURN string `json:"commentUrn"`
	Actor      string `json:"actor"`
	Object     string `json:"object"`
	Message    struct {
		Text string `json:"text"`
	} `json:"message"`
	Created struct {
		Time int64 `json:"time"`
	} `json:"created"`
}

// comments lists the comments on a post (GET /rest/socialActions/{urn}/comments).
func (c *Connector) comments(ctx context.Context, cr Credentials, post string) ([]commentJSON, error) {
	var out struct {
		Elements []commentJSON `json:"elements"`
	}
	q := url.Values{"count": {"100"}}
	res, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/socialActions/" + esc(post) + "/comments", query: q,
		token: cr.AccessToken, out: &out})
	if err != nil {
		return nil, readRefused(res, err, cr)
	}
	for i := range out.Elements {
		if out.Elements[i].CommentURN == "" && out.Elements[i].ID != "" {
			out.Elements[i].CommentURN = "urn:li:comment:(" + post + "," + out.Elements[i].ID + ")"
		}
	}
	return out.Elements, nil
}

// Metrics reads each post's likes and comments (GET
// /rest/socialActions/{urn}) and, for an organization's posts, its
// reposts and impressions from the organization's share statistics.
// LinkedIn gives a member's reposts and impressions to no one: -1.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	stats := map[string]shareStats{}
	if isOrg(cr.Author) {
		if stats, err = c.shareStats(ctx, cr, refs); err != nil {
			return nil, err
		}
	}
	out := map[string]connector.Metrics{}
	for _, ref := range refs {
		var sa struct {
			LikesSummary struct {
				TotalLikes int64 `json:"totalLikes"`
			} `json:"likesSummary"`
			CommentsSummary struct {
				AggregatedTotalComments int64 `json:"aggregatedTotalComments"`
			} `json:"commentsSummary"`
		}
		res, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/socialActions/" + esc(ref.ID), token: cr.AccessToken, out: &sa})
		if err != nil {
			if res != nil && res.Status == http.StatusNotFound {
				continue
			}
			return nil, err
		}
		m := connector.Metrics{Likes: sa.LikesSummary.TotalLikes, Replies: sa.CommentsSummary.AggregatedTotalComments,
			Reposts: -1, Quotes: -1, Impressions: -1, At: c.now()}
		if st, ok := stats[ref.ID]; ok {
			m.Reposts, m.Impressions = st.ShareCount, st.ImpressionCount
		}
		out[ref.ID] = m
	}
	return out, nil
}

// Mentions returns the comments others left on the author's latest posts
// since the cursor (the creation time, in milliseconds, of the newest one
// returned before), oldest first.
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	since, _ := strconv.ParseInt(cursor, 10, 64) // "" or garbage: from the start
	posts, err := c.recent(ctx, cr, inboxPosts)
	if err != nil {
		return nil, "", err
	}
	var out []connector.Mention
	newest := since
	for _, p := range posts {
		cs, err := c.comments(ctx, cr, p.ID)
		if err != nil {
			return nil, "", err
		}
		for _, cm := range cs {
			if cm.Actor == cr.Author || cm.Created.Time <= since {
				continue
			}
			newest = max(newest, cm.Created.Time)
			out = append(out, connector.Mention{RemoteID: cm.CommentURN, URL: postURL(p.ID), AuthorID: cm.Actor,
				Text: cm.Message.Text, ReplyTo: p.ID, CreatedAt: time.UnixMilli(cm.Created.Time).UTC(),
				Meta: map[string]string{"object": cm.Object}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.Before(out[j].CreatedAt) })
	next := ""
	if newest > since {
		next = strconv.FormatInt(newest, 10)
	}
	return out, next, nil
}

// Reply answers a comment (a nested comment under it) or a post (a
// comment on it) as the author.
func (c *Connector) Reply(ctx context.Context, acct connector.Account, to herald.RemoteRef, p connector.Part) (herald.RemoteRef, error) {
	cr, err := creds(acct)
	if err != nil {
		return herald.RemoteRef{}, err
	}
	if object, _, ok := splitComment(to.ID); ok {
		if o := to.Meta["object"]; o != "" {
			object = o
		}
		return c.comment(ctx, cr, object, to.ID, p.Text)
	}
	return c.comment(ctx, cr, to.ID, "", p.Text)
}

// shareStats are a post's lifetime statistics.
type shareStats struct {
	ShareCount      int64 `json:"shareCount"`
	ImpressionCount int64 `json:"impressionCount"`
}

// statsBatch is how many posts one statistics call asks about.
const statsBatch = 20

// shareStats reads an organization's lifetime statistics for its posts
// (GET /rest/organizationalEntityShareStatistics?q=organizationalEntity
// with shares=List(…) and ugcPosts=List(…)).
func (c *Connector) shareStats(ctx context.Context, cr Credentials, refs []herald.RemoteRef) (map[string]shareStats, error) {
	out := map[string]shareStats{}
	for start := 0; start < len(refs); start += statsBatch {
		var shares, ugc []string
		for _, ref := range refs[start:min(start+statsBatch, len(refs))] {
			switch {
			case strings.HasPrefix(ref.ID, "urn:li:share:"):
				shares = append(shares, esc(ref.ID))
			case strings.HasPrefix(ref.ID, "urn:li:ugcPost:"):
				ugc = append(ugc, esc(ref.ID))
			}
		}
		if len(shares)+len(ugc) == 0 {
			continue
		}
		var raw []string
		if len(shares) > 0 {
			raw = append(raw, "shares=List("+strings.Join(shares, ",")+")")
		}
		if len(ugc) > 0 {
			raw = append(raw, "ugcPosts=List("+strings.Join(ugc, ",")+")")
		}
		var res struct {
			Elements []struct {
				Share           string     `json:"share"`
				UGCPost         string     `json:"ugcPost"`
				TotalShareStats shareStats `json:"totalShareStatistics"`
			} `json:"elements"`
		}
		q := url.Values{"q": {"organizationalEntity"}, "organizationalEntity": {cr.Author}}
		if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/organizationalEntityShareStatistics", query: q,
			raw: strings.Join(raw, "&"), token: cr.AccessToken, out: &res}); err != nil {
			return nil, err
		}
		for _, e := range res.Elements {
			id := e.Share
			if id == "" {
				id = e.UGCPost
			}
			out[id] = e.TotalShareStats
		}
	}
	return out, nil
}
