package bench

import (
	"math"
	"syscall"
)

// peakRSSMB is the process's peak resident set (getrusage maxrss, which
// Linux reports in KiB), in MB (10^6 bytes).
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return math.Round(float64(ru.Maxrss)*1024/1e6*10) / 10
}
