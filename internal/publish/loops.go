package publish

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// maxSleep bounds every wait of the fire loop, so that it ticks (and
// Healthy can tell it is alive) even when nothing is due.
const maxSleep = time.Second

// maxOverdueRemembered bounds the overdue targets remembered as notified.
const maxOverdueRemembered = 100_000

// Overdue notifications one by one: at most overduePerWindow per
// overdueWindow; the rest are summed up in one notification.
const (
	overdueWindow    = time.Minute
	overduePerWindow = 10
)

// retryPause is the wait after a store error in a loop.
const retryPause = time.Second

// claimers is how many claims may be in progress at once.
const claimers = 4

// gatherWait bounds how long the fire loop waits to fill a batch while
// another claim is in progress.
const gatherWait = 20 * time.Millisecond

// fullReloadTicks is how many periodic reloads pass between two that read
// the whole window again; the others read only what came into it. Every
// other one: on SQLite a change made by another process (the `herald
// publishing resume` command) sends no signal, and a whole-window read is
// how it is noticed.
const fullReloadTicks = 2

// loadPage is how many due targets one read of a load brings: a load of
// the whole window reads it page by page, so what it allocates stays small
// however many targets are waiting.
const loadPage = 5000

// load reads the targets due within the lookahead into the heap, page by
// page, up to MaxTracked.
func (d *Dispatcher) load(ctx context.Context) error {
	now := d.clock.Now()
	horizon := now.Add(d.cfg.Lookahead)
	read := 0
	var last *herald.DueTarget
	for {
		limit := min(loadPage, d.cfg.MaxTracked-read)
		var due []herald.DueTarget
		var err error
		if last == nil {
			due, err = d.store.NextDue(ctx, horizon, limit)
		} else {
			due, err = d.store.NextDueAfter(ctx, *last, horizon, limit)
		}
		if err != nil {
			return d.loadFailed(now, err)
		}
		d.push(due)
		read += len(due)
		if len(due) < limit || read >= d.cfg.MaxTracked {
			d.loaded(read >= d.cfg.MaxTracked, due, horizon)
			return nil
		}
		last = &due[len(due)-1]
	}
}

// extend reads the targets that came into the lookahead window since the
// last load: a reload on a quiet server reads next to nothing.
func (d *Dispatcher) extend(ctx context.Context) error {
	now := d.clock.Now()
	horizon := now.Add(d.cfg.Lookahead)
	after := herald.DueTarget{DueAt: time.Unix(0, d.loadedUntil.Load()).UTC(), ID: math.MaxInt64}
	due, err := d.store.NextDueAfter(ctx, after, horizon, d.cfg.MaxTracked)
	if err != nil {
		return d.loadFailed(now, err)
	}
	d.push(due)
	d.loaded(len(due) >= d.cfg.MaxTracked, due, horizon)
	return nil
}

// push puts targets a load read on the timer.
func (d *Dispatcher) push(due []herald.DueTarget) {
	if len(due) > 0 {
		d.due.PushAll(due)
		signal(d.changed)
	}
}

// loadFailed records a failed load for readiness and returns its error.
func (d *Dispatcher) loadFailed(now time.Time, err error) error {
	if d.loadErrSince.Load() == 0 {
		d.loadErrSince.Store(now.UnixNano())
	}
	d.loadErr.Store(&err)
	return fmt.Errorf("read due targets: %w", err)
}

// loaded records a successful load up to horizon. When it hit MaxTracked,
// the window is known only up to its last target (those due at that same
// instant are read again next time); last is the load's last page.
func (d *Dispatcher) loaded(full bool, last []herald.DueTarget, horizon time.Time) {
	d.loadErrSince.Store(0)
	d.loadFull.Store(full)
	if full && len(last) > 0 {
		horizon = last[len(last)-1].DueAt.Add(-time.Nanosecond)
	}
	d.loadedUntil.Store(horizon.UnixNano())
}

// loadLoop reloads on store signals and on Wake (the whole window: what
// changed is not known), and periodically: mostly just the targets that
// came into the window, every fullReloadTicks-th time the whole window, in
// case a signal was missed.
func (d *Dispatcher) loadLoop(ctx context.Context, signals <-chan struct{}) {
	tick := time.NewTicker(d.cfg.ReloadEvery)
	defer tick.Stop()
	ticks := 0
	for {
		full := true
		select {
		case <-ctx.Done():
			return
		case _, ok := <-signals:
			if !ok {
				signals = nil // the watch ended; the ticker still reloads
				continue
			}
		case <-d.reload:
		case <-tick.C:
			ticks++
			full = ticks%fullReloadTicks == 0 || d.loadFull.Load()
		}
		load := d.extend
		if full {
			load = d.load
		}
		if err := load(ctx); err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "loading due targets failed", slog.Any("error", err))
		}
	}
}

// fireLoop sleeps until the earliest due target, then claims what is due in
// batches and hands each claim to a call of its own.
func (d *Dispatcher) fireLoop(ctx context.Context) {
	timer := time.NewTimer(maxSleep)
	defer timer.Stop()
	wait := func(dur time.Duration) bool {
		dur = min(max(dur, 0), maxSleep)
		timer.Reset(dur)
		select {
		case <-ctx.Done():
			return false
		case <-d.changed:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		return true
	}
	for ctx.Err() == nil {
		now := d.clock.Now()
		d.lastTick.Store(now.UnixNano())
		if pause := time.Unix(0, d.claimPause.Load()); pause.After(now) {
			// The store failed a claim: give it a moment.
			if !wait(pause.Sub(now)) {
				return
			}
			continue
		}
		next, ok := d.due.Peek()
		if !ok {
			if !wait(maxSleep) {
				return
			}
			continue
		}
		if ahead := next.Sub(now) - d.cfg.ClaimAhead; ahead > 0 {
			if !wait(ahead) {
				return
			}
			continue
		}
		// While another claim is in progress, gather a fuller batch: many
		// small claims cost more round trips than they save.
		atLeast := 1
		if len(d.claimers) < claimers {
			atLeast = min(d.cfg.BatchSize/2, d.due.Len())
		}
		n := d.acquire(ctx, d.cfg.BatchSize, atLeast)
		if n == 0 {
			continue
		}
		now = d.clock.Now()
		batch := d.due.PopDue(now.Add(d.cfg.ClaimAhead), n)
		if len(batch) < n {
			d.release(n - len(batch))
		}
		if len(batch) == 0 {
			continue
		}
		// A few claims run at once, so that the database's round trips
		// overlap (PostgreSQL claims with SKIP LOCKED; SQLite queues them).
		select {
		case <-d.claimers:
		case <-ctx.Done():
			d.release(len(batch))
			return
		}
		d.claimStarted()
		d.loops.Add(1)
		go func() {
			defer d.loops.Done()
			defer func() { d.claimers <- struct{}{} }()
			defer d.claimEnded()
			if !d.claim(ctx, now, batch) {
				d.claimPause.Store(d.clock.Now().Add(retryPause).UnixNano())
				signal(d.changed)
			}
		}()
		if d.loadFull.Load() && d.due.Len() < d.cfg.MaxTracked/2 {
			signal(d.reload)
		}
	}
}

// claim claims a batch popped from the heap (holding one slot per entry)
// and starts a call for each claim. It reports false after a store error,
// having put the batch back.
func (d *Dispatcher) claim(ctx context.Context, now time.Time, batch []dueEntry) bool {
	ids := make([]int64, len(batch))
	claimAt := now
	for i, e := range batch {
		ids[i] = e.id
		if due := time.Unix(0, e.due).UTC(); due.After(claimAt) {
			claimAt = due // claimed slightly ahead: the store must see them due
		}
	}
	leaseUntil := claimAt.Add(d.cfg.Lease)
	claims, err := d.store.ClaimTargets(ctx, ids, d.cfg.Instance, claimAt, leaseUntil)
	if err != nil {
		d.release(len(batch))
		if ctx.Err() != nil {
			return false
		}
		d.log.ErrorContext(ctx, "claiming due targets failed; trying again", slog.Int("targets", len(ids)), slog.Any("error", err))
		d.lostClaim(ids, leaseUntil)
		for _, e := range batch {
			d.due.Push(e.id, time.Unix(0, e.due))
		}
		return false
	}
	if skipped := len(batch) - len(claims); skipped > 0 {
		d.release(skipped)
	}
	for _, c := range claims {
		d.setWorking(c.Target.ID, true)
		d.workers.Add(1)
		go func() {
			defer d.workers.Done()
			defer d.release(1)
			defer d.setWorking(c.Target.ID, false)
			d.run(c, leaseUntil)
		}()
	}
	return true
}

// acquire takes between 1 and max claim slots: it waits up to maxSleep for
// the first one (returning 0 when none came), then up to gatherWait more
// until it holds atLeast, then takes what else is free.
func (d *Dispatcher) acquire(ctx context.Context, max, atLeast int) int {
	t := time.NewTimer(maxSleep)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return 0
	case <-t.C:
		return 0
	case <-d.slots:
	}
	n := 1
	if n < atLeast {
		t.Reset(gatherWait)
	gather:
		for n < atLeast && n < max {
			select {
			case <-d.slots:
				n++
			case <-t.C:
				break gather
			case <-ctx.Done():
				break gather
			}
		}
	}
	for n < max {
		select {
		case <-d.slots:
			n++
		default:
			return n
		}
	}
	return n
}

// release returns n claim slots.
func (d *Dispatcher) release(n int) {
	for range n {
		d.slots <- struct{}{}
	}
}

// endDeadLeases ends, at start, the leases known to belong to dead
// processes: those under this instance's own name (names are unique among
// running instances, so they are an earlier process's) or, with Exclusive,
// every lease. The first look of expiredLoop then takes them over.
func (d *Dispatcher) endDeadLeases(ctx context.Context) error {
	owners := []string{d.cfg.Instance}
	if d.cfg.Exclusive {
		owners = nil
	}
	n, err := d.store.EndLeases(ctx, owners, d.clock.Now())
	if err != nil {
		return fmt.Errorf("publish: end the leases of dead processes: %w", err)
	}
	if n > 0 {
		d.log.InfoContext(ctx, "taking over the leases of a process that died", slog.Int64("targets", n))
	}
	return nil
}

// lostClaim is a claim whose answer was lost.
type lostClaim struct {
	ids        []int64
	leaseUntil time.Time
}

// lostClaim remembers a claim that failed: the store may have committed it
// before the error (a connection cut after the commit), and its targets
// would then wait, leased to this live instance, for the lease to end.
func (d *Dispatcher) lostClaim(ids []int64, leaseUntil time.Time) {
	d.lostMu.Lock()
	defer d.lostMu.Unlock()
	d.lost = append(d.lost, lostClaim{ids: slices.Clone(ids), leaseUntil: leaseUntil})
}

// releaseLost ends the leases of the lost claims that were committed after
// all, so that the look for dead leases that follows takes them over (and
// reconciles them). A claim whose release fails is kept for the next look.
func (d *Dispatcher) releaseLost(ctx context.Context, now time.Time) {
	d.lostMu.Lock()
	lost := d.lost
	d.lost = nil
	d.lostMu.Unlock()
	for i, l := range lost {
		n, err := d.store.ReleaseLostClaim(ctx, d.cfg.Instance, l.ids, l.leaseUntil, now)
		if err != nil {
			if ctx.Err() == nil {
				d.log.ErrorContext(ctx, "releasing the leases of a failed claim failed; trying again", slog.Any("error", err))
			}
			d.lostMu.Lock()
			d.lost = append(d.lost, lost[i:]...)
			d.lostMu.Unlock()
			return
		}
		if n > 0 {
			d.log.InfoContext(ctx, "a failed claim was committed after all; taking its targets over", slog.Int64("targets", n))
		}
	}
}

// expiredLoop puts the targets whose instance died (lease expired, or
// heartbeat run out) back on the timer as due now, at once and then every
// ExpiredEvery; claiming them takes the lease over and reconciles before
// anything is sent again.
func (d *Dispatcher) expiredLoop(ctx context.Context) {
	tick := time.NewTicker(d.cfg.ExpiredEvery)
	defer tick.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		now := d.clock.Now()
		d.releaseLost(ctx, now)
		ids, err := d.store.ExpiredLeases(ctx, now, d.cfg.BatchSize)
		if err != nil {
			if ctx.Err() == nil {
				d.log.ErrorContext(ctx, "looking for expired leases failed", slog.Any("error", err))
			}
			continue
		}
		ids = d.notWorking(ids)
		if len(ids) == 0 {
			continue
		}
		d.log.InfoContext(ctx, "taking over the leases of dead instances", slog.Int("targets", len(ids)))
		due := make([]herald.DueTarget, len(ids))
		for i, id := range ids {
			due[i] = herald.DueTarget{ID: id, DueAt: now}
		}
		d.due.PushAll(due)
		signal(d.changed)
	}
}

// monitorLoop keeps the overdue gauge current and tells people, once per
// target, about targets that are late and still waiting.
func (d *Dispatcher) monitorLoop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := d.clock.Now()
		if next, ok := d.due.Peek(); ok && next.Before(now) {
			d.metrics.oldestOverdue.Set(now.Sub(next).Seconds())
		} else {
			d.metrics.oldestOverdue.Set(0)
		}
		for _, e := range d.due.Overdue(now.Add(-d.cfg.OverdueAfter), 100) {
			due := time.Unix(0, e.due).UTC()
			d.overdue(ctx, 0, e.id, 0, now.Sub(due))
		}
		d.flushOverdue(ctx)
	}
}

// overdue notifies, once per target, that it is late. workspaceID and
// accountID are 0 when only the timer knows the target.
func (d *Dispatcher) overdue(ctx context.Context, workspaceID, targetID, accountID int64, late time.Duration) {
	d.overdueMu.Lock()
	seen := d.overdueNotified[targetID]
	if len(d.overdueNotified) >= maxOverdueRemembered {
		// Targets cancelled while late never settle here; forget them all
		// rather than grow without bound (a few may be told twice).
		clear(d.overdueNotified)
	}
	d.overdueNotified[targetID] = true
	// In a backlog thousands of targets are late at once: tell people about
	// the first few each minute one by one, and about the rest in one
	// summary (see flushOverdue), rather than flood the webhook and the log.
	now := d.clock.Now()
	if now.Sub(d.overdueWindow) >= overdueWindow {
		d.overdueWindow, d.overdueSent = now, 0
	}
	quiet := !seen && d.overdueSent >= overduePerWindow
	if quiet {
		d.overdueSuppressed++
	} else if !seen {
		d.overdueSent++
	}
	d.overdueMu.Unlock()
	if seen || quiet {
		return
	}
	d.sendNotification(ctx, herald.Notification{
		Kind: herald.NotifyTargetOverdue, WorkspaceID: workspaceID, TargetID: targetID, AccountID: accountID,
		Message: fmt.Sprintf("Post target %d is %s late and not yet published; Herald keeps trying.", targetID, late.Round(time.Second)),
	})
}

// flushOverdue sends one summary of the late targets not told about one by
// one, once their minute is over.
func (d *Dispatcher) flushOverdue(ctx context.Context) {
	d.overdueMu.Lock()
	n := d.overdueSuppressed
	if n == 0 || d.clock.Now().Sub(d.overdueWindow) < overdueWindow {
		d.overdueMu.Unlock()
		return
	}
	d.overdueSuppressed = 0
	d.overdueMu.Unlock()
	d.sendNotification(ctx, herald.Notification{
		Kind:    herald.NotifyTargetOverdue,
		Message: fmt.Sprintf("%d more post targets became over %s late in the last minute; Herald keeps trying.", n, d.cfg.OverdueAfter),
	})
}

// forgetOverdue drops a target from the overdue bookkeeping once it is
// settled for now.
func (d *Dispatcher) forgetOverdue(targetID int64) {
	d.overdueMu.Lock()
	delete(d.overdueNotified, targetID)
	d.overdueMu.Unlock()
}

// setWorking records whether this instance works on a target.
func (d *Dispatcher) setWorking(id int64, on bool) {
	d.workingMu.Lock()
	defer d.workingMu.Unlock()
	if on {
		d.working[id] = true
	} else {
		delete(d.working, id)
	}
}

// notWorking drops from ids the targets this instance still works on: their
// lease ran out, but the attempt is alive and will complete (or be skipped
// as a lost lease by the store if another instance took it over).
func (d *Dispatcher) notWorking(ids []int64) []int64 {
	d.workingMu.Lock()
	defer d.workingMu.Unlock()
	out := ids[:0]
	for _, id := range ids {
		if !d.working[id] {
			out = append(out, id)
		}
	}
	return out
}

// claimStarted and claimEnded keep track of claims in progress, so that
// Healthy can tell claims that never return from a loop that is merely busy.
func (d *Dispatcher) claimStarted() {
	d.claimMu.Lock()
	defer d.claimMu.Unlock()
	if d.claimsRunning == 0 {
		d.claimProgress = d.clock.Now()
	}
	d.claimsRunning++
}

func (d *Dispatcher) claimEnded() {
	d.claimMu.Lock()
	defer d.claimMu.Unlock()
	d.claimsRunning--
	d.claimProgress = d.clock.Now()
}

// claimsStuckFor reports how long claims have been running without any of
// them finishing (0 when none runs).
func (d *Dispatcher) claimsStuckFor(now time.Time) time.Duration {
	d.claimMu.Lock()
	defer d.claimMu.Unlock()
	if d.claimsRunning == 0 {
		return 0
	}
	return now.Sub(d.claimProgress)
}
