package trend

import (
	"sync"
	"time"
)

// DefaultMaxTermsPerBucket caps the distinct terms one Counter bucket holds.
// At roughly 100 bytes per entry the default bucket count (171) times this
// cap bounds a Counter's term memory near 35 MB in the worst case; normal
// listening topics stay far below it.
const DefaultMaxTermsPerBucket = 2000

// CounterConfig sizes a Counter. Zero fields take the defaults.
type CounterConfig struct {
	// Bucket is the bucket width (DefaultBucket).
	Bucket time.Duration
	// Buckets is how many buckets are kept, newest included; it should cover
	// window plus baseline (DefaultWindowBuckets + DefaultBaselineBuckets).
	Buckets int
	// MaxTermsPerBucket caps distinct terms per bucket
	// (DefaultMaxTermsPerBucket).
	MaxTermsPerBucket int
}

// Counter accumulates the terms of posts per time bucket, keeping only the
// most recent Buckets buckets. It is safe for concurrent use.
//
// Memory is bounded twice. Buckets older than the kept range are dropped as
// soon as a newer post arrives (and posts older than the range are ignored).
// Within one bucket at most MaxTermsPerBucket distinct terms are held: when
// the bucket is full, the terms seen only once in it are forgotten to make
// room, and if that frees less than a quarter of the room, terms not already
// in the bucket are no longer counted until the next bucket starts (existing
// terms keep counting, and every post still counts in the total). Rising
// terms repeat, so they survive this; what is lost is the long tail of words
// seen once an hour, which could never pass DefaultMinCount. Dropped reports
// how many term occurrences were lost this way.
type Counter struct {
	mu       sync.Mutex
	width    time.Duration
	maxTerms int
	ring     []bucket // bucket i lives at ring[i mod len(ring)]
	newest   int64    // index of the newest bucket seen; valid when started
	started  bool
}

type bucket struct {
	idx     int64
	posts   int
	terms   map[string]int
	closed  bool // refuses new terms for the rest of the bucket
	dropped int
}

// NewCounter returns an empty Counter.
func NewCounter(cfg CounterConfig) *Counter {
	if cfg.Bucket <= 0 {
		cfg.Bucket = DefaultBucket
	}
	if cfg.Buckets <= 0 {
		cfg.Buckets = DefaultWindowBuckets + DefaultBaselineBuckets
	}
	if cfg.MaxTermsPerBucket <= 0 {
		cfg.MaxTermsPerBucket = DefaultMaxTermsPerBucket
	}
	return &Counter{width: cfg.Bucket, maxTerms: cfg.MaxTermsPerBucket, ring: make([]bucket, cfg.Buckets)}
}

// index is the bucket number of t: whole bucket widths since the Unix epoch.
func (k *Counter) index(t time.Time) int64 {
	ns, w := t.UnixNano(), int64(k.width)
	i := ns / w
	if ns%w < 0 {
		i--
	}
	return i
}

// Add counts one post published at at with the given terms (normally from
// Terms, so each term once). It reports false when the post is older than
// the kept range and was ignored. The newest time seen moves the range
// forward, so callers should clamp timestamps from the future (a wrong
// platform clock) to their own now.
func (k *Counter) Add(at time.Time, terms []string) bool {
	i := k.index(at)
	k.mu.Lock()
	defer k.mu.Unlock()
	if !k.started || i > k.newest {
		k.newest, k.started = i, true
	}
	if i <= k.newest-int64(len(k.ring)) {
		return false
	}
	b := &k.ring[mod(i, len(k.ring))]
	if b.idx != i || b.terms == nil {
		// The slot held an expired bucket (or nothing): reuse its map.
		if b.terms == nil {
			b.terms = make(map[string]int)
		} else {
			clear(b.terms)
		}
		b.idx, b.posts, b.closed, b.dropped = i, 0, false, 0
	}
	b.posts++
	for _, t := range terms {
		if n, ok := b.terms[t]; ok {
			b.terms[t] = n + 1
			continue
		}
		if len(b.terms) >= k.maxTerms && !b.closed {
			k.prune(b)
		}
		if b.closed || len(b.terms) >= k.maxTerms {
			b.dropped++
			continue
		}
		b.terms[t] = 1
	}
	return true
}

// prune forgets the terms seen once in a full bucket, and closes the bucket
// to new terms when that frees less than a quarter of it.
func (k *Counter) prune(b *bucket) {
	for t, n := range b.terms {
		if n == 1 {
			delete(b.terms, t)
			b.dropped++
		}
	}
	if len(b.terms) > k.maxTerms-k.maxTerms/4 {
		b.closed = true
	}
}

// Dropped returns how many term occurrences the kept buckets lost to the
// MaxTermsPerBucket cap.
func (k *Counter) Dropped() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for i := range k.ring {
		if k.live(&k.ring[i]) {
			n += k.ring[i].dropped
		}
	}
	return n
}

// live reports whether a ring slot holds a bucket within the kept range.
func (k *Counter) live(b *bucket) bool {
	return k.started && b.terms != nil && b.idx <= k.newest && b.idx > k.newest-int64(len(k.ring))
}

// Series copies the kept counts into a Series whose last bucket is the one
// containing now; buckets without posts are zeros. It is meant for charts and
// tests: for ranking, Rising avoids the copy.
func (k *Counter) Series(now time.Time) Series {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := len(k.ring)
	last := k.index(now)
	first := last - int64(n) + 1
	s := Series{
		Start:  time.Unix(0, first*int64(k.width)).UTC(),
		Bucket: k.width,
		Totals: make([]int, n),
		Terms:  make(map[string][]int),
	}
	for i := range k.ring {
		b := &k.ring[i]
		if !k.live(b) || b.idx < first || b.idx > last {
			continue
		}
		pos := int(b.idx - first)
		s.Totals[pos] = b.posts
		for t, c := range b.terms {
			row := s.Terms[t]
			if row == nil {
				row = make([]int, n)
				s.Terms[t] = row
			}
			row[pos] = c
		}
	}
	return s
}

// Rising ranks rising terms as Series.Rising does, for the window ending
// with the bucket that contains now. The baseline is limited to the buckets
// the Counter keeps.
func (k *Counter) Rising(now time.Time, o Options) []Rising {
	o = o.withDefaults()
	k.mu.Lock()
	defer k.mu.Unlock()
	last := k.index(now)
	ws := last - int64(o.Window) + 1
	bs := ws - int64(o.Baseline)
	// Sum the window first; only terms that reach MinCount there need their
	// baseline looked up, which spares merging every baseline bucket.
	win := make(map[string]int)
	var base []*bucket
	nw, nb := 0, 0
	for i := range k.ring {
		b := &k.ring[i]
		switch {
		case !k.live(b) || b.idx < bs || b.idx > last:
		case b.idx >= ws:
			nw += b.posts
			for t, c := range b.terms {
				win[t] += c
			}
		default:
			nb += b.posts
			base = append(base, b)
		}
	}
	if nw == 0 || nb == 0 {
		return nil
	}
	var out []Rising
	for t, a := range win {
		if a < o.MinCount {
			continue
		}
		c := 0
		for _, b := range base {
			c += b.terms[t]
		}
		if r, ok := score(t, a, nw, c, nb, o); ok {
			out = append(out, r)
		}
	}
	return top(out, o.Limit)
}

func mod(i int64, n int) int {
	m := int(i % int64(n))
	if m < 0 {
		m += n
	}
	return m
}
