package connector

import (
	"sync"
	"time"
)

// DefaultPerWindow is how many calls the gate releases per window after a
// 429 that did not say the account's limit (no X-RateLimit-Limit).
const DefaultPerWindow = 5

// minWindow is the shortest window the gate assumes: a reset a moment
// away says little about how long the platform's window is.
const minWindow = time.Second

// RateGate remembers, per account, until when a platform asked Herald to
// send nothing (a 429 with its reset), and then releases the calls held
// back at the rate the platform allows: not all at the reset, but spread
// over the next window (see Slot). The dispatcher and the background jobs
// share one gate, so no part of Herald calls a limited account before its
// reset; other accounts are unaffected.
type RateGate struct {
	mu sync.Mutex
	m  map[int64]*gateState
}

// gateState is one account's block and release schedule.
type gateState struct {
	until  time.Time     // no call before
	every  time.Duration // one release per every from until on
	window time.Duration // the platform's window, as far as known
	next   time.Time     // the next release not yet handed out
}

// NewRateGate returns an empty gate.
func NewRateGate() *RateGate { return &RateGate{m: map[int64]*gateState{}} }

// Block records that accountID must not be called before until, keeping a
// later block already known, and returns the block in force. The calls
// held back are released DefaultPerWindow per window; Limited says more.
func (g *RateGate) Block(accountID int64, until time.Time) time.Time {
	return g.Limited(accountID, time.Time{}, until, 0)
}

// Limited records a 429 seen at now: accountID must not be called before
// until, and the platform allows limit calls per window (0: not said). It
// keeps a later block already known and returns the block in force.
//
// The window is taken to be the wait until the reset (at least a second):
// a 429 arrives within the window, so the wait is at most the window, and
// when it is shorter a further 429 corrects the schedule. After the reset
// the calls held back are released one per window/limit, so that no window
// gets more than limit of them, whether the platform's windows are fixed
// or start at the first call after the reset.
func (g *RateGate) Limited(accountID int64, now, until time.Time, limit int) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	window := minWindow
	if !now.IsZero() {
		window = max(until.Sub(now), minWindow)
	}
	if limit <= 0 {
		limit = DefaultPerWindow
	}
	every := window / time.Duration(limit)
	s, ok := g.m[accountID]
	if !ok {
		s = &gateState{}
		g.m[accountID] = s
	}
	if until.After(s.until) {
		s.until = until
	}
	s.every = max(s.every, every)
	s.window = max(s.window, window)
	// Releases already handed out for after the reset stay valid; new ones
	// come after them. Those handed out for before it are checked again
	// by their holders (Until), who then ask for a new one.
	if s.next.Before(s.until) {
		s.next = s.until
	}
	return s.until
}

// Until returns when accountID may be called again, if it is blocked at now.
func (g *RateGate) Until(accountID int64, now time.Time) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.m[accountID]
	if !ok || !s.until.After(now) {
		g.expire(accountID, s, now)
		return time.Time{}, false
	}
	return s.until, true
}

// Slot hands out when a call to accountID may be made, for a caller that
// would call at now: held is false when it may call at once; otherwise at
// is its release time, after the reset and the releases handed out before
// it, one per window/limit. A caller that was handed a release time calls
// at that time without asking again, unless Until says a new block came in
// between. The releases go on being spaced while callers keep coming in
// the window after the last 429, so that calls not held back meanwhile do
// not add a burst to the released ones.
func (g *RateGate) Slot(accountID int64, now time.Time) (at time.Time, held bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, ok := g.m[accountID]
	if !ok || g.expire(accountID, s, now) {
		return now, false
	}
	if s.until.After(now) || s.next.After(now) {
		at = s.next
		s.next = at.Add(s.every)
		return at, true
	}
	s.next = now.Add(s.every)
	return now, false
}

// expire forgets an account's schedule once it has been idle for a whole
// window after its releases, and reports whether it did.
func (g *RateGate) expire(accountID int64, s *gateState, now time.Time) bool {
	if s == nil {
		return false
	}
	if s.until.After(now) {
		return false
	}
	// Idle: no release handed out for a window past the last one.
	if now.Sub(s.next) < s.window {
		return false
	}
	delete(g.m, accountID)
	return true
}
