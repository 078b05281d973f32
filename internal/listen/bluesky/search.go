package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/api/bsky"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// searchPath is the AppView's post search.
const searchPath = "/xrpc/app.bsky.feed.searchPosts"

// searchPage is the most searchPosts gives per call.
const searchPage = 100

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// Error is an error answer of an XRPC endpoint: its HTTP status and the
// {error, message} body atproto services send.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Name is the XRPC error name ("InvalidRequest", "RateLimitExceeded"),
	// "" when the body had none.
	Name string
	// Message is the service's explanation, or the start of a body that
	// was not XRPC JSON.
	Message string
	// RetryAt is when a rate limit (HTTP 429) resets, from the
	// RateLimit-Reset header; zero when not given.
	RetryAt time.Time
}

// Error says what the service said.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if e.Name != "" {
		b.WriteString(" " + e.Name)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if !e.RetryAt.IsZero() {
		b.WriteString(" (retry at " + e.RetryAt.UTC().Format(time.RFC3339) + ")")
	}
	return b.String()
}

// RateLimited reports whether the service refused for a rate limit.
func (e *Error) RateLimited() bool { return e.Status == http.StatusTooManyRequests }

// Temporary reports whether the same call may succeed later: a rate limit
// or a server-side failure.
func (e *Error) Temporary() bool { return e.RateLimited() || e.Status >= 500 }

// Search asks an AppView's app.bsky.feed.searchPosts for posts matching q
// (Bluesky's search syntax: words, "phrases", #tags, from:handle) written
// since since (zero for any time), following the result's cursor until
// limit posts (at most, newest first) or the end of the results. It needs
// no authentication on a public AppView such as https://api.bsky.app.
// Posts carry the author's handle and display name; follower counts are not
// in a search result, so AuthorFollowers is -1. An error answer of the
// AppView comes back as an *Error.
func Search(ctx context.Context, client *http.Client, appview string, q string, since time.Time, limit int) ([]source.Post, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if strings.TrimSpace(q) == "" {
		return nil, errors.New("bluesky: search: empty query")
	}
	if limit <= 0 {
		return nil, nil
	}
	base, err := url.Parse(strings.TrimRight(strings.TrimSpace(appview), "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("bluesky: search: AppView %q is not an http(s) URL", appview)
	}
	var (
		posts  []source.Post
		cursor string
	)
	for len(posts) < limit {
		page, next, err := searchOnce(ctx, client, base, q, since, cursor, min(limit-len(posts), searchPage))
		if err != nil {
			return posts, fmt.Errorf("bluesky: search %q: %w", q, err)
		}
		posts = append(posts, page...)
		if next == "" || next == cursor || len(page) == 0 {
			break
		}
		cursor = next
	}
	if len(posts) > limit {
		posts = posts[:limit]
	}
	return posts, nil
}

// searchOnce fetches one page of results.
func searchOnce(ctx context.Context, client *http.Client, base *url.URL, q string, since time.Time, cursor string, n int) ([]source.Post, string, error) {
	v := url.Values{"q": {q}, "limit": {strconv.Itoa(n)}, "sort": {"latest"}}
	if !since.IsZero() {
		v.Set("since", since.UTC().Format(time.RFC3339))
	}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	u := *base
	u.Path += searchPath
	u.RawQuery = v.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, "", responseError(res)
	}
	var out bsky.FeedSearchPosts_Output
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, "", fmt.Errorf("decode the answer: %w", err)
	}
	seen := time.Now().UTC()
	posts := make([]source.Post, 0, len(out.Posts))
	for _, pv := range out.Posts {
		if p, ok := postFromView(pv, seen); ok {
			posts = append(posts, p)
		}
	}
	var next string
	if out.Cursor != nil {
		next = *out.Cursor
	}
	return posts, next, nil
}

// postFromView maps a search hit to a source.Post; ok is false for a view
// that is not of a post record.
func postFromView(pv *bsky.FeedDefs_PostView, seen time.Time) (source.Post, bool) {
	if pv == nil || pv.Author == nil || pv.Record == nil {
		return source.Post{}, false
	}
	rec, ok := pv.Record.Val.(*bsky.FeedPost)
	if !ok {
		return source.Post{}, false
	}
	did, rkey, ok := splitPostURI(pv.Uri)
	if !ok {
		return source.Post{}, false
	}
	indexed := parseCreatedAt(pv.IndexedAt, seen)
	p := newPost(did, rkey, pv.Cid, rec, seen)
	p.PostedAt = parseCreatedAt(rec.CreatedAt, indexed)
	if h := pv.Author.Handle; h != "handle.invalid" {
		p.AuthorHandle = h
	}
	if pv.Author.DisplayName != nil {
		p.AuthorName = *pv.Author.DisplayName
	}
	return p, true
}

// responseError reads an error answer: the XRPC {error, message} body
// where there is one, and for a 429 when the limit resets.
func responseError(res *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	e := &Error{Status: res.StatusCode}
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(b, &body) == nil && (body.Error != "" || body.Message != "") {
		e.Name, e.Message = body.Error, body.Message
	} else {
		e.Message = strings.TrimSpace(string(b))
		if len(e.Message) > 200 {
			e.Message = e.Message[:200] + "…"
		}
	}
	if res.StatusCode == http.StatusTooManyRequests {
		e.RetryAt = retryAt(res.Header, time.Now())
	}
	return e
}

// retryAt reads when a rate limit resets: RateLimit-Reset (Unix seconds,
// as Bluesky sends it) or else Retry-After (seconds or an HTTP date).
func retryAt(h http.Header, now time.Time) time.Time {
	if s := strings.TrimSpace(h.Get("RateLimit-Reset")); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
			if n < 1e9 { // a delta in seconds, as the IETF draft has it
				return now.Add(time.Duration(n) * time.Second)
			}
			return time.Unix(n, 0).UTC()
		}
	}
	if s := strings.TrimSpace(h.Get("Retry-After")); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			return now.Add(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
