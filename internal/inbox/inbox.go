// Package inbox is the team's work on the engagement inbox beyond reading,
// replying and states (which package post keeps with publishing, since a
// reply is published like a post): tags, internal notes, saved replies,
// analysis and rules applied on arrival, response-time targets and their
// report, and the live stream of changes. Every method takes an Actor and
// checks the permission table first.
package inbox

import (
	"context"
	"log/slog"

	"github.com/heraldsocial/herald/internal/herald"
)

// Notifier tells people about inbox work (an @mention in a note, an item
// past its response target, an assignment by a rule).
type Notifier interface {
	Notify(ctx context.Context, n herald.Notification)
}

// Service runs the inbox's team features over the store.
type Service struct {
	store    herald.Store
	clock    herald.Clock
	log      *slog.Logger
	notifier Notifier
	dms      DMPlatforms // nil: no account gives direct messages (see dm.go)
	// analysis reads items on arrival (arrivals.go), loaded on first use.
	analysis lazyAnalyzer
}

// Option configures a Service.
type Option func(*Service)

// WithNotifier sends the service's notifications through n.
func WithNotifier(n Notifier) Option {
	return func(s *Service) { s.notifier = n }
}

// New returns the inbox service.
func New(store herald.Store, clock herald.Clock, logger *slog.Logger, opts ...Option) *Service {
	if clock == nil {
		clock = herald.SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{store: store, clock: clock, log: logger}
	for _, o := range opts {
		o(s)
	}
	return s
}

// notify sends n when a notifier is set.
func (s *Service) notify(ctx context.Context, n herald.Notification) {
	if s.notifier != nil {
		s.notifier.Notify(ctx, n)
	}
}
