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

func TestRateGateReleasesWithinTheLimit(t *testing.T) {
	g := NewRateGate()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if at, held := g.Slot(1, now); held || !at.Equal(now) {
		t.Fatalf("an account never limited is held: %v, %v", at, held)
	}
	// A 429 with 30 s to the reset and 30 calls allowed per window.
	reset := now.Add(30 * time.Second)
	if got := g.Limited(1, now, reset, 30); !got.Equal(reset) {
		t.Fatalf("Limited = %v, want %v", got, reset)
	}
	// 45 calls held back: one at the reset, then one a second.
	for k := range 45 {
		at, held := g.Slot(1, now.Add(time.Duration(k)*time.Millisecond))
		want := reset.Add(time.Duration(k) * time.Second)
		if !held || !at.Equal(want) {
			t.Fatalf("release %d at %v (held %v), want %v", k, at, held, want)
		}
	}
	// However the platform's windows lie, no window gets more than 30.
	var starts []time.Time
	for k := range 45 {
		starts = append(starts, reset.Add(time.Duration(k)*time.Second))
	}
	for i := range starts {
		n := 0
		for _, s := range starts[i:] {
			if s.Before(starts[i].Add(30 * time.Second)) {
				n++
			}
		}
		if n > 30 {
			t.Fatalf("%d releases in the 30 s from %v", n, starts[i])
		}
	}
	// Another account is unaffected.
	if _, held := g.Slot(2, now); held {
		t.Error("account 2 is held by account 1's limit")
	}
	// While the releases run, a newcomer queues behind them.
	mid := reset.Add(10 * time.Second)
	if at, held := g.Slot(1, mid); !held || !at.Equal(reset.Add(45*time.Second)) {
		t.Errorf("a newcomer during the releases goes at %v (held %v), want after them", at, held)
	}
	// Once they are over, a call goes at once, and the spacing is kept
	// for the next caller in the same window.
	after := reset.Add(47 * time.Second)
	if at, held := g.Slot(1, after); held || !at.Equal(after) {
		t.Errorf("after the releases: %v, %v; want at once", at, held)
	}
	if at, held := g.Slot(1, after); !held || !at.Equal(after.Add(time.Second)) {
		t.Errorf("the next caller goes at %v (held %v), want a second later", at, held)
	}
	// A window of quiet forgets the account.
	quiet := after.Add(2 * time.Minute)
	for range 3 {
		if at, held := g.Slot(1, quiet); held || !at.Equal(quiet) {
			t.Fatalf("after a quiet window: %v, %v; want at once", at, held)
		}
		g.mu.Lock()
		_, kept := g.m[1]
		g.mu.Unlock()
		if kept {
			t.Fatal("the account's schedule is kept after a quiet window")
		}
	}
}

func TestRateGateWithoutLimit(t *testing.T) {
	g := NewRateGate()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	reset := now.Add(10 * time.Second)
	g.Limited(1, now, reset, 0)
	// Retry-After only: DefaultPerWindow per window of 10 s.
	every := 10 * time.Second / DefaultPerWindow
	for k := range 2 * DefaultPerWindow {
		if at, _ := g.Slot(1, now); !at.Equal(reset.Add(time.Duration(k) * every)) {
			t.Fatalf("release %d at %v, want %v", k, at, reset.Add(time.Duration(k)*every))
		}
	}
	// A later 429 moves the reset: releases not yet handed out start there.
	later := reset.Add(time.Minute)
	g.Limited(1, reset, later, 0)
	if at, held := g.Slot(1, reset); !held || at.Before(later) {
		t.Errorf("after a new 429 a release is handed out at %v (held %v), before its reset %v", at, held, later)
	}
	if until, blocked := g.Until(1, reset); !blocked || !until.Equal(later) {
		t.Errorf("Until = %v, %v; want %v", until, blocked, later)
	}
}
