package trend

import (
	"fmt"
	"time"
)

// Defaults for spike detection.
const (
	// DefaultStep is the bucket width of a count series: one minute, so a
	// spike is seen at most a minute after its count crosses the threshold.
	DefaultStep = time.Minute
	// DefaultSpikeWindow is the span whose count is compared with usual.
	DefaultSpikeWindow = 15 * time.Minute
	// DefaultSpikeBaseline is the history that defines usual: the day before
	// the window.
	DefaultSpikeBaseline = 24 * time.Hour
	// DefaultMultiple is how many times the usual count is a spike.
	DefaultMultiple = 3.0
	// DefaultSpikeMinCount is the smallest count that is ever a spike, so that 3
	// angry posts instead of 1 do not wake anyone.
	DefaultSpikeMinCount = 20
)

// CountSeries is a count per equal time bucket, oldest first: for example
// negative mentions per minute. Bucket i covers [Start + i·Step,
// Start + (i+1)·Step); buckets beyond the end of Counts count zero.
type CountSeries struct {
	Start  time.Time
	Step   time.Duration // DefaultStep when zero
	Counts []int
}

func (s CountSeries) step() time.Duration {
	if s.Step <= 0 {
		return DefaultStep
	}
	return s.Step
}

// count returns the total of buckets [from, to), treating buckets outside
// the data as zero, and how many of them lie inside the data.
func (s CountSeries) count(from, to int) (total, inside int) {
	from, to = max(from, 0), min(to, len(s.Counts))
	for i := from; i < to; i++ {
		total += s.Counts[i]
	}
	return total, max(to-from, 0)
}

// SpikeRule fires when the count of the last Window is at least Multiple
// times its usual level AND at least MinCount. Zero fields take the
// defaults; Window and Baseline are rounded down to whole buckets of the
// series (at least one). The "usual level" (Decision.Baseline) is the mean count per
// Window over the Baseline before the window: total of the baseline buckets
// ÷ their number × buckets per window. When there is no history yet the
// baseline is 0 and MinCount alone decides.
type SpikeRule struct {
	Window   time.Duration
	Baseline time.Duration
	Multiple float64
	MinCount int
	// What names the counted thing in Why, e.g. "negative mentions".
	What string
}

func (r SpikeRule) withDefaults() SpikeRule {
	if r.Window <= 0 {
		r.Window = DefaultSpikeWindow
	}
	if r.Baseline <= 0 {
		r.Baseline = DefaultSpikeBaseline
	}
	if r.Multiple <= 0 {
		r.Multiple = DefaultMultiple
	}
	if r.MinCount <= 0 {
		r.MinCount = DefaultSpikeMinCount
	}
	if r.What == "" {
		r.What = "mentions"
	}
	return r
}

// Decision is the outcome of one evaluation, with the numbers behind it.
type Decision struct {
	// Fired reports whether the rule's condition holds.
	Fired bool
	// At is the evaluation time.
	At time.Time
	// Count is what was observed: posts in the window, or replies.
	Count int
	// Baseline is the usual Count per window (spike rule only).
	Baseline float64
	// Threshold is the Count at which the rule fires.
	Threshold float64
	// Key names what fired: the watched phrase or the replied-to post.
	Key string
	// Why explains the decision in one sentence for people.
	Why string
}

// Evaluate applies the rule as of now. Only buckets that have ended by now
// are used, so evaluating at each bucket boundary gives the same answers
// live and in Replay; the window is the last Window of complete buckets and
// the baseline the Baseline of buckets just before it.
//
// Latency: with 1-minute buckets, a window whose count crosses the threshold
// during minute t is seen by the evaluation at the end of minute t, at most
// 60 s later. Use smaller buckets for a faster reaction.
//
// Threshold = max(Multiple × Baseline, MinCount), and the rule fires when
// Count ≥ Threshold (exactly Multiple times the usual level fires).
func (r SpikeRule) Evaluate(s CountSeries, now time.Time) Decision {
	r = r.withDefaults()
	step := s.step()
	end := int(now.Sub(s.Start) / step) // buckets [0, end) have ended
	if now.Before(s.Start) {
		end = -1
	}
	return r.evaluate(s, end, now)
}

func (r SpikeRule) evaluate(s CountSeries, end int, now time.Time) Decision {
	step := s.step()
	w := max(int(r.Window/step), 1)
	b := max(int(r.Baseline/step), 1)
	count, _ := s.count(end-w, end)
	bsum, bn := s.count(end-w-b, end-w)
	baseline := 0.0
	if bn > 0 {
		baseline = float64(bsum) / float64(bn) * float64(w)
	}
	threshold := max(r.Multiple*baseline, float64(r.MinCount))
	// A tiny tolerance keeps "exactly Multiple times" firing despite
	// floating-point rounding of the mean.
	fired := float64(count) >= threshold*(1-1e-9)
	d := Decision{Fired: fired, At: now, Count: count, Baseline: baseline, Threshold: threshold}
	verb := "below"
	if fired {
		verb = "at or above"
	}
	d.Why = fmt.Sprintf("%d %s in the last %s, %s the threshold %.1f (the larger of %.4g × the usual %.1f per %s over the previous %s, and the minimum %d)",
		count, r.What, human(r.Window), verb, threshold, r.Multiple, baseline, human(r.Window), human(r.Baseline), r.MinCount)
	if bn == 0 {
		d.Why += "; no history yet, so the minimum decides"
	}
	return d
}

// human writes a duration the way a person would: "15 minutes", "24 hours".
func human(d time.Duration) string {
	unit := func(n int64, word string) string {
		if n == 1 {
			return "1 " + word
		}
		return fmt.Sprintf("%d %ss", n, word)
	}
	switch {
	case d > 0 && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d > 0 && d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	case d > 0 && d%time.Second == 0:
		return unit(int64(d/time.Second), "second")
	}
	return d.String()
}

// Firing is one episode's first firing found by Replay.
type Firing struct {
	Decision
}

// Replay evaluates the rule at the end of every bucket ending in
// (from, to], as a live evaluation once a bucket would, and returns when it
// would have fired. Each episode fires once: after firing, the rule is
// re-armed only when the count has stayed below the threshold at every
// evaluation for a whole Window (counted from the first evaluation below);
// a count that dips and climbs back within the window is the same episode.
// Replay starts armed, so an episode already under way at from is reported
// at the first evaluation after from.
func (r SpikeRule) Replay(s CountSeries, from, to time.Time) []Firing {
	r = r.withDefaults()
	step := s.step()
	var a Alarm
	var out []Firing
	first := max(int(from.Sub(s.Start)/step)+1, 1)
	// Past the data plus one window every count is zero and cannot fire.
	last := len(s.Counts) + max(int(r.Window/step), 1)
	for end := first; end <= last; end++ {
		at := s.Start.Add(time.Duration(end) * step)
		if at.After(to) {
			break
		}
		if !at.After(from) {
			continue
		}
		d := r.evaluate(s, end, at)
		if a.Observe(d, r.Window) {
			out = append(out, Firing{d})
		}
	}
	return out
}

// Alarm turns a stream of Decisions into one notification per episode, for
// live use with the same rules as Replay. The zero Alarm is armed. It is not
// safe for concurrent use.
type Alarm struct {
	fired      bool
	belowSince time.Time
	below      bool
}

// Observe records a decision and reports whether it starts a new episode.
// After a firing the alarm stays quiet until decisions have been below the
// threshold continuously for rearm (the rule's window).
func (a *Alarm) Observe(d Decision, rearm time.Duration) bool {
	if !a.fired {
		if d.Fired {
			a.fired, a.below = true, false
			return true
		}
		return false
	}
	if d.Fired {
		a.below = false
		return false
	}
	if !a.below {
		a.below, a.belowSince = true, d.At
	}
	if d.At.Sub(a.belowSince) >= rearm {
		a.fired, a.below = false, false
	}
	return false
}
