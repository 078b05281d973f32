package publish

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Heartbeat defaults.
const (
	// DefaultStaleAfter is how long an instance may stay silent before its
	// leases are taken over. The heartbeat beats three times within it.
	DefaultStaleAfter = 3 * time.Second
	// DefaultForgetAfter is how long a dead instance's row is kept (for
	// people looking at what ran) once it holds no lease.
	DefaultForgetAfter = time.Hour
	// forgetEvery is how often dead instances' rows are looked for.
	forgetEvery = 10 * time.Minute
)

// HeartbeatConfig describes the instance that beats.
type HeartbeatConfig struct {
	// Instance is the dispatcher's Instance name. Required.
	Instance string
	// StaleAfter is how long after its last heartbeat the instance counts
	// as dead, its leases taken over at once (3 s). It beats every third of
	// it. A live instance keeps its leases however long its calls take.
	StaleAfter time.Duration
	// ForgetAfter is how long a dead instance's row stays once it holds no
	// lease (1 h).
	ForgetAfter time.Duration
	// Hostname, PID and Version say where the instance runs, for people.
	Hostname string
	PID      int
	Version  string
}

// Heartbeat keeps an instance's row in the store fresh, so that the other
// instances know it is alive and leave its leases alone, and learn within
// StaleAfter that it died. Create it with NewHeartbeat, run it with Start,
// end it with Stop.
type Heartbeat struct {
	cfg   HeartbeatConfig
	store herald.InstanceStore
	clock herald.Clock
	log   *slog.Logger

	mu      sync.Mutex
	started time.Time
	cancel  context.CancelFunc
	done    chan struct{}
	stopped bool
}

// NewHeartbeat returns a heartbeat for cfg.Instance; nil clock and logger
// take the system clock and a discarding logger.
func NewHeartbeat(cfg HeartbeatConfig, store herald.InstanceStore, clock herald.Clock, logger *slog.Logger) *Heartbeat {
	if cfg.StaleAfter == 0 {
		cfg.StaleAfter = DefaultStaleAfter
	}
	if cfg.ForgetAfter == 0 {
		cfg.ForgetAfter = DefaultForgetAfter
	}
	if clock == nil {
		clock = herald.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Heartbeat{cfg: cfg, store: store, clock: clock,
		log: logger.With(slog.String("component", "heartbeat"), slog.String("instance", cfg.Instance))}
}

// Validate checks the configuration and names every field to fix.
func (c HeartbeatConfig) Validate() error {
	var p herald.Problems
	if c.Instance == "" {
		p.Add("instance", "is required: the dispatcher's instance name")
	}
	if c.StaleAfter < 0 {
		p.Add("stale_after", "is %s; it must be positive (0 takes the default, %s)", c.StaleAfter, DefaultStaleAfter)
	} else if c.StaleAfter > 0 && c.StaleAfter < 300*time.Millisecond {
		p.Add("stale_after", "is %s; it must be at least 300ms, or a busy instance would lose its leases", c.StaleAfter)
	}
	if c.ForgetAfter < 0 {
		p.Add("forget_after", "is %s; it must be positive (0 takes the default, %s)", c.ForgetAfter, DefaultForgetAfter)
	}
	return p.Err("the heartbeat configuration is not valid")
}

// every is the time between two beats.
func (h *Heartbeat) every() time.Duration { return h.cfg.StaleAfter / 3 }

// Start records the first heartbeat (failing when the store cannot take
// it) and keeps beating until Stop or ctx ends.
func (h *Heartbeat) Start(ctx context.Context) error {
	if err := h.cfg.Validate(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.cancel != nil {
		return herald.Errorf(herald.CodeConflict, "the heartbeat was already started; create a new one")
	}
	h.started = h.clock.Now().UTC()
	if err := h.beat(ctx, h.started, h.cfg.StaleAfter); err != nil {
		return fmt.Errorf("publish: first heartbeat: %w", err)
	}
	loopCtx, cancel := context.WithCancel(ctx)
	h.cancel, h.done = cancel, make(chan struct{})
	go h.loop(loopCtx)
	h.log.DebugContext(ctx, "heartbeat started", slog.Duration("stale_after", h.cfg.StaleAfter))
	return nil
}

// Stop ends the beats and records that the instance stopped, so that any
// lease it still holds (a call abandoned after the grace period) is taken
// over at once. It may be called more than once.
func (h *Heartbeat) Stop() {
	h.mu.Lock()
	if h.cancel == nil || h.stopped {
		h.mu.Unlock()
		return
	}
	h.stopped = true
	h.cancel()
	done := h.done
	h.mu.Unlock()
	<-done
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.StaleAfter)
	defer cancel()
	if err := h.beat(ctx, h.clock.Now().UTC(), 0); err != nil {
		h.log.Warn("recording the instance's stop failed; its leases are taken over when its heartbeat runs out",
			slog.Any("error", err))
	}
}

// beat records a heartbeat at now, alive for the given time more.
func (h *Heartbeat) beat(ctx context.Context, now time.Time, alive time.Duration) error {
	return h.store.Heartbeat(ctx, herald.Instance{ID: h.cfg.Instance, Hostname: h.cfg.Hostname, PID: h.cfg.PID,
		Version: h.cfg.Version, StartedAt: h.started, HeartbeatAt: now, AliveUntil: now.Add(alive)})
}

func (h *Heartbeat) loop(ctx context.Context) {
	defer close(h.done)
	tick := time.NewTicker(h.every())
	defer tick.Stop()
	h.forget(ctx)
	lastForget := h.clock.Now()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := h.clock.Now().UTC()
		beatCtx, cancel := context.WithTimeout(ctx, h.cfg.StaleAfter)
		err := h.beat(beatCtx, now, h.cfg.StaleAfter)
		cancel()
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			h.log.ErrorContext(ctx, "heartbeat failed: other instances may take this one's publishing leases over",
				slog.Any("error", err))
		case err == nil && failing:
			failing = false
			h.log.InfoContext(ctx, "heartbeat recorded again")
		}
		if now.Sub(lastForget) >= forgetEvery {
			lastForget = now
			h.forget(ctx)
		}
	}
}

// forget deletes the rows of instances dead for longer than ForgetAfter
// that hold no lease.
func (h *Heartbeat) forget(ctx context.Context) {
	n, err := h.store.DeleteStaleInstances(ctx, h.clock.Now().Add(-h.cfg.ForgetAfter))
	switch {
	case err != nil && ctx.Err() == nil:
		h.log.WarnContext(ctx, "deleting the rows of dead instances failed", slog.Any("error", err))
	case n > 0:
		h.log.InfoContext(ctx, "deleted the rows of dead instances", slog.Int64("instances", n))
	}
}
