package auth

import (
	"strings"
	"testing"
	"time"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	t.Run("pair limit and sliding window", func(t *testing.T) {
		l := newLimiter(15*time.Minute, 5, 50, 20)
		for i := range 5 {
			if ok, _ := l.reserve("a@x.org", "1.2.3.4", t0.Add(time.Duration(i)*time.Minute)); !ok {
				t.Fatalf("attempt %d refused", i+1)
			}
		}
		now := t0.Add(5 * time.Minute)
		ok, retryAt := l.reserve("a@x.org", "1.2.3.4", now)
		if ok || !retryAt.Equal(t0.Add(15*time.Minute)) {
			t.Fatalf("6th attempt: ok=%v retryAt=%v, want refused until %v", ok, retryAt, t0.Add(15*time.Minute))
		}
		if ok, _ := l.reserve("a@x.org", "5.6.7.8", now); !ok {
			t.Error("another address is refused")
		}
		if ok, _ := l.reserve("b@x.org", "1.2.3.4", now); !ok {
			t.Error("another e-mail from the address is refused")
		}
		if ok, _ := l.reserve("a@x.org", "1.2.3.4", t0.Add(15*time.Minute)); !ok {
			t.Error("still refused after the oldest failure left the window")
		}
	})
	t.Run("a reservation counts until released", func(t *testing.T) {
		l := newLimiter(15*time.Minute, 5, 50, 20)
		for i := range 5 {
			if ok, _ := l.reserve("a@x.org", "1.2.3.4", t0); !ok {
				t.Fatalf("reservation %d refused", i+1)
			}
		}
		if ok, _ := l.reserve("a@x.org", "1.2.3.4", t0); ok {
			t.Fatal("a 6th attempt is allowed while 5 are being checked")
		}
		l.release("a@x.org", "1.2.3.4", t0)
		if ok, _ := l.reserve("a@x.org", "1.2.3.4", t0); !ok {
			t.Fatal("a released reservation still counts")
		}
	})
	t.Run("success resets the pair", func(t *testing.T) {
		l := newLimiter(15*time.Minute, 5, 50, 20)
		for range 5 {
			l.reserve("a@x.org", "1.2.3.4", t0)
		}
		l.succeed("a@x.org", "1.2.3.4", t0)
		if ok, _ := l.reserve("a@x.org", "1.2.3.4", t0); !ok {
			t.Error("refused after a success")
		}
	})
	t.Run("address limit across e-mails", func(t *testing.T) {
		l := newLimiter(15*time.Minute, 5, 50, 20)
		for i := range 50 {
			l.reserve(strings.Repeat("x", i%20+1)+"@x.org", "9.9.9.9", t0)
		}
		if ok, _ := l.reserve("new@x.org", "9.9.9.9", t0); ok {
			t.Error("a fresh e-mail from a spraying address is allowed")
		}
		if ok, _ := l.reserve("new@x.org", "9.9.9.8", t0); !ok {
			t.Error("another address is refused")
		}
	})
	t.Run("account limit across addresses", func(t *testing.T) {
		l := newLimiter(15*time.Minute, 5, 50, 20)
		for i := range 20 {
			if ok, _ := l.reserve("victim@x.org", "10.0.0."+itoa(int64(i)), t0); !ok {
				t.Fatalf("attempt %d refused", i+1)
			}
		}
		if ok, _ := l.reserve("victim@x.org", "10.0.1.1", t0); ok {
			t.Error("a 21st address may still guess the account's password")
		}
		// The account's limit blocks the account, not the addresses.
		if ok, _ := l.reserve("other@x.org", "10.0.0.1", t0); !ok {
			t.Error("an address that tried the attacked account is refused for other accounts")
		}
	})
	t.Run("sweep forgets stale entries", func(t *testing.T) {
		l := newLimiter(time.Minute, 5, 50, 20)
		l.reserve("a@x.org", "1.1.1.1", t0)
		for range sweepEvery {
			l.reserve("b@x.org", "2.2.2.2", t0.Add(time.Hour))
			l.release("b@x.org", "2.2.2.2", t0.Add(time.Hour))
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if len(l.pairs) != 0 || len(l.ips) != 0 || len(l.emails) != 0 {
			t.Errorf("entries left after sweep: %d pairs, %d ips, %d e-mails", len(l.pairs), len(l.ips), len(l.emails))
		}
	})
}
