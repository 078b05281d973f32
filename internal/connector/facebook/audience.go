package facebook

import (
	"context"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
)

var _ connector.AudienceReader = (*Connector)(nil)

// Audience reads the Page's followers_count (GET /{page-id}?fields=
// followers_count with the page token). fan_count, the people who like
// the Page, is Meta's older count and is not read: followers are who see
// its posts. The Page node gives neither how many posts the Page has nor
// whom it follows: -1. A Page without followers_count in the answer is -1
// too.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	var page struct {
		FollowersCount *int64 `json:"followers_count"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.PageID),
		Query: url.Values{"fields": {"followers_count"}}, Token: cr.PageToken, Out: &page}); err != nil {
		return connector.Audience{}, err
	}
	a := connector.Audience{Followers: -1, Following: -1, Posts: -1}
	if page.FollowersCount != nil {
		a.Followers = *page.FollowersCount
	}
	return a, nil
}
