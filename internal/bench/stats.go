package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldsocial/herald/internal/publish"
)

// spread is the distribution of lateness.
type spread struct{ p50, p95, p99, max time.Duration }

// percentiles returns the nearest-rank percentiles of d (which it sorts).
func percentiles(d []time.Duration) spread {
	if len(d) == 0 {
		return spread{}
	}
	slices.Sort(d)
	return spread{p50: nearestRank(d, 50), p95: nearestRank(d, 95), p99: nearestRank(d, 99), max: d[len(d)-1]}
}

// nearestRank returns the p-th percentile (0–100) of d, sorted and not
// empty, by the nearest-rank method.
func nearestRank(d []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	return d[max(0, min(i, len(d)-1))]
}

// ms is d in milliseconds, to a tenth.
func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Millisecond)*10) / 10 }

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// currentRSSMB is the process's resident set now, from /proc (0 where
// there is no /proc).
func currentRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "VmRSS:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
		if err != nil {
			return 0
		}
		return math.Round(kb*1024/1e6*10) / 10
	}
	return 0
}

// observeRSS samples the resident set every 250 ms for d and returns the
// highest sample.
func observeRSS(ctx context.Context, d time.Duration) (float64, error) {
	high := currentRSSMB()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if err := sleep(ctx, 250*time.Millisecond); err != nil {
			return 0, err
		}
		high = max(high, currentRSSMB())
	}
	return high, nil
}

// trackedTargets reads the dispatcher's gauge of targets its timer holds.
func trackedTargets(d *publish.Dispatcher) (int, error) {
	reg := prometheus.NewRegistry()
	for _, c := range d.Collectors() {
		if err := reg.Register(c); err != nil {
			return 0, fmt.Errorf("bench: read the dispatcher's metrics: %w", err)
		}
	}
	families, err := reg.Gather()
	if err != nil {
		return 0, fmt.Errorf("bench: read the dispatcher's metrics: %w", err)
	}
	for _, f := range families {
		if f.GetName() == "herald_publish_tracked_targets" && len(f.GetMetric()) > 0 {
			return int(f.GetMetric()[0].GetGauge().GetValue()), nil
		}
	}
	return 0, fmt.Errorf("bench: the dispatcher has no herald_publish_tracked_targets gauge")
}

// idleSettle is how long an idle run waits after the timer holds every
// post, so that what loading allocated settles before RSS is read.
const idleSettle = 3 * time.Second

// waitTracked waits until the dispatcher's timer holds want targets (up
// to a minute), then lets the process settle.
func waitTracked(ctx context.Context, d *publish.Dispatcher, want int) (int, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		n, err := trackedTargets(d)
		if err != nil {
			return 0, err
		}
		if n >= want {
			return n, sleep(ctx, idleSettle)
		}
		if time.Now().After(deadline) {
			return n, fmt.Errorf("bench: the dispatcher holds %d of %d scheduled posts after a minute", n, want)
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return 0, err
		}
	}
}
