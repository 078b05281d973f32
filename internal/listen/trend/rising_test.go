package trend

import (
	"errors"
	"math"
	"testing"
)

// TestG2HandComputed checks G2 against a table worked by hand.
//
// A term is in 10 of 100 window posts and 10 of 1000 baseline posts:
//
//	              window  baseline  total
//	with term        10       10       20
//	without term     90      990     1080
//	total           100     1000     1100
//
// Expected counts E = row × column / 1100:
//
//	E11 = 20·100/1100   =   1.81818   E12 = 20·1000/1100   =  18.18182
//	E21 = 1080·100/1100 =  98.18182   E22 = 1080·1000/1100 = 981.81818
//
// Σ O·ln(O/E):
//
//	10·ln(10/1.81818)   = 10·ln 5.5      = 10·( 1.704748) =  17.04748
//	90·ln(90/98.18182)  = 90·ln 0.916667 = 90·(-0.087011) =  -7.83102
//	10·ln(10/18.18182)  = 10·ln 0.55     = 10·(-0.597837) =  -5.97837
//	990·ln(990/981.818) = 990·ln 1.008333 = 990·(0.008299) =  8.21579
//	                                                  sum =  11.45388
//
// G² = 2 × 11.45388 = 22.9078, and P = erfc(√(22.9078/2)) ≈ 1.70e-6.
func TestG2HandComputed(t *testing.T) {
	g := G2(10, 100, 10, 1000)
	if math.Abs(g-22.9078) > 1e-3 {
		t.Errorf("G2 = %.5f, want 22.9078", g)
	}
	if p := PValue(g); math.Abs(p-1.70e-6) > 0.01e-6 {
		t.Errorf("PValue = %.3g, want 1.70e-6", p)
	}
	if p := PValue(ChiSquare001); math.Abs(p-0.001) > 1e-5 {
		t.Errorf("PValue(ChiSquare001) = %g, want 0.001", p)
	}
}

func TestG2Edges(t *testing.T) {
	tests := []struct {
		name         string
		a, nw, c, nb int
		want         float64
	}{
		{"equal shares", 10, 100, 100, 1000, 0},
		{"nothing observed", 0, 0, 0, 0, 0},
		{"no window posts", 0, 0, 5, 100, 0},
		{"no baseline posts", 5, 100, 0, 0, 0},
		{"term in every post both times", 100, 100, 1000, 1000, 0},
		{"new term", 5, 100, 0, 1000, 24.2105},
		{"counts above totals are clamped", 150, 100, 0, 1000, G2(100, 100, 0, 1000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := G2(tc.a, tc.nw, tc.c, tc.nb)
			if math.IsNaN(g) || math.IsInf(g, 0) || math.Abs(g-tc.want) > 1e-3 {
				t.Errorf("G2 = %v, want %v", g, tc.want)
			}
		})
	}
	if G2(10, 100, 10, 1000) != G2(10, 1000, 10, 100) {
		t.Error("G2 is not symmetric in the two periods")
	}
}

// twoBuckets is a baseline bucket of 1000 posts and a window bucket of 100.
func twoBuckets(terms map[string][2]int) Series {
	s := Series{Totals: []int{1000, 100}, Terms: map[string][]int{}}
	for term, c := range terms {
		s.Terms[term] = []int{c[0], c[1]}
	}
	return s
}

func TestSeriesRising(t *testing.T) {
	s := twoBuckets(map[string][2]int{ // {baseline, window}
		"rising":  {10, 10},  // 1 % → 10 %, G² 22.9
		"new":     {0, 5},    // 0 → 5 %, ratio 50 with add-one, G² 24.2
		"falling": {200, 5},  // 20 % → 5 %: G² high but falling
		"steady":  {100, 10}, // 10 % → 10 %
		"few":     {0, 4},    // new but under MinCount 5
		"modest":  {150, 20}, // 15 % → 20 %: ratio 1.33 < 2
		"weak":    {10, 5},   // 1 % → 5 %: ratio 5 but G² 6.94 < 10.83
	})
	one := Options{Window: 1, Baseline: 1}
	got, err := s.Rising(one)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Term != "new" || got[1].Term != "rising" {
		t.Fatalf("Rising = %+v, want new then rising", got)
	}
	r := got[1]
	if r.Window != 10 || r.Baseline != 10 || r.WindowPosts != 100 || r.BaselinePosts != 1000 ||
		r.WindowRate != 0.1 || r.BaselineRate != 0.01 || math.Abs(r.Ratio-10) > 1e-9 ||
		math.Abs(r.Score-22.9078) > 1e-3 || r.P > 2e-6 {
		t.Errorf("rising = %+v", r)
	}
	if n := got[0]; n.BaselineRate != 0 || math.Abs(n.Ratio-50) > 1e-9 {
		t.Errorf("new term = %+v, want baseline rate 0 and smoothed ratio 50", n)
	}

	// Looser rules let the other terms in, but never the falling or steady one.
	loose := Options{Window: 1, Baseline: 1, MinCount: 1, MinRatio: 1.0001, MinScore: 1e-9, Limit: -1}
	got, _ = s.Rising(loose)
	names := map[string]bool{}
	for _, r := range got {
		names[r.Term] = true
	}
	for _, want := range []string{"rising", "new", "few", "modest", "weak"} {
		if !names[want] {
			t.Errorf("loose rules miss %q", want)
		}
	}
	if names["falling"] || names["steady"] {
		t.Errorf("loose rules return a falling or steady term: %v", names)
	}

	limited, _ := s.Rising(Options{Window: 1, Baseline: 1, Limit: 1})
	if len(limited) != 1 || limited[0].Term != "new" {
		t.Errorf("Limit 1 = %+v", limited)
	}
}

func TestSeriesRisingWindowAndBaselineSpans(t *testing.T) {
	// 5 buckets; window 2 sums buckets 3–4, baseline 2 sums buckets 1–2 and
	// bucket 0 (a huge old count) is outside both.
	s := Series{Totals: []int{100, 100, 100, 50, 50}, Terms: map[string][]int{
		"x": {100, 1, 1, 10, 10},
	}}
	got, err := s.Rising(Options{Window: 2, Baseline: 2})
	if err != nil || len(got) != 1 {
		t.Fatalf("Rising = %+v, %v", got, err)
	}
	if r := got[0]; r.Window != 20 || r.Baseline != 2 || r.WindowPosts != 100 || r.BaselinePosts != 200 {
		t.Errorf("spans wrong: %+v", r)
	}
	// A baseline longer than the data uses what precedes the window.
	got, _ = s.Rising(Options{Window: 2, Baseline: 1000})
	if len(got) != 0 {
		t.Errorf("with bucket 0 in the baseline x is not rising, got %+v", got)
	}
}

func TestSeriesRisingNothingToCompare(t *testing.T) {
	tests := []struct {
		name string
		s    Series
	}{
		{"empty", Series{}},
		{"no terms", Series{Totals: []int{10, 10}}},
		{"zero baseline posts", Series{Totals: []int{0, 100}, Terms: map[string][]int{"x": {0, 50}}}},
		{"zero window posts", Series{Totals: []int{100, 0}, Terms: map[string][]int{"x": {50, 0}}}},
		{"only a window", Series{Totals: []int{100}, Terms: map[string][]int{"x": {50}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.s.Rising(Options{Window: 1, Baseline: 1})
			if err != nil || len(got) != 0 {
				t.Errorf("Rising = %+v, %v; want nothing", got, err)
			}
		})
	}
}

func TestSeriesRisingShapeError(t *testing.T) {
	for _, totals := range [][]int{{10, 10}, {0, 0}} {
		s := Series{Totals: totals, Terms: map[string][]int{"x": {1}}}
		if _, err := s.Rising(Options{}); !errors.Is(err, ErrSeriesShape) {
			t.Errorf("totals %v: err = %v, want ErrSeriesShape", totals, err)
		}
	}
}
