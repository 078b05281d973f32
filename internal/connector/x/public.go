package x

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

var _ connector.PublicReader = (*Connector)(nil)

// publicPages bounds how many pages of 100 posts PublicPosts reads.
const publicPages = 5

// usernamePattern is the username path parameter's pattern in the API's
// OpenAPI document.
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// publicUser is GET /2/users/by/username/:username's answer: the user, or
// (with HTTP 200) errors saying why there is none.
type publicUser struct {
	Data *struct {
		ID            string       `json:"id"`
		Name          string       `json:"name"`
		Username      string       `json:"username"`
		PublicMetrics *userMetrics `json:"public_metrics"`
	} `json:"data"`
	Errors []struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	} `json:"errors"`
}

// PublicProfile reads GET /2/users/by/username/:username?user.fields=
// public_metrics. X answers an unknown (or suspended) username with HTTP
// 200 and a resource-not-found (resource-unavailable) problem in errors;
// both, and a username X's pattern refuses, are ErrNoSuchProfile.
func (c *Connector) PublicProfile(ctx context.Context, acct connector.Account, handle string) (connector.PublicProfile, error) {
	cr, err := creds(acct)
	if err != nil {
		return connector.PublicProfile{}, err
	}
	handle = strings.TrimPrefix(strings.TrimSpace(handle), "@")
	if !usernamePattern.MatchString(handle) {
		return connector.PublicProfile{}, fmt.Errorf("x: %q is not an X username (1 to 15 letters, digits or _): %w", handle,
			connector.ErrNoSuchProfile)
	}
	var out publicUser
	path := "/2/users/by/username/" + url.PathEscape(handle)
	res, err := c.call(ctx, cr, request{method: http.MethodGet, path: path, query: url.Values{"user.fields": {"public_metrics"}}, out: &out})
	if err != nil {
		return connector.PublicProfile{}, err
	}
	if out.Data == nil || out.Data.ID == "" {
		for _, e := range out.Errors {
			if strings.HasSuffix(e.Type, "/resource-not-found") || strings.HasSuffix(e.Type, "/resource-unavailable") {
				return connector.PublicProfile{}, fmt.Errorf("x: GET %s: %s: %w", path, e.Detail, connector.ErrNoSuchProfile)
			}
		}
		return connector.PublicProfile{}, fmt.Errorf("x: GET %s: %w", path, &connector.Error{Class: connector.Transient,
			Status: res.Status, Message: "X's answer about the username names no user"})
	}
	p := connector.PublicProfile{RemoteID: out.Data.ID, Handle: out.Data.Username, DisplayName: out.Data.Name,
		URL: "https://x.com/" + out.Data.Username, Followers: -1, Following: -1, Posts: -1}
	if m := out.Data.PublicMetrics; m != nil {
		p.Followers, p.Following, p.Posts = count(m.FollowersCount), count(m.FollowingCount), count(m.TweetCount, m.PostCount)
	}
	return p, nil
}

// PublicPosts reads GET /2/users/:id/tweets?tweet.fields=public_metrics,
// created_at&exclude=retweets,replies&start_time=<since>&max_results=100,
// following meta.next_token for at most publicPages pages. When
// x-rate-limit-remaining says no call is left before a further page is
// needed, it stops with a RateLimited error whose wait is
// x-rate-limit-reset's, rather than send a call X would refuse; a 429 is
// RateLimited the same way.
func (c *Connector) PublicPosts(ctx context.Context, acct connector.Account, remoteID string, since time.Time) ([]connector.PublicPost, error) {
	cr, err := creds(acct)
	if err != nil {
		return nil, err
	}
	path := "/2/users/" + url.PathEscape(remoteID) + "/tweets"
	var posts []connector.PublicPost
	next := ""
	for range publicPages {
		q := url.Values{"tweet.fields": {"public_metrics,created_at"}, "exclude": {"retweets,replies"}, "max_results": {"100"}}
		if !since.IsZero() {
			q.Set("start_time", since.UTC().Format(time.RFC3339))
		}
		if next != "" {
			q.Set("pagination_token", next)
		}
		var out struct {
			Data []lookupPost `json:"data"`
			Meta struct {
				NextToken string `json:"next_token"`
			} `json:"meta"`
		}
		res, err := c.call(ctx, cr, request{method: http.MethodGet, path: path, query: q, out: &out})
		if err != nil {
			return nil, err
		}
		for _, p := range out.Data {
			at, err := time.Parse(time.RFC3339, p.CreatedAt)
			if err != nil || at.Before(since) {
				continue
			}
			m := p.metrics(at)
			posts = append(posts, connector.PublicPost{RemoteID: p.ID, URL: "https://x.com/i/web/status/" + p.ID, Text: p.Text,
				PostedAt: at.UTC(), Likes: m.Likes, Reposts: m.Reposts, Replies: m.Replies, Quotes: m.Quotes})
		}
		next = out.Meta.NextToken
		if next == "" {
			return posts, nil
		}
		if res.Header.Get("x-rate-limit-remaining") == "0" {
			return nil, fmt.Errorf("x: GET %s: %w", path, &connector.Error{Class: connector.RateLimited, Status: res.Status,
				RetryAfter: connector.ParseRetryAfter(res.Header, c.now()), Limit: connector.ParseRateLimit(res.Header),
				Message: "X's rate limit for reading posts is used up until its reset; the rest are read later"})
		}
	}
	return posts, nil
}
