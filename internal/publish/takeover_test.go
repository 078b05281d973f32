package publish_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/publish"
)

// longLease is far beyond any wait of these tests: a target published
// while its lease runs was taken over because its owner is known dead.
const longLease = time.Hour

// ghostClaim claims tg for owner with a long lease, as an instance that
// then died (or is still working) would have.
func (h *harness) ghostClaim(t *testing.T, tg herald.Target, owner string) {
	t.Helper()
	now := time.Now().UTC()
	claims, err := h.store.ClaimTargets(t.Context(), []int64{tg.ID}, owner, now, now.Add(longLease))
	if err != nil || len(claims) != 1 {
		t.Fatalf("ClaimTargets(%s) = %v, %v", owner, claims, err)
	}
}

// heartbeat runs owner's heartbeat until the test ends.
func (h *harness) heartbeat(t *testing.T, owner string, staleAfter time.Duration) *publish.Heartbeat {
	t.Helper()
	hb := publish.NewHeartbeat(publish.HeartbeatConfig{Instance: owner, StaleAfter: staleAfter}, h.store, nil,
		slog.New(slog.NewTextHandler(h.logs, nil)))
	if err := hb.Start(t.Context()); err != nil {
		t.Fatalf("heartbeat of %s: %v", owner, err)
	}
	t.Cleanup(hb.Stop)
	return hb
}

func TestDeadInstanceLeaseTakenOverAtOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Lookup: true})
		past := time.Now().Add(-time.Second)
		orphan := h.schedule(t, h.account(t, "alice", "", ""), past, herald.Variant{Text: "orphan"})
		kept := h.schedule(t, h.account(t, "bob", "", ""), past, herald.Variant{Text: "kept"})
		// The dead instance beat once and claimed; the busy one beats on
		// while its (long) call runs.
		dead := h.heartbeat(t, "dead", 300*time.Millisecond)
		h.ghostClaim(t, orphan, "dead")
		dead.Stop()
		h.heartbeat(t, "busy", 300*time.Millisecond)
		h.ghostClaim(t, kept, "busy")

		h.start(t, testConfig("survivor"), h.registry(nil))
		got := h.waitState(t, orphan.ID, herald.StatePublished)
		if got.RemoteID == "" || len(h.posts(orphan.ID)) != 1 {
			t.Errorf("the dead instance's target: remote id %q, %d posts, want one", got.RemoteID, len(h.posts(orphan.ID)))
		}
		as := h.attempts(t, orphan.ID)
		if len(as) != 2 || as[0].Outcome != herald.OutcomeLeaseLost || as[1].Instance != "survivor" {
			t.Errorf("attempts of the taken-over target = %+v", as)
		}
		// Several looks for dead leases later, the live instance's lease
		// is still its own.
		time.Sleep(time.Second)
		if tg := h.target(t, kept.ID); tg.State != herald.StatePublishing || len(h.posts(kept.ID)) != 0 {
			t.Errorf("the live instance's target is %s with %d posts: taken over from a live instance", tg.State, len(h.posts(kept.ID)))
		}
		h.noDuplicates(t)
	})
}

func TestStartTakesOverLeasesOfEarlierProcesses(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{Lookup: true})
		past := time.Now().Add(-time.Second)
		mine := h.schedule(t, h.account(t, "alice", "", ""), past, herald.Variant{Text: "mine"})
		other := h.schedule(t, h.account(t, "bob", "", ""), past, herald.Variant{Text: "other"})
		// Processes that died without a heartbeat row: one under the name
		// the next process takes again, one under another name.
		h.ghostClaim(t, mine, "herald-1")
		h.ghostClaim(t, other, "herald-0")

		first := h.start(t, testConfig("herald-1"), h.registry(nil))
		h.waitState(t, mine.ID, herald.StatePublished)
		time.Sleep(500 * time.Millisecond)
		if st := h.target(t, other.ID).State; st != herald.StatePublishing {
			t.Fatalf("another instance's lease was taken over without cause: the target is %s", st)
		}
		first.Stop()

		// The process holding a SQLite folder's lock knows every earlier
		// one is dead.
		cfg := testConfig("herald-2")
		cfg.Exclusive = true
		h.start(t, cfg, h.registry(nil))
		h.waitState(t, other.ID, herald.StatePublished)
		if len(h.posts(mine.ID)) != 1 || len(h.posts(other.ID)) != 1 {
			t.Errorf("posts: %d and %d, want one each", len(h.posts(mine.ID)), len(h.posts(other.ID)))
		}
		h.noDuplicates(t)
	})
}

func TestHeartbeat(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		h := newHarness(t, open(t), fakeserver.Config{})
		ctx := t.Context()
		if err := publish.NewHeartbeat(publish.HeartbeatConfig{}, h.store, nil, nil).Start(ctx); err == nil {
			t.Fatal("a heartbeat without an instance name started")
		}
		before := time.Now().UTC()
		hb := publish.NewHeartbeat(publish.HeartbeatConfig{Instance: "me", StaleAfter: 300 * time.Millisecond,
			Hostname: "host", PID: 7, Version: "v9"}, h.store, nil, nil)
		if err := hb.Start(ctx); err != nil {
			t.Fatalf("Start: %v", err)
		}
		t.Cleanup(hb.Stop)
		if err := hb.Start(ctx); err == nil {
			t.Error("a heartbeat started twice")
		}
		me := func() herald.Instance {
			t.Helper()
			list, err := h.store.ListInstances(ctx)
			if err != nil || len(list) != 1 {
				t.Fatalf("ListInstances = %+v, %v", list, err)
			}
			return list[0]
		}
		first := me()
		if first.ID != "me" || first.Hostname != "host" || first.PID != 7 || first.Version != "v9" ||
			first.StartedAt.Before(before.Truncate(time.Microsecond)) ||
			first.AliveUntil.Sub(first.HeartbeatAt) != 300*time.Millisecond {
			t.Fatalf("first heartbeat = %+v", first)
		}
		waitFor(t, "a second heartbeat", func() bool { return me().HeartbeatAt.After(first.HeartbeatAt) })
		hb.Stop()
		hb.Stop()
		last := me()
		if !last.AliveUntil.Equal(last.HeartbeatAt) || last.AliveUntil.After(time.Now()) || !last.StartedAt.Equal(first.StartedAt) {
			t.Errorf("after Stop the instance = %+v, want dead from its last heartbeat", last)
		}
	})
}

// lostAnswers is a store whose first claim is committed but answered with
// an error, as when the connection is cut after the commit.
type lostAnswers struct {
	testStore
	lost atomic.Bool
}

func (s *lostAnswers) ClaimTargets(ctx context.Context, ids []int64, owner string, now, leaseUntil time.Time) ([]herald.Claim, error) {
	cs, err := s.testStore.ClaimTargets(ctx, ids, owner, now, leaseUntil)
	if err == nil && len(cs) > 0 && s.lost.CompareAndSwap(false, true) {
		return nil, errors.New("connection reset after the commit")
	}
	return cs, err
}

func TestLostClaimAnswerTakenOver(t *testing.T) {
	eachStore(t, func(t *testing.T, open func(*testing.T) testStore) {
		st := &lostAnswers{testStore: open(t)}
		h := newHarness(t, st, fakeserver.Config{Lookup: true})
		tg := h.schedule(t, h.account(t, "alice", "", ""), time.Now().Add(200*time.Millisecond), herald.Variant{Text: "hello"})
		cfg := testConfig("me")
		cfg.Lease = longLease
		h.start(t, cfg, h.registry(nil))
		h.waitState(t, tg.ID, herald.StatePublished)
		if !st.lost.Load() {
			t.Fatal("no claim answer was lost: the test proves nothing")
		}
		if n := len(h.posts(tg.ID)); n != 1 {
			t.Errorf("%d posts, want 1", n)
		}
		if as := h.attempts(t, tg.ID); len(as) != 2 || as[0].Outcome != herald.OutcomeLeaseLost {
			t.Errorf("attempts = %+v, want the lost claim's closed as lease_lost and a second", as)
		}
	})
}
