package storetest

import (
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// mustBeat records a heartbeat of id at beat, alive until aliveUntil.
func mustBeat(t *testing.T, s herald.Store, id string, beat, aliveUntil time.Time) herald.Instance {
	t.Helper()
	in := herald.Instance{ID: id, Hostname: "host-" + id, PID: 4242, Version: "v1.2.3",
		StartedAt: at(time.Hour), HeartbeatAt: beat, AliveUntil: aliveUntil}
	noErr(t, s.Heartbeat(t.Context(), in), "Heartbeat("+id+")")
	return in
}

func instanceTests() []test {
	return []test{
		{"HeartbeatRoundTrip", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			list, err := s.ListInstances(ctx)
			noErr(t, err, "ListInstances")
			if len(list) != 0 {
				t.Fatalf("a new store lists %d instances", len(list))
			}
			old := mustBeat(t, s, "old", claimNow(), claimNow().Add(5*time.Second))
			mustBeat(t, s, "new", claimNow(), claimNow().Add(5*time.Second))
			// A second beat overwrites the first.
			next := mustBeat(t, s, "new", claimNow().Add(time.Second), claimNow().Add(6*time.Second))
			list, err = s.ListInstances(ctx)
			noErr(t, err, "ListInstances")
			if len(list) != 2 {
				t.Fatalf("ListInstances = %+v, want two instances", list)
			}
			for _, in := range list {
				wantUTC(t, "Instance.HeartbeatAt", in.HeartbeatAt)
				wantUTC(t, "Instance.StartedAt", in.StartedAt)
				wantUTC(t, "Instance.AliveUntil", in.AliveUntil)
			}
			same(t, "latest heartbeat first", list[0], next)
			same(t, "older heartbeat", list[1], old)

			for name, bad := range map[string]herald.Instance{
				"no id":           {StartedAt: at(0), HeartbeatAt: at(0), AliveUntil: at(time.Second)},
				"no heartbeat":    {ID: "x", StartedAt: at(0)},
				"alive backwards": {ID: "x", StartedAt: at(0), HeartbeatAt: at(time.Second), AliveUntil: at(0)},
			} {
				wantIs(t, s.Heartbeat(ctx, bad), herald.ErrInvalid, "Heartbeat("+name+")")
			}
		}},
		{"StaleInstanceLeaseTakenOver", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID, mustAccount(t, s, w.ws.ID).ID,
				mustAccount(t, s, w.ws.ID).ID)
			ids := targetIDs(p)
			staleID, freshID, unknownID := ids[0], ids[1], ids[2]
			// The stale instance beat last at claimNow and counted itself
			// alive for 5 s; the fresh one beats on.
			mustBeat(t, s, "stale", claimNow(), claimNow().Add(5*time.Second))
			mustBeat(t, s, "fresh", claimNow(), claimNow().Add(5*time.Second))
			first := mustClaim(t, s, []int64{staleID}, "stale", claimNow(), leaseEnd(), 1)[0]
			mustClaim(t, s, []int64{freshID}, "fresh", claimNow(), leaseEnd(), 1)
			mustClaim(t, s, []int64{unknownID}, "unknown", claimNow(), leaseEnd(), 1) // no heartbeat row

			// While every heartbeat holds, nothing is listed or taken.
			soon := claimNow().Add(4 * time.Second)
			leases, err := s.ExpiredLeases(ctx, soon, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "leases to take over while every instance is alive", leases, []int64{})
			mustClaim(t, s, ids, "taker", soon, soon.Add(5*time.Minute), 0)

			// The fresh instance beats again; the stale one does not.
			now := claimNow().Add(10 * time.Second)
			mustBeat(t, s, "fresh", now.Add(-time.Second), now.Add(4*time.Second))
			leases, err = s.ExpiredLeases(ctx, now, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "leases of a stale instance", leases, []int64{staleID})
			got := mustClaim(t, s, ids, "taker", now, now.Add(5*time.Minute), 1)[0]
			if got.Target.ID != staleID || !got.Recovered || got.Attempt != 2 {
				t.Fatalf("taken over: target %d recovered %v attempt %d, want target %d recovered on attempt 2",
					got.Target.ID, got.Recovered, got.Attempt, staleID)
			}
			atts, err := s.ListAttempts(ctx, w.ws.ID, staleID)
			noErr(t, err, "ListAttempts")
			if len(atts) != 2 || atts[0].Outcome != herald.OutcomeLeaseLost || atts[0].Instance != "stale" {
				t.Fatalf("attempts after the take-over = %+v, want the stale instance's closed as lease_lost", atts)
			}
			// The stale instance, alive after all, cannot complete it.
			skipped, err := s.CompleteTargets(ctx, []herald.Completion{
				completion(first, "stale", herald.StatePublished, herald.OutcomePublished)})
			noErr(t, err, "CompleteTargets(stale owner)")
			wantIDs(t, "skipped", skipped, []int64{staleID})
			leases, err = s.ExpiredLeases(ctx, now, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "leases to take over after the take-over", leases, []int64{})

			// A lease without a heartbeat row still ends with the lease.
			leases, err = s.ExpiredLeases(ctx, leaseEnd().Add(time.Second), 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "expired leases at the lease's end", leases, []int64{freshID, unknownID})
		}},
		{"EndLeases", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID, mustAccount(t, s, w.ws.ID).ID,
				mustAccount(t, s, w.ws.ID).ID)
			ids := targetIDs(p)
			for i, owner := range []string{"a", "b", "c"} {
				mustClaim(t, s, ids[i:i+1], owner, claimNow(), leaseEnd(), 1)
			}
			now := claimNow().Add(time.Second)
			n, err := s.EndLeases(ctx, []string{}, now)
			noErr(t, err, "EndLeases(none)")
			if n != 0 {
				t.Fatalf("EndLeases(none) ended %d leases", n)
			}
			n, err = s.EndLeases(ctx, []string{"a", "nobody"}, now)
			noErr(t, err, "EndLeases(a)")
			if n != 1 {
				t.Fatalf("EndLeases(a) ended %d leases, want 1", n)
			}
			leases, err := s.ExpiredLeases(ctx, now, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "leases ended for a", leases, ids[:1])

			n, err = s.EndLeases(ctx, nil, now)
			noErr(t, err, "EndLeases(all)")
			if n != 2 {
				t.Fatalf("EndLeases(all) ended %d leases, want the 2 still running", n)
			}
			leases, err = s.ExpiredLeases(ctx, now, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "every lease ended", leases, ids)
			got := mustClaim(t, s, ids, "d", now, now.Add(5*time.Minute), 3)
			for _, c := range got {
				if !c.Recovered {
					t.Fatalf("target %d was not claimed as recovered", c.Target.ID)
				}
			}
		}},
		{"ReleaseLostClaim", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID, mustAccount(t, s, w.ws.ID).ID)
			ids := targetIDs(p)
			// The claim committed, but its answer never reached "me" (the
			// lease end has more than microsecond precision, as a clock's has).
			lease := leaseEnd().Add(1234 * time.Nanosecond)
			mustClaim(t, s, ids[:1], "me", claimNow(), lease, 1)
			mustClaim(t, s, ids[1:], "other", claimNow(), lease, 1)
			now := claimNow().Add(time.Second)
			for name, tc := range map[string]struct {
				owner string
				lease time.Time
			}{"another claim": {"me", lease.Add(time.Second)}, "another owner": {"you", lease}} {
				n, err := s.ReleaseLostClaim(ctx, tc.owner, ids, tc.lease, now)
				noErr(t, err, "ReleaseLostClaim("+name+")")
				if n != 0 {
					t.Fatalf("ReleaseLostClaim(%s) ended %d leases, want none", name, n)
				}
			}
			n, err := s.ReleaseLostClaim(ctx, "me", ids, lease, now)
			noErr(t, err, "ReleaseLostClaim")
			if n != 1 {
				t.Fatalf("ReleaseLostClaim ended %d leases, want 1", n)
			}
			leases, err := s.ExpiredLeases(ctx, now, 10)
			noErr(t, err, "ExpiredLeases")
			wantIDs(t, "leases of the lost claim", leases, ids[:1])
			got := mustClaim(t, s, ids, "me", now, now.Add(5*time.Minute), 1)[0]
			if got.Target.ID != ids[0] || !got.Recovered {
				t.Fatalf("claimed again: target %d recovered %v, want %d recovered", got.Target.ID, got.Recovered, ids[0])
			}
		}},
		{"DeleteStaleInstances", func(t *testing.T, s herald.Store) {
			ctx := t.Context()
			w := mustWorld(t, s)
			p := mustDue(t, s, w, at(time.Hour), w.account.ID)
			mustBeat(t, s, "dead-holding", claimNow(), claimNow().Add(5*time.Second))
			mustBeat(t, s, "dead", claimNow(), claimNow().Add(5*time.Second))
			mustBeat(t, s, "alive", claimNow().Add(time.Hour), claimNow().Add(time.Hour+5*time.Second))
			mustClaim(t, s, targetIDs(p), "dead-holding", claimNow(), leaseEnd(), 1)
			n, err := s.DeleteStaleInstances(ctx, claimNow().Add(time.Hour))
			noErr(t, err, "DeleteStaleInstances")
			if n != 1 {
				t.Fatalf("DeleteStaleInstances deleted %d, want 1", n)
			}
			list, err := s.ListInstances(ctx)
			noErr(t, err, "ListInstances")
			var left []string
			for _, in := range list {
				left = append(left, in.ID)
			}
			same(t, "instances left", left, []string{"alive", "dead-holding"})
		}},
	}
}
