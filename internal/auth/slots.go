package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Each argon2id check holds argonMemoryKiB (19 MiB) for its duration, so
// the number running at once is bounded: at most passwordSlots() checks,
// and a request that cannot get a slot within slotWait is refused with a
// rate-limited error (HTTP 429 with Retry-After) instead of queueing up
// memory without bound.
const (
	slotWait       = 2 * time.Second
	slotRetryAfter = 2 * time.Second
)

// passwordSlots is how many password hashes may run at once: one per CPU
// (argon2id is CPU-bound), at least two.
func passwordSlots() int { return max(2, runtime.NumCPU()) }

// retryError is a refusal that says how long to wait before trying again.
type retryError struct {
	err   *herald.Error
	after time.Duration
}

func (e *retryError) Error() string { return e.err.Error() }

// Unwrap gives the domain error, so the error's code maps to 429.
func (e *retryError) Unwrap() error { return e.err }

// RetryAfter reports how long the caller of a refused request should wait
// before trying again, when err says so (sign-in limits, busy password
// checks). Handlers send it as the Retry-After header.
func RetryAfter(err error) (time.Duration, bool) {
	var re *retryError
	if errors.As(err, &re) {
		return re.after, true
	}
	return 0, false
}

// errBusy is the refusal of a password check that found no free slot.
func errBusy() error {
	return &retryError{after: slotRetryAfter, err: &herald.Error{Code: herald.CodeRateLimited,
		Message: fmt.Sprintf("too many sign-ins are being checked right now; try again in %s", humanDuration(slotRetryAfter))}}
}

// withSlot runs fn holding one of the password slots, waiting at most
// slotWait for one.
func (s *Service) withSlot(ctx context.Context, fn func()) error {
	t := time.NewTimer(s.slotWait)
	defer t.Stop()
	select {
	case s.slots <- struct{}{}:
	case <-t.C:
		s.logger.WarnContext(ctx, "password check refused: every slot busy", "slots", cap(s.slots))
		return errBusy()
	case <-ctx.Done():
		return fmt.Errorf("auth: wait for a password slot: %w", ctx.Err())
	}
	defer func() { <-s.slots }()
	fn()
	return nil
}

// checkPassword is CheckPassword within a slot.
func (s *Service) checkPassword(ctx context.Context, hash, password string) (ok bool, err error) {
	if serr := s.withSlot(ctx, func() { ok, err = s.check(hash, password) }); serr != nil {
		return false, serr
	}
	return ok, err
}

// hashPassword is HashPassword within a slot.
func (s *Service) hashPassword(ctx context.Context, password string) (hash string, err error) {
	if serr := s.withSlot(ctx, func() { hash, err = HashPassword(password) }); serr != nil {
		return "", serr
	}
	return hash, err
}
