package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldsocial/herald/internal/herald"
	"github.com/heraldsocial/herald/internal/links"
)

// The redirect load (Config.Redirects) runs Herald's tracked-links
// service beside the dispatcher as herald serve does: on the same store,
// with its default settings (the click recorder flushing every second),
// and handed to the dispatcher as its link tracker. Its handler serves a
// loopback port. While the posts are due, a generator in this process
// sends GET /l/{code} for links of the scheduled targets on a fixed
// schedule (open loop: a request is sent when it is due, whether or not
// the ones before it were answered), and each request's latency runs
// from the time it was due to be sent, so a stall counts against every
// request scheduled behind it, not only the one it hit.

// RedirectLinks is how many tracked links the redirects are spread over,
// one on each of the first scheduled targets (fewer with fewer posts).
const RedirectLinks = 200

// redirectConns is how many connections (and workers) the load uses at
// most: as many visitors' browsers at once.
const redirectConns = 256

// redirectUA is a browser's User-Agent: each redirect is a person's
// click, the path that draws a click id and hashes the visitor.
const redirectUA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"

// RedirectResult is what the redirect load measured.
type RedirectResult struct {
	RatePerS int `json:"rate_per_s"`
	Links    int `json:"links"`
	// VisitorsApart is true when the requests came from a process of
	// their own (Config.VisitorsCommand), false when from this one.
	VisitorsApart bool `json:"visitors_apart"`
	// Sent is the requests of the load (from the first due time to the
	// last); Failed those that did not come back as a 302.
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
	// Latency from each request's scheduled send time to its answer read.
	P50MS float64 `json:"p50_ms"`
	P90MS float64 `json:"p90_ms"`
	P99MS float64 `json:"p99_ms"`
	MaxMS float64 `json:"max_ms"`
	// ClicksSent is every redirect sent, one warm-up request per link
	// included; ClicksRecorded is the clicks the store counts on the links
	// after the recorder's final flush. They must be equal.
	ClicksSent     int   `json:"clicks_sent"`
	ClicksRecorded int64 `json:"clicks_recorded"`
	// Dropped and FailedWrites are the recorder's counters.
	Dropped      int64 `json:"dropped"`
	FailedWrites int64 `json:"failed_writes"`
	// Flushes is how many batches the recorder wrote, and FlushMaxMS the
	// longest store call among them (the wait for the database's write
	// lock included).
	Flushes    int64   `json:"flushes"`
	FlushMaxMS float64 `json:"flush_max_ms"`
	// Where the time goes, over the load. SendLagP99MS: how late a
	// request left the generator (a worker free and scheduled to run).
	// SchedLatencyP99MS: how long the process's goroutines that were ready
	// to run waited for a CPU (the runtime's histogram, to a bucket). GCs
	// is the garbage collections and GCPauseMS their stop-the-world
	// pauses, summed; GCCPUPct is the share of the CPU time the process
	// used that went to the collector, and BusyPct the share of
	// GOMAXPROCS × wall time the process used.
	SendLagP99MS      float64 `json:"send_lag_p99_ms"`
	SchedLatencyP99MS float64 `json:"sched_latency_p99_ms"`
	GCs               uint32  `json:"gcs"`
	GCPauseMS         float64 `json:"gc_pause_ms"`
	GCCPUPct          float64 `json:"gc_cpu_pct"`
	BusyPct           float64 `json:"busy_pct"`
}

// timedClicks is the store with the recorder's batch writes timed.
type timedClicks struct {
	benchStore
	mu      sync.Mutex
	flushes int64
	longest time.Duration
}

// RecordClicks writes the clicks and notes how long it took.
func (t *timedClicks) RecordClicks(ctx context.Context, clicks []herald.Click) error {
	start := time.Now()
	err := t.benchStore.RecordClicks(ctx, clicks)
	took := time.Since(start)
	t.mu.Lock()
	t.flushes++
	t.longest = max(t.longest, took)
	t.mu.Unlock()
	return err
}

// redirectLoad is the links service, its server and the generator.
type redirectLoad struct {
	rate  int
	log   *slog.Logger
	store *timedClicks
	svc   *links.Service
	srv   *http.Server
	addr  string // the server's host:port
	codes []string
	// command runs the visitors in a process of their own
	// (Config.VisitorsCommand); empty, they run in this one.
	command []string
	err     error // the visitors' process failed
	stop    context.CancelFunc
	done    chan struct{}
	closed  sync.Once

	// Written by run, read after done is closed.
	visits        VisitorsResult
	gcs           uint32
	gcNS          uint64
	before, after []metrics.Sample
}

// runtimeMetrics are the runtime's figures read around the load.
var runtimeMetrics = []string{"/sched/latencies:seconds", "/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/idle:cpu-seconds", "/cpu/classes/total:cpu-seconds"}

func readRuntime() []metrics.Sample {
	s := make([]metrics.Sample, len(runtimeMetrics))
	for i, name := range runtimeMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	return s
}

// histogramP99 returns the upper bound of the bucket holding the 99th
// percentile of what was added to histogram b between a and b.
func histogramP99(a, b *metrics.Float64Histogram) time.Duration {
	var total uint64
	for i := range b.Counts {
		total += b.Counts[i] - a.Counts[i]
	}
	var seen uint64
	for i := range b.Counts {
		if seen += b.Counts[i] - a.Counts[i]; total > 0 && seen*100 >= total*99 {
			upper := b.Buckets[i+1]
			if math.IsInf(upper, 1) {
				upper = b.Buckets[i]
			}
			return time.Duration(upper * float64(time.Second))
		}
	}
	return 0
}

// openRedirects starts the links service on st, its recorder running,
// and serves its handler on a loopback port.
func openRedirects(ctx context.Context, cfg Config, st benchStore, fx *fixture) (*redirectLoad, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen for redirects: %w", err)
	}
	base := "http://" + ln.Addr().String()
	timed := &timedClicks{benchStore: st}
	svc, err := links.New(timed, links.Options{BaseURL: base, Sealer: fx.keys, Logger: cfg.Logger})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("bench: the links service: %w", err), ln.Close())
	}
	ctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	svc.Start(ctx)
	r := &redirectLoad{rate: cfg.Redirects, log: cfg.Logger, store: timed, svc: svc, addr: ln.Addr().String(),
		command: cfg.VisitorsCommand,
		stop:    stop, done: make(chan struct{}),
		srv: &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = r.srv.Serve(ln) }() // Serve ends with ErrServerClosed at close
	return r, nil
}

// prepare gives the first scheduled targets a link each and follows each
// link once, so the load finds every code in the redirect's memory, as
// links in use are.
func (r *redirectLoad) prepare(ctx context.Context, fx *fixture, sched schedule) error {
	prefix := r.svc.ShortURL("")
	for i, id := range sched.ids[:min(RedirectLinks, len(sched.ids))] {
		out, err := r.svc.Rewrite(ctx, links.RewriteInput{WorkspaceID: fx.ws.ID, TargetID: id,
			Platform: herald.PlatformFake, Texts: []string{"https://shop.example/item/" + strconv.Itoa(i)}})
		if err != nil {
			return fmt.Errorf("bench: make a tracked link: %w", err)
		}
		code, ok := strings.CutPrefix(out[0], prefix)
		if !ok {
			return fmt.Errorf("bench: the link was not shortened: %q", out[0])
		}
		r.codes = append(r.codes, code)
	}
	v := &visitor{addr: r.addr}
	defer v.close()
	for _, code := range r.codes {
		if err := v.get(code); err != nil {
			return err
		}
	}
	return nil
}

// start runs the load from the first due time (or now, if later) to the
// last one in the background.
func (r *redirectLoad) start(ctx context.Context, from, until time.Time) {
	ctx, stop := context.WithCancel(ctx)
	prev := r.stop
	r.stop = func() { stop(); prev() }
	go func() {
		defer close(r.done)
		r.run(ctx, from, until)
	}()
}

func (r *redirectLoad) run(ctx context.Context, from, until time.Time) {
	if now := time.Now(); now.After(from) {
		r.log.WarnContext(ctx, "the redirects start late: making the links took past the first due time",
			slog.Duration("late", now.Sub(from)))
		from = now
	}
	plan := VisitorsPlan{Addr: r.addr, Codes: r.codes, Rate: r.rate, From: from, Until: until}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r.before = readRuntime()
	var res VisitorsResult
	var err error
	if len(r.command) > 0 {
		res, err = visitElsewhere(ctx, r.command, plan)
	} else {
		res = Visit(ctx, plan)
	}
	r.after = readRuntime()
	runtime.ReadMemStats(&after)
	if err != nil {
		r.err = err
		return
	}
	if res.FirstError != "" {
		r.log.WarnContext(ctx, "a redirect failed", slog.String("error", res.FirstError))
	}
	r.visits = res
	r.gcs, r.gcNS = after.NumGC-before.NumGC, after.PauseTotalNs-before.PauseTotalNs
}

// finish waits for the load to end, stops the recorder (which writes
// what is pending) and counts the clicks the store holds.
func (r *redirectLoad) finish(ctx context.Context, workspaceID int64) (*RedirectResult, error) {
	select {
	case <-r.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("bench: interrupted: %w", ctx.Err())
	}
	if r.err != nil {
		return nil, r.err
	}
	lat := r.visits.Latency
	if err := r.svc.Close(ctx); err != nil {
		return nil, fmt.Errorf("bench: the final flush of clicks: %w", err)
	}
	res := &RedirectResult{RatePerS: r.rate, Links: len(r.codes), VisitorsApart: len(r.command) > 0, Sent: len(lat), Failed: r.visits.Failed,
		ClicksSent: len(r.codes) + len(lat), GCs: r.gcs, GCPauseMS: ms(time.Duration(r.gcNS))}
	if len(lat) > 0 {
		s := percentiles(lat) // sorts lat
		res.P50MS, res.P90MS, res.P99MS, res.MaxMS = ms(s.p50), ms(nearestRank(lat, 90)), ms(s.p99), ms(s.max)
		res.SendLagP99MS = ms(percentiles(r.visits.Lag).p99)
		res.SchedLatencyP99MS = ms(histogramP99(r.before[0].Value.Float64Histogram(), r.after[0].Value.Float64Histogram()))
		delta := func(i int) float64 { return r.after[i].Value.Float64() - r.before[i].Value.Float64() }
		if used := delta(3) - delta(2); used > 0 {
			res.GCCPUPct, res.BusyPct = math.Round(delta(1)/used*1000)/10, math.Round(used/delta(3)*1000)/10
		}
	}
	stats := r.svc.Recorder().Stats()
	res.Dropped, res.FailedWrites = stats.Dropped, stats.Failed
	r.store.mu.Lock()
	res.Flushes, res.FlushMaxMS = r.store.flushes, ms(r.store.longest)
	r.store.mu.Unlock()
	ls, err := r.store.ListLinks(ctx, workspaceID, time.Time{}, time.Time{}, links.MaxList)
	if err != nil {
		return nil, fmt.Errorf("bench: count the recorded clicks: %w", err)
	}
	for _, l := range ls {
		res.ClicksRecorded += l.Clicks + l.Bots + l.Previews
	}
	return res, nil
}

// close stops the load, the recorder and the server; it may be called
// more than once.
func (r *redirectLoad) close() error {
	var err error
	r.closed.Do(func() {
		r.stop()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = errors.Join(r.svc.Close(ctx), r.srv.Shutdown(ctx))
		if err != nil {
			err = fmt.Errorf("bench: stop the redirects: %w", err)
		}
	})
	return err
}
