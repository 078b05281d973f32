package threads

import (
	"context"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.AudienceReader = (*Connector)(nil)

// Audience reads the profile's follower count from its user insights
// (GET /{threads-user-id}/threads_insights?metric=followers_count, the
// total in total_value), which needs threads_manage_insights (asked for
// when connecting: see Permissions). The Threads API gives neither how
// many profiles the account follows nor how many posts it has: -1, as is
// a followers_count missing from the answer.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	var ins struct {
		Data []struct {
			Name       string `json:"name"`
			TotalValue *struct {
				Value int64 `json:"value"`
			} `json:"total_value"`
			Values []struct {
				Value int64 `json:"value"`
			} `json:"values"`
		} `json:"data"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/" + url.PathEscape(cr.UserID) + "/threads_insights",
		query: url.Values{"metric": {"followers_count"}}, token: cr.AccessToken, out: &ins}); err != nil {
		return connector.Audience{}, err
	}
	a := connector.Audience{Followers: -1, Following: -1, Posts: -1}
	for _, d := range ins.Data {
		if d.Name != "followers_count" {
			continue
		}
		switch {
		case d.TotalValue != nil:
			a.Followers = d.TotalValue.Value
		case len(d.Values) > 0:
			a.Followers = d.Values[len(d.Values)-1].Value // a time series: the latest
		}
	}
	return a, nil
}
