package mastodon

import (
	"context"
	"fmt"
	"net/http"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.AudienceReader = (*Connector)(nil)

// audienceAccount is the part of verify_credentials' CredentialAccount
// that Audience reads. The counts are pointers: a server that leaves one
// out (or sends null) does not give it, which is not the same as zero.
type audienceAccount struct {
	ID             flexID `json:"id"`
	FollowersCount *int64 `json:"followers_count"`
	FollowingCount *int64 `json:"following_count"`
	StatusesCount  *int64 `json:"statuses_count"`
}

// Audience reads the account's followers, follows and statuses with
// GET /api/v1/accounts/verify_credentials (followers_count,
// following_count, statuses_count of the CredentialAccount, as
// docs.joinmastodon.org's accounts API methods describe). The account's
// own counts are read, so a social graph hidden from others
// (hide_collections, Akkoma's hide_followers_count) does not hide them;
// a count the server leaves out, sends as null or makes negative (a
// counter cache gone wrong) is -1, never 0. Mastodon's statuses_count
// includes boosts and leaves out direct messages.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	var me audienceAccount
	res, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v1/accounts/verify_credentials", token: cr.AccessToken}, &me)
	if err != nil {
		return connector.Audience{}, err
	}
	if me.ID == "" {
		// A JSON answer that is not an account (a proxy's, or a server
		// that is not Mastodon-API): its counts cannot be trusted.
		return connector.Audience{}, fmt.Errorf("mastodon: GET /api/v1/accounts/verify_credentials: %w",
			&connector.Error{Class: connector.Transient, Status: res.Status,
				Message: "the instance's answer to verify_credentials is not an account (it has no id)"})
	}
	return connector.Audience{
		Followers: known(me.FollowersCount),
		Following: known(me.FollowingCount),
		Posts:     known(me.StatusesCount),
	}, nil
}

// known is a count as Herald keeps it: -1 when not given.
func known(n *int64) int64 {
	if n == nil || *n < 0 {
		return -1
	}
	return *n
}
