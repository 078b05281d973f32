package listen

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/listen/source"
)

// Source is a stream of public posts (the Bluesky firehose, Jetstream).
type Source interface {
	// Source names the stream and its cursor.
	Source() string
	// Run delivers batches to sink until ctx ends (then nil) or the sink
	// fails.
	Run(ctx context.Context, sink source.Sink) error
}

// LeaderEvery is how often a Runner asks whether this instance leads.
const LeaderEvery = 15 * time.Second

// Runner runs the sources on one instance at a time: the one that leads
// (River's elected leader, which also enqueues the periodic jobs), so
// instances sharing a database do not read the same stream twice. A source
// that stops with an error starts again after a pause.
type Runner struct {
	Sources []Source
	Sink    source.Sink
	// Leader reports whether this instance leads; nil: it always does.
	Leader func(ctx context.Context) (bool, error)
	Logger *slog.Logger

	stop func()
	done chan struct{}
}

// Start runs the sources in the background until ctx ends or Stop.
func (r *Runner) Start(ctx context.Context) {
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(ctx)
	r.stop, r.done = cancel, make(chan struct{})
	go func() {
		defer close(r.done)
		r.lead(ctx)
	}()
}

// Stop stops the sources and waits for them.
func (r *Runner) Stop() {
	if r.stop != nil {
		r.stop()
		<-r.done
	}
}

// lead starts the sources while this instance leads and stops them when it
// no longer does.
func (r *Runner) lead(ctx context.Context) {
	var running func()
	defer func() {
		if running != nil {
			running()
		}
	}()
	for {
		leads := true
		if r.Leader != nil {
			var err error
			if leads, err = r.Leader(ctx); err != nil {
				r.Logger.WarnContext(ctx, "listening: who leads", "error", err)
				leads = running != nil // keep what runs through a passing error
			}
		}
		switch {
		case leads && running == nil:
			running = r.runAll(ctx)
		case !leads && running != nil:
			running()
			running = nil
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(LeaderEvery):
		}
	}
}

// runAll starts every source and returns what stops them.
func (r *Runner) runAll(ctx context.Context) func() {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range r.Sources {
		wg.Go(func() { r.keep(ctx, s) })
	}
	return func() { cancel(); wg.Wait() }
}

// keep runs one source, starting it again after an error with a growing
// pause (the source reconnects by itself; an error here is the store
// failing, which a pause may cure).
func (r *Runner) keep(ctx context.Context, s Source) {
	pause := 5 * time.Second
	for {
		r.Logger.InfoContext(ctx, "listening source started", "source", s.Source())
		err := s.Run(ctx, r.Sink)
		if ctx.Err() != nil {
			return
		}
		r.Logger.ErrorContext(ctx, "listening source stopped", "source", s.Source(), "error", err, "restart_in", pause)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause + rand.N(pause/2)):
		}
		pause = min(2*pause, 5*time.Minute)
	}
}
