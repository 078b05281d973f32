package fake

import (
	"context"
	"fmt"
	"net/http"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.AudienceReader = (*Connector)(nil)

// credentialAccount is the part of verify_credentials' answer Audience
// reads. The counts are pointers: one left out (or null) is not given.
type credentialAccount struct {
	ID             string `json:"id"`
	FollowersCount *int64 `json:"followers_count"`
	FollowingCount *int64 `json:"following_count"`
	StatusesCount  *int64 `json:"statuses_count"`
}

// Audience reads the account's followers, follows and posts with
// GET /api/v1/accounts/verify_credentials (followers_count,
// following_count and statuses_count, in Mastodon's shape). A count the
// platform leaves out, sends as null or makes negative is -1, never 0.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	const path = "/api/v1/accounts/verify_credentials"
	var me credentialAccount
	res, err := c.call(ctx, cr, http.MethodGet, path, nil, "", nil, &me)
	if err != nil {
		return connector.Audience{}, err
	}
	if me.ID == "" {
		return connector.Audience{}, fmt.Errorf("fake: GET %s: %w", path, &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: "the platform's answer to verify_credentials is not an account (it has no id)"})
	}
	return connector.Audience{Followers: known(me.FollowersCount), Following: known(me.FollowingCount), Posts: known(me.StatusesCount)}, nil
}

// known is a count as Herald keeps it: -1 when not given.
func known(n *int64) int64 {
	if n == nil || *n < 0 {
		return -1
	}
	return *n
}
