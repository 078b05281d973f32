// Package x is Herald's listening source for X: the public posts that a
// search query finds, read with X API v2 recent search
// (GET /2/tweets/search/recent) and the connected account's user access
// token, polled (Poll, Run) from the newest post delivered (since_id). Build
// turns a workspace's listening topics into queries within X's length
// limit; Capabilities says whether the account's API access includes
// recent search and what the queries leave out.
// docs/platforms/x-listening.md has the details.
package x

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	xconn "github.com/heraldsocial/herald/internal/connector/x"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// Fields the source asks X for.
const (
	tweetFields = "created_at,lang,conversation_id,referenced_tweets,entities,author_id"
	userFields  = "username,name,public_metrics"
)

// Config says what a Source searches for and how often.
type Config struct {
	// BaseURL is X's API address (default https://api.x.com).
	BaseURL string
	// Name is the stream the cursors belong to (Batch.Source); default
	// "x-search:" and the first 12 hex digits of the query's SHA-256.
	Name string
	// Query is the search query (see Build), at most the access level's
	// limit long.
	Query string
	// Token is the account's user access token; TokenSource, when set, is
	// asked for it instead before each poll and again after a 401, so a
	// token the refresh job replaced is picked up.
	Token       string
	TokenSource func(ctx context.Context) (string, error)
	// Omitted says what Query leaves out of the topics it stands for
	// (Plan.Omitted); Capabilities shows it.
	Omitted []string
	// MaxResults is the posts one page asks for (10 to 100; default 100).
	MaxResults int
	// PollInterval is how often Run polls (default a minute); the
	// rate-limit headers can make the wait longer, never shorter.
	PollInterval time.Duration
	// FirstPages bounds the pages a poll without a cursor reads: that
	// poll reads only the posts of the last PollInterval (default 5
	// pages, 500 posts at most).
	FirstPages int
	// MaxPages bounds the pages one poll reads after a cursor (default
	// 10); the posts beyond are read by the next poll (a connector.Gap
	// cursor), so none is skipped.
	MaxPages int
	// MinBackoff and MaxBackoff bound Run's wait after a failure (a
	// network error, a 5xx), doubled after each one, with jitter (default
	// 1 s and 60 s).
	MinBackoff, MaxBackoff time.Duration
}

// Option adjusts a Source.
type Option func(*Source)

// WithClock sets the clock (default time.Now), used for rate-limit
// resets, the first poll's window and SeenAt.
func WithClock(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithSleep sets how the source waits (default a timer that ctx cuts
// short), so tests can see and skip the waits.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(s *Source) { s.sleep = sleep }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Source) { s.log = l } }

// Stats counts what a Source did since it was made.
type Stats struct {
	Requests    int64 // search calls answered
	Posts       int64 // posts delivered or returned by Poll
	Malformed   int64 // answers and posts that were not the expected JSON, skipped
	RateLimited int64 // 429 answers waited out
	Retweets    int64 // reposts X returned despite -is:retweet, skipped
}

// Source searches X for one query. It is safe for concurrent use.
type Source struct {
	cfg   Config
	base  string
	name  string
	hc    *http.Client
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	log   *slog.Logger

	mu        sync.Mutex
	token     string    // the token in use
	remaining int       // x-rate-limit-remaining of the last answer, -1 unknown
	reset     time.Time // x-rate-limit-reset of the last answer
	notBefore time.Time // no call before: a 429's reset
	observed  Capability
	// windowFrom is where the next poll without a cursor starts, when an
	// earlier one found nothing.
	windowFrom time.Time

	requests, delivered, malformed, limited, retweets atomic.Int64
}

// New returns a source for cfg, calling X with client (nil:
// http.DefaultClient).
func New(client *http.Client, cfg Config, opts ...Option) (*Source, error) {
	cfg.Query = strings.TrimSpace(cfg.Query)
	if cfg.Query == "" {
		return nil, errors.New("x search: the query is empty")
	}
	if cfg.Token == "" && cfg.TokenSource == nil {
		return nil, errors.New("x search: no access token: recent search needs a connected X account")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = xconn.DefaultBaseURL
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("x search: the API address %q is not an http(s) URL", cfg.BaseURL)
	}
	if cfg.MaxResults < 10 || cfg.MaxResults > 100 {
		cfg.MaxResults = 100
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Minute
	}
	if cfg.FirstPages <= 0 {
		cfg.FirstPages = 5
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 10
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(time.Minute, cfg.MinBackoff)
	}
	if client == nil {
		client = http.DefaultClient
	}
	name := cfg.Name
	if name == "" {
		sum := sha256.Sum256([]byte(cfg.Query))
		name = "x-search:" + hex.EncodeToString(sum[:6])
	}
	s := &Source{cfg: cfg, base: strings.TrimRight(cfg.BaseURL, "/"), name: name, hc: client, now: time.Now,
		sleep: sleepCtx, log: slog.Default(), token: cfg.Token, remaining: -1}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Name is the stream the cursors belong to (Config.Name).
func (s *Source) Name() string { return s.name }

// Query is the search query.
func (s *Source) Query() string { return s.cfg.Query }

// Stats returns the counts so far.
func (s *Source) Stats() Stats {
	return Stats{Requests: s.requests.Load(), Posts: s.delivered.Load(), Malformed: s.malformed.Load(),
		RateLimited: s.limited.Load(), Retweets: s.retweets.Load()}
}

// Poll searches for the posts after cursor and returns them oldest first,
// each once, with the cursor to poll from next (cursor itself when
// nothing is new). cursor is the newest post id delivered (since_id), or
// a connector.Gap when the last poll stopped at Config.MaxPages with
// older posts still to read: those are read first (since_id and
// until_id), then the poll goes on from the gap's newest id. With cursor
// "" only the posts of the last Config.PollInterval (since an earlier
// empty first poll of this source, if any) are read, at most
// Config.FirstPages pages: listening does not read history.
//
// A page that is not the expected JSON ends the poll (counted in
// Stats.Malformed): the posts before it are returned with a cursor that
// reads the rest next time. An error returns the posts read before it,
// with such a cursor.
func (s *Source) Poll(ctx context.Context, cursor string) (source.Batch, error) {
	p, err := s.poll(ctx, cursor)
	s.delivered.Add(int64(len(p.posts)))
	return source.Batch{Source: s.name, Posts: p.posts, Cursor: p.cursor}, err
}

// polled is what one poll read.
type polled struct {
	posts  []source.Post // oldest first
	cursor string
	more   bool // a gap is left: poll again at once
}

// poll is Poll.
func (s *Source) poll(ctx context.Context, cursor string) (polled, error) {
	since, until, gapNewest := cursor, "", ""
	if g, ok := connector.ParseGap(cursor); ok {
		since, until, gapNewest = g.Since, g.Resume, g.Newest
	}
	first := since == "" && until == ""
	s.forgetToken() // read it again: the refresh job may have replaced it
	q := url.Values{"query": {s.cfg.Query}, "max_results": {strconv.Itoa(s.cfg.MaxResults)},
		"tweet.fields": {tweetFields}, "expansions": {"author_id"}, "user.fields": {userFields}}
	pages := s.cfg.MaxPages
	var from time.Time
	if first {
		from = s.windowStart()
		q.Set("start_time", from.UTC().Format(time.RFC3339))
		pages = s.cfg.FirstPages
	}
	if since != "" {
		q.Set("since_id", since)
	}
	if until != "" {
		q.Set("until_id", until)
	}
	var all []source.Post // newest first, as X answers
	seen := map[string]bool{}
	newest, oldest := "", "" // the ids read (posts skipped included)
	// stop returns what was read and the cursor to go on from: complete
	// says every page was read, more that the next poll should follow at
	// once (the rest of a span waits).
	stop := func(complete, more bool) polled {
		p := polled{posts: reverse(all), cursor: cursor}
		switch {
		case newest == "" && complete && until != "":
			p.cursor, p.more = orNewer(gapNewest, since), true // the gap held nothing
		case newest == "":
		case first:
			p.cursor = newest // the rest of the window is let go: no history
		case complete && until != "":
			p.cursor, p.more = orNewer(gapNewest, since), true
		case complete:
			p.cursor = orNewer(newest, since)
		case until != "":
			p.cursor, p.more = connector.Gap{Since: since, Resume: oldest, Newest: orNewer(gapNewest, since)}.String(), more
		default:
			p.cursor, p.more = connector.Gap{Since: since, Resume: oldest, Newest: orNewer(newest, since)}.String(), more
		}
		return p
	}
	for page := 0; ; page++ {
		ans, err := s.search(ctx, q)
		if err != nil {
			return stop(false, false), err
		}
		if ans == nil { // not the expected JSON: counted, read again next poll
			return stop(false, false), nil
		}
		for _, id := range []string{ans.Meta.NewestID, ans.Meta.OldestID} {
			if isID(id) {
				newest, oldest = orNewer(newest, id), orOlder(oldest, id)
			}
		}
		for _, p := range s.posts(ans) {
			newest, oldest = orNewer(newest, p.RemoteID), orOlder(oldest, p.RemoteID)
			if !seen[p.RemoteID] {
				seen[p.RemoteID] = true
				all = append(all, p)
			}
		}
		if ans.Meta.NextToken == "" {
			break
		}
		if page == pages-1 {
			if first {
				break // no history beyond the first pages
			}
			return stop(false, true), nil
		}
		q.Set("next_token", ans.Meta.NextToken)
	}
	if first {
		s.mu.Lock()
		if newest == "" {
			s.windowFrom = from // the next first poll covers this window again
		} else {
			s.windowFrom = time.Time{}
		}
		s.mu.Unlock()
	}
	return stop(true, false), nil
}

// windowStart is where a poll without a cursor starts reading: a
// PollInterval ago, or where an earlier empty one started (within X's
// 7 days).
func (s *Source) windowStart() time.Time {
	now := s.now()
	from := now.Add(-s.cfg.PollInterval)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.windowFrom.IsZero() && s.windowFrom.Before(from) {
		from = s.windowFrom
	}
	if oldest := now.Add(-7*24*time.Hour + time.Minute); from.Before(oldest) {
		from = oldest
	}
	return from
}

// orNewer is the newer of two ids ("" is older than any); orOlder the
// older ("" is newer than any).
func orNewer(a, b string) string {
	if idCmp(a, b) >= 0 {
		return a
	}
	return b
}

func orOlder(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case idCmp(a, b) <= 0:
		return a
	}
	return b
}

func reverse(ps []source.Post) []source.Post {
	out := make([]source.Post, 0, len(ps))
	for i := len(ps) - 1; i >= 0; i-- {
		out = append(out, ps[i])
	}
	return out
}

// idCmp orders X's post ids (decimal snowflakes): by length, then bytes.
func idCmp(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// isID reports whether s looks like an X post id.
func isID(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
