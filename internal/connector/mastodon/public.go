package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.PublicReader = (*Connector)(nil)

// publicPages bounds how many pages of statuses PublicPosts reads.
const publicPages = 10

// publicAccount is the part of the Account entity PublicProfile reads.
type publicAccount struct {
	ID             flexID `json:"id"`
	Acct           string `json:"acct"`
	DisplayName    string `json:"display_name"`
	URL            string `json:"url"`
	FollowersCount *int64 `json:"followers_count"`
	FollowingCount *int64 `json:"following_count"`
	StatusesCount  *int64 `json:"statuses_count"`
}

// publicStatus is the part of the Status entity PublicPosts reads.
type publicStatus struct {
	ID              flexID    `json:"id"`
	URI             string    `json:"uri"`
	URL             string    `json:"url"`
	CreatedAt       time.Time `json:"created_at"`
	Content         string    `json:"content"`
	FavouritesCount *int64    `json:"favourites_count"`
	ReblogsCount    *int64    `json:"reblogs_count"`
	RepliesCount    *int64    `json:"replies_count"`
	QuotesCount     *int64    `json:"quotes_count"`
}

// PublicProfile looks the handle (user or user@domain, a leading @
// dropped) up with GET /api/v1/accounts/lookup?acct= on the connected
// account's instance, which answers from what it already knows (no
// WebFinger): a remote account it never saw is not found there. A 404
// ("Record not found") is ErrNoSuchProfile.
func (c *Connector) PublicProfile(ctx context.Context, acct connector.Account, handle string) (connector.PublicProfile, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.PublicProfile{}, err
	}
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	var a publicAccount
	path := "/api/v1/accounts/lookup?" + url.Values{"acct": {handle}}.Encode()
	res, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: path, token: cr.AccessToken}, &a)
	if err != nil {
		var e *connector.Error
		if errors.As(err, &e) && e.Status == http.StatusNotFound {
			return connector.PublicProfile{}, fmt.Errorf("mastodon: %s on %s: %w", handle, cr.Instance, connector.ErrNoSuchProfile)
		}
		return connector.PublicProfile{}, err
	}
	if a.ID == "" {
		return connector.PublicProfile{}, fmt.Errorf("mastodon: GET /api/v1/accounts/lookup: %w", &connector.Error{
			Class: connector.Transient, Status: res.Status, Message: "the instance's answer to the lookup is not an account (it has no id)"})
	}
	return connector.PublicProfile{RemoteID: string(a.ID), Handle: a.Acct, DisplayName: a.DisplayName, URL: a.URL,
		Followers: known(a.FollowersCount), Following: known(a.FollowingCount), Posts: known(a.StatusesCount)}, nil
}

// PublicPosts reads GET /api/v1/accounts/:id/statuses?exclude_reblogs=true
// (limit 40, paging back with max_id) until a status older than since,
// an empty page or publicPages pages. Counts are favourites_count,
// reblogs_count, replies_count and, where the server has quotes,
// quotes_count (-1 otherwise). Pinned statuses come back in their place
// by date, so an old pinned one does not stop the paging early: a page
// stops it only when its last status is older than since.
func (c *Connector) PublicPosts(ctx context.Context, acct connector.Account, remoteID string, since time.Time) ([]connector.PublicPost, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	var out []connector.PublicPost
	maxID := ""
	for range publicPages {
		q := url.Values{"exclude_reblogs": {"true"}, "limit": {"40"}}
		if maxID != "" {
			q.Set("max_id", maxID)
		}
		var page []publicStatus
		path := "/api/v1/accounts/" + url.PathEscape(remoteID) + "/statuses?" + q.Encode()
		if _, err := c.call(ctx, cr.Instance, request{method: http.MethodGet, path: path, token: cr.AccessToken}, &page); err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, st := range page {
			if st.CreatedAt.Before(since) {
				continue
			}
			u := st.URL
			if u == "" {
				u = st.URI
			}
			out = append(out, connector.PublicPost{RemoteID: string(st.ID), URL: u, Text: HTMLText(st.Content),
				PostedAt: st.CreatedAt.UTC(), Likes: known(st.FavouritesCount), Reposts: known(st.ReblogsCount),
				Replies: known(st.RepliesCount), Quotes: known(st.QuotesCount)})
		}
		last := page[len(page)-1]
		if last.CreatedAt.Before(since) || string(last.ID) == maxID {
			break
		}
		maxID = string(last.ID)
	}
	return out, nil
}
