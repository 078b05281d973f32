package bluesky

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// Defaults of the streaming sources' Tuning.
const (
	// DefaultMinBackoff is the first wait before a reconnect.
	DefaultMinBackoff = time.Second
	// DefaultMaxBackoff caps the wait between reconnects.
	DefaultMaxBackoff = time.Minute
	// DefaultHealthyAfter is how long a connection must last for the
	// backoff to start over.
	DefaultHealthyAfter = 30 * time.Second
	// DefaultBatchSize is the most posts a batch holds.
	DefaultBatchSize = 200
	// DefaultBatchDelay is the longest a post waits for its batch.
	DefaultBatchDelay = 250 * time.Millisecond
	// DefaultCursorEvery is how often, at most, a batch without posts
	// moves the cursor.
	DefaultCursorEvery = 5 * time.Second
	// DefaultIdleTimeout is how long a silent connection is trusted.
	DefaultIdleTimeout = 2 * time.Minute
)

// Tuning holds the knobs the Firehose and Jetstream share; a zero field
// takes its Default.
type Tuning struct {
	// MinBackoff is the first wait before a reconnect; it doubles after
	// each failed connection up to MaxBackoff, with jitter, and starts over
	// once a connection stayed up HealthyAfter.
	MinBackoff, MaxBackoff, HealthyAfter time.Duration
	// BatchSize and BatchDelay: a batch goes to the Sink once it holds
	// BatchSize posts or BatchDelay after its first post, whichever is
	// first.
	BatchSize  int
	BatchDelay time.Duration
	// CursorEvery is how often, at most, a batch without posts is delivered
	// just to move the cursor past events that held none.
	CursorEvery time.Duration
	// IdleTimeout is how long a connection may stay silent before it is
	// taken for dead and replaced.
	IdleTimeout time.Duration
}

func (t Tuning) withDefaults() Tuning {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&t.MinBackoff, DefaultMinBackoff)
	def(&t.MaxBackoff, DefaultMaxBackoff)
	def(&t.HealthyAfter, DefaultHealthyAfter)
	def(&t.BatchDelay, DefaultBatchDelay)
	def(&t.CursorEvery, DefaultCursorEvery)
	def(&t.IdleTimeout, DefaultIdleTimeout)
	if t.BatchSize <= 0 {
		t.BatchSize = DefaultBatchSize
	}
	if t.MaxBackoff < t.MinBackoff {
		t.MaxBackoff = t.MinBackoff
	}
	return t
}

// Stats counts what a streaming source has done since it was made.
type Stats struct {
	// Frames is the number of WebSocket messages read.
	Frames int64
	// Posts is the number of posts decoded (delivered or pending).
	Posts int64
	// Malformed is the number of frames, CAR slices and records that could
	// not be decoded and were skipped.
	Malformed int64
	// Reconnects is the number of times a connection was lost or could not
	// be made and was tried again.
	Reconnects int64
	// Batches is the number of batches the Sink accepted.
	Batches int64
}

// counters are the live form of Stats.
type counters struct {
	frames, posts, malformed, reconnects, batches atomic.Int64
}

func (c *counters) snapshot() Stats {
	return Stats{
		Frames:     c.frames.Load(),
		Posts:      c.posts.Load(),
		Malformed:  c.malformed.Load(),
		Reconnects: c.reconnects.Load(),
		Batches:    c.batches.Load(),
	}
}

// item is what a connection yields for one event: the posts in it (often
// none) and the cursor after it ("" when the event has no position).
type item struct {
	posts  []source.Post
	cursor string
	// live asks the next connection to start without a cursor: the server
	// said the cursor is ahead of its stream.
	live bool
}

// connectFunc runs one connection from cursor, sending its events to out,
// until the connection fails or ctx ends; it never closes out.
type connectFunc func(ctx context.Context, cursor string, out chan<- item) error

// stream is the part the Firehose and Jetstream share: it reconnects with
// backoff, batches events and keeps the cursor the Sink accepted.
type stream struct {
	name    string
	log     *slog.Logger
	cursors source.Cursors
	tune    Tuning
	stats   *counters
	connect connectFunc
}

// sinkError marks an error of the Sink, which stops the stream.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }
func (e *sinkError) Unwrap() error { return e.err }

// run reads until ctx ends (returning nil) or the Sink fails.
func (s *stream) run(ctx context.Context, sink source.Sink) error {
	if sink == nil {
		return errors.New("bluesky: " + s.name + ": no sink")
	}
	var cursor string
	if s.cursors != nil {
		c, err := s.cursors.Cursor(ctx, s.name)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("bluesky: %s: read the saved cursor: %w", s.name, err)
		}
		cursor = c
	}
	backoff := s.tune.MinBackoff
	for {
		start := time.Now()
		err := s.session(ctx, sink, &cursor)
		if ctx.Err() != nil {
			return nil
		}
		if se, ok := errors.AsType[*sinkError](err); ok {
			return fmt.Errorf("bluesky: %s: sink: %w", s.name, se.err)
		}
		if time.Since(start) >= s.tune.HealthyAfter {
			backoff = s.tune.MinBackoff
		}
		// Full jitter on the upper half: spread reconnects of many
		// instances without ever retrying at once.
		wait := backoff/2 + rand.N(backoff/2+1)
		s.stats.reconnects.Add(1)
		s.log.WarnContext(ctx, "bluesky listening: connection lost, reconnecting",
			"source", s.name, "error", err, "wait", wait, "cursor", cursor)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(backoff*2, s.tune.MaxBackoff)
	}
}

// session runs one connection and delivers its batches; *cursor is the
// last cursor the Sink accepted, moved on by each delivery.
func (s *stream) session(ctx context.Context, sink source.Sink, cursor *string) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan item, 256)
	done := make(chan error, 1)
	go func() { done <- s.connect(cctx, *cursor, items) }()
	// On the way out the connection is stopped and waited for, so no
	// goroutine outlives Run.
	stop := func() {
		cancel()
		<-done
	}

	var (
		posts        []source.Post
		next         = *cursor // the cursor after the pending events
		live         bool
		postTimer    *time.Timer
		postC        <-chan time.Time
		cursorTimer  *time.Timer
		cursorC      <-chan time.Time
		lastDelivery = time.Now()
	)
	stopTimers := func() {
		if postTimer != nil {
			postTimer.Stop()
			postTimer, postC = nil, nil
		}
		if cursorTimer != nil {
			cursorTimer.Stop()
			cursorTimer, cursorC = nil, nil
		}
	}
	defer stopTimers()
	flush := func() error {
		stopTimers()
		if len(posts) == 0 && next == *cursor {
			return nil
		}
		b := source.Batch{Source: s.name, Posts: posts, Cursor: next}
		if err := sink.Accept(ctx, b); err != nil {
			return &sinkError{err: err}
		}
		s.stats.batches.Add(1)
		*cursor = next
		posts = nil
		lastDelivery = time.Now()
		return nil
	}
	add := func(it item) error {
		if it.live {
			live = true
		}
		if it.cursor != "" {
			next = it.cursor
		}
		if len(it.posts) > 0 {
			posts = append(posts, it.posts...)
			if postTimer == nil {
				postTimer = time.NewTimer(s.tune.BatchDelay)
				postC = postTimer.C
			}
		}
		switch {
		case len(posts) >= s.tune.BatchSize:
			return flush()
		case len(posts) == 0 && next != *cursor && cursorTimer == nil:
			wait := max(s.tune.CursorEvery-time.Since(lastDelivery), 0)
			cursorTimer = time.NewTimer(wait)
			cursorC = cursorTimer.C
		}
		return nil
	}

	for {
		select {
		case it := <-items:
			if err := add(it); err != nil {
				stop()
				return err
			}
		case <-postC:
			if err := flush(); err != nil {
				stop()
				return err
			}
		case <-cursorC:
			cursorTimer, cursorC = nil, nil
			if len(posts) == 0 {
				if err := flush(); err != nil {
					stop()
					return err
				}
			}
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			// What the connection read before it failed is good:
			// deliver it, so the next connection starts after it.
			for more := true; more; {
				select {
				case it := <-items:
					if ferr := add(it); ferr != nil {
						return ferr
					}
				default:
					more = false
				}
			}
			if ferr := flush(); ferr != nil {
				return ferr
			}
			if live {
				*cursor = ""
			}
			return err
		}
	}
}
