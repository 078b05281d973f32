package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// errNoStream says the server has no server-sent events stream to offer
// this source (404, 405, 501, 400, or 401 without a token).
var errNoStream = errors.New("mastodon: the server offers no hashtag stream")

// sinkError is a sink's refusal: it stops Stream.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return "mastodon: the sink refused a batch: " + e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// maxSeen bounds how many delivered status ids Stream remembers to drop
// repeats (a status both caught up on and streamed).
const maxSeen = 10000

// deliverer batches posts for the sink, drops repeats and keeps the cursor.
type deliverer struct {
	s       *Source
	sink    source.Sink
	cursor  string // the newest status id handed over or pending
	pending []source.Post
	seen    map[string]bool
	order   []string
}

// add queues a status's post unless it was delivered already.
func (d *deliverer) add(id string, p source.Post) {
	if d.seen[id] {
		return
	}
	d.seen[id] = true
	d.order = append(d.order, id)
	if len(d.order) > maxSeen {
		delete(d.seen, d.order[0])
		d.order = d.order[1:]
	}
	if idCmp(id, d.cursor) > 0 {
		d.cursor = id
	}
	d.pending = append(d.pending, p)
}

// flush hands the pending posts to the sink.
func (d *deliverer) flush(ctx context.Context) error {
	if len(d.pending) == 0 {
		return nil
	}
	b := source.Batch{Source: d.s.Name(), Posts: d.pending, Cursor: d.cursor}
	if err := d.sink.Accept(ctx, b); err != nil {
		return &sinkError{err}
	}
	d.pending = nil
	return nil
}

// Stream follows the hashtag live from cursor (as Poll takes it) and
// hands batches to sink (at least every Config.FlushEvery while posts
// wait, or Config.FlushSize posts at once) until ctx ends (nil) or the
// sink or the server refuses (an error: a revoked token, an unknown
// tag). It opens the streaming API's hashtag stream
// (GET /api/v1/streaming/hashtag?tag=, server-sent events, on the
// streaming host the instance announces), then catches up through the
// timeline from the last delivered id, so nothing posted while it was
// away is missed, dropping statuses it already delivered. A dropped
// stream is reopened after a backoff (Config.MinBackoff doubling to
// MaxBackoff, with jitter). A server without the stream (GoToSocial,
// which streams only over WebSocket; 404, 405, 501 or 400; 401 without a
// token) is polled every Config.PollInterval instead, and the stream tried
// again every Config.StreamRecheck.
func (s *Source) Stream(ctx context.Context, cursor string, sink source.Sink) error {
	d := &deliverer{s: s, sink: sink, cursor: cursor, seen: map[string]bool{}}
	backoff := s.cfg.MinBackoff
	for {
		connected, err := s.streamOnce(ctx, d)
		var se *sinkError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &se):
			return err
		case errors.Is(err, errNoStream):
			s.log.InfoContext(ctx, "mastodon hashtag stream unavailable: polling", "instance", s.host, "tag", s.cfg.Tag, "error", err)
			if err := s.pollLoop(ctx, d, s.cfg.StreamRecheck); err != nil || ctx.Err() != nil {
				return err
			}
			backoff = s.cfg.MinBackoff
			continue // try the stream again
		case fatal(err):
			return err
		}
		if connected {
			backoff = s.cfg.MinBackoff
		}
		wait := backoff/2 + rand.N(backoff) // jitter: half to one and a half times
		s.log.DebugContext(ctx, "mastodon hashtag stream ended: reconnecting", "instance", s.host, "tag", s.cfg.Tag, "wait", wait, "error", err)
		if s.sleep(ctx, wait) != nil {
			return nil
		}
		backoff = min(2*backoff, s.cfg.MaxBackoff)
	}
}

// fatal reports whether retrying cannot help: the token or the request
// is refused.
func fatal(err error) bool {
	switch classOf(err) {
	case connector.AuthExpired, connector.AuthRevoked, connector.Invalid:
		return true
	}
	return false
}

// catchUp polls from d's cursor until the timeline has nothing newer.
func (s *Source) catchUp(ctx context.Context, d *deliverer) error {
	for {
		p, err := s.poll(ctx, d.cursor, s.cfg.MaxPages)
		for i := range p.posts {
			d.add(p.ids[i], p.posts[i])
			if len(d.pending) >= s.cfg.FlushSize {
				if err := d.flush(ctx); err != nil {
					return err
				}
			}
		}
		if idCmp(p.cursor, d.cursor) > 0 {
			d.cursor = p.cursor // reblogs skipped still move it on
		}
		if err != nil {
			return err
		}
		if err := d.flush(ctx); err != nil {
			return err
		}
		if !p.more {
			return nil
		}
	}
}

// streamOnce opens the stream, catches up and reads events until the
// stream ends; connected says the stream opened and the catch-up worked.
func (s *Source) streamOnce(ctx context.Context, d *deliverer) (connected bool, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	body, err := s.openStream(ctx)
	if err != nil {
		return false, err
	}
	defer body.Close()
	events := make(chan status)
	done := make(chan error, 1)
	go func() {
		done <- connector.ReadEvents(body, func(event, data string) error {
			if event != "update" {
				return nil // delete, status.update: an edit is not a new post
			}
			var st status
			if json.Unmarshal([]byte(data), &st) != nil || st.ID == "" || st.Reblog != nil {
				return nil
			}
			select {
			case events <- st:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	if err := s.catchUp(ctx, d); err != nil {
		return false, err
	}
	info := s.instance(ctx)
	tick := time.NewTicker(s.cfg.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case st := <-events:
			d.add(st.ID, st.post(info.domain, s.host, s.now().UTC()))
			if len(d.pending) >= s.cfg.FlushSize {
				if err := d.flush(ctx); err != nil {
					return true, err
				}
			}
		case <-tick.C:
			if err := d.flush(ctx); err != nil {
				return true, err
			}
		case err := <-done:
			if ferr := d.flush(ctx); ferr != nil {
				return true, ferr
			}
			return true, fmt.Errorf("mastodon: the hashtag stream ended: %w", err)
		}
	}
}

// streamURL is the hashtag stream's address on the streaming host.
func (s *Source) streamURL(ctx context.Context) string {
	base := streamingBase(s.instance(ctx).streaming, s.base)
	path := "/api/v1/streaming/hashtag"
	if s.cfg.Local {
		path += "/local"
	}
	return base + path + "?" + url.Values{"tag": {s.cfg.Tag}}.Encode()
}

// openStream opens the hashtag stream and returns its body.
func (s *Source) openStream(ctx context.Context) (io.ReadCloser, error) {
	if err := s.waitQuota(ctx); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.streamURL(ctx), nil)
	if err != nil {
		return nil, fmt.Errorf("mastodon: build the stream request: %w", err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if s.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.cfg.Token)
	}
	cl := *s.client
	cl.Timeout = 0 // the stream stays open; ctx ends it
	res, err := cl.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("mastodon: open the hashtag stream: %w",
			&connector.Error{Class: connector.Transient, Message: "the stream could not be opened", Err: err})
	}
	ct, _, _ := mime.ParseMediaType(res.Header.Get("Content-Type"))
	if res.StatusCode == http.StatusOK && ct == "text/event-stream" {
		return res.Body, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	s.noteQuota(res.Header)
	switch {
	case res.StatusCode == http.StatusOK,
		res.StatusCode == http.StatusNotFound, res.StatusCode == http.StatusMethodNotAllowed,
		res.StatusCode == http.StatusNotImplemented, res.StatusCode == http.StatusBadRequest,
		res.StatusCode == http.StatusUnauthorized && s.cfg.Token == "":
		return nil, fmt.Errorf("HTTP %d %q: %w", res.StatusCode, ct, errNoStream)
	}
	e := connector.Classify(res.StatusCode, res.Header, b, s.now())
	if e == nil {
		e = &connector.Error{Class: connector.Transient, Status: res.StatusCode, Message: "unexpected answer"}
	}
	if e.Class == connector.RateLimited && e.RetryAfter > 0 {
		s.block(s.now().Add(e.RetryAfter))
	}
	return nil, fmt.Errorf("mastodon: open the hashtag stream: %w", e)
}

// pollLoop polls the timeline every Config.PollInterval, for servers
// without the stream, for about span (then nil: the caller tries the
// stream again).
func (s *Source) pollLoop(ctx context.Context, d *deliverer, span time.Duration) error {
	for range max(1, int(span/s.cfg.PollInterval)) {
		err := s.catchUp(ctx, d)
		var se *sinkError
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.As(err, &se), fatal(err):
			return err
		case err != nil:
			s.log.WarnContext(ctx, "mastodon hashtag poll failed", "instance", s.host, "tag", s.cfg.Tag, "error", err)
		}
		if s.sleep(ctx, s.cfg.PollInterval) != nil {
			return nil
		}
	}
	return nil
}
