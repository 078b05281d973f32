package faulttest

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

func TestTwoInstancesOneKilled(t *testing.T) {
	t.Parallel()
	const posts = 300
	s := newPostgresSite(t)
	// Answers take 200 ms, so that the killed instance has calls in flight
	// (and claims waiting for their instant) whenever it is killed.
	f := startFake(t, fakeserver.Config{Idempotency: true, Lookup: true, Latency: 200 * time.Millisecond})
	_, accts := s.workspace(t, "UTC", 6, f.url, "pair")
	// Herald's default timing; the instances are named so that the killed
	// one's leases can be found.
	env := append(append([]string(nil), s.env...), "HERALD_TEST_PLATFORM_IDEMPOTENCY=true")
	nameA, nameB := "fault-a-"+s.schema, "fault-b-"+s.schema
	a := startServe(t, "herald serve A", append(env, "HERALD_INSTANCE_ID="+nameA)...)
	b := startServe(t, "herald serve B", append(env, "HERALD_INSTANCE_ID="+nameB)...)
	a.waitReady(t)
	b.waitReady(t)
	// Scheduled once both run (the instances learn of them as a person's
	// scheduling tells them), so that however long they took to start, the
	// kill falls while posts are going out.
	ts := s.schedule(t, burst(accts, posts, time.Now().Add(2*time.Second), 3*time.Second))

	pollUntil(t, t.Context(), time.Minute, 5*time.Millisecond, "two fifths of the posts on the platform", func() bool {
		if !a.running() || !b.running() {
			t.Fatalf("an instance exited by itself: A %v, B %v", a.err, b.err)
		}
		return f.ledger(t, false).Count >= posts*2/5
	})
	a.kill(t)
	killed := time.Now()
	orphans := s.leasedTo(t, nameA)
	t.Logf("killed instance A with %d of %d posts on the platform and %d targets leased to it",
		f.ledger(t, false).Count, posts, len(orphans))
	if len(orphans) == 0 {
		t.Fatalf("instance A held no lease when it was killed: the test proves nothing")
	}

	s.waitSettled(t, ts, time.Minute)
	checkExactlyOnce(t, f, s.site, ts)
	// The survivor finishes the dead instance's posts within the issue's
	// limit of the kill, with the default 5-minute lease.
	var last time.Time
	for _, id := range orphans {
		tg, err := s.store.GetTarget(t.Context(), ts[0].WorkspaceID, id)
		if err != nil {
			t.Fatalf("GetTarget(%d): %v", id, err)
		}
		if tg.PublishedAt != nil && tg.PublishedAt.After(last) {
			last = *tg.PublishedAt
		}
	}
	took := last.Sub(killed)
	t.Logf("the survivor finished the killed instance's %d targets %s after the kill", len(orphans), took.Round(time.Millisecond))
	if took > takeoverLimit {
		t.Errorf("the killed instance's targets were finished %s after the kill; the requirement is %s",
			took.Round(time.Millisecond), takeoverLimit)
	}
	if !b.running() {
		t.Errorf("instance B exited: %v", b.err)
	}
	b.stop(t)
}

// takeoverLimit is the requirement: a surviving instance finishes
// a killed one's posts within this of the kill.
const takeoverLimit = 5 * time.Second

// leasedTo returns the ids of the targets publishing under owner's lease.
func (s *pgSite) leasedTo(t *testing.T, owner string) []int64 {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), s.adminURL)
	if err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(t.Context(), `SELECT id FROM `+pgx.Identifier{s.schema, "targets"}.Sanitize()+`
		WHERE state = 'publishing' AND lease_owner = $1 ORDER BY id`, owner)
	if err != nil {
		t.Fatalf("targets leased to %s: %v", owner, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("targets leased to %s: %v", owner, err)
	}
	return ids
}

func TestConnectionsCut(t *testing.T) {
	t.Parallel()
	const (
		posts = 300
		cuts  = 4
	)
	s := newPostgresSite(t)
	f := startFake(t, fakeserver.Config{Idempotency: true, Lookup: true, Latency: 30 * time.Millisecond})
	_, accts := s.workspace(t, "UTC", 6, f.url, "cut")
	env := append(append([]string(nil), s.env...), "HERALD_TEST_PLATFORM_IDEMPOTENCY=true")
	p := startServe(t, "herald serve", env...)
	p.waitReady(t)
	// Scheduled once Herald runs, so that the cuts fall while posts go out
	// however long it took to start.
	start := time.Now().Add(2 * time.Second)
	const spread = 3 * time.Second
	ts := s.schedule(t, burst(accts, posts, start, spread))

	// As a database restart would, but only for this test's Herald: end
	// every backend with its application_name, from a connection of our own.
	admin, err := pgx.Connect(t.Context(), s.adminURL)
	if err != nil {
		t.Fatalf("admin connection: %v", err)
	}
	defer admin.Close(context.Background())
	for i := range cuts {
		at := start.Add(spread * time.Duration(i) / cuts)
		pollUntil(t, t.Context(), time.Minute, 5*time.Millisecond, "the moment to cut", func() bool {
			return !time.Now().Before(at)
		})
		var killed int
		err := admin.QueryRow(t.Context(), `SELECT count(*) FROM (
			SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = $1 AND pid <> pg_backend_pid()) AS cut`, s.appName).Scan(&killed)
		if err != nil {
			t.Fatalf("terminate Herald's connections: %v", err)
		}
		t.Logf("cut %d: terminated %d connections with %d of %d posts on the platform", i+1, killed, f.ledger(t, false).Count, posts)
		if killed == 0 {
			t.Errorf("cut %d found no connection named %s: Herald's URL does not carry the application_name", i+1, s.appName)
		}
	}

	s.waitSettled(t, ts, time.Minute)
	checkExactlyOnce(t, f, s.site, ts)
	if !p.running() {
		t.Errorf("Herald exited after its connections were cut: %v", p.err)
	}
	p.stop(t)
}
