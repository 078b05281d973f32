package auth

import (
	"fmt"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// Guesses limits wrong guesses of a secret other than a member's password
// (a review link's password) with the sign-in limits: per secret and
// address, per address, and per secret, each within the same window. The
// team's own sign-in is counted apart, so guessing a link's password never
// locks a member out.
type Guesses struct {
	l     *limiter
	clock herald.Clock
}

// NewGuesses returns a limiter of guesses; clock nil means the system clock.
func NewGuesses(clock herald.Clock) *Guesses {
	if clock == nil {
		clock = herald.SystemClock{}
	}
	return &Guesses{l: newLimiter(limitWindow, limitPerEmailIP, limitPerIP, limitPerEmail), clock: clock}
}

// Guess runs check, which reports whether the guess was right, unless key
// (what is guessed) or the address remoteAddr have too many wrong guesses
// in the window: then it returns a rate-limited error saying when to try
// again (RetryAfter). A wrong guess is counted before check runs, so
// concurrent guesses cannot pass the limit; an error from check counts as
// no guess.
func (g *Guesses) Guess(key, remoteAddr string, check func() (bool, error)) (bool, error) {
	ip := clientIP(remoteAddr)
	now := g.clock.Now()
	ok, retryAt := g.l.reserve(key, ip, now)
	if !ok {
		wait := max(retryAt.Sub(now), time.Second)
		return false, &retryError{after: wait, err: &herald.Error{Code: herald.CodeRateLimited,
			Message: fmt.Sprintf("too many wrong passwords; try again in %s (at %s)",
				humanDuration(wait.Round(time.Second)), retryAt.UTC().Format(time.RFC3339))}}
	}
	right, err := check()
	switch {
	case err != nil:
		g.l.release(key, ip, now)
	case right:
		g.l.succeed(key, ip, now)
	}
	return right, err
}
