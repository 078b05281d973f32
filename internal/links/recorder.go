package links

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Recorder limits.
const (
	// BatchSize is how many pending clicks make the recorder write before
	// its next tick, and the most one store call writes.
	BatchSize = 2000
	// MaxPending bounds the clicks kept while the store fails; above it
	// the oldest are dropped (logged and counted).
	MaxPending = 1_000_000
)

// ClickWriter stores clicks (herald.LinkStore does).
type ClickWriter interface {
	RecordClicks(ctx context.Context, clicks []herald.Click) error
}

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// FlushEvery is how often pending clicks are written (default 1 s).
	FlushEvery time.Duration
	// Logger logs failed writes and dropped clicks; nil: nothing.
	Logger *slog.Logger
	// MaxPending overrides MaxPending (for tests); 0: MaxPending.
	MaxPending int
}

// RecorderStats are a recorder's counters since it was made.
type RecorderStats struct {
	Pending int64 // waiting to be written
	Flushed int64 // written
	Dropped int64 // dropped because too many were pending
	Failed  int64 // failed writes (their clicks were kept)
}

// Recorder queues clicks in memory and writes them in batches in the
// background, so the redirect never waits on the database: every
// FlushEvery, or as soon as BatchSize are pending, the pending clicks are
// written with one RecordClicks call per BatchSize. A failed write keeps
// the clicks for the next tick. It is safe for concurrent use.
type Recorder struct {
	w       ClickWriter
	every   time.Duration
	log     *slog.Logger
	max     int
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	started atomic.Bool
	stopped sync.Once

	mu       sync.Mutex
	pending  []herald.Click
	inflight []herald.Click // being written by flush, for Lookup
	spare    []herald.Click

	flushMu sync.Mutex // one write at a time

	flushed, dropped, failed atomic.Int64
	count                    atomic.Int64 // len(pending)+len(inflight), without the lock
	loggedDrops              int64        // dropped count last logged; under flushMu
}

// NewRecorder returns a Recorder writing to w; call Start to run it.
func NewRecorder(w ClickWriter, o RecorderOptions) *Recorder {
	if o.FlushEvery <= 0 {
		o.FlushEvery = DefaultFlushEvery
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxPending <= 0 {
		o.MaxPending = MaxPending
	}
	return &Recorder{w: w, every: o.FlushEvery, log: o.Logger, max: o.MaxPending,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// Record queues a click. It never blocks on the store.
func (r *Recorder) Record(c herald.Click) {
	r.mu.Lock()
	if len(r.pending) >= r.max {
		r.dropOldest(len(r.pending) - r.max + max(1, r.max/100))
	}
	r.pending = append(r.pending, c)
	n := len(r.pending)
	r.count.Add(1)
	r.mu.Unlock()
	if n >= BatchSize {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
}

// dropOldest drops the n oldest pending clicks; r.mu is held. Dropping
// in bulk (a hundredth of the bound at a time) keeps the copy cheap.
func (r *Recorder) dropOldest(n int) {
	n = min(n, len(r.pending))
	r.pending = append(r.pending[:0], r.pending[n:]...)
	r.dropped.Add(int64(n))
	r.count.Add(-int64(n))
}

// Start runs the background writer until ctx ends or Close is called. It
// may be called once; later calls do nothing.
func (r *Recorder) Start(ctx context.Context) {
	if !r.started.CompareAndSwap(false, true) {
		return
	}
	go r.run(ctx)
}

func (r *Recorder) run(ctx context.Context) {
	defer close(r.done)
	t := time.NewTicker(r.every)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.stop:
			return
		case <-r.kick:
			if failing {
				continue // the store failed: wait for the tick rather than hammer it
			}
		case <-t.C:
		}
		failing = r.Flush(ctx) != nil
	}
}

// Flush writes every click pending now, BatchSize per store call. On an
// error the clicks not written stay pending (the oldest beyond
// MaxPending are dropped) and the error is returned, logged.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushMu.Lock()
	defer r.flushMu.Unlock()
	defer r.logDrops(ctx)
	r.mu.Lock()
	batch, orig := r.pending, r.pending
	r.pending, r.spare = r.spare[:0], nil
	r.inflight = batch
	r.mu.Unlock()
	for len(batch) > 0 {
		n := min(len(batch), BatchSize)
		if err := r.w.RecordClicks(ctx, batch[:n]); err != nil {
			r.failed.Add(1)
			r.putBack(batch)
			r.log.ErrorContext(ctx, "clicks could not be written; retrying on the next tick",
				slog.Int("pending", int(r.count.Load())), slog.Any("error", err))
			return fmt.Errorf("links: write %d clicks: %w", n, err)
		}
		r.flushed.Add(int64(n))
		r.count.Add(-int64(n))
		batch = batch[n:]
		r.mu.Lock()
		r.inflight = batch
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.inflight = nil
	if r.spare == nil && cap(orig) <= 4*BatchSize {
		clear(orig) // lets the strings go
		r.spare = orig[:0]
	}
	r.mu.Unlock()
	return nil
}

// putBack returns clicks not written to the front of the pending ones,
// dropping the oldest beyond the bound.
func (r *Recorder) putBack(batch []herald.Click) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inflight = nil
	merged := make([]herald.Click, 0, len(batch)+len(r.pending))
	merged = append(append(merged, batch...), r.pending...)
	r.pending = merged
	if over := len(r.pending) - r.max; over > 0 {
		r.dropOldest(over)
	}
}

// logDrops logs the clicks dropped since the last time; flushMu is held.
func (r *Recorder) logDrops(ctx context.Context) {
	if d := r.dropped.Load(); d != r.loggedDrops {
		r.log.ErrorContext(ctx, "clicks dropped: too many were waiting for the database",
			slog.Int64("dropped", d-r.loggedDrops), slog.Int("max_pending", r.max))
		r.loggedDrops = d
	}
}

// Lookup returns a click that is still waiting to be written, by id.
func (r *Recorder) Lookup(id string) (herald.Click, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, list := range [2][]herald.Click{r.inflight, r.pending} {
		for i := range list {
			if list[i].ID == id {
				return list[i], true
			}
		}
	}
	return herald.Click{}, false
}

// Close stops the background writer and writes what is pending, within
// ctx. It may be called more than once; clicks recorded after it wait
// for the next Flush.
func (r *Recorder) Close(ctx context.Context) error {
	r.stopped.Do(func() { close(r.stop) })
	if r.started.Load() {
		select {
		case <-r.done:
		case <-ctx.Done():
			return fmt.Errorf("links: stop the recorder: %w", ctx.Err())
		}
	}
	return r.Flush(ctx)
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() RecorderStats {
	return RecorderStats{Pending: r.count.Load(), Flushed: r.flushed.Load(), Dropped: r.dropped.Load(),
		Failed: r.failed.Load()}
}
