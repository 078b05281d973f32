package trend

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestCounterSeries(t *testing.T) {
	k := NewCounter(CounterConfig{Bucket: time.Hour, Buckets: 3})
	k.Add(t0.Add(10*time.Minute), []string{"a", "b"})
	k.Add(t0.Add(70*time.Minute), []string{"a"})
	k.Add(t0.Add(80*time.Minute), []string{"a", "c"})
	k.Add(t0.Add(150*time.Minute), nil)

	s := k.Series(t0.Add(150 * time.Minute))
	if !s.Start.Equal(t0) || s.Bucket != time.Hour {
		t.Errorf("Start, Bucket = %v, %v", s.Start, s.Bucket)
	}
	if !slices.Equal(s.Totals, []int{1, 2, 1}) {
		t.Errorf("Totals = %v", s.Totals)
	}
	want := map[string][]int{"a": {1, 2, 0}, "b": {1, 0, 0}, "c": {0, 1, 0}}
	for term, row := range want {
		if !slices.Equal(s.Terms[term], row) {
			t.Errorf("%s = %v, want %v", term, s.Terms[term], row)
		}
	}

	// A post three hours later pushes the first bucket out.
	if !k.Add(t0.Add(3*time.Hour), []string{"d"}) {
		t.Fatal("a current post was refused")
	}
	if k.Add(t0.Add(59*time.Minute), []string{"late"}) {
		t.Error("a post older than the kept range was counted")
	}
	s = k.Series(t0.Add(3 * time.Hour))
	if !slices.Equal(s.Totals, []int{2, 1, 1}) || s.Terms["b"] != nil || s.Terms["late"] != nil {
		t.Errorf("after expiry: totals %v, terms %v", s.Totals, s.Terms)
	}
	// A late post inside the range still counts.
	if !k.Add(t0.Add(61*time.Minute), []string{"late"}) {
		t.Error("a late post inside the range was refused")
	}
}

func TestCounterCapsTermsPerBucket(t *testing.T) {
	k := NewCounter(CounterConfig{Buckets: 2, MaxTermsPerBucket: 8})
	// "hot" repeats; 40 one-off words pass through.
	for i := range 40 {
		k.Add(t0, []string{"hot", fmt.Sprintf("once%02d", i)})
	}
	s := k.Series(t0)
	if len(s.Terms) > 8 {
		t.Errorf("%d terms held, cap 8", len(s.Terms))
	}
	if got := s.Terms["hot"][1]; got != 40 {
		t.Errorf("hot = %d, want 40: repeated terms must survive pruning", got)
	}
	if s.Totals[1] != 40 {
		t.Errorf("posts = %d, want 40", s.Totals[1])
	}
	if held := len(s.Terms) - 1; k.Dropped() != 40-held {
		t.Errorf("Dropped = %d, want %d", k.Dropped(), 40-held)
	}

	// When pruning frees too little, the bucket closes to new terms.
	k = NewCounter(CounterConfig{Buckets: 2, MaxTermsPerBucket: 4})
	k.Add(t0, []string{"a", "b", "c", "d"})
	k.Add(t0, []string{"a", "b", "c", "d", "e"})
	k.Add(t0, []string{"f"})
	s = k.Series(t0)
	if len(s.Terms) != 4 || s.Terms["e"] != nil || s.Terms["f"] != nil || k.Dropped() != 2 {
		t.Errorf("terms %v, dropped %d", s.Terms, k.Dropped())
	}
	// The next bucket starts open again.
	k.Add(t0.Add(time.Hour), []string{"e", "f"})
	if s = k.Series(t0.Add(time.Hour)); s.Terms["e"][1] != 1 || k.Dropped() != 2 {
		t.Errorf("next bucket: %v, dropped %d", s.Terms, k.Dropped())
	}
}

func TestCounterRisingMatchesSeries(t *testing.T) {
	k := NewCounter(CounterConfig{Bucket: time.Hour, Buckets: 10})
	for h := range 10 {
		for i := range 100 {
			terms := []string{"steady"}
			if h >= 8 && i < 20 {
				terms = append(terms, "launch")
			}
			if h < 8 && i == 0 {
				terms = append(terms, "launch")
			}
			k.Add(t0.Add(time.Duration(h)*time.Hour+time.Duration(i)*time.Second), terms)
		}
	}
	now := t0.Add(9*time.Hour + 30*time.Minute)
	o := Options{Window: 2, Baseline: 8}
	fromCounter := k.Rising(now, o)
	fromSeries, err := k.Series(now).Rising(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(fromCounter) != 1 || fromCounter[0].Term != "launch" || fromCounter[0].Window != 40 || fromCounter[0].Baseline != 8 {
		t.Fatalf("Counter.Rising = %+v", fromCounter)
	}
	if !slices.Equal(fromCounter, fromSeries) {
		t.Errorf("Counter.Rising %+v != Series.Rising %+v", fromCounter, fromSeries)
	}
	if got := NewCounter(CounterConfig{}).Rising(now, Options{}); got != nil {
		t.Errorf("empty counter: %+v", got)
	}
}

func TestCounterConcurrentAdd(t *testing.T) {
	k := NewCounter(CounterConfig{})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				k.Add(t0.Add(time.Duration(i)*time.Second), []string{"x", fmt.Sprint("g", g)})
			}
		})
	}
	wg.Wait()
	s := k.Series(t0)
	if s.Totals[len(s.Totals)-1] != 4000 || s.Terms["x"][len(s.Totals)-1] != 4000 {
		t.Errorf("lost updates: totals %d, x %d", s.Totals[len(s.Totals)-1], s.Terms["x"][len(s.Totals)-1])
	}
}
