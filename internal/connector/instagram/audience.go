package instagram

import (
	"context"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/connector/metagraph"
)

var _ connector.AudienceReader = (*Connector)(nil)

// Audience reads the account's counts from its IG User node (GET
// /{ig-user-id}?fields=followers_count,follows_count,media_count with the
// linked Page's token): who follows it, whom it follows and how many
// media it has published. A count Meta leaves out is -1.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	var user struct {
		FollowersCount *int64 `json:"followers_count"`
		FollowsCount   *int64 `json:"follows_count"`
		MediaCount     *int64 `json:"media_count"`
	}
	if _, err := c.graph.Do(ctx, metagraph.Request{Method: http.MethodGet, Path: "/" + url.PathEscape(cr.IGUserID),
		Query: url.Values{"fields": {"followers_count,follows_count,media_count"}}, Token: cr.PageToken, Out: &user}); err != nil {
		return connector.Audience{}, err
	}
	return connector.Audience{Followers: deref(user.FollowersCount), Following: deref(user.FollowsCount),
		Posts: deref(user.MediaCount)}, nil
}
