package publish

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// completeTimeout bounds one batch write.
const completeTimeout = 30 * time.Second

// completeTries is how often a batch write is tried before its completions
// are left to lease expiry (another instance then reconciles them).
const completeTries = 5

// completeWriters is how many batches may be written at once. Batches
// hold disjoint targets (a target has one lease), so they never wait for
// each other on PostgreSQL, and a batch's round trips and commit overlap
// the next one's; SQLite writes them one after the other.
const completeWriters = 3

// completer collects completions and writes them in batches: every
// FlushEvery, or as soon as BatchSize are waiting.
type completer struct {
	d       *Dispatcher
	in      chan completion
	batches chan []completion
	quit    chan struct{}
	done    chan struct{}
}

func newCompleter(d *Dispatcher) *completer {
	return &completer{
		d:       d,
		in:      make(chan completion, d.cfg.BatchSize*2),
		batches: make(chan []completion),
		quit:    make(chan struct{}),
		done:    make(chan struct{}),
	}
}

func (c *completer) start() {
	var writers sync.WaitGroup
	for range completeWriters {
		writers.Go(func() {
			for b := range c.batches {
				c.write(b)
			}
		})
	}
	go func() {
		c.loop()
		close(c.batches)
		writers.Wait()
		close(c.done)
	}()
}

// stop writes what is waiting and ends the loop. Calls must be finished (or
// abandoned) first.
func (c *completer) stop() {
	close(c.quit)
	<-c.done
}

// completion is a completion with what the dispatcher does after it.
type completion struct {
	herald.Completion
	// requeue puts a retrying target back on the timer once written; false
	// when it waits for its account to be reconnected.
	requeue bool
	account int64 // the target's account, for the timer
}

// add hands a completion over; it gives up only when the calls were
// abandoned (the lease then expires and the target is reconciled).
func (c *completer) add(ctx context.Context, cp completion) bool {
	select {
	case c.in <- cp:
		return true
	case <-ctx.Done():
		return false
	}
}

// loop gathers completions into batches and hands each to a writer.
func (c *completer) loop() {
	batch := make([]completion, 0, c.d.cfg.BatchSize)
	flush := func() {
		c.batches <- batch
		batch = make([]completion, 0, c.d.cfg.BatchSize)
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	armed := false
	for {
		select {
		case cp := <-c.in:
			batch = append(batch, cp)
			if len(batch) >= c.d.cfg.BatchSize {
				flush()
			} else if !armed {
				timer.Reset(c.d.cfg.FlushEvery)
				armed = true
			}
		case <-timer.C:
			armed = false
			if len(batch) > 0 {
				flush()
			}
		case <-c.quit:
			for {
				select {
				case cp := <-c.in:
					batch = append(batch, cp)
					if len(batch) >= c.d.cfg.BatchSize {
						flush()
					}
					continue
				default:
				}
				break
			}
			if len(batch) > 0 {
				flush()
			}
			timer.Stop()
			return
		}
	}
}

// write stores a batch, retrying a few times, then puts the retrying
// targets back on the timer.
func (c *completer) write(batch []completion) {
	d := c.d
	cs := make([]herald.Completion, len(batch))
	for i, cp := range batch {
		cs[i] = cp.Completion
	}
	var skipped []int64
	var err error
	for try := 1; try <= completeTries; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), completeTimeout)
		skipped, err = d.store.CompleteTargets(ctx, cs)
		cancel()
		if err == nil {
			break
		}
		d.log.Error("writing publish outcomes failed", slog.Int("completions", len(batch)),
			slog.Int("try", try), slog.Any("error", err))
		time.Sleep(time.Duration(try) * 100 * time.Millisecond)
	}
	if err != nil {
		d.log.Error("publish outcomes not written; their leases will expire and the targets be reconciled",
			slog.Int("completions", len(batch)))
		return
	}
	skip := make(map[int64]bool, len(skipped))
	for _, id := range skipped {
		skip[id] = true
		d.log.Warn("publish outcome ignored: the lease was lost to another instance", slog.Int64("target_id", id))
	}
	horizon := d.clock.Now().Add(d.cfg.Lookahead)
	pushed := false
	for _, cp := range batch {
		if skip[cp.TargetID] {
			continue
		}
		if cp.requeue && cp.To == herald.StateRetrying && cp.DueAt != nil && !cp.DueAt.After(horizon) {
			d.due.Push(cp.TargetID, cp.account, *cp.DueAt)
			pushed = true
		}
	}
	if pushed {
		signal(d.changed)
	}
}
