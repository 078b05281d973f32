package fakeserver_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heraldsocial/herald/internal/connector/fake/fakeserver"
)

// BenchmarkCreateStatus posts over loopback from many goroutines, each its
// own account, as the publishing engine does; posts/s is the figure to
// watch (the engine's benchmark needs ≥ 20,000 on two cores).
func BenchmarkCreateStatus(b *testing.B) {
	for _, idem := range []bool{false, true} {
		b.Run("idempotency="+strconv.FormatBool(idem), func(b *testing.B) {
			s, base := start(b, fakeserver.Config{Idempotency: idem, Lookup: true})
			c := s.Client()
			var worker, seq atomic.Int64
			b.SetParallelism(16)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				acct := "Bearer acct-" + strconv.FormatInt(worker.Add(1), 10)
				for pb.Next() {
					key := "t" + strconv.FormatInt(seq.Add(1), 10)
					req, err := http.NewRequest(http.MethodPost, base+"/api/v1/statuses", strings.NewReader("status=benchmark+post&visibility=public"))
					if err != nil {
						b.Error(err)
						return
					}
					req.Header.Set("Authorization", acct)
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("X-Herald-Key", key)
					if idem {
						req.Header.Set("Idempotency-Key", key)
					}
					res, err := c.Do(req)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("status %d", res.StatusCode)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
			if got := s.Ledger().Count(); got != b.N {
				b.Errorf("ledger has %d posts, want %d", got, b.N)
			}
		})
	}
}
