package x

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// metricsBatch is how many posts one lookup may name.
const metricsBatch = 100

// mentionPages is how many pages of 100 mentions one sync reads at most.
const mentionPages = 5

type lookupAnswer struct {
	Data   []lookupPost `json:"data"`
	Errors []struct {
		Type       string `json:"type"`
		Field      string `json:"field"`
		ResourceID string `json:"resource_id"`
		Value      string `json:"value"`
		Detail     string `json:"detail"`
	} `json:"errors"`
}

type lookupPost struct {
	ID string `json:"id"`
	// Text, CreatedAt and EditHistoryTweetIDs are asked for by CheckPosts.
	Text                string   `json:"text"`
	CreatedAt           string   `json:"created_at"`
	EditHistoryTweetIDs []string `json:"edit_history_tweet_ids"`
	PublicMetrics       *struct {
		RetweetCount    *int64 `json:"retweet_count"`
		RepostCount     *int64 `json:"repost_count"`
		ReplyCount      *int64 `json:"reply_count"`
		LikeCount       *int64 `json:"like_count"`
		QuoteCount      *int64 `json:"quote_count"`
		ImpressionCount *int64 `json:"impression_count"`
	} `json:"public_metrics"`
	NonPublicMetrics *struct {
		ImpressionCount *int64 `json:"impression_count"`
	} `json:"non_public_metrics"`
}

func count(v ...*int64) int64 {
	for _, p := range v {
		if p != nil {
			return *p
		}
	}
	return -1
}

func (p lookupPost) metrics(at time.Time) connector.Metrics {
	m := connector.Metrics{Likes: -1, Reposts: -1, Replies: -1, Quotes: -1, Impressions: -1, At: at}
	if pm := p.PublicMetrics; pm != nil {
		m.Likes = count(pm.LikeCount)
		m.Reposts = count(pm.RetweetCount, pm.RepostCount)
		m.Replies = count(pm.ReplyCount)
		m.Quotes = count(pm.QuoteCount)
		m.Impressions = count(pm.ImpressionCount)
	}
	if np := p.NonPublicMetrics; np != nil && np.ImpressionCount != nil {
		m.Impressions = *np.ImpressionCount
	}
	return m
}

// fieldRefused reports whether a lookup error says the caller may not see
// the non-public metrics.
func fieldRefused(typ, field, detail string) bool {
	return strings.HasSuffix(typ, "/not-authorized-for-field") || strings.HasSuffix(typ, "/field-unauthorized") ||
		field == "non_public_metrics" || strings.Contains(detail, "non_public_metrics")
}

// Metrics reads counts for published posts, 100 per request: public
// metrics with the non-public impression count where X allows it (the
// account's own posts of the last 30 days, with user context); posts for
// which X refuses non-public metrics are read again with public metrics
// only. Posts X no longer has are left out.
func (c *Connector) Metrics(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.Metrics, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	out := map[string]connector.Metrics{}
	var ids []string
	for _, r := range refs {
		if r.ID != "" && !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	for start := 0; start < len(ids); start += metricsBatch {
		batch := ids[start:min(start+metricsBatch, len(ids))]
		refused, err := c.lookup(ctx, cr, batch, true, out)
		if err != nil {
			return nil, err
		}
		if len(refused) > 0 {
			c.log.DebugContext(ctx, "x refused non-public metrics; reading public ones", "posts", len(refused))
			if _, err := c.lookup(ctx, cr, refused, false, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// lookup reads one batch into out and returns the ids whose non-public
// metrics X refused.
func (c *Connector) lookup(ctx context.Context, cr Credentials, ids []string, nonPublic bool, out map[string]connector.Metrics) ([]string, error) {
	f := "public_metrics"
	if nonPublic {
		f += ",non_public_metrics"
	}
	q := url.Values{"ids": {strings.Join(ids, ",")}, "tweet.fields": {f}}
	var ans lookupAnswer
	at := c.now()
	_, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/tweets", query: q, out: &ans})
	if err != nil {
		var e *connector.Error
		if nonPublic && errors.As(err, &e) && (e.Class == connector.Invalid || e.Status == http.StatusForbidden) {
			// X refused the whole request (non-public metrics need user
			// context and a plan that includes them): ask for public
			// metrics alone; if X refuses those too, that error stands.
			return ids, nil
		}
		return nil, err
	}
	for _, p := range ans.Data {
		if p.ID != "" {
			out[p.ID] = p.metrics(at)
		}
	}
	var refused []string
	if nonPublic {
		for _, e := range ans.Errors {
			id := e.ResourceID
			if id == "" {
				id = e.Value
			}
			if _, got := out[id]; !got && slices.Contains(ids, id) && fieldRefused(e.Type, e.Field, e.Detail) {
				refused = append(refused, id)
			}
		}
	}
	return refused, nil
}

// Mentions reads posts that mention or reply to the account since cursor
// (the newest post id seen, X's since_id), oldest first, up to five pages
// of 100. X pages from the newest backwards, so when more came in than
// five pages hold, what lies between the pages read and the old cursor is
// still to read: the returned cursor then says so (a connector.Gap whose
// Resume is the oldest id read) and the next call reads that span
// (since_id and until_id) before going on from the newest id. The returned cursor is otherwise the
// newest id read ("" when there was nothing new).
func (c *Connector) Mentions(ctx context.Context, acct connector.Account, cursor string) ([]connector.Mention, string, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, "", err
	}
	uid, err := c.userID(ctx, cr)
	if err != nil {
		return nil, "", err
	}
	since, until, newest := cursor, "", ""
	if g, ok := connector.ParseGap(cursor); ok {
		since, until, newest = g.Since, g.Resume, g.Newest
	}
	q := url.Values{
		"max_results":  {"100"},
		"tweet.fields": {"created_at,author_id,referenced_tweets,conversation_id"},
		"expansions":   {"author_id"},
		"user.fields":  {"username,name"},
	}
	if since != "" {
		q.Set("since_id", since)
	}
	if until != "" {
		q.Set("until_id", until)
	}
	var all []connector.Mention
	more := false
	for page := 0; page < mentionPages; page++ {
		var ans timelinePage
		if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/users/" + url.PathEscape(uid) + "/mentions", query: q, out: &ans}); err != nil {
			return nil, "", err
		}
		if page == 0 && newest == "" {
			newest = ans.Meta.NewestID
		}
		authors := map[string]xUser{}
		for _, u := range ans.Includes.Users {
			authors[u.ID] = u
		}
		for _, t := range ans.Data {
			a := authors[t.AuthorID]
			m := connector.Mention{RemoteID: t.ID, URL: postURL(a.Username, t.ID), AuthorID: t.AuthorID,
				AuthorName: a.Name, Text: unescape(t.Text), ReplyTo: t.replyTo(),
				Meta: map[string]string{}}
			if a.Username != "" {
				m.AuthorHandle = "@" + a.Username
			}
			if t.ConversationID != "" {
				m.Meta["conversation_id"] = t.ConversationID
			}
			if ts, err := time.Parse(time.RFC3339, t.CreatedAt); err == nil {
				m.CreatedAt = ts.UTC()
			}
			all = append(all, m)
		}
		if ans.Meta.NextToken == "" {
			break
		}
		if page == mentionPages-1 {
			more = true
			break
		}
		q.Set("pagination_token", ans.Meta.NextToken)
	}
	slices.Reverse(all) // X answers newest first
	if newest == "" && len(all) > 0 {
		newest = all[len(all)-1].RemoteID
	}
	if more && since != "" && len(all) > 0 {
		// Older mentions wait between the old cursor and the oldest read.
		return all, connector.Gap{Since: since, Resume: all[0].RemoteID, Newest: newest}.String(), nil
	}
	return all, newest, nil
}

// unescape undoes X's escaping of &, < and > in post text.
func unescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}
