package trend

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// minutes returns a per-minute series starting at t0.
func minutes(counts []int) CountSeries {
	return CountSeries{Start: t0, Step: time.Minute, Counts: counts}
}

// at is the end of minute bucket i (the first instant it is complete).
func at(i int) time.Time { return t0.Add(time.Duration(i+1) * time.Minute) }

// flat is n minutes of c each.
func flat(n, c int) []int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = c
	}
	return xs
}

// everyFifth is n minutes with one mention in every fifth.
func everyFifth(n int) []int {
	xs := make([]int, n)
	for i := 0; i < n; i += 5 {
		xs[i] = 1
	}
	return xs
}

func TestSpikeThreshold(t *testing.T) {
	const day = 24 * 60
	tests := []struct {
		name          string
		history       []int // minutes before the 15-minute window
		window        int   // the window's total, all in its last minute
		wantFired     bool
		wantBaseline  float64
		wantThreshold float64
	}{
		// 1 per minute is 15 per window; 3 × 15 = 45.
		{"exactly at the multiple fires", flat(day, 1), 45, true, 15, 45},
		{"just below the multiple", flat(day, 1), 44, false, 15, 45},
		// 0.2 per minute is 3 per window; 3 × 3 = 9 < MinCount 20.
		{"min count decides on a quiet topic", everyFifth(day), 20, true, 3, 20},
		{"quiet topic below min count", everyFifth(day), 19, false, 3, 20},
		{"zero baseline, at min count", flat(day, 0), 20, true, 0, 20},
		{"zero baseline, below min count", flat(day, 0), 19, false, 0, 20},
		{"no history at all, min count decides", nil, 20, true, 0, 20},
		{"only the last day counts", append(flat(day, 100), flat(day, 1)...), 45, true, 15, 45},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			counts := append(append([]int{}, tc.history...), flat(15, 0)...)
			counts[len(counts)-1] = tc.window
			d := SpikeRule{What: "negative mentions"}.Evaluate(minutes(counts), at(len(counts)-1))
			if d.Fired != tc.wantFired || d.Count != tc.window ||
				math.Abs(d.Baseline-tc.wantBaseline) > 1e-9 || d.Threshold != tc.wantThreshold {
				t.Errorf("Decision = %+v", d)
			}
			if !strings.Contains(d.Why, "negative mentions in the last 15 minutes") ||
				!strings.Contains(d.Why, "over the previous 24 hours") {
				t.Errorf("Why = %q", d.Why)
			}
		})
	}
}

func TestSpikeEvaluateUsesOnlyEndedBuckets(t *testing.T) {
	counts := flat(30, 0)
	counts[20] = 25
	r := SpikeRule{}
	if d := r.Evaluate(minutes(counts), at(19).Add(59*time.Second)); d.Fired {
		t.Errorf("fired while minute 20 was still running: %+v", d)
	}
	if d := r.Evaluate(minutes(counts), at(20)); !d.Fired {
		t.Errorf("did not fire once minute 20 ended: %+v", d)
	}
	if d := r.Evaluate(minutes(counts), t0.Add(-time.Hour)); d.Fired || d.Count != 0 {
		t.Errorf("before the series: %+v", d)
	}
}

func TestSpikeReplayEpisodes(t *testing.T) {
	r := SpikeRule{Window: 5 * time.Minute, Baseline: time.Hour}
	counts := flat(200, 0)
	counts[120] = 30 // fires at the end of minute 120
	counts[128] = 30 // below only since minute 125: same episode
	counts[150] = 30 // below for a whole window since 133: new episode
	s := minutes(counts)

	got := r.Replay(s, t0, at(199))
	if len(got) != 2 || !got[0].At.Equal(at(120)) || !got[1].At.Equal(at(150)) {
		for _, f := range got {
			t.Logf("fired at minute %v: %s", f.At.Sub(t0), f.Why)
		}
		t.Fatalf("Replay gave %d firings, want at minutes 121 and 151", len(got))
	}
	t.Logf("second firing: %s", got[1].Why)
	if got[1].Count != 30 || got[1].Threshold != 20 || got[1].Baseline != 5 {
		t.Errorf("second firing = %+v", got[1].Decision)
	}
	// from and to bound the evaluations: (from, to].
	if got := r.Replay(s, at(135), at(199)); len(got) != 1 || !got[0].At.Equal(at(150)) {
		t.Errorf("Replay after the first episode = %+v", got)
	}
	// An episode under way at from is reported at the first evaluation.
	if got := r.Replay(s, at(120), at(140)); len(got) != 1 || !got[0].At.Equal(at(121)) {
		t.Errorf("Replay from inside an episode = %+v", got)
	}
	if got := r.Replay(s, t0, at(119)); len(got) != 0 {
		t.Errorf("Replay before the burst = %+v", got)
	}
	if got := r.Replay(s, at(50), at(20)); len(got) != 0 {
		t.Errorf("Replay with from after to = %+v", got)
	}
}

func TestAlarmRearmsAfterAWholeWindowBelow(t *testing.T) {
	var a Alarm
	step := func(min int, fired bool) bool {
		return a.Observe(Decision{Fired: fired, At: t0.Add(time.Duration(min) * time.Minute)}, 15*time.Minute)
	}
	if step(0, false) || !step(1, true) || step(2, true) {
		t.Fatal("first firing not reported exactly once")
	}
	step(3, false)
	if step(17, true) { // below for 14 minutes only
		t.Error("re-armed before a whole window below")
	}
	step(18, false)
	step(33, false) // below for 15 minutes: armed
	if !step(34, true) {
		t.Error("not re-armed after a whole window below")
	}
}

// poisson draws from a Poisson distribution (Knuth's method; fine for small λ).
func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func noise(seed uint64, n int, lambda float64) []int {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs := make([]int, n)
	for i := range xs {
		xs[i] = poisson(rng, lambda)
	}
	return xs
}

func TestSpikeDetectsBurstWithinAMinute(t *testing.T) {
	for _, tc := range []struct {
		lambda float64 // usual mentions per minute
		burst  int     // extra mentions per minute from minute start on
	}{
		{0.1, 25},
		{1, 40},
		{5, 200},
	} {
		const start = 2 * 24 * 60
		counts := noise(7, start+60, tc.lambda)
		for i := start; i < len(counts); i++ {
			counts[i] += tc.burst
		}
		s := minutes(counts)
		r := SpikeRule{}
		if d := r.Evaluate(s, at(start-1)); d.Fired {
			t.Errorf("λ=%v: fired before the burst: %s", tc.lambda, d.Why)
		}
		d := r.Evaluate(s, at(start))
		if !d.Fired {
			t.Errorf("λ=%v: not detected one minute into the burst: %s", tc.lambda, d.Why)
		}
		f := r.Replay(s, at(start-60), at(start+59))
		if len(f) != 1 || f[0].At.Sub(t0.Add(start*time.Minute)) > time.Minute {
			t.Errorf("λ=%v: Replay = %+v, want one firing by minute %d", tc.lambda, f, start+1)
		}
	}
}

func TestSpikeNeverFiresOnSteadyNoise(t *testing.T) {
	const week = 7 * 24 * 60
	for i, lambda := range []float64{0.05, 0.3, 1, 4, 20} {
		// A day of warm-up history, then a week of evaluations.
		s := minutes(noise(uint64(100+i), 24*60+week, lambda))
		from := t0.Add(24 * time.Hour)
		if f := (SpikeRule{}).Replay(s, from, from.Add(week*time.Minute)); len(f) != 0 {
			t.Errorf("λ=%v per minute: %d false alarms, first: %s", lambda, len(f), f[0].Why)
		}
	}
}

func TestPhraseRule(t *testing.T) {
	r := PhraseRule{Phrases: []string{"data breach", "#Recall", "Rückruf"}}
	tests := []struct {
		text string
		key  string
	}{
		{"Is this a DATA-breach?!", "data breach"},
		{"data\nbreach confirmed", "data breach"},
		{"metadata breached", ""},
		{"breach of data", ""},
		{"Big #recall today", "#Recall"},
		{"the recall of 2020", ""},
		{"Offizieller RÜCKRUF: Modell X", "Rückruf"},
		{"see https://example.com/data-breach", ""},
		{"", ""},
	}
	for _, tc := range tests {
		d := r.Evaluate(tc.text, t0)
		if d.Fired != (tc.key != "") || d.Key != tc.key {
			t.Errorf("%q: %+v, want key %q", tc.text, d, tc.key)
		}
	}
	if d := (PhraseRule{}).Evaluate("anything", t0); d.Fired {
		t.Error("a rule without phrases fired")
	}
}

func TestReplyRule(t *testing.T) {
	now := t0.Add(time.Hour)
	times := func(n int, every time.Duration) []time.Time {
		ts := make([]time.Time, n)
		for i := range ts {
			ts[i] = now.Add(-time.Duration(i) * every)
		}
		return ts
	}
	tests := []struct {
		name    string
		replies map[string][]time.Time
		fired   bool
		key     string
		count   int
	}{
		{"none", nil, false, "", 0},
		{"pile-on", map[string][]time.Time{"p1": times(50, 10*time.Second), "p2": times(3, time.Second)}, true, "p1", 50},
		{"spread out", map[string][]time.Time{"p1": times(50, time.Minute)}, false, "p1", 15},
		{"future replies ignored", map[string][]time.Time{"p1": append(times(49, time.Second), now.Add(time.Second))}, false, "p1", 49},
		{"tie goes to smaller id", map[string][]time.Time{"b": times(60, time.Second), "a": times(60, time.Second)}, true, "a", 60},
	}
	for _, tc := range tests {
		d := ReplyRule{}.Evaluate(tc.replies, now)
		if d.Fired != tc.fired || d.Key != tc.key || d.Count != tc.count || d.Threshold != 50 {
			t.Errorf("%s: %+v", tc.name, d)
		}
	}
}
