package auth

import (
	"sync"
	"time"
)

// Sign-in attempt limits within limitWindow: failures per e-mail and
// address pair; per address across every e-mail (password spraying); and
// per e-mail across every address (guessing from many addresses). Each is
// counted apart, so a busy address does not lock an account for others and
// an attacked account does not lock out an address's other people.
const (
	limitPerEmailIP = 5
	limitPerIP      = 50
	limitPerEmail   = 20
	limitWindow     = 15 * time.Minute
	// sweepEvery is how many calls pass between sweeps of stale entries, so
	// memory stays bounded by the attempts of the last window.
	sweepEvery = 1024
)

// limiter counts sign-in attempts in memory, in a sliding window. It is
// per process: with several instances each enforces its own limits.
//
// An attempt is reserved before the password is checked and counted as a
// failure at once, so that concurrent attempts cannot all pass the check
// before any is counted; a successful attempt then gives its reservation
// back (release).
type limiter struct {
	mu       sync.Mutex
	window   time.Duration
	pairMax  int
	ipMax    int
	emailMax int
	pairs    map[string][]time.Time // e-mail + "\x00" + ip → attempt times, oldest first
	ips      map[string][]time.Time
	emails   map[string][]time.Time
	calls    int
}

func newLimiter(window time.Duration, pairMax, ipMax, emailMax int) *limiter {
	return &limiter{window: window, pairMax: pairMax, ipMax: ipMax, emailMax: emailMax,
		pairs: map[string][]time.Time{}, ips: map[string][]time.Time{}, emails: map[string][]time.Time{}}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// reserve takes an attempt for email from ip at now, if every limit has
// room, and reports when the next attempt may be made if not. A reserved
// attempt counts as a failure until released.
func (l *limiter) reserve(email, ip string, now time.Time) (ok bool, retryAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybeSweep(now)
	pk := pairKey(email, ip)
	for _, c := range []struct {
		m     map[string][]time.Time
		k     string
		limit int
	}{{l.pairs, pk, l.pairMax}, {l.ips, ip, l.ipMax}, {l.emails, email, l.emailMax}} {
		if at, blocked := l.blocked(c.m, c.k, c.limit, now); blocked && at.After(retryAt) {
			retryAt = at
		}
	}
	if !retryAt.IsZero() {
		return false, retryAt
	}
	l.pairs[pk] = append(l.pairs[pk], now)
	l.ips[ip] = append(l.ips[ip], now)
	l.emails[email] = append(l.emails[email], now)
	return true, time.Time{}
}

// release gives back an attempt reserved at at: it was not a failure (the
// password was right, or the check could not be made).
func (l *limiter) release(email, ip string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	drop(l.pairs, pairKey(email, ip), at)
	drop(l.ips, ip, at)
	drop(l.emails, email, at)
}

// succeed gives back the reservation made at at and forgets the failures
// of this e-mail from this address. The address's and the e-mail's totals
// stay, so one good account cannot reset a spraying run.
func (l *limiter) succeed(email, ip string, at time.Time) {
	l.release(email, ip, at)
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pairs, pairKey(email, ip))
}

// drop removes one attempt made at at from m[k].
func drop(m map[string][]time.Time, k string, at time.Time) {
	times := m[k]
	for i := len(times) - 1; i >= 0; i-- {
		if times[i].Equal(at) {
			times = append(times[:i:i], times[i+1:]...)
			break
		}
	}
	if len(times) == 0 {
		delete(m, k)
		return
	}
	m[k] = times
}

func (l *limiter) blocked(m map[string][]time.Time, k string, limit int, now time.Time) (time.Time, bool) {
	times := prune(m[k], now, l.window)
	if len(times) == 0 {
		delete(m, k)
		return time.Time{}, false
	}
	m[k] = times
	if len(times) < limit {
		return time.Time{}, false
	}
	// Blocked until enough failures leave the window to bring the count under limit.
	return times[len(times)-limit].Add(l.window), true
}

// prune drops times that have left the window ending at now.
func prune(times []time.Time, now time.Time, window time.Duration) []time.Time {
	cut := 0
	for cut < len(times) && !now.Before(times[cut].Add(window)) {
		cut++
	}
	if cut == 0 {
		return times
	}
	return append(times[:0:0], times[cut:]...)
}

func (l *limiter) maybeSweep(now time.Time) {
	l.calls++
	if l.calls < sweepEvery {
		return
	}
	l.calls = 0
	for _, m := range []map[string][]time.Time{l.pairs, l.ips, l.emails} {
		for k, times := range m {
			if times = prune(times, now, l.window); len(times) == 0 {
				delete(m, k)
			} else {
				m[k] = times
			}
		}
	}
}
