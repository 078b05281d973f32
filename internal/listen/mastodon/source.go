// Package mastodon is Herald's listening source for servers that speak the
// Mastodon client API (Mastodon, GoToSocial, Pleroma, Akkoma): the public
// statuses with a hashtag, read from the hashtag timeline
// (GET /api/v1/timelines/tag/:hashtag, Poll), followed live on the
// streaming API (GET /api/v1/streaming/hashtag, Stream, falling back to
// polling where the server has no server-sent events) and found by words
// with status search (GET /api/v2/search?type=statuses, Search, only where
// the server has full-text search). Capabilities says which of these an
// instance offers. docs/platforms/mastodon-listening.md has the details.
package mastodon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// Config says which instance and hashtag a Source listens to.
type Config struct {
	// Instance is the server's base URL (https://example.social).
	Instance string
	// Token is a connected account's access token; "" listens
	// anonymously, which public hashtag timelines may allow but Mastodon's
	// streaming (since 4.2) and status search do not.
	Token string
	// Tag is the hashtag, without '#'.
	Tag string
	// Local keeps only statuses of the instance's own accounts.
	Local bool
	// PageSize is how many statuses one timeline call asks for (default
	// and most 40, Mastodon's limit).
	PageSize int
	// MaxPages bounds the pages one Poll reads (default 10).
	MaxPages int
	// PollInterval is how often Stream polls a server without streaming
	// (default a minute).
	PollInterval time.Duration
	// StreamRecheck is how long Stream polls a server without streaming
	// before it tries the stream again (a server may have been restarted
	// with it; default 30 minutes).
	StreamRecheck time.Duration
	// FlushEvery and FlushSize bound how long and how many posts Stream
	// holds before it hands them to the sink (default 250 ms, 100).
	FlushEvery time.Duration
	FlushSize  int
	// MinBackoff and MaxBackoff bound Stream's wait before reconnecting,
	// doubled after each failure, with jitter (default 1 s and 60 s).
	MinBackoff, MaxBackoff time.Duration
}

// Option adjusts a Source.
type Option func(*Source)

// WithClock sets the clock (default time.Now), used for rate-limit resets
// and SeenAt.
func WithClock(now func() time.Time) Option { return func(s *Source) { s.now = now } }

// WithSleep sets how the source waits (default a timer that ctx cuts
// short), so tests can see and skip rate-limit waits.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(s *Source) { s.sleep = sleep }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Source) { s.log = l } }

// Source reads one hashtag on one instance. It is safe for concurrent use.
type Source struct {
	cfg    Config
	client *http.Client
	base   string // Instance without a trailing '/'
	host   string // its host (and port)
	now    func() time.Time
	sleep  func(ctx context.Context, d time.Duration) error
	log    *slog.Logger

	mu        sync.Mutex
	notBefore time.Time // no call before: the rate limit's reset
	info      instanceInfo
	infoOK    bool
}

// New returns a source for cfg, calling the instance with client.
func New(client *http.Client, cfg Config, opts ...Option) (*Source, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.Instance))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("mastodon: the instance %q is not an http(s) URL", cfg.Instance)
	}
	cfg.Tag = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(cfg.Tag), "#"))
	if cfg.Tag == "" || strings.ContainsAny(cfg.Tag, " /?#") {
		return nil, fmt.Errorf("mastodon: %q is not a hashtag", cfg.Tag)
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 40 {
		cfg.PageSize = 40
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = 10
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Minute
	}
	if cfg.StreamRecheck <= 0 {
		cfg.StreamRecheck = 30 * time.Minute
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 250 * time.Millisecond
	}
	if cfg.FlushSize <= 0 {
		cfg.FlushSize = 100
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
	s := &Source{cfg: cfg, client: client, base: strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), host: u.Host,
		now: time.Now, sleep: sleepCtx, log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// Name is the stream the cursors belong to: "mastodon-tag:{host}#{tag}"
// ("mastodon-tag-local:…" with Config.Local).
func (s *Source) Name() string {
	if s.cfg.Local {
		return "mastodon-tag-local:" + s.host + "#" + s.cfg.Tag
	}
	return "mastodon-tag:" + s.host + "#" + s.cfg.Tag
}

// timelineURL is the hashtag timeline's address with params.
func (s *Source) timelineURL(params url.Values) string {
	params.Set("limit", strconv.Itoa(s.cfg.PageSize))
	if s.cfg.Local {
		params.Set("local", "true")
	}
	return s.base + "/api/v1/timelines/tag/" + url.PathEscape(s.cfg.Tag) + "?" + params.Encode()
}

// Poll reads the hashtag timeline after cursor (the newest status id
// delivered so far: a decimal number on Mastodon, a ULID on GoToSocial)
// and returns the statuses oldest first, with the newest id as the
// batch's cursor (cursor itself when nothing is new). It walks forward
// with min_id, following the Link header's rel="prev" where the server
// sends one, so no status between cursor and the newest is skipped, for
// at most Config.MaxPages pages; call it again while the batch is full
// (len(Posts) == PageSize*MaxPages) to catch up. With cursor "" it
// returns only the newest page: history before the listening started is
// not walked.
func (s *Source) Poll(ctx context.Context, cursor string) (source.Batch, error) {
	p, err := s.poll(ctx, cursor, s.cfg.MaxPages)
	return source.Batch{Source: s.Name(), Posts: p.posts, Cursor: p.cursor}, err
}

// polled is what poll read: posts (oldest first) with their status ids,
// the newest id, and whether more may wait after the last page read.
type polled struct {
	posts  []source.Post
	ids    []string
	cursor string
	more   bool
}

// poll is Poll reading at most pages pages; on an error it returns what
// it read before.
func (s *Source) poll(ctx context.Context, cursor string, pages int) (polled, error) {
	info := s.instance(ctx)
	var out polled
	first := cursor == ""
	params := url.Values{}
	if !first {
		params.Set("min_id", cursor)
	}
	link := s.timelineURL(params)
	for i := range pages {
		var page []status
		h, err := s.get(ctx, link, &page)
		if err != nil {
			out.cursor = cursor
			return out, err
		}
		slices.SortFunc(page, func(a, b status) int { return idCmp(a.ID, b.ID) }) // oldest first
		seen := s.now().UTC()
		for i := range page {
			if !first && cursor != "" && idCmp(page[i].ID, cursor) <= 0 {
				continue // a server that ignored min_id
			}
			if page[i].Reblog == nil {
				out.posts = append(out.posts, page[i].post(info.domain, s.host, seen))
				out.ids = append(out.ids, page[i].ID)
			}
		}
		if n := len(page); n > 0 && idCmp(page[n-1].ID, cursor) > 0 {
			cursor = page[n-1].ID
		}
		if first || len(page) < s.cfg.PageSize {
			break // the newest page (a first poll), or nothing newer
		}
		out.more = i == pages-1
		link = s.sameHost(prevLink(h))
		if link == "" {
			link = s.timelineURL(url.Values{"min_id": {cursor}})
		}
	}
	out.cursor = cursor
	return out, nil
}

// sameHost returns link if it points at the instance, else "": a Link
// header does not send the token elsewhere.
func (s *Source) sameHost(link string) string {
	u, err := url.Parse(link)
	if err != nil || u.Host != s.host || !strings.HasPrefix(u.Path, "/api/v1/timelines/tag/") {
		return ""
	}
	return link
}

// ErrNoStatusSearch is Search's answer when it cannot search: without a
// token, where Mastodon offers no full-text search.
var ErrNoStatusSearch = errors.New("mastodon: status search needs an account's token")

// Search finds up to limit statuses containing q with
// GET /api/v2/search?type=statuses, as many pages (offset) as it takes.
// What it finds depends on the server: Mastodon searches statuses by
// their words only with full-text search (Elasticsearch or OpenSearch)
// set up, and then only public statuses of accounts that opted in and
// statuses the account interacted with; a server without it answers no
// statuses, never an error (see Capabilities).
func (s *Source) Search(ctx context.Context, q string, limit int) ([]source.Post, error) {
	if s.cfg.Token == "" {
		return nil, ErrNoStatusSearch
	}
	q = strings.TrimSpace(q)
	if q == "" || limit <= 0 {
		return nil, nil
	}
	info := s.instance(ctx)
	var out []source.Post
	for offset := 0; len(out) < limit; {
		n := min(limit-len(out), 40)
		params := url.Values{"q": {q}, "type": {"statuses"}, "limit": {strconv.Itoa(n)}}
		if offset > 0 {
			params.Set("offset", strconv.Itoa(offset))
		}
		var res struct {
			Statuses []status `json:"statuses"`
		}
		if _, err := s.get(ctx, s.base+"/api/v2/search?"+params.Encode(), &res); err != nil {
			return out, err
		}
		seen := s.now().UTC()
		for i := range res.Statuses {
			out = append(out, res.Statuses[i].post(info.domain, s.host, seen))
		}
		if len(res.Statuses) < n {
			break
		}
		offset += len(res.Statuses)
	}
	return out, nil
}
