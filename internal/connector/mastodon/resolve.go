package mastodon

import (
	"context"
	"net/http"
	"net/url"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/herald"
)

// local returns ref as the account's server knows it. A reference read on
// another server (connector.MetaReadOn) names that server's status id, so
// the post is looked up by its address with GET /api/v2/search
// (type=statuses, resolve=true: the server fetches it from its origin if
// it has not seen it yet). So is a reference known only by its address
// (connector.MetaByAddress). The answer carries this server's id, the
// author's acct as seen from here and the visibility.
func (c *Connector) local(ctx context.Context, cr Credentials, ref herald.RemoteRef) (herald.RemoteRef, error) {
	if ref.Meta[connector.MetaByAddress] == "" {
		on := ref.Meta[connector.MetaReadOn]
		if on == "" {
			return ref, nil
		}
		from, errFrom := NormalizeInstance(on)
		here, errHere := NormalizeInstance(cr.Instance)
		if errFrom == nil && errHere == nil && from == here {
			return ref, nil
		}
	}
	address := ref.URL
	if u := ref.Meta["uri"]; u != "" {
		address = u
	}
	if address == "" {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid,
			Message: "the post has no address another server could find it by"}
	}
	q := url.Values{"q": {address}, "type": {"statuses"}, "resolve": {"true"}, "limit": {"1"}}
	var found struct {
		Statuses []status `json:"statuses"`
	}
	if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: "/api/v2/search?" + q.Encode(),
		token: cr.AccessToken}, &found); err != nil {
		return herald.RemoteRef{}, err
	}
	if len(found.Statuses) == 0 {
		return herald.RemoteRef{}, &connector.Error{Class: connector.Invalid,
			Message: hostOf(cr.Instance) + " cannot find the post " + address +
				": it is not public there (followers-only or direct), was deleted, or its server is blocked"}
	}
	st := found.Statuses[0]
	out := st.ref()
	if out.Meta == nil {
		out.Meta = map[string]string{}
	}
	out.Meta["acct"], out.Meta["visibility"] = st.Account.Acct, st.Visibility
	return out, nil
}
