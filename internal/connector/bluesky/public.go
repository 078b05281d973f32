package bluesky

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

// publicPages bounds how many pages of the author feed PublicPosts reads.
const publicPages = 5

// publicProfile is the part of profileViewDetailed PublicProfile reads.
type publicProfile struct {
	DID         string `json:"did"`
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
	profileCounts
}

// authorFeed is app.bsky.feed.getAuthorFeed's output.
type authorFeed struct {
	Cursor string `json:"cursor"`
	Feed   []struct {
		Post struct {
			URI    string `json:"uri"`
			Author struct {
				DID    string `json:"did"`
				Handle string `json:"handle"`
			} `json:"author"`
			Record struct {
				Text      string    `json:"text"`
				CreatedAt time.Time `json:"createdAt"`
			} `json:"record"`
			IndexedAt   time.Time `json:"indexedAt"`
			LikeCount   *int64    `json:"likeCount"`
			RepostCount *int64    `json:"repostCount"`
			ReplyCount  *int64    `json:"replyCount"`
			QuoteCount  *int64    `json:"quoteCount"`
		} `json:"post"`
		// Reason is set on a repost (reasonRepost) or a pinned post
		// (reasonPin) the feed shows out of its place.
		Reason *struct {
			Type string `json:"$type"`
		} `json:"reason"`
	} `json:"feed"`
}

// PublicProfile reads app.bsky.actor.getProfile?actor=<handle or DID>
// through the connected account's PDS (its AppView answers). An unknown
// actor is 400 InvalidRequest "Profile not found" (or an invalid handle
// "actor must be a valid did or a handle"): ErrNoSuchProfile.
func (c *Connector) PublicProfile(ctx context.Context, acct connector.Account, handle string) (connector.PublicProfile, error) {
	s, err := c.current(acct)
	if err != nil {
		return connector.PublicProfile{}, err
	}
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	const nsid = "app.bsky.actor.getProfile"
	var p publicProfile
	res, err := c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: nsid, token: s.access,
		query: url.Values{"actor": {handle}}, out: &p})
	if err != nil {
		var xe *xrpcErr
		if errors.As(err, &xe) && xe.err.Status == http.StatusBadRequest &&
			(xe.name == "InvalidRequest" || xe.name == "NotFound" || xe.name == "ActorNotFound") {
			return connector.PublicProfile{}, fmt.Errorf("bluesky: %s: %s: %w", nsid, handle, connector.ErrNoSuchProfile)
		}
		return connector.PublicProfile{}, err
	}
	if p.DID == "" {
		return connector.PublicProfile{}, missing(nsid, "did", res.Status, connector.Transient)
	}
	return connector.PublicProfile{RemoteID: p.DID, Handle: p.Handle, DisplayName: p.DisplayName,
		URL: c.webURL + "/profile/" + url.PathEscape(p.Handle), Followers: known(p.FollowersCount),
		Following: known(p.FollowsCount), Posts: known(p.PostsCount)}, nil
}

// PublicPosts reads app.bsky.feed.getAuthorFeed?actor=<DID>&filter=
// posts_no_replies (limit 100, paging with cursor) until a post older
// than since, the end of the feed or publicPages pages. Reposts (another
// author's post, or reason reasonRepost) are left out; a pinned post
// (reasonPin) is kept by its own date but does not end the paging.
// Counts are likeCount, repostCount, replyCount and quoteCount (each
// optional in the lexicon: -1 when left out).
func (c *Connector) PublicPosts(ctx context.Context, acct connector.Account, remoteID string, since time.Time) ([]connector.PublicPost, error) {
	s, err := c.current(acct)
	if err != nil {
		return nil, err
	}
	const nsid = "app.bsky.feed.getAuthorFeed"
	var out []connector.PublicPost
	cursor := ""
	for range publicPages {
		q := url.Values{"actor": {remoteID}, "filter": {"posts_no_replies"}, "limit": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page authorFeed
		if _, err := c.call(ctx, request{method: http.MethodGet, host: s.pds, nsid: nsid, token: s.access, query: q,
			out: &page}); err != nil {
			return nil, err
		}
		older := false
		for _, item := range page.Feed {
			p := item.Post
			reason := ""
			if item.Reason != nil {
				reason = item.Reason.Type
			}
			if p.Author.DID != remoteID || reason == "app.bsky.feed.defs#reasonRepost" {
				continue
			}
			at := p.Record.CreatedAt
			if at.IsZero() || at.After(p.IndexedAt) && !p.IndexedAt.IsZero() {
				at = p.IndexedAt // a createdAt in the future is not trusted
			}
			if at.Before(since) {
				if reason != "app.bsky.feed.defs#reasonPin" {
					older = true
				}
				continue
			}
			rkey := p.URI[strings.LastIndex(p.URI, "/")+1:]
			out = append(out, connector.PublicPost{RemoteID: p.URI, URL: c.postURL(p.Author.Handle, rkey), Text: p.Record.Text,
				PostedAt: at.UTC(), Likes: known(p.LikeCount), Reposts: known(p.RepostCount), Replies: known(p.ReplyCount),
				Quotes: known(p.QuoteCount)})
		}
		if older || page.Cursor == "" || len(page.Feed) == 0 {
			break
		}
		cursor = page.Cursor
	}
	return out, nil
}
