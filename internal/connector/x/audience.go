package x

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.AudienceReader = (*Connector)(nil)

// userMetrics is a user's public_metrics. X's guides name the post count
// tweet_count; the OpenAPI document names it post_count: both are read.
type userMetrics struct {
	FollowersCount *int64 `json:"followers_count"`
	FollowingCount *int64 `json:"following_count"`
	TweetCount     *int64 `json:"tweet_count"`
	PostCount      *int64 `json:"post_count"`
}

// Audience reads the account's followers, following and posts from
// GET /2/users/me?user.fields=public_metrics (followers_count,
// following_count, tweet_count or post_count). A count X leaves out is
// -1. Failures come classified as every other call's (a 429 with the wait
// from x-rate-limit-reset, a 401 as an expired or revoked token).
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	var out struct {
		Data *struct {
			ID            string       `json:"id"`
			PublicMetrics *userMetrics `json:"public_metrics"`
		} `json:"data"`
	}
	q := url.Values{"user.fields": {"public_metrics"}}
	if _, err := c.call(ctx, cr, request{method: http.MethodGet, path: "/2/users/me", query: q, out: &out}); err != nil {
		return connector.Audience{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		return connector.Audience{}, fmt.Errorf("x: GET /2/users/me: %w", &connector.Error{Class: connector.Transient,
			Status: http.StatusOK, Message: "X's answer about the account names no user"})
	}
	a := connector.Audience{Followers: -1, Following: -1, Posts: -1}
	if m := out.Data.PublicMetrics; m != nil {
		a.Followers = count(m.FollowersCount)
		a.Following = count(m.FollowingCount)
		a.Posts = count(m.TweetCount, m.PostCount)
	}
	return a, nil
}
