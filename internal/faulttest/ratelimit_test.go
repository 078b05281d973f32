package faulttest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

func TestRateLimitStorm(t *testing.T) {
	t.Parallel()
	const (
		concurrency = 4 // calls in flight: the most that can be under way when a 429 arrives
		limit       = 4 // requests per account per window
		window      = 2 * time.Second
		perAccount  = 12
		accounts    = 3
	)
	f := startFake(t, fakeserver.Config{Idempotency: true, Lookup: true, RateLimit: limit, RateWindow: window})
	s := newSQLiteSite(t)
	_, accts := s.workspace(t, "UTC", accounts, f.url, "limited")
	// Every post due at once: a storm against each account's limit.
	ts := s.schedule(t, burst(accts, accounts*perAccount, time.Now().Add(1500*time.Millisecond), 0))
	p := startServe(t, "herald serve", append(append([]string(nil), s.env...),
		fmt.Sprintf("HERALD_PUBLISH_CONCURRENCY=%d", concurrency), "HERALD_TEST_PLATFORM_IDEMPOTENCY=true")...)
	p.waitReady(t)

	s.waitSettled(t, ts, time.Minute)
	checkExactlyOnce(t, f, s, ts)

	// Once Herald has a 429 for an account it sends that account nothing
	// until the reset the platform gave. Only calls already under way
	// when the first 429 arrived (at most the concurrency) may still be
	// refused in that window: a refusal more means a request was sent to
	// an account known to be limited.
	log := f.refusals(t)
	if log.Dropped > 0 {
		t.Fatalf("the platform dropped %d refusals from its log", log.Dropped)
	}
	total := 0
	for _, rs := range log.Accounts {
		total += len(rs)
	}
	for _, v := range beyondInFlight(log, concurrency) {
		t.Error(v)
	}
	if total == 0 {
		t.Fatal("the platform refused nothing: the storm never happened and the test proves nothing")
	}
	t.Logf("the platform answered %d requests with 429", total)
	p.stop(t)
}

// beyondInFlight judges a platform's 429 log: within one account's window
// (same reset) at most inFlight requests may be refused, those already
// under way when the first 429 arrived. It returns one message per window
// with more, naming its requests.
func beyondInFlight(log fakeserver.RefusalLog, inFlight int) []string {
	var out []string
	for _, acct := range sortedKeys(log.Accounts) {
		byReset := map[time.Time][]fakeserver.Refusal{}
		var order []time.Time
		for _, r := range log.Accounts[acct] {
			k := r.Reset.UTC()
			if _, ok := byReset[k]; !ok {
				order = append(order, k)
			}
			byReset[k] = append(byReset[k], r)
		}
		for _, reset := range order {
			in := byReset[reset]
			if len(in) <= inFlight {
				continue
			}
			var at []string
			for _, r := range in {
				at = append(at, fmt.Sprintf("%s %s at %s", r.Method, r.Path, r.At.UTC().Format("15:04:05.000000")))
			}
			out = append(out, fmt.Sprintf("account %s: %d requests refused before the reset at %s, more than the %d that can be in flight when the first 429 arrives: %s",
				acct, len(in), reset.Format("15:04:05.000000"), inFlight, strings.Join(at, "; ")))
		}
	}
	return out
}

func TestBeyondInFlight(t *testing.T) {
	t0 := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	reset1, reset2 := t0.Add(2*time.Second), t0.Add(4*time.Second)
	refused := func(acct string, after time.Duration, reset time.Time) fakeserver.Refusal {
		return fakeserver.Refusal{Account: acct, Method: "POST", Path: "/api/v1/statuses", At: t0.Add(after), Reset: reset}
	}
	tests := []struct {
		name string
		log  map[string][]fakeserver.Refusal
		want []string // account names of the windows reported
	}{
		{"none", nil, nil},
		{"in flight only", map[string][]fakeserver.Refusal{
			"a": {refused("a", 0, reset1), refused("a", time.Millisecond, reset1)},
			"b": {refused("b", 0, reset1), refused("b", 0, reset1), refused("b", 3*time.Second, reset2), refused("b", 3*time.Second, reset2)},
		}, nil},
		{"sent while known limited", map[string][]fakeserver.Refusal{
			"a": {refused("a", 0, reset1), refused("a", 100*time.Millisecond, reset1), refused("a", 200*time.Millisecond, reset1)},
			"b": {refused("b", 0, reset1)},
		}, []string{"a"}},
		{"each window judged alone", map[string][]fakeserver.Refusal{
			"a": {refused("a", 0, reset1), refused("a", 0, reset1), refused("a", 3*time.Second, reset2), refused("a", 3*time.Second, reset2), refused("a", 3*time.Second, reset2)},
		}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := beyondInFlight(fakeserver.RefusalLog{Accounts: tt.log}, 2)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d reports %q, want %d", len(got), got, len(tt.want))
			}
			for i, acct := range tt.want {
				if !strings.HasPrefix(got[i], "account "+acct+":") {
					t.Errorf("report %d = %q, want one about account %s", i, got[i], acct)
				}
			}
		})
	}
}
