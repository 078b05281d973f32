package publish

import (
	"math/rand/v2"
	"sync"
	"time"
)

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
