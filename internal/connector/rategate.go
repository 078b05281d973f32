package connector

import (
	"sync"
	"time"
)

// RateGate remembers, per account, until when a platform asked Herald to
// send nothing (a 429 with its reset). The dispatcher and the background
// jobs share one gate, so no part of Herald calls a limited account before
// its reset; other accounts are unaffected.
type RateGate struct {
	mu    sync.Mutex
	until map[int64]time.Time
}

// NewRateGate returns an empty gate.
func NewRateGate() *RateGate { return &RateGate{until: map[int64]time.Time{}} }

// Block records that accountID must not be called before until, keeping a
// later block already known, and returns the block in force.
func (g *RateGate) Block(accountID int64, until time.Time) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	if cur, ok := g.until[accountID]; ok && cur.After(until) {
		return cur
	}
	g.until[accountID] = until
	return until
}

// Until returns when accountID may be called again, if it is blocked at now.
func (g *RateGate) Until(accountID int64, now time.Time) (time.Time, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	until, ok := g.until[accountID]
	if !ok {
		return time.Time{}, false
	}
	if !until.After(now) {
		delete(g.until, accountID)
		return time.Time{}, false
	}
	return until, true
}
