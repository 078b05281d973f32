package bluesky

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.AudienceReader = (*Connector)(nil)

// profileCounts is the part of app.bsky.actor.defs#profileViewDetailed
// that Audience reads. The lexicon makes every count optional: one left
// out is not given, which is not the same as zero.
type profileCounts struct {
	DID            string `json:"did"`
	FollowersCount *int64 `json:"followersCount"`
	FollowsCount   *int64 `json:"followsCount"`
	PostsCount     *int64 `json:"postsCount"`
}

// Audience reads the account's followers, follows and posts with
// app.bsky.actor.getProfile?actor=<the account's DID> (followersCount,
// followsCount, postsCount of profileViewDetailed), through the PDS,
// which asks its AppView, as Metrics does. The counts are the AppView's:
// they follow the network with a short delay. A count the AppView leaves
// out (or makes negative) is -1, never 0.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	s, err := c.current(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	const nsid = "app.bsky.actor.getProfile"
	var p profileCounts
	res, err := c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: nsid, token: s.access,
		query: url.Values{"actor": {s.did}}, out: &p})
	if err != nil {
		return connector.Audience{}, err
	}
	if p.DID != s.did {
		// Not the account's profile (or not a profile at all): its
		// counts would be someone else's.
		return connector.Audience{}, fmt.Errorf("bluesky: %s: %w", nsid, &connector.Error{Class: connector.Transient, Status: res.Status,
			Message: fmt.Sprintf("Bluesky answered with the profile of %q, not of the account %s", p.DID, s.did)})
	}
	return connector.Audience{Followers: known(p.FollowersCount), Following: known(p.FollowsCount), Posts: known(p.PostsCount)}, nil
}

// known is a count as Herald keeps it: -1 when not given.
func known(n *int64) int64 {
	if n == nil || *n < 0 {
		return -1
	}
	return *n
}
