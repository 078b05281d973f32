package x

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// CheckPosts reads posts received in the inbox as they are now, 100 per
// lookup (GET /2/tweets). X answers a deleted post with a
// resource-not-found error: it is gone. An edit is a new post id at the
// end of the original's edit_history_tweet_ids; its text is read with a
// second lookup and recorded with the edit's time. Posts X refuses for
// another reason (a protected author, say) are left out.
func (c *Connector) CheckPosts(ctx context.Context, acct connector.Account, refs []herald.RemoteRef) (map[string]connector.PostState, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, r := range refs {
		if r.ID != "" && !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
	}
	out := make(map[string]connector.PostState, len(ids))
	latest := map[string]string{} // newest version's id → the id asked for
	for batch := range slices.Chunk(ids, metricsBatch) {
		ans, err := c.checkLookup(ctx, cr, batch)
		if err != nil {
			return nil, err
		}
		for _, p := range ans.Data {
			if h := p.EditHistoryTweetIDs; len(h) > 1 && h[len(h)-1] != p.ID {
				latest[h[len(h)-1]] = p.ID
				continue
			}
			out[p.ID] = connector.PostState{Text: p.Text}
		}
		for _, e := range ans.Errors {
			id := e.ResourceID
			if id == "" {
				id = e.Value
			}
			if strings.HasSuffix(e.Type, "/resource-not-found") && slices.Contains(batch, id) {
				out[id] = connector.PostState{Gone: true}
			}
		}
	}
	newest := make([]string, 0, len(latest))
	for id := range latest {
		newest = append(newest, id)
	}
	slices.Sort(newest)
	for batch := range slices.Chunk(newest, metricsBatch) {
		ans, err := c.checkLookup(ctx, cr, batch)
		if err != nil {
			return nil, err
		}
		for _, p := range ans.Data {
			asked, ok := latest[p.ID]
			if !ok {
				continue
			}
			ps := connector.PostState{Text: p.Text}
			if t, err := time.Parse(time.RFC3339, p.CreatedAt); err == nil {
				t = t.UTC()
				ps.EditedAt = &t
			}
			out[asked] = ps
		}
	}
	return out, nil
}

// checkLookup reads one batch of posts with their text and edit history.
func (c *Connector) checkLookup(ctx context.Context, cr Credentials, ids []string) (lookupAnswer, error) {
	q := url.Values{"ids": {strings.Join(ids, ",")}, "tweet.fields": {"created_at,edit_history_tweet_ids"}}
	var ans lookupAnswer
	_, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/tweets", query: q, out: &ans})
	return ans, err
}
