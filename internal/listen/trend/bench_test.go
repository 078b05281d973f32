package trend

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// vocabulary returns n distinct terms.
func vocabulary(n int) []string {
	v := make([]string, n)
	for i := range v {
		v[i] = fmt.Sprintf("term%05d", i)
	}
	return v
}

// BenchmarkCounterAdd measures Add for posts of 12 terms drawn with a Zipf
// distribution from 20,000 words, 1,000 posts per hour, default sizes.
func BenchmarkCounterAdd(b *testing.B) {
	vocab := vocabulary(20000)
	rng := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(rng, 1.1, 1, uint64(len(vocab)-1))
	posts := make([][]string, 4096)
	for i := range posts {
		for range 12 {
			posts[i] = append(posts[i], vocab[zipf.Uint64()])
		}
	}
	k := NewCounter(CounterConfig{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		k.Add(t0.Add(time.Duration(i)*3600*time.Millisecond), posts[i%len(posts)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// BenchmarkTermsAndAdd is the whole per-post path: Terms then Add.
func BenchmarkTermsAndAdd(b *testing.B) {
	texts := []string{
		"The new pricing page is broken again and support is not answering #fail https://example.com/x",
		"Die Lieferung ist wieder nicht angekommen, und der Support schweigt @herald #kundenservice",
		"Love the new release, the dark mode is gorgeous 😍 #launch #design",
		"L'application est très lente depuis la mise à jour d'hier soir, c'est pénible",
	}
	k := NewCounter(CounterConfig{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		k.Add(t0.Add(time.Duration(i)*time.Second), Terms(texts[i%len(texts)], ""))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
}

// risingSeries is 171 hourly buckets of 1,000 posts and n distinct terms,
// a few of them rising.
func risingSeries(n int) Series {
	const buckets = DefaultWindowBuckets + DefaultBaselineBuckets
	rng := rand.New(rand.NewPCG(3, 4))
	s := Series{Totals: make([]int, buckets), Terms: make(map[string][]int, n)}
	for i := range s.Totals {
		s.Totals[i] = 1000
	}
	for i, term := range vocabulary(n) {
		row := make([]int, buckets)
		for j := range row {
			row[j] = rng.IntN(3)
			if i%1000 == 0 && j >= buckets-DefaultWindowBuckets {
				row[j] += 20
			}
		}
		s.Terms[term] = row
	}
	return s
}

// BenchmarkSeriesRising ranks 50,000 distinct terms over 171 buckets.
func BenchmarkSeriesRising(b *testing.B) {
	s := risingSeries(50000)
	b.ReportAllocs()
	for b.Loop() {
		if r, err := s.Rising(Options{}); err != nil || len(r) != 20 {
			b.Fatalf("%d rising, %v", len(r), err)
		}
	}
}

// BenchmarkCounterRising ranks the terms of a Counter fed 2,000 posts an
// hour for 171 hours, 10 terms each drawn with a Zipf distribution from
// 50,000 words (the per-bucket cap raised to 10,000 so nothing is pruned).
func BenchmarkCounterRising(b *testing.B) {
	vocab := vocabulary(50000)
	rng := rand.New(rand.NewPCG(5, 6))
	zipf := rand.NewZipf(rng, 1.05, 2, uint64(len(vocab)-1))
	k := NewCounter(CounterConfig{MaxTermsPerBucket: 10000})
	const buckets = DefaultWindowBuckets + DefaultBaselineBuckets
	seen := make(map[string]bool)
	for h := range buckets {
		at := t0.Add(time.Duration(h) * time.Hour)
		for p := range 2000 {
			terms := make([]string, 0, 11)
			for range 10 {
				t := vocab[zipf.Uint64()]
				seen[t] = true
				terms = append(terms, t)
			}
			if h >= buckets-DefaultWindowBuckets && p < 30 {
				terms = append(terms, "#breaking")
			}
			k.Add(at, terms)
		}
	}
	now := t0.Add((buckets - 1) * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if r := k.Rising(now, Options{}); len(r) == 0 || r[0].Term != "#breaking" {
			b.Fatalf("rising = %+v", r)
		}
	}
	b.ReportMetric(float64(len(seen)), "distinct-terms")
}

// BenchmarkSpikeEvaluate evaluates the default rule over a day and a half
// of minute buckets.
func BenchmarkSpikeEvaluate(b *testing.B) {
	s := minutes(noise(5, 36*60, 2))
	now := at(len(s.Counts) - 1)
	for b.Loop() {
		SpikeRule{}.Evaluate(s, now)
	}
}
