//go:build !linux

package bench

// peakRSSMB is 0 where the benchmark does not know how to read the peak
// resident set (it reads getrusage maxrss on Linux).
func peakRSSMB() float64 { return 0 }
