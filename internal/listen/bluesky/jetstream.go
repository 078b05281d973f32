package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bluesky-social/indigo/api/bsky"
	"golang.org/x/net/websocket"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// jetstreamPath is Jetstream's subscription endpoint.
const jetstreamPath = "/subscribe"

// maxJetstreamMessage bounds one Jetstream message (JSON of one event).
const maxJetstreamMessage = 1 << 20

// DefaultJetstreamRewind is how far back before the accepted cursor a
// Jetstream connection starts.
const DefaultJetstreamRewind = 3 * time.Second

// Jetstream reads a Jetstream instance (its /subscribe endpoint: JSON over
// WebSocket, filtered to app.bsky.feed.post by the server) and delivers
// every post it sees created. Its cursor is the event's time_us. A time
// is not an exact position (Jetstream does not promise gapless replay from
// one), so each connection starts Rewind before the accepted cursor and the
// events in between come again, for the store to drop as duplicates.
type Jetstream struct {
	// Host is the Jetstream instance, such as
	// wss://jetstream2.us-east.bsky.network or http://127.0.0.1:6008.
	Host string
	// Dialer dials the TCP connection; nil uses a net.Dialer with a
	// 30-second timeout.
	Dialer *net.Dialer
	// UserAgent is sent on the WebSocket handshake; "" sends "herald".
	UserAgent string
	// Logger gets reconnects and skipped messages; nil discards them.
	Logger *slog.Logger
	// Cursors gives the cursor to start from; nil starts live.
	Cursors source.Cursors
	// Tuning adjusts batching, backoff and timeouts; zero takes defaults.
	Tuning Tuning
	// Rewind is how far before the accepted cursor a connection starts:
	// zero takes DefaultJetstreamRewind, a negative value none.
	Rewind time.Duration

	shared
}

// Stats returns what the Jetstream source counted so far.
func (j *Jetstream) Stats() Stats { return j.stats.snapshot() }

// Source returns the name the batches and cursor go by,
// "bluesky-jetstream:" and the host's host:port.
func (j *Jetstream) Source() string {
	return sourceName("bluesky-jetstream", j.Host)
}

// Run reads Jetstream and delivers batches to sink until ctx ends, when it
// returns nil, or the sink fails, when it returns the sink's error.
func (j *Jetstream) Run(ctx context.Context, sink source.Sink) error {
	return j.run(ctx, sink, "jetstream", j.Host, j.Source(), j.Logger, j.Cursors, j.Tuning, j.connect)
}

// jetstreamEvent is one Jetstream message, the parts read here.
type jetstreamEvent struct {
	DID    string `json:"did"`
	TimeUS int64  `json:"time_us"`
	Kind   string `json:"kind"`
	Commit *struct {
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		CID        string          `json:"cid"`
		Record     json.RawMessage `json:"record"`
	} `json:"commit"`
	Identity *struct {
		DID    string `json:"did"`
		Handle string `json:"handle"`
	} `json:"identity"`
}

// connect runs one Jetstream connection.
func (j *Jetstream) connect(ctx context.Context, cursor string, out chan<- item) error {
	u, err := streamURL(j.Host, jetstreamPath)
	if err != nil {
		return err
	}
	q := url.Values{"wantedCollections": {postCollection}}
	if cursor != "" {
		q.Set("cursor", j.rewound(cursor))
	}
	u.RawQuery = q.Encode()
	log := logger(j.Logger)
	tune := j.Tuning.withDefaults()
	ws, err := dial(ctx, u, j.Dialer, j.UserAgent)
	if err != nil {
		return err
	}
	ws.MaxPayloadBytes = maxJetstreamMessage
	defer ws.Close()
	unwatch := context.AfterFunc(ctx, func() { _ = ws.Close() })
	defer unwatch()

	for {
		if err := ws.SetReadDeadline(time.Now().Add(tune.IdleTimeout)); err != nil {
			return fmt.Errorf("jetstream: %w", err)
		}
		var msg []byte
		err := websocket.Message.Receive(ws, &msg)
		if errors.Is(err, websocket.ErrFrameTooLarge) {
			j.stats.frames.Add(1)
			j.malformed(ctx, log, "message", err)
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("jetstream: read: %w", err)
		}
		j.stats.frames.Add(1)
		it, ok := j.decode(ctx, log, msg, time.Now().UTC())
		if !ok {
			continue
		}
		j.stats.posts.Add(int64(len(it.posts)))
		select {
		case out <- it:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// decode turns one Jetstream message into an item.
func (j *Jetstream) decode(ctx context.Context, log *slog.Logger, msg []byte, seen time.Time) (item, bool) {
	var evt jetstreamEvent
	if err := json.Unmarshal(msg, &evt); err != nil {
		j.malformed(ctx, log, "message", err)
		return item{}, false
	}
	if evt.TimeUS <= 0 {
		j.malformed(ctx, log, "message", errors.New("no time_us"))
		return item{}, false
	}
	it := item{cursor: strconv.FormatInt(evt.TimeUS, 10)}
	switch evt.Kind {
	case "identity":
		if evt.Identity != nil && evt.Identity.Handle != "" && evt.Identity.Handle != "handle.invalid" {
			did := evt.Identity.DID
			if did == "" {
				did = evt.DID
			}
			j.handles.put(did, evt.Identity.Handle)
		}
	case "commit":
		c := evt.Commit
		if c == nil || c.Operation != "create" || c.Collection != postCollection {
			break
		}
		if evt.DID == "" || c.RKey == "" || strings.Contains(c.RKey, "/") {
			j.malformed(ctx, log, "commit", errors.New("no did or rkey"))
			break
		}
		var rec bsky.FeedPost
		if err := json.Unmarshal(c.Record, &rec); err != nil {
			j.malformed(ctx, log, "record", fmt.Errorf("%s/%s: %w", evt.DID, c.RKey, err))
			break
		}
		if rec.LexiconTypeID != postCollection {
			j.malformed(ctx, log, "record", fmt.Errorf("%s/%s: $type %q", evt.DID, c.RKey, rec.LexiconTypeID))
			break
		}
		p := newPost(evt.DID, c.RKey, c.CID, &rec, seen)
		p.AuthorHandle = j.handles.get(evt.DID)
		it.posts = []source.Post{p}
	}
	return it, true
}

// malformed counts and logs something that did not decode.
func (j *Jetstream) malformed(ctx context.Context, log *slog.Logger, what string, err error) {
	j.stats.malformed.Add(1)
	log.WarnContext(ctx, "bluesky jetstream: skipped what does not decode", "what", what, "error", err)
}

// rewound moves a time_us cursor Rewind back, never below 1.
func (j *Jetstream) rewound(cursor string) string {
	rw := j.Rewind
	if rw == 0 {
		rw = DefaultJetstreamRewind
	}
	n, err := strconv.ParseInt(cursor, 10, 64)
	if err != nil || rw < 0 {
		return cursor
	}
	return strconv.FormatInt(max(n-rw.Microseconds(), 1), 10)
}
