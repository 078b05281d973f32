package connector

import (
	"testing"
	"time"
)

func TestRateGate(t *testing.T) {
	b := NewRateGate()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	b.Block(1, now.Add(time.Minute))
	if got := b.Block(1, now.Add(time.Second)); !got.Equal(now.Add(time.Minute)) {
		t.Errorf("a shorter block replaced a longer one: %v", got)
	}
	if _, blocked := b.Until(2, now); blocked {
		t.Error("account 2 is blocked by account 1's limit")
	}
	if until, blocked := b.Until(1, now); !blocked || !until.Equal(now.Add(time.Minute)) {
		t.Errorf("Until(1) = %v, %v", until, blocked)
	}
	if _, blocked := b.Until(1, now.Add(time.Minute)); blocked {
		t.Error("still blocked at the reset")
	}
}
