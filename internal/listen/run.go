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

// LeaderEvery is how often a Runner asks whether this instance leads, and
// (while it does) which sources its Discover wants.
const LeaderEvery = 15 * time.Second

// Runner runs the sources on one instance at a time: the one that leads
// (River's elected leader, which also enqueues the periodic jobs), so
// instances sharing a database do not read the same stream twice. A source
// that stops with an error starts again after a pause.
type Runner struct {
	// Sources always run (the operator's firehose or Jetstream).
	Sources []Source
	// Discover, when set, returns the sources wanted now beside Sources
	// (the hashtag streams that topics and connected accounts call for);
	// sources it stops returning are stopped. An error keeps the running
	// ones.
	Discover func(ctx context.Context) ([]Source, error)
	Sink     source.Sink
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

// lead runs the wanted sources while this instance leads and stops them
// when it no longer does.
func (r *Runner) lead(ctx context.Context) {
	running := map[string]func(){}
	var wg sync.WaitGroup
	defer func() {
		for _, stop := range running {
			stop()
		}
		wg.Wait()
	}()
	for {
		leads := true
		if r.Leader != nil {
			var err error
			if leads, err = r.Leader(ctx); err != nil {
				r.Logger.WarnContext(ctx, "listening: who leads", "error", err)
				leads = len(running) > 0 // keep what runs through a passing error
			}
		}
		want := map[string]Source{}
		if leads {
			for _, s := range r.Sources {
				want[s.Source()] = s
			}
			if r.Discover != nil {
				found, err := r.Discover(ctx)
				if err != nil {
					r.Logger.WarnContext(ctx, "listening: which sources", "error", err)
					for name := range running {
						want[name] = nil // keep it
					}
				}
				for _, s := range found {
					want[s.Source()] = s
				}
			}
		}
		for name, stop := range running {
			if _, ok := want[name]; !ok {
				stop()
				delete(running, name)
			}
		}
		for name, s := range want {
			if _, ok := running[name]; ok || s == nil {
				continue
			}
			sctx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			wg.Go(func() {
				defer close(done)
				r.keep(sctx, s)
			})
			running[name] = func() { cancel(); <-done }
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(LeaderEvery):
		}
	}
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
