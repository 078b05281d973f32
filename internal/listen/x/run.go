package x

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/heraldsocial/herald/internal/connector"
	"github.com/heraldsocial/herald/internal/listen/source"
)

// Run polls from cursor (as Poll takes it) every Config.PollInterval,
// longer when the rate-limit headers ask for it (see nextPoll), and hands
// each poll's posts to sink with the cursor after them, until ctx ends
// (nil) or polling cannot go on: the sink refused a batch, X refused the
// account's access (ErrNoSearchAccess, ErrTokenRefused) or the query
// (400). A poll that stopped at Config.MaxPages is followed at once. A
// failure that may pass (the network, a 5xx, the token source) is tried
// again after a backoff, Config.MinBackoff doubling to MaxBackoff, with
// jitter; 429s are waited out inside the poll.
func (s *Source) Run(ctx context.Context, cursor string, sink source.Sink) error {
	backoff := s.cfg.MinBackoff
	for {
		p, err := s.poll(ctx, cursor)
		s.delivered.Add(int64(len(p.posts)))
		if len(p.posts) > 0 || p.cursor != cursor {
			b := source.Batch{Source: s.name, Posts: p.posts, Cursor: p.cursor}
			if serr := sink.Accept(ctx, b); serr != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("x search: the sink refused a batch: %w", serr)
			}
			cursor = p.cursor
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case fatal(err):
			s.log.ErrorContext(ctx, "x search stopped", "source", s.name, "error", err)
			return err
		case err != nil:
			wait := backoff/2 + rand.N(backoff) // jitter: half to one and a half times
			s.log.WarnContext(ctx, "x search failed; trying again", "source", s.name, "wait", wait, "error", err)
			if s.sleep(ctx, wait) != nil {
				return nil
			}
			backoff = min(2*backoff, s.cfg.MaxBackoff)
			continue
		}
		backoff = s.cfg.MinBackoff
		if p.more {
			continue
		}
		if s.sleep(ctx, s.nextPoll()) != nil {
			return nil
		}
	}
}

// fatal reports whether polling again cannot help.
func fatal(err error) bool {
	if errors.Is(err, ErrNoSearchAccess) || errors.Is(err, ErrTokenRefused) {
		return true
	}
	var e *connector.Error
	return errors.As(err, &e) && e.Class == connector.Invalid
}
