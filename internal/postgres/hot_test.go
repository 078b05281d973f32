package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
)

// tableUpdates reads PostgreSQL's count of row updates of the table in the
// store's schema, and how many of them were heap-only.
func tableUpdates(ctx context.Context, t *testing.T, q *benchQueue, table string) (upd, hot int64) {
	t.Helper()
	err := q.db.Pool().QueryRow(ctx, `SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables
		WHERE relid = to_regclass($1)`, table).Scan(&upd, &hot)
	if err != nil {
		t.Fatalf("read the statistics of %s: %v", table, err)
	}
	return upd, hot
}

// waitUpdates waits until PostgreSQL's statistics count at least want
// updates of table (a backend reports them a moment after its commit).
func waitUpdates(ctx context.Context, t *testing.T, q *benchQueue, table string, want int64) (upd, hot int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		upd, hot = tableUpdates(ctx, t, q, table)
		if upd >= want || time.Now().After(deadline) {
			return upd, hot
		}
		// The pool's connections report their statistics when idle; ask
		// this one to, and look again.
		if _, err := q.db.Pool().Exec(ctx, `SELECT pg_stat_force_next_flush()`); err != nil {
			t.Fatalf("flush statistics: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A claim changes no indexed column of a target and finds room on its
// page: every claimed row is a heap-only update, so a claim writes no
// index entry for its targets (migration 00018). The completion moves the
// target out of the due index and is a full update. Expired leases are
// found without an index over the lease.
func TestClaimsAreHeapOnlyUpdates(t *testing.T) {
	const n = 2_000
	q := newBenchQueue(t, n)
	ctx := t.Context()
	now := time.Now().UTC()
	claims, err := q.db.ClaimTargets(ctx, q.ids[:benchBatch], "hot", now, now.Add(time.Minute))
	if err != nil {
		t.Fatalf("ClaimTargets: %v", err)
	}
	if len(claims) != benchBatch {
		t.Fatalf("claimed %d of %d", len(claims), benchBatch)
	}
	upd, hot := waitUpdates(ctx, t, q, "targets", benchBatch)
	if upd != benchBatch || hot != upd {
		t.Errorf("claiming %d targets made %d updates, %d of them heap-only; want every one heap-only",
			benchBatch, upd, hot)
	}

	cs := make([]herald.Completion, len(claims))
	for i, c := range claims {
		cs[i] = herald.Completion{WorkspaceID: c.Target.WorkspaceID, TargetID: c.Target.ID, AttemptID: c.AttemptID,
			Owner: "hot", To: herald.StatePublished, Outcome: herald.OutcomePublished, HTTPStatus: 200,
			RemoteID: "r", FinishedAt: now, DurationMS: 1}
	}
	if skipped, err := q.db.CompleteTargets(ctx, cs); err != nil || len(skipped) > 0 {
		t.Fatalf("CompleteTargets: skipped %v, %v", skipped, err)
	}
	// Leases are found through the attempts under way: a second batch, still
	// publishing, is expired once its lease ran out; the published first
	// batch never is.
	second := q.ids[benchBatch : 2*benchBatch]
	if _, err := q.db.ClaimTargets(ctx, second, "hot", now, now.Add(time.Minute)); err != nil {
		t.Fatalf("ClaimTargets(second): %v", err)
	}
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{now, 0}, {now.Add(2 * time.Minute), benchBatch}} {
		expired, err := q.db.ExpiredLeases(ctx, tc.at, n)
		if err != nil {
			t.Fatalf("ExpiredLeases: %v", err)
		}
		if len(expired) != tc.want {
			t.Fatalf("ExpiredLeases(%s) found %d, want %d", tc.at.Sub(now), len(expired), tc.want)
		}
		for i, id := range expired {
			if id != second[i] {
				t.Fatalf("ExpiredLeases()[%d] = %d, want the second batch's %d", i, id, second[i])
			}
		}
	}
}
