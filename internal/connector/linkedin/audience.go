package linkedin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.AudienceReader = (*Connector)(nil)

// followedByMember is the networkSizes edgeType that counts an
// organization's followers (COMPANY_FOLLOWED_BY_MEMBER since version
// 202305; CompanyFollowedByMember before).
const followedByMember = "COMPANY_FOLLOWED_BY_MEMBER"

// Audience reads an organization page's follower count (GET
// /rest/networkSizes/{organization urn}?edgeType=COMPANY_FOLLOWED_BY_MEMBER,
// firstDegreeSize). LinkedIn gives no count of the posts a page has or of
// what it follows: -1. A member's followers and connections are open to
// no app outside LinkedIn's partner programmes, so a member account is
// all -1, without a call.
func (c *Connector) Audience(ctx context.Context, acct connector.Account) (connector.Audience, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.Audience{}, err
	}
	a := connector.Audience{Followers: -1, Following: -1, Posts: -1}
	if !isOrg(cr.Author) {
		return a, nil
	}
	var size struct {
		FirstDegreeSize *int64 `json:"firstDegreeSize"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/networkSizes/" + esc(cr.Author),
		query: url.Values{"edgeType": {followedByMember}}, token: cr.AccessToken, out: &size}); err != nil {
		return connector.Audience{}, fmt.Errorf("linkedin: GET /rest/networkSizes for %s: %w", cr.Author, err)
	}
	if size.FirstDegreeSize != nil {
		a.Followers = *size.FirstDegreeSize
	}
	return a, nil
}
