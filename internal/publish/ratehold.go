package publish

import (
	"time"

	"github.com/heraldsocial/herald/internal/connector"
)

// maxHeldRemembered bounds the release times remembered for held targets.
const maxHeldRemembered = 100_000

// admit sorts a batch popped from the timer before it is claimed. A target
// whose account is rate-limited is not claimed at all (no attempt is
// written for holding it back): it goes back on the timer at a release
// time the shared rate gate hands out, so that the account's held targets
// go out spread within the platform's budget rather than all at its reset.
// A target that reaches its release time is admitted without asking the
// gate again, unless a new 429 came in between. admit returns the entries
// to claim, the release time of each admitted target that had one, and
// how many entries it put back.
func (d *Dispatcher) admit(now time.Time, batch []dueEntry) (out []dueEntry, notBefore map[int64]time.Time, held int) {
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	out = batch[:0]
	for _, e := range batch {
		if e.account == 0 {
			out = append(out, e) // account not known (a take-over): the attempt checks the gate
			continue
		}
		if slot, ok := d.held[e.id]; ok {
			if until, blocked := d.blocks.Until(e.account, now); !blocked || !slot.Before(until) {
				if slot.After(now.Add(d.cfg.ClaimAhead)) {
					// A reload put it back at its stored due time: not yet.
					d.due.Push(e.id, e.account, slot)
					held++
					continue
				}
				delete(d.held, e.id)
				if notBefore == nil {
					notBefore = map[int64]time.Time{}
				}
				notBefore[e.id] = slot
				out = append(out, e)
				continue
			}
			// A new 429 came after its release time was handed out.
		}
		at, wait := d.blocks.Slot(e.account, now)
		if !wait {
			delete(d.held, e.id)
			out = append(out, e)
			continue
		}
		d.holdLocked(e.id, at)
		d.due.Push(e.id, e.account, at)
		held++
	}
	return out, notBefore, held
}

// hold remembers the release time handed out to a target.
func (d *Dispatcher) hold(targetID int64, at time.Time) {
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	d.holdLocked(targetID, at)
}

func (d *Dispatcher) holdLocked(targetID int64, at time.Time) {
	if _, ok := d.held[targetID]; !ok && len(d.held) >= maxHeldRemembered {
		// Targets cancelled while held never come back; forget them all
		// rather than grow without bound (a few then ask the gate again).
		clear(d.held)
	}
	d.held[targetID] = at
}

// limited records a 429 (ce, nil when not known) for the attempt's account
// in the rate gate: no call before the reset the platform gave (or
// RateLimitWait), then releases within the limit it said.
func (a *attempt) limited(ce *connector.Error) {
	d := a.d
	wait, limit := d.cfg.RateLimitWait, 0
	if ce != nil {
		if ce.RetryAfter > 0 {
			wait = ce.RetryAfter
		}
		limit = ce.Limit
	}
	now := d.clock.Now()
	d.blocks.Limited(a.c.Account.ID, now, now.Add(wait), limit)
}

// holdBack ends the attempt as rate-limited: the target retries at the
// release time the rate gate hands out for its account, and is admitted
// then without asking again.
func (a *attempt) holdBack(status int, msg string) result {
	d := a.d
	at, _ := d.blocks.Slot(a.c.Account.ID, d.clock.Now())
	d.hold(a.c.Target.ID, at)
	return a.rateLimited(status, at, msg)
}
