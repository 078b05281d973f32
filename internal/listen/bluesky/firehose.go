package bluesky

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/websocket"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// subscribeReposPath is the firehose's XRPC endpoint.
const subscribeReposPath = "/xrpc/com.atproto.sync.subscribeRepos"

// maxFrame bounds one firehose message. A commit's blocks may take up to
// 2 MB by the protocol's limits; a frame far beyond is skipped as malformed.
const maxFrame = 8 << 20

// Firehose reads com.atproto.sync.subscribeRepos from a PDS or a relay and
// delivers every app.bsky.feed.post it sees created. Its cursor is the
// firehose's seq, so after a reconnect it resumes right after the last
// event its Sink accepted.
type Firehose struct {
	// Host is the PDS or relay: http://127.0.0.1:2583, https://pds.example
	// or wss://bsky.network (http and https are the ws and wss of the
	// same host).
	Host string
	// Dialer dials the TCP connection; nil uses a net.Dialer with a
	// 30-second timeout.
	Dialer *net.Dialer
	// UserAgent is sent on the WebSocket handshake; "" sends "herald".
	UserAgent string
	// Logger gets reconnects and skipped frames; nil discards them.
	Logger *slog.Logger
	// Cursors gives the cursor to start from; nil starts live.
	Cursors source.Cursors
	// Tuning adjusts batching, backoff and timeouts; zero takes defaults.
	Tuning Tuning

	shared
}

// Stats returns what the Firehose counted so far.
func (f *Firehose) Stats() Stats { return f.stats.snapshot() }

// Source returns the name the Firehose's batches and cursor go by,
// "bluesky-firehose:" and the host's host:port.
func (f *Firehose) Source() string {
	return sourceName("bluesky-firehose", f.Host)
}

// Run reads the firehose and delivers batches to sink until ctx ends, when
// it returns nil, or the sink fails, when it returns the sink's error.
// Lost connections are made again with backoff; Run is meant to be called
// once at a time per Firehose.
func (f *Firehose) Run(ctx context.Context, sink source.Sink) error {
	return f.run(ctx, sink, "firehose", f.Host, f.Source(), f.Logger, f.Cursors, f.Tuning, f.connect)
}

// connect runs one firehose connection.
func (f *Firehose) connect(ctx context.Context, cursor string, out chan<- item) error {
	u, err := streamURL(f.Host, subscribeReposPath)
	if err != nil {
		return err
	}
	if cursor != "" {
		u.RawQuery = url.Values{"cursor": {cursor}}.Encode()
	}
	log := logger(f.Logger)
	tune := f.Tuning.withDefaults()
	ws, err := dial(ctx, u, f.Dialer, f.UserAgent)
	if err != nil {
		return err
	}
	ws.MaxPayloadBytes = maxFrame
	defer ws.Close()
	unwatch := context.AfterFunc(ctx, func() { _ = ws.Close() })
	defer unwatch()
	log.DebugContext(ctx, "bluesky firehose: connected", "url", u.String())

	for {
		if err := ws.SetReadDeadline(time.Now().Add(tune.IdleTimeout)); err != nil {
			return fmt.Errorf("firehose: %w", err)
		}
		var msg []byte
		err := websocket.Message.Receive(ws, &msg)
		if errors.Is(err, websocket.ErrFrameTooLarge) {
			f.stats.frames.Add(1)
			f.stats.malformed.Add(1)
			log.WarnContext(ctx, "bluesky firehose: frame too large, skipped", "limit", maxFrame)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("firehose: read: %w", err)
		}
		f.stats.frames.Add(1)
		it, ok := f.decodeFrame(ctx, log, msg, time.Now().UTC())
		if !ok {
			continue
		}
		f.stats.posts.Add(int64(len(it.posts)))
		select {
		case out <- it:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// streamURL turns a host given as http(s) or ws(s) URL, or a bare
// host:port, into the ws(s) URL of path on it.
func streamURL(host, path string) (*url.URL, error) {
	h := strings.TrimSpace(host)
	if h == "" {
		return nil, errors.New("no host")
	}
	if !strings.Contains(h, "://") {
		h = "wss://" + h
	}
	u, err := url.Parse(h)
	if err != nil {
		return nil, fmt.Errorf("host %q: %w", host, err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return nil, fmt.Errorf("host %q: scheme %q is not http(s) or ws(s)", host, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("host %q has no host name", host)
	}
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// dial opens a WebSocket to u.
func dial(ctx context.Context, u *url.URL, d *net.Dialer, userAgent string) (*websocket.Conn, error) {
	origin := *u
	origin.Scheme = map[string]string{"ws": "http", "wss": "https"}[u.Scheme]
	origin.Path, origin.RawQuery = "", ""
	cfg, err := websocket.NewConfig(u.String(), origin.String())
	if err != nil {
		return nil, fmt.Errorf("websocket %s: %w", u.Redacted(), err)
	}
	if d == nil {
		d = &net.Dialer{Timeout: 30 * time.Second}
	}
	cfg.Dialer = d
	if userAgent == "" {
		userAgent = "herald"
	}
	cfg.Header.Set("User-Agent", userAgent)
	ws, err := cfg.DialContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("websocket %s: %w", u.Redacted(), err)
	}
	return ws, nil
}

// logger returns l, or one that discards when l is nil.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// seqCursor is the cursor form of a firehose seq.
func seqCursor(seq int64) string { return strconv.FormatInt(seq, 10) }
