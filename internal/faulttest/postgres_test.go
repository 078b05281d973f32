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
	f := startFake(t, fakeserver.Config{Idempotency: true, Lookup: true, Latency: 30 * time.Millisecond})
	_, accts := s.workspace(t, "UTC", 6, f.url, "pair")
	ts := s.schedule(t, burst(accts, posts, time.Now().Add(2*time.Second), 1500*time.Millisecond))
	env := append(append(append([]string(nil), s.env...), fastLeases...), "HERALD_TEST_PLATFORM_IDEMPOTENCY=true")
	a := startServe(t, "herald serve A", env...)
	b := startServe(t, "herald serve B", env...)
	a.waitReady(t)
	b.waitReady(t)

	pollUntil(t, t.Context(), time.Minute, 5*time.Millisecond, "two fifths of the posts on the platform", func() bool {
		if !a.running() || !b.running() {
			t.Fatalf("an instance exited by itself: A %v, B %v", a.err, b.err)
		}
		return f.ledger(t, false).Count >= posts*2/5
	})
	a.kill(t)
	t.Logf("killed instance A with %d of %d posts on the platform", f.ledger(t, false).Count, posts)

	s.waitSettled(t, ts, time.Minute)
	checkExactlyOnce(t, f, s.site, ts)
	if !b.running() {
		t.Errorf("instance B exited: %v", b.err)
	}
	b.stop(t)
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
	start := time.Now().Add(2 * time.Second)
	const spread = 2 * time.Second
	ts := s.schedule(t, burst(accts, posts, start, spread))
	env := append(append(append([]string(nil), s.env...), fastLeases...), "HERALD_TEST_PLATFORM_IDEMPOTENCY=true")
	p := startServe(t, "herald serve", env...)
	p.waitReady(t)

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
