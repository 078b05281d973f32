package auth

import (
	"sync"
	"time"
)

// Sign-in attempt limits: failures per e-mail and address pair, and per
// address across every e-mail (password spraying), within limitWindow.
const (
	limitPerEmailIP = 5
	limitPerIP      = 50
	limitWindow     = 15 * time.Minute
	// sweepEvery is how many calls pass between sweeps of stale entries, so
	// memory stays bounded by the attempts of the last window.
	sweepEvery = 1024
)

// limiter counts failed sign-ins in memory, in a sliding window. It is
// per process: with several instances each enforces its own limits.
type limiter struct {
	mu      sync.Mutex
	window  time.Duration
	pairMax int
	ipMax   int
	pairs   map[string][]time.Time // e-mail + "\x00" + ip → failure times, oldest first
	ips     map[string][]time.Time
	calls   int
}

func newLimiter(window time.Duration, pairMax, ipMax int) *limiter {
	return &limiter{window: window, pairMax: pairMax, ipMax: ipMax,
		pairs: map[string][]time.Time{}, ips: map[string][]time.Time{}}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// allow reports whether another attempt may be made now, and if not, when
// the next one may.
func (l *limiter) allow(email, ip string, now time.Time) (ok bool, retryAt time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.maybeSweep(now)
	if at, blocked := l.blocked(l.pairs, pairKey(email, ip), l.pairMax, now); blocked {
		retryAt = at
	}
	if at, blocked := l.blocked(l.ips, ip, l.ipMax, now); blocked && at.After(retryAt) {
		retryAt = at
	}
	return retryAt.IsZero(), retryAt
}

// fail records a failed attempt.
func (l *limiter) fail(email, ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := pairKey(email, ip)
	l.pairs[k] = append(prune(l.pairs[k], now, l.window), now)
	l.ips[ip] = append(prune(l.ips[ip], now, l.window), now)
}

// succeed forgets the failures of this e-mail from this address. The
// address's total stays, so one good account cannot reset a spraying run.
func (l *limiter) succeed(email, ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.pairs, pairKey(email, ip))
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
	for _, m := range []map[string][]time.Time{l.pairs, l.ips} {
		for k, times := range m {
			if times = prune(times, now, l.window); len(times) == 0 {
				delete(m, k)
			} else {
				m[k] = times
			}
		}
	}
}
