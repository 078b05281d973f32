package faulttest

import (
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/auth"
	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

// catchUpLimit is the requirement: after the final restart is
// ready, the backlog is out within this.
const catchUpLimit = 2 * time.Second

func TestKillDuringBurst(t *testing.T) {
	tests := []struct {
		name string
		cfg  fakeserver.Config
		env  []string
	}{
		{"idempotency keys", fakeserver.Config{Idempotency: true, Latency: 30 * time.Millisecond},
			[]string{"HERALD_TEST_PLATFORM_IDEMPOTENCY=true"}},
		{"lookup only", fakeserver.Config{Lookup: true, Latency: 30 * time.Millisecond}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			killDuringBurst(t, tt.cfg, tt.env)
		})
	}
}

func killDuringBurst(t *testing.T, cfg fakeserver.Config, env []string) {
	const (
		posts   = 400
		cluster = 40 // due together at the end of the burst
		spread  = 2 * time.Second
	)
	f := startFake(t, cfg)
	s := newSQLiteSite(t)
	ws, accts := s.workspace(t, "UTC", 8, f.url, "kill")

	// Herald's default timing: the 5-minute lease is only the backstop; a
	// restart takes over what the killed process left at once.
	env = append(append([]string(nil), s.env...), env...)
	serve := func(i int) (*serveProc, time.Time) {
		p := startServe(t, fmt.Sprintf("herald serve #%d", i+1), env...)
		return p, p.waitReady(t)
	}
	// The workspace's publishing is paused until the first process is
	// ready, then resumed through its API (which wakes its dispatcher), so
	// however long a start takes on a busy machine, the burst begins
	// under the test's eyes.
	paused := time.Now().UTC()
	if err := s.store.SetPublishingPaused(t.Context(), ws.ID, &paused); err != nil {
		t.Fatalf("pause publishing: %v", err)
	}
	if err := s.store.AddMember(t.Context(), &herald.Membership{WorkspaceID: ws.ID, UserID: s.user.ID,
		Role: herald.RoleOwner}); err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	owner := herald.Actor{UserID: s.user.ID, WorkspaceID: ws.ID, Role: herald.RoleOwner}
	token, _, err := auth.New(s.store, herald.SystemClock{}, slog.New(slog.DiscardHandler)).
		CreateToken(t.Context(), owner, "fault test", herald.RoleOwner, nil)
	if err != nil {
		t.Fatalf("create an API token: %v", err)
	}
	cur, _ := serve(0)

	start := time.Now().Add(time.Second)
	plans := burst(accts, posts-cluster, start, spread)
	lastDue := start.Add(spread)
	for i := range cluster {
		plans = append(plans, planned{acct: accts[i%len(accts)], at: lastDue, text: "fault test cluster post"})
	}
	ts := s.schedule(t, plans)
	resume, err := http.NewRequestWithContext(t.Context(), http.MethodPost,
		fmt.Sprintf("%s/api/v1/workspaces/%d/publishing/resume", cur.url, ws.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	resume.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(resume)
	if err != nil {
		t.Fatalf("resume publishing: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("resume publishing: status %d", res.StatusCode)
	}

	// Kill when the platform has a fifth, then nearly half of the posts
	// (or, on a machine too busy for the count to be seen in time, when
	// the burst is that far along), and the third time just before the
	// last posts fall due, when they are claimed and waiting for their
	// instant: the worst moment.
	type trigger struct {
		count int       // posts on the platform, from the current process
		at    time.Time // or this instant, whichever comes first
	}
	triggers := []trigger{
		{posts / 5, start.Add(spread / 5)},
		{posts * 9 / 20, start.Add(spread * 9 / 20)},
		{posts + 1, lastDue.Add(-30 * time.Millisecond)},
	}
	var ready time.Time
	atStart := 0 // posts on the platform when the current process was ready
	for i, tr := range triggers {
		pollUntil(t, t.Context(), time.Minute, 5*time.Millisecond, "the moment to kill", func() bool {
			if !cur.running() {
				t.Fatalf("%s exited by itself: %v", cur.name, cur.err)
			}
			if !time.Now().Before(tr.at) {
				return true
			}
			n := f.ledger(t, false).Count
			return n > atStart && n >= tr.count
		})
		n := f.ledger(t, false).Count
		cur.kill(t)
		t.Logf("kill -9 #%d with %d of %d posts on the platform", i+1, n, posts)
		cur, ready = serve(i + 1)
		atStart = f.ledger(t, false).Count
	}

	// Everything reaches the platform, and no target is left publishing.
	pollUntil(t, t.Context(), time.Minute, 10*time.Millisecond, "every post on the platform", func() bool {
		return f.ledger(t, false).Count >= posts
	})
	l := f.ledger(t, true)
	last := lastReceived(l.Received, ts)
	s.waitSettled(t, ts, time.Minute)
	checkExactlyOnce(t, f, s, ts)
	t.Logf("%d targets needed more than one attempt (claims of a killed instance taken over)", s.retaken(t, ts))

	catchUp := last.Sub(ready)
	t.Logf("after the final restart was ready the backlog took %s (last post received %s after its due time)",
		catchUp.Round(time.Millisecond), last.Sub(lastDue).Round(time.Millisecond))
	if catchUp > catchUpLimit {
		t.Errorf("the backlog caught up %s after the final restart was ready (/readyz 200 at %s, last post received at %s); the requirement is %s",
			catchUp.Round(time.Millisecond), ready.Format(time.StampMicro), last.Format(time.StampMicro), catchUpLimit)
	}
	for _, tg := range s.targets(t, ts) {
		if tg.State == herald.StatePublishing {
			t.Errorf("target %d is still publishing", tg.ID)
		}
	}
	cur.stop(t)
}
