package faulttest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
	"github.com/heraldsocial/herald/internal/herald"
)

func TestAcceptThenTimeOut(t *testing.T) {
	const timeoutRate = 0.3
	tests := []struct {
		name string
		cfg  fakeserver.Config
		env  []string
		// unconfirmed is set when Herald can neither repeat safely nor
		// look: the timed-out targets must wait for a person.
		unconfirmed bool
	}{
		{"idempotency keys", fakeserver.Config{Idempotency: true}, []string{"HERALD_TEST_PLATFORM_IDEMPOTENCY=true"}, false},
		{"lookup", fakeserver.Config{Lookup: true}, nil, false},
		{"neither", fakeserver.Config{}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			// Accepted, then the connection is closed without an answer:
			// Herald cannot tell whether the post exists, as after a call
			// timing out, without waiting out its default call timeout.
			cfg.TimeoutRate = timeoutRate
			cfg.TimeoutDelay = 0
			// At most two ambiguous answers per post in a row: the default
			// backoff (5 s base, doubling, full jitter) then settles every
			// target well within the minute, where five in a row (one
			// target in seven bursts at this rate) could wait 80 s more.
			cfg.TimeoutsPerPost = 2
			acceptThenTimeOut(t, cfg, tt.env, tt.unconfirmed)
		})
	}
}

func acceptThenTimeOut(t *testing.T, cfg fakeserver.Config, env []string, wantUnconfirmed bool) {
	const posts = 60
	f := startFake(t, cfg)
	s := newSQLiteSite(t)
	_, accts := s.workspace(t, "UTC", 4, f.url, "slow")
	ts := s.schedule(t, burst(accts, posts, time.Now().Add(1500*time.Millisecond), time.Second))
	p := startServe(t, "herald serve", append(append([]string(nil), s.env...), env...)...)
	p.waitReady(t)

	// "Within a minute": the generous bound for every target to settle.
	settleFrom := time.Now()
	got := s.waitSettled(t, ts, time.Minute)
	t.Logf("settled in %s", time.Since(settleFrom))
	l := f.ledger(t, true)
	if len(l.Duplicates) > 0 {
		t.Errorf("posted more than once: %v", l.Duplicates)
	}
	if l.Stats.Timeouts == 0 {
		t.Fatalf("the platform timed out no answer (stats %+v): the test proves nothing", l.Stats)
	}
	states := countStates(got)
	t.Logf("platform: %d posts, %d answers held back; targets: %v", l.Count, l.Stats.Timeouts, states)

	var bad []string
	for _, tg := range got {
		_, received := l.Received[s.key(t, tg)]
		switch {
		case !received:
			bad = append(bad, fmt.Sprintf("%d (%s) never reached the platform", tg.ID, tg.State))
		case tg.State == herald.StatePublished:
		case wantUnconfirmed && tg.State == herald.StateUnconfirmed:
		case !wantUnconfirmed && tg.State == herald.StateFailed && strings.HasPrefix(tg.LastError, "gave up after"):
			// Every one of its attempts timed out (0.3^8): Herald gave up
			// without sending twice, which is what this test is about.
			t.Logf("target %d gave up: %s", tg.ID, tg.LastError)
		default:
			bad = append(bad, fmt.Sprintf("%d is %s (%q)", tg.ID, tg.State, tg.LastError))
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d targets ended wrong: %s", len(bad), strings.Join(bad, "; "))
	}
	if wantUnconfirmed && states[herald.StateUnconfirmed] == 0 {
		t.Errorf("no target is unconfirmed although %d answers were held back", l.Stats.Timeouts)
	}
	if !wantUnconfirmed && states[herald.StateUnconfirmed] > 0 {
		t.Errorf("%d targets are unconfirmed although the platform can be asked", states[herald.StateUnconfirmed])
	}
	if l.Count != posts {
		t.Errorf("the platform has %d posts, want %d", l.Count, posts)
	}
	p.stop(t)
}
