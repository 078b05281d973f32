package publish

import (
	"math/rand/v2"
	"sync"
	"time"
)

// accountBlocks remembers, per account, until when the platform asked us to
// send nothing (a 429). Other accounts are unaffected.
type accountBlocks struct {
	mu    sync.Mutex
	until map[int64]time.Time
}

func newAccountBlocks() *accountBlocks {
	return &accountBlocks{until: map[int64]time.Time{}}
}

// Block records that accountID must not be called before until (keeping a
// later block already known).
func (b *accountBlocks) Block(accountID int64, until time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.until[accountID]; ok && cur.After(until) {
		return cur
	}
	b.until[accountID] = until
	return until
}

// Until returns when accountID may be called again, if it is blocked at now.
func (b *accountBlocks) Until(accountID int64, now time.Time) (time.Time, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	until, ok := b.until[accountID]
	if !ok {
		return time.Time{}, false
	}
	if !until.After(now) {
		delete(b.until, accountID)
		return time.Time{}, false
	}
	return until, true
}

// accountLocks serializes token refreshes per account, so that many
// targets of one account hitting an expired token refresh it once.
type accountLocks struct {
	mu    sync.Mutex
	locks map[int64]*refCountedMutex
}

type refCountedMutex struct {
	sync.Mutex
	refs int
}

func newAccountLocks() *accountLocks {
	return &accountLocks{locks: map[int64]*refCountedMutex{}}
}

// Lock locks accountID and returns the unlock function.
func (l *accountLocks) Lock(accountID int64) func() {
	l.mu.Lock()
	m, ok := l.locks[accountID]
	if !ok {
		m = &refCountedMutex{}
		l.locks[accountID] = m
	}
	m.refs++
	l.mu.Unlock()
	m.Lock()
	return func() {
		m.Unlock()
		l.mu.Lock()
		m.refs--
		if m.refs == 0 {
			delete(l.locks, accountID)
		}
		l.mu.Unlock()
	}
}

// backoff returns the wait before retry number attempt (1 for the wait
// after the first attempt): exponential from base, capped, with full jitter.
func backoff(attempt int, base, ceiling time.Duration) time.Duration {
	d := base
	for i := 1; i < attempt && d < ceiling; i++ {
		d *= 2
	}
	d = min(d, ceiling)
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}
