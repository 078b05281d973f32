package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/postgres"
	"github.com/heraldsocial/herald/internal/postgres/pgtest"
)

// The dispatcher's two hot store calls, measured the way it makes them: a
// batch of 500 ids out of 100,000 scheduled targets spread over 50
// accounts. Each benchmark skips when HERALD_TEST_POSTGRES_URL is unset.
//
//	go test -run '^$' -bench 'ClaimTargets|CompleteTargets' -benchtime 100x ./internal/postgres/
const (
	benchTargets  = 100_000
	benchAccounts = 50
	benchBatch    = 500
)

// benchQueue is a store holding scheduled targets, all due.
type benchQueue struct {
	db  *postgres.DB
	ws  herald.Workspace
	ids []int64 // the targets, oldest first
	due time.Time
}

// newBenchQueue creates the workspace, its accounts and n posts with one
// scheduled target each, loaded in one statement so the set-up takes
// seconds, then analyzes the tables as autovacuum would.
func newBenchQueue(b testing.TB, n int) *benchQueue {
	b.Helper()
	db := pgtest.Open(b)
	ctx := b.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	q := &benchQueue{db: db, due: now.Add(-time.Minute)}
	q.ws = herald.Workspace{Name: "Bench", TimeZone: "UTC", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWorkspace(ctx, &q.ws); err != nil {
		b.Fatalf("CreateWorkspace: %v", err)
	}
	u := herald.User{Email: "bench@example.com", Name: "Bench", CreatedAt: now, UpdatedAt: now}
	if err := db.CreateUser(ctx, &u); err != nil {
		b.Fatalf("CreateUser: %v", err)
	}
	accts := make([]int64, benchAccounts)
	for i := range accts {
		a := herald.Account{WorkspaceID: q.ws.ID, Platform: herald.PlatformFake, RemoteID: fmt.Sprint("acct", i),
			Handle: fmt.Sprint("@acct", i), Status: herald.AccountConnected, Credentials: herald.Sealed{KeyID: "k1", Ciphertext: []byte("sealed")},
			CreatedAt: now, UpdatedAt: now}
		if err := db.CreateAccount(ctx, &a); err != nil {
			b.Fatalf("CreateAccount: %v", err)
		}
		accts[i] = a.ID
	}
	_, err := db.Pool().Exec(ctx, `WITH p AS (
			INSERT INTO posts (workspace_id, author_id, text, created_at, updated_at)
			SELECT $1, $2, 'the post''s base text ' || g, $3, $3 FROM generate_series(1, $5) g
			RETURNING id)
		INSERT INTO targets (workspace_id, post_id, account_id, variant, state, scheduled_at, due_at, created_at, updated_at)
		SELECT $1, p.id, ($6::bigint[])[1 + p.id % $7], jsonb_build_object('text', 'bench post ' || p.id),
			'scheduled', $4, $4, $3, $3
		FROM p ORDER BY p.id`, q.ws.ID, u.ID, now, q.due, n, accts, benchAccounts)
	if err != nil {
		b.Fatalf("load targets: %v", err)
	}
	if _, err := db.Pool().Exec(ctx, `ANALYZE posts; ANALYZE targets; ANALYZE accounts`); err != nil {
		b.Fatalf("analyze: %v", err)
	}
	due, err := db.NextDue(ctx, now, n)
	if err != nil {
		b.Fatalf("NextDue: %v", err)
	}
	if len(due) != n {
		b.Fatalf("NextDue found %d of %d targets", len(due), n)
	}
	for _, d := range due {
		q.ids = append(q.ids, d.ID)
	}
	return q
}

// batch returns the i-th batch of ids, wrapping around; when it wraps, the
// targets are put back in the queue first (outside the timer).
func (q *benchQueue) batch(b *testing.B, i int) []int64 {
	b.Helper()
	per := benchTargets / benchBatch
	if i > 0 && i%per == 0 {
		b.StopTimer()
		if _, err := q.db.Pool().Exec(b.Context(), `UPDATE targets SET state = 'scheduled', due_at = $1,
			lease_owner = '', lease_until = NULL WHERE state <> 'scheduled'`, q.due); err != nil {
			b.Fatalf("requeue: %v", err)
		}
		b.StartTimer()
	}
	j := i % per * benchBatch
	return q.ids[j : j+benchBatch]
}

func BenchmarkClaimTargets(b *testing.B) {
	q := newBenchQueue(b, benchTargets)
	ctx := b.Context()
	b.ResetTimer()
	for i := range b.N {
		now := time.Now().UTC()
		claims, err := q.db.ClaimTargets(ctx, q.batch(b, i), "bench", now, now.Add(time.Minute))
		if err != nil {
			b.Fatalf("ClaimTargets: %v", err)
		}
		if len(claims) != benchBatch {
			b.Fatalf("claimed %d of %d", len(claims), benchBatch)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "targets/s")
}

func BenchmarkCompleteTargets(b *testing.B) {
	q := newBenchQueue(b, benchTargets)
	ctx := b.Context()
	b.ResetTimer()
	for i := range b.N {
		ids := q.batch(b, i)
		b.StopTimer()
		now := time.Now().UTC()
		claims, err := q.db.ClaimTargets(ctx, ids, "bench", now, now.Add(time.Minute))
		if err != nil {
			b.Fatalf("ClaimTargets: %v", err)
		}
		cs := make([]herald.Completion, len(claims))
		retry := now.Add(time.Hour)
		for k, c := range claims {
			cs[k] = herald.Completion{WorkspaceID: c.Target.WorkspaceID, TargetID: c.Target.ID, AttemptID: c.AttemptID,
				Owner: "bench", To: herald.StatePublished, Outcome: herald.OutcomePublished, HTTPStatus: 200,
				RemoteID: fmt.Sprint("r", c.Target.ID), RemoteURL: fmt.Sprint("https://example.com/", c.Target.ID),
				FinishedAt: now, DurationMS: 100}
			if k%10 == 0 { // some retries, which set a due time and notify
				cs[k].To, cs[k].Outcome, cs[k].HTTPStatus, cs[k].DueAt = herald.StateRetrying, herald.OutcomeTransient, 503, &retry
			}
		}
		b.StartTimer()
		skipped, err := q.db.CompleteTargets(ctx, cs)
		if err != nil {
			b.Fatalf("CompleteTargets: %v", err)
		}
		if len(skipped) > 0 {
			b.Fatalf("%d completions skipped", len(skipped))
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "targets/s")
}
